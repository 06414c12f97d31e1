/**
 * `goneaway/mysql2`: the parts of mysql2's module API that ORMs and query builders use, backed
 * by goneaway's pool, so they get goneaway's guarantees by changing one import or one option.
 * docs/orms.md lists what each ORM calls, how to plug each one in, and what is not supported.
 *
 * @example
 * import mysql from 'goneaway/mysql2';
 * import { Kysely, MysqlDialect } from 'kysely';
 * const db = new Kysely<Database>({ dialect: new MysqlDialect({ pool: mysql.createPool(process.env.DATABASE_URL!) }) });
 *
 * @packageDocumentation
 */
import mysql from 'mysql2';
import type { FacadeOptions } from './facade-options.js';
import { Mysql2Pool } from './mysql2-pool.js';
import { Mysql2StandaloneConnection } from './mysql2-standalone-connection.js';
import { notSupported } from './not-supported.js';

export type { DriverErrorFields, DriverShapedError } from './driver-error.js';
export type { FacadeOptions, GoneawayOptions } from './facade-options.js';
export { Mysql2Connection } from './mysql2-connection.js';
export { Mysql2Pool } from './mysql2-pool.js';
export { Mysql2PoolConnection } from './mysql2-pool-connection.js';
export { Mysql2StandaloneConnection } from './mysql2-standalone-connection.js';
export { Mysql2PromiseConnection } from './promise-connection.js';
export { Mysql2PromisePool } from './promise-pool.js';
export { StatementCommand } from './statement-command.js';

/**
 * A mysql2-compatible pool backed by goneaway. Takes mysql2's options (or a URI), plus
 * goneaway's own under `goneaway`.
 *
 * @example
 * const pool = createPool({ uri: process.env.DATABASE_URL, connectionLimit: 10, goneaway: { acquireTimeoutMs: 10_000 } });
 */
export function createPool(options: string | FacadeOptions): Mysql2Pool {
  return new Mysql2Pool(options);
}

/**
 * A mysql2-compatible connection whose session survives its server connection dying while idle.
 *
 * @example
 * const connection = createConnection(process.env.DATABASE_URL!);
 * connection.query('SELECT NOW() AS now', (error, rows) => connection.end());
 */
export function createConnection(options: string | FacadeOptions): Mysql2StandaloneConnection {
  return new Mysql2StandaloneConnection(options);
}

/**
 * Not supported: goneaway has no pool cluster (TypeORM's `replication` option uses one).
 *
 * @example
 * createPoolCluster(); // throws NotSupportedError
 */
export function createPoolCluster(_options?: unknown): never {
  throw notSupported(
    'createPoolCluster()',
    'Create one goneaway pool per server and pick the pool per query (for TypeORM, drop the replication option).',
  );
}

/** mysql2's escaping, unchanged; exported as `escape`. @example escape("O'Reilly"); // "'O\\'Reilly'" */
const escapeValue: typeof mysql.escape = mysql.escape;

export { escapeValue as escape };
/** @example escapeId('user'); // '`user`' */
export const escapeId: typeof mysql.escapeId = mysql.escapeId;
/** @example format('SELECT ? AS x', [1]); // 'SELECT 1 AS x' */
export const format: typeof mysql.format = mysql.format;
/** @example format('SELECT ?', [raw('NOW()')]); // 'SELECT NOW()' */
export const raw: typeof mysql.raw = mysql.raw;
/** mysql2's column type codes (`Types.DATETIME`, ...), for `typeCast` functions. @example Types.JSON; // 245 */
export const Types: typeof mysql.Types = mysql.Types;

/**
 * The module object, for options that take a whole driver module (Sequelize's `dialectModule`,
 * TypeORM's `driver`).
 *
 * @example
 * import mysql2 from 'goneaway/mysql2';
 * new Sequelize(process.env.DATABASE_URL!, { dialect: 'mysql', dialectModule: mysql2 });
 */
const mysql2 = {
  createPool,
  createConnection,
  connect: createConnection,
  createPoolCluster,
  escape: escapeValue,
  escapeId,
  format,
  raw,
  Types,
};
export default mysql2;
