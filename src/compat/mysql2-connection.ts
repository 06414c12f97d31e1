/**
 * The callback-API connection that ORMs receive from the facade: what mysql2's `Connection`
 * offers them, over a {@link FacadeSession} (a goneaway lease). Two kinds derive from it:
 * {@link Mysql2PoolConnection} from `pool.getConnection()` and the standalone connection from
 * `createConnection()`.
 *
 * Differences from mysql2 an ORM could notice, all deliberate:
 * - the server connection underneath may be replaced after it died while idle (that is the
 *   point); `threadId` then changes, and no `'error'` event is emitted for it;
 * - `fields` are what `run-statement.ts` gets from the core (`undefined` until the core passes them);
 * - `ping()` runs `DO 1`, so it takes the same path as a statement;
 * - `_fatalError`, `_protocolError`, `_closing` and `stream.destroyed`, which Sequelize's and
 *   Knex's validators read, say whether *this handle* can still be used; a lost server
 *   connection does not make it unusable.
 */
import { EventEmitter } from 'node:events';
import { toDriverError } from './driver-error.js';
import type { FacadeSession } from './facade-session.js';
import { notSupported } from './not-supported.js';
import { Mysql2PromiseConnection } from './promise-connection.js';
import type { StatementKind, StatementResult } from './run-statement.js';
import type { SqlText } from './sql-text.js';
import type { DriverCallback, QueryOptions, Statement } from './statement.js';
import { StatementCommand, startCommand } from './statement-command.js';

/** A callback told only whether it worked: no argument on success, as Knex and Kysely type it. */
export type DoneCallback = (error?: Error) => void;

/**
 * The parts of mysql2's `Connection` the facade provides.
 *
 * @example
 * pool.getConnection((error, connection) => {
 *   if (error) throw error;
 *   connection.query('SELECT 1 AS one', (queryError, rows) => {
 *     connection.release();
 *   });
 * });
 */
export abstract class Mysql2Connection extends EventEmitter {
  /** mysql2's settings of this connection, without any password. */
  readonly config: Readonly<Record<string, unknown>>;
  #fatal: Error | null = null;
  /** mysql2's protocol-error slot; goneaway never leaves a handle with a broken protocol. */
  _protocolError: Error | null = null;
  /** @internal */
  protected readonly session: FacadeSession;
  readonly #text: SqlText;

  /** @internal */
  constructor(session: FacadeSession, config: Readonly<Record<string, unknown>>, text: SqlText) {
    super();
    this.session = session;
    this.config = config;
    this.#text = text;
  }

  /**
   * mysql2's fatal-error slot: set when this handle can take no more statements (a failed
   * connect, or a loss that took session state with it). Validators read it.
   */
  get _fatalError(): Error | null {
    const lost = this.session.fatal;
    if (!this.#fatal && lost) this.#fatal = toDriverError(lost);
    return this.#fatal;
  }

  set _fatalError(error: Error | null) {
    this.#fatal = error;
  }

  /** The server's id for the connection in use (it changes when a dead one was replaced). */
  get threadId(): number | null {
    return this.session.threadId || null;
  }

  /** mysql2's "being closed" flag: true once this handle was ended or released. */
  get _closing(): boolean {
    return this.session.closed;
  }

  /** A view of mysql2's socket for validators that read `stream.destroyed`. */
  get stream(): { readonly destroyed: boolean } {
    return { destroyed: this.session.closed };
  }

  /**
   * Runs a statement (text protocol). mysql2's argument forms: `(sql, cb)`, `(sql, values, cb)`,
   * `({ sql, values, timeout }, cb)`, and any of them without a callback.
   */
  query(sql: string | QueryOptions, callback?: DriverCallback): StatementCommand;
  query(sql: string | QueryOptions, values: unknown, callback?: DriverCallback): StatementCommand;
  /** Any other argument shape is checked at run time, as mysql2 does. */
  query(sql: unknown, values?: unknown, callback?: unknown): StatementCommand;
  query(sql: unknown, values?: unknown, callback?: unknown): StatementCommand {
    return this.#command('query', sql, values, callback);
  }

  /** Runs a prepared statement (binary protocol); arguments as for {@link Mysql2Connection.query}. */
  execute(sql: string | QueryOptions, callback?: DriverCallback): StatementCommand;
  execute(sql: string | QueryOptions, values: unknown, callback?: DriverCallback): StatementCommand;
  execute(sql: unknown, values?: unknown, callback?: unknown): StatementCommand;
  execute(sql: unknown, values?: unknown, callback?: unknown): StatementCommand {
    return this.#command('execute', sql, values, callback);
  }

  /** `START TRANSACTION`. */
  beginTransaction(optionsOrCallback?: unknown, callback?: DoneCallback): StatementCommand {
    return this.#simple('START TRANSACTION', optionsOrCallback, callback);
  }

  commit(optionsOrCallback?: unknown, callback?: DoneCallback): StatementCommand {
    return this.#simple('COMMIT', optionsOrCallback, callback);
  }

  rollback(optionsOrCallback?: unknown, callback?: DoneCallback): StatementCommand {
    return this.#simple('ROLLBACK', optionsOrCallback, callback);
  }

  /** Answers when the server does: runs `DO 1` on this connection. */
  ping(callback?: DoneCallback): StatementCommand {
    return this.#simple('DO 1', callback, undefined);
  }

  escape(value: unknown): string {
    return this.#text.escape(value);
  }

  escapeId(value: unknown): string {
    return this.#text.escapeId(value);
  }

  format(sql: string, values?: unknown): string {
    return this.#text.format(sql, values);
  }

  /** The promise API over this connection (mysql2's `connection.promise()`). */
  promise(): Mysql2PromiseConnection {
    return new Mysql2PromiseConnection(this);
  }

  changeUser(): never {
    throw notSupported(
      'connection.changeUser()',
      'A pool keeps one set of credentials; create a second pool for another user.',
    );
  }

  prepare(): never {
    throw notSupported(
      'connection.prepare()',
      'Use execute(), which prepares and caches the statement itself.',
    );
  }

  unprepare(): never {
    throw notSupported(
      'connection.unprepare()',
      'Statements prepared by execute() are closed with their connection.',
    );
  }

  pause(): never {
    throw notSupported(
      'connection.pause()',
      'Results are read whole; there is no stream to pause.',
    );
  }

  resume(): never {
    throw notSupported(
      'connection.resume()',
      'Results are read whole; there is no stream to resume.',
    );
  }

  /** Closes this handle. */
  abstract end(callback?: DoneCallback): void;

  /** Closes this handle without waiting. */
  abstract destroy(): void;

  /** @internal Where statements go; the standalone connection looks at them first. */
  protected runStatement(kind: StatementKind, statement: Statement): Promise<StatementResult> {
    return this.session.run(kind, statement);
  }

  #command(
    kind: StatementKind,
    sql: unknown,
    values: unknown,
    callback: unknown,
  ): StatementCommand {
    return startCommand((statement) => this.runStatement(kind, statement), sql, values, callback);
  }

  #simple(
    sql: string,
    optionsOrCallback: unknown,
    callback: DoneCallback | undefined,
  ): StatementCommand {
    const done =
      typeof optionsOrCallback === 'function' ? (optionsOrCallback as DoneCallback) : callback;
    const statement: Statement = { sql, values: undefined, timeoutMs: undefined, shape: {} };
    return new StatementCommand(
      () => this.runStatement('query', statement),
      done && ((error) => (error ? done(error) : done())),
    );
  }
}
