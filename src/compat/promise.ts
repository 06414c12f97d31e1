/**
 * `goneaway/mysql2/promise`: mysql2's promise module API, backed by goneaway. Statements
 * resolve to `[rows or result, fields]` as with `mysql2/promise`.
 *
 * @example
 * import mysql from 'goneaway/mysql2/promise';
 * import { drizzle } from 'drizzle-orm/mysql2';
 * const db = drizzle({ client: mysql.createPool(process.env.DATABASE_URL!) });
 *
 * @packageDocumentation
 */

import type { FacadeOptions } from './facade-options.js';
import {
  createConnection as createCallbackConnection,
  createPool as createCallbackPool,
  escapeId,
  escape as escapeValue,
  format,
  raw,
  Types,
} from './index.js';
import type { Mysql2StandaloneConnection } from './mysql2-standalone-connection.js';
import { notSupported } from './not-supported.js';
import { Mysql2PromiseConnection } from './promise-connection.js';
import type { Mysql2PromisePool } from './promise-pool.js';

export type { FacadeOptions, GoneawayOptions } from './facade-options.js';
export { Mysql2PromiseConnection } from './promise-connection.js';
export { Mysql2PromisePool } from './promise-pool.js';
export { escapeId, escapeValue as escape, format, raw, Types };

/**
 * A promise-API pool backed by goneaway.
 *
 * @example
 * const pool = createPool(process.env.DATABASE_URL!);
 * const [rows] = await pool.query('SELECT 1 AS one');
 */
export function createPool(options: string | FacadeOptions): Mysql2PromisePool {
  return createCallbackPool(options).promise();
}

/**
 * A promise-API connection, resolved once a server answered.
 *
 * @example
 * const connection = await createConnection(process.env.DATABASE_URL!);
 * await connection.end();
 */
export function createConnection(
  options: string | FacadeOptions,
): Promise<Mysql2PromiseConnection<Mysql2StandaloneConnection>> {
  const connection = createCallbackConnection(options);
  return new Promise((resolve, reject) =>
    connection.connect((error) =>
      error ? reject(error) : resolve(new Mysql2PromiseConnection(connection)),
    ),
  );
}

/**
 * Not supported: goneaway has no pool cluster.
 *
 * @example
 * createPoolCluster(); // throws NotSupportedError
 */
export function createPoolCluster(_options?: unknown): never {
  throw notSupported(
    'createPoolCluster()',
    'Create one goneaway pool per server and pick the pool per query.',
  );
}

/**
 * The module object, like `mysql2/promise`'s.
 *
 * @example
 * import mysql from 'goneaway/mysql2/promise';
 * const pool = mysql.createPool(process.env.DATABASE_URL!);
 */
const mysql2Promise = {
  createPool,
  createConnection,
  createPoolCluster,
  escape: escapeValue,
  escapeId,
  format,
  raw,
  Types,
};
export default mysql2Promise;
