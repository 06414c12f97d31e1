/**
 * The facade's `createConnection()`: one session that survives its server connection. It is
 * a lease from a private goneaway pool of one connection, held until `end()`, so session state
 * (a transaction, variables, temporary tables) lives on as with mysql2; a server connection
 * that died while idle is replaced under it when the session held nothing that would be lost,
 * and the caller is told (guarantee 4) when it did.
 *
 * ORMs that pool connections themselves (Sequelize) open connections this way and then set up
 * the session: Sequelize sends `SET time_zone = '+00:00'` on each new connection. A session
 * variable set like that would otherwise be state that a lost connection takes with it. So
 * statements that only set session variables to constants (see `session-setting.ts`), sent
 * before anything else, become init statements: each runs once as sent (so errors surface at
 * once), and then every server connection this handle opens replays them. That costs one
 * extra server connection per setting, once, when the handle is set up.
 *
 * Connecting starts at once, as in mysql2: `'connect'` is emitted when a server answered, and a
 * failure is reported to `connect(callback)` and to `'error'` listeners.
 */
import { createPool, type Pool } from '../pool/pool.js';
import { isSessionSetting } from '../sql/session-setting.js';
import { toDriverError } from './driver-error.js';
import {
  type FacadeOptions,
  type ResolvedFacadeOptions,
  resolveFacadeOptions,
} from './facade-options.js';
import { FacadeSession } from './facade-session.js';
import { type DoneCallback, Mysql2Connection } from './mysql2-connection.js';
import type { StatementKind, StatementResult } from './run-statement.js';
import { SqlText } from './sql-text.js';
import type { Statement } from './statement.js';

/** Which private pool the session borrows from; replaced when the init statements change. */
interface PoolSlot {
  pool: Pool;
}

/**
 * mysql2's `Connection` (from `createConnection`), backed by goneaway.
 *
 * @example
 * import mysql from 'goneaway/mysql2';
 * const connection = mysql.createConnection({ uri: process.env.DATABASE_URL });
 * connection.query('SELECT 1 AS one', (error, rows) => {
 *   connection.end();
 * });
 */
export class Mysql2StandaloneConnection extends Mysql2Connection {
  readonly #options: ResolvedFacadeOptions;
  readonly #slot: PoolSlot;
  /** Session settings sent before any other statement, replayed on every new server connection. */
  readonly #settings: string[] = [];
  #settingsOpen = true;
  readonly #connected: Promise<void>;
  #ending: Promise<void> | undefined;

  /** @internal Use the facade's `createConnection`. */
  constructor(options: string | FacadeOptions) {
    const resolved = resolveFacadeOptions(options);
    const slot: PoolSlot = { pool: privatePool(resolved, []) };
    super(
      new FacadeSession(() => slot.pool.acquire()),
      resolved.publicConfig,
      new SqlText(resolved),
    );
    this.#options = resolved;
    this.#slot = slot;
    this.#connected = this.session.connect().catch((error: unknown) => {
      const shown = toDriverError(error);
      this._fatalError = shown;
      void this.#close();
      throw shown;
    });
    // Events go out of the promise chain: a listener's exception surfaces as one. Without an
    // 'error' listener a failed connect is reported to connect() and to every later statement.
    this.#connected.then(
      () => process.nextTick(() => this.emit('connect')),
      (error: Error) =>
        process.nextTick(() => {
          if (this.listenerCount('error') > 0) this.emit('error', error);
        }),
    );
  }

  /** The goneaway pool currently behind this connection (its events and stats). */
  get goneaway(): Pool {
    return this.#slot.pool;
  }

  /** Calls back once a server answered (or connecting failed). Connecting starts on creation. */
  connect(callback?: DoneCallback): void {
    this.#connected.then(
      () => callback && process.nextTick(() => callback()),
      (error: Error) => callback && process.nextTick(() => callback(error)),
    );
  }

  /** Ends the session after the statements already sent, then closes its server connection. */
  end(callback?: DoneCallback): void {
    this.#ending ??= this.session.end().then(() => this.#close());
    this.#ending.then(
      () =>
        process.nextTick(() => {
          this.emit('end');
          callback?.();
        }),
      (error: unknown) => callback && process.nextTick(() => callback(toDriverError(error))),
    );
  }

  /** Closes the session now; statements still queued are refused. */
  destroy(): void {
    this.session.close();
    this.#ending ??= this.#close();
  }

  /** @internal Session settings sent first become init statements (see the file comment). */
  protected override runStatement(
    kind: StatementKind,
    statement: Statement,
  ): Promise<StatementResult> {
    const fatal = this._fatalError;
    if (fatal) return Promise.reject(fatal);
    const setting =
      this.#settingsOpen && isSessionSetting(statement.sql) && statement.values === undefined;
    if (!setting) {
      this.#settingsOpen = false;
      return super.runStatement(kind, statement);
    }
    return this.session.run(kind, statement, () => {
      this.#settings.push(statement.sql);
      // The server connection that ran the setting now holds it as session state: let it go
      // (goneaway retires it) and borrow from a pool that sets it on every connection.
      this.session.detach();
      const previous = this.#slot.pool;
      this.#slot.pool = privatePool(this.#options, this.#settings);
      void previous.end();
    });
  }

  async #close(): Promise<void> {
    this.session.close();
    await this.#slot.pool.end();
  }
}

/** One server connection, held for the handle's life: a lease that long is not a leak. */
function privatePool(options: ResolvedFacadeOptions, settings: readonly string[]): Pool {
  return createPool({
    ...options.pool,
    max: 1,
    leakWarningMs: 0,
    initSql: [...(options.pool.initSql ?? []), ...settings],
  });
}
