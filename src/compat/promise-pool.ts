/**
 * mysql2's promise-API pool over a facade pool (`pool.promise()`, and `createPool` from
 * `goneaway/mysql2/promise`). Statements resolve to `[rows or result, fields]`.
 */
import { EventEmitter } from 'node:events';
import type { Pool } from '../pool/pool.js';
import { inheritEvents } from './inherit-events.js';
import type { Mysql2Pool } from './mysql2-pool.js';
import type { Mysql2PoolConnection } from './mysql2-pool-connection.js';
import { Mysql2PromiseConnection } from './promise-connection.js';
import type { QueryOptions } from './statement.js';

/**
 * A promise-API pool. `pool` is the callback-API pool it wraps (mysql2 names it the same; Knex
 * reads it).
 *
 * @example
 * import { createPool } from 'goneaway/mysql2/promise';
 * const pool = createPool({ uri: process.env.DATABASE_URL });
 * const [rows] = await pool.query('SELECT id FROM user WHERE email = ?', ['a@example.com']);
 */
export class Mysql2PromisePool extends EventEmitter {
  readonly pool: Mysql2Pool;

  constructor(pool: Mysql2Pool) {
    super();
    this.pool = pool;
    inheritEvents(pool, this, ['acquire', 'release']);
  }

  /** The goneaway pool underneath. */
  get goneaway(): Pool {
    return this.pool.goneaway;
  }

  get config(): Mysql2Pool['config'] {
    return this.pool.config;
  }

  /** Resolves to `[rows or result header, fields]`; `T` names what the caller expects. */
  query<T = unknown>(sql: string | QueryOptions, values?: unknown): Promise<[T, unknown]> {
    return this.#statement('query', sql, values) as Promise<[T, unknown]>;
  }

  execute<T = unknown>(sql: string | QueryOptions, values?: unknown): Promise<[T, unknown]> {
    return this.#statement('execute', sql, values) as Promise<[T, unknown]>;
  }

  getConnection(): Promise<Mysql2PromiseConnection<Mysql2PoolConnection>> {
    return new Promise((resolve, reject) => {
      this.pool.getConnection((error, connection) =>
        error || !connection ? reject(error) : resolve(new Mysql2PromiseConnection(connection)),
      );
    });
  }

  releaseConnection(connection: Mysql2PromiseConnection): void {
    connection.release();
  }

  end(): Promise<void> {
    return new Promise((resolve, reject) =>
      this.pool.end((error) => (error ? reject(error) : resolve())),
    );
  }

  escape(value: unknown): string {
    return this.pool.escape(value);
  }

  escapeId(value: unknown): string {
    return this.pool.escapeId(value);
  }

  format(sql: string, values?: unknown): string {
    return this.pool.format(sql, values);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.end();
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
      if (values === undefined) this.pool[kind](sql, callback);
      else this.pool[kind](sql, values, callback);
    });
  }
}
