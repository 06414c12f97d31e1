/**
 * mysql2's callback-API pool, backed by a goneaway pool. `query`/`execute` on the pool run one
 * statement with every guarantee of `db.query()` (idle death invisible, retried only when
 * provably unsent); `getConnection()` lends a goneaway lease wrapped as a mysql2
 * `PoolConnection`.
 *
 * Events: `'acquire'` and `'release'` carry the facade connection as in mysql2. mysql2's
 * `'connection'` and `'enqueue'` are not emitted: server connections are goneaway's (watch them
 * through `pool.goneaway.on('connect' | 'acquire-wait', ...)`).
 */
import { EventEmitter } from 'node:events';
import { createPool, type Pool } from '../pool/pool.js';
import { toDriverError } from './driver-error.js';
import { type FacadeOptions, resolveFacadeOptions } from './facade-options.js';
import { FacadeSession } from './facade-session.js';
import type { DoneCallback } from './mysql2-connection.js';
import { Mysql2PoolConnection } from './mysql2-pool-connection.js';
import { Mysql2PromisePool } from './promise-pool.js';
import { runStatement, type StatementKind } from './run-statement.js';
import { SqlText } from './sql-text.js';
import type { DriverCallback, QueryOptions } from './statement.js';
import { type StatementCommand, startCommand } from './statement-command.js';

/**
 * mysql2's `getConnection` callback. As in mysql2's typings, `connection` is typed as present;
 * it is `undefined` when `error` is set.
 */
export type GetConnectionCallback = (error: Error | null, connection: Mysql2PoolConnection) => void;

/**
 * A mysql2-compatible pool. Create it with the facade's `createPool`.
 *
 * @example
 * import mysql from 'goneaway/mysql2';
 * const pool = mysql.createPool({ uri: process.env.DATABASE_URL, connectionLimit: 10 });
 * pool.query('SELECT 1 AS one', (error, rows) => console.log(rows));
 */
export class Mysql2Pool extends EventEmitter {
  /** mysql2's pool settings, without any password. */
  readonly config: {
    readonly connectionLimit: number | undefined;
    readonly connectionConfig: Readonly<Record<string, unknown>>;
  };
  readonly #pool: Pool;
  readonly #text: SqlText;

  /** @internal Use the facade's `createPool`. */
  constructor(options: string | FacadeOptions) {
    super();
    const resolved = resolveFacadeOptions(options);
    this.#pool = createPool(resolved.pool);
    this.#text = new SqlText(resolved);
    this.config = { connectionLimit: resolved.pool.max, connectionConfig: resolved.publicConfig };
  }

  /** The goneaway pool underneath: its `stats`, events (`retry`, `loss`, `close`, ...) and `end()`. */
  get goneaway(): Pool {
    return this.#pool;
  }

  /** Runs one statement on any connection, with goneaway's retry rules. Arguments as mysql2's. */
  query(sql: string | QueryOptions, callback?: DriverCallback): StatementCommand;
  query(sql: string | QueryOptions, values: unknown, callback?: DriverCallback): StatementCommand;
  /** Any other argument shape is checked at run time, as mysql2 does. */
  query(sql: unknown, values?: unknown, callback?: unknown): StatementCommand;
  query(sql: unknown, values?: unknown, callback?: unknown): StatementCommand {
    return this.#command('query', sql, values, callback);
  }

  /** As {@link Mysql2Pool.query}, as a prepared statement. */
  execute(sql: string | QueryOptions, callback?: DriverCallback): StatementCommand;
  execute(sql: string | QueryOptions, values: unknown, callback?: DriverCallback): StatementCommand;
  execute(sql: unknown, values?: unknown, callback?: unknown): StatementCommand;
  execute(sql: unknown, values?: unknown, callback?: unknown): StatementCommand {
    return this.#command('execute', sql, values, callback);
  }

  /** Lends one connection until `release()`. Waits up to goneaway's `acquireTimeoutMs`. */
  getConnection(callback: GetConnectionCallback): void {
    this.#pool.acquire().then(
      (lease) => {
        const connection = new Mysql2PoolConnection(
          new FacadeSession(() => this.#pool.acquire(), lease),
          this.config.connectionConfig,
          this.#text,
          (released) => this.emit('release', released),
        );
        // Out of the promise chain, so an exception in a listener or the callback surfaces.
        process.nextTick(() => {
          this.emit('acquire', connection);
          callback(null, connection);
        });
      },
      (error: unknown) =>
        process.nextTick(() =>
          callback(toDriverError(error), undefined as unknown as Mysql2PoolConnection),
        ),
    );
  }

  /** mysql2's way to give a connection back; same as `connection.release()`. */
  releaseConnection(connection: Mysql2PoolConnection): void {
    connection.release();
  }

  /** Ends the goneaway pool: waits for leases (bounded), then closes every connection. */
  end(callback?: DoneCallback): void {
    this.#pool.end().then(
      () => callback && process.nextTick(() => callback()),
      (error: unknown) => callback && process.nextTick(() => callback(toDriverError(error))),
    );
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

  /** The promise API over this pool (mysql2's `pool.promise()`). */
  promise(): Mysql2PromisePool {
    return new Mysql2PromisePool(this);
  }

  #command(
    kind: StatementKind,
    sql: unknown,
    values: unknown,
    callback: unknown,
  ): StatementCommand {
    return startCommand(
      (statement) => runStatement(this.#pool, kind, statement),
      sql,
      values,
      callback,
    );
  }
}
