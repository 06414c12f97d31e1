/**
 * mysql2's promise API over a facade connection (`connection.promise()`,
 * `pool.getConnection()` of a promise pool). Statements resolve to `[rows or result, fields]`.
 */
import { EventEmitter } from 'node:events';
import { inheritEvents } from './inherit-events.js';
import type { DoneCallback, Mysql2Connection } from './mysql2-connection.js';
import type { QueryOptions } from './statement.js';

/**
 * A promise-API connection. `connection` is the callback-API connection it wraps.
 *
 * @example
 * const conn = await pool.promise().getConnection();
 * try {
 *   await conn.beginTransaction();
 *   const [result] = await conn.query('INSERT INTO audit (msg) VALUES (?)', ['hi']);
 *   await conn.commit();
 * } finally {
 *   conn.release();
 * }
 */
export class Mysql2PromiseConnection<
  C extends Mysql2Connection = Mysql2Connection,
> extends EventEmitter {
  /** The callback-API connection underneath (mysql2 names it the same). */
  readonly connection: C;

  constructor(connection: C) {
    super();
    this.connection = connection;
    inheritEvents(connection, this, ['error', 'end', 'connect']);
  }

  get threadId(): number | null {
    return this.connection.threadId;
  }

  get config(): Readonly<Record<string, unknown>> {
    return this.connection.config;
  }

  /** Resolves to `[rows or result header, fields]`; `T` names what the caller expects. */
  query<T = unknown>(sql: string | QueryOptions, values?: unknown): Promise<[T, unknown]> {
    return this.#statement('query', sql, values) as Promise<[T, unknown]>;
  }

  execute<T = unknown>(sql: string | QueryOptions, values?: unknown): Promise<[T, unknown]> {
    return this.#statement('execute', sql, values) as Promise<[T, unknown]>;
  }

  beginTransaction(): Promise<void> {
    return done((callback) => this.connection.beginTransaction(callback));
  }

  commit(): Promise<void> {
    return done((callback) => this.connection.commit(callback));
  }

  rollback(): Promise<void> {
    return done((callback) => this.connection.rollback(callback));
  }

  ping(): Promise<void> {
    return done((callback) => this.connection.ping(callback));
  }

  end(): Promise<void> {
    return done((callback) => this.connection.end(callback));
  }

  destroy(): void {
    this.connection.destroy();
  }

  /** Returns a pool connection to its pool (as mysql2's `PromisePoolConnection.release()`). */
  release(): void {
    const pooled = this.connection as Mysql2Connection & { release?: () => void };
    pooled.release?.();
  }

  escape(value: unknown): string {
    return this.connection.escape(value);
  }

  escapeId(value: unknown): string {
    return this.connection.escapeId(value);
  }

  format(sql: string, values?: unknown): string {
    return this.connection.format(sql, values);
  }

  #statement(
    kind: 'query' | 'execute',
    sql: unknown,
    values: unknown,
  ): Promise<[unknown, unknown]> {
    if (typeof values === 'function') {
      return Promise.reject(
        new TypeError('Callback function is not available with promise clients.'),
      );
    }
    return new Promise((resolve, reject) => {
      const callback = (error: Error | null, result?: unknown, fields?: unknown): void =>
        error ? reject(error) : resolve([result, fields]);
      if (values === undefined) this.connection[kind](sql, callback);
      else this.connection[kind](sql, values, callback);
    });
  }
}

function done(start: (callback: DoneCallback) => void): Promise<void> {
  return new Promise((resolve, reject) => start((error) => (error ? reject(error) : resolve())));
}
