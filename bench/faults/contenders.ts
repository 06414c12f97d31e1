/**
 * The contenders, each configured as its own documentation recommends for production, plus a
 * variant tuned for idle disconnects where the docs offer the knobs for one.
 *
 * `settings` is exactly what is passed to the library (credentials and host are added at
 * connect time and never printed), so the report shows what ran. Every library is imported
 * lazily, in the process that runs that contender only.
 *
 * "Tuned" means: idle connections are retired before the server's `wait_timeout` would kill
 * them. The idle fault sets `wait_timeout = 2` s, so a tuned pool must retire a connection
 * before it has idled 2 s *including* its reaper's interval (mysql2 reaps once a second, tarn
 * and sequelize-pool at `reapIntervalMillis`/`evict`, the mariadb pool every 500 ms).
 */
import type { Knex } from 'knex';
import type { PoolConfig as MariadbPoolConfig } from 'mariadb';
import type { PoolOptions as Mysql2PoolOptions } from 'mysql2';
import type { Options as SequelizeOptions } from 'sequelize';
import type { ContenderAdapter, Target } from './adapter.js';

/** One contender: how to create it, and what to print about it. */
export interface ContenderSpec {
  /** Short stable id, also the suffix of its MariaDB user and tables. */
  readonly id: string;
  readonly label: string;
  /** npm package whose version the report prints. */
  readonly library: string;
  readonly variant: 'production' | 'tuned';
  /** Exactly what is passed to the library, less host and credentials. */
  readonly settings: object;
  readonly notes: string;
  create(target: Target): Promise<ContenderAdapter>;
}

const MYSQL2_PRODUCTION: Mysql2PoolOptions = {
  waitForConnections: true,
  connectionLimit: 10,
  maxIdle: 10,
  idleTimeout: 60_000,
  queueLimit: 0,
  enableKeepAlive: true,
  keepAliveInitialDelay: 0,
};

// mysql2 reaps idle connections only when maxIdle < connectionLimit, once a second; 500 ms
// + 1 s of reaper delay keeps the oldest idle connection under the 2 s wait_timeout.
const MYSQL2_TUNED: Mysql2PoolOptions = { ...MYSQL2_PRODUCTION, maxIdle: 9, idleTimeout: 500 };

const MARIADB_PRODUCTION: MariadbPoolConfig = { connectionLimit: 5 };
// idleTimeout is in seconds; the pool checks every 500 ms, so at most 1.5 s of idle.
const MARIADB_TUNED: MariadbPoolConfig = { connectionLimit: 5, idleTimeout: 1 };

const KNEX_PRODUCTION: Knex.Config = { client: 'mysql2', pool: { min: 0, max: 7 } };
const KNEX_TUNED: Knex.Config = {
  client: 'mysql2',
  pool: { min: 0, max: 7, idleTimeoutMillis: 1_000, reapIntervalMillis: 250 },
};

const SEQUELIZE_PRODUCTION: SequelizeOptions = {
  dialect: 'mysql',
  logging: false,
  pool: { max: 5, min: 0, acquire: 30_000, idle: 10_000 },
};
const SEQUELIZE_TUNED: SequelizeOptions = {
  ...SEQUELIZE_PRODUCTION,
  pool: { max: 5, min: 0, acquire: 30_000, idle: 1_000, evict: 250 },
  // The widely given advice for "connection lost" errors: let sequelize.query() retry them.
  retry: {
    max: 3,
    match: [
      /ECONNRESET/,
      /PROTOCOL_CONNECTION_LOST/,
      /EPIPE/,
      /ETIMEDOUT/,
      /SequelizeConnectionError/,
      /closed state/,
    ],
  },
};

/**
 * Every contender, in report order.
 *
 * @example
 * const goneaway = CONTENDERS.find((c) => c.id === 'goneaway');
 * const db = await goneaway?.create(target);
 * await db?.query('SELECT 1', []);
 */
export const CONTENDERS: readonly ContenderSpec[] = [
  {
    id: 'mysql2',
    label: 'mysql2 pool',
    library: 'mysql2',
    variant: 'production',
    settings: MYSQL2_PRODUCTION,
    notes:
      "The pool example of mysql2's README (keep-alive on, 10 connections, 60 s idle timeout).",
    create: async (target) => {
      const { default: mysql } = await import('mysql2/promise');
      const pool = mysql.createPool({ ...MYSQL2_PRODUCTION, ...target });
      return { query: (sql, values) => pool.query(sql, values), end: () => pool.end() };
    },
  },
  {
    id: 'mysql2_tuned',
    label: 'mysql2 pool, tuned',
    library: 'mysql2',
    variant: 'tuned',
    settings: MYSQL2_TUNED,
    notes:
      'README pool with idleTimeout below wait_timeout; maxIdle < connectionLimit, without which ' +
      'mysql2 never reaps idle connections.',
    create: async (target) => {
      const { default: mysql } = await import('mysql2/promise');
      const pool = mysql.createPool({ ...MYSQL2_TUNED, ...target });
      return { query: (sql, values) => pool.query(sql, values), end: () => pool.end() };
    },
  },
  {
    id: 'mariadb',
    label: 'mariadb pool',
    library: 'mariadb',
    variant: 'production',
    settings: MARIADB_PRODUCTION,
    notes:
      "The pool of MariaDB's own connector as its docs show it; its defaults validate a connection " +
      'idle > 500 ms (minDelayValidation) before use and keep minimumIdle = connectionLimit.',
    create: async (target) => mariadbPool({ ...MARIADB_PRODUCTION, ...target }),
  },
  {
    id: 'mariadb_tuned',
    label: 'mariadb pool, tuned',
    library: 'mariadb',
    variant: 'tuned',
    settings: MARIADB_TUNED,
    notes: "idleTimeout (seconds) set below wait_timeout, as the option's docs require.",
    create: async (target) => mariadbPool({ ...MARIADB_TUNED, ...target }),
  },
  {
    id: 'knex',
    label: 'Knex (mysql2)',
    library: 'knex',
    variant: 'production',
    settings: KNEX_PRODUCTION,
    notes: "Knex's docs: pool min 0 so idle connections can be closed; statements via knex.raw().",
    create: async (target) => knexClient(KNEX_PRODUCTION, target),
  },
  {
    id: 'knex_tuned',
    label: 'Knex (mysql2), tuned',
    library: 'knex',
    variant: 'tuned',
    settings: KNEX_TUNED,
    notes: "tarn's idleTimeoutMillis and reapIntervalMillis set so no connection idles 2 s.",
    create: async (target) => knexClient(KNEX_TUNED, target),
  },
  {
    id: 'sequelize',
    label: 'Sequelize',
    library: 'sequelize',
    variant: 'production',
    settings: SEQUELIZE_PRODUCTION,
    notes:
      "The pool settings of Sequelize's connection-pool guide; statements via sequelize.query().",
    create: async (target) => sequelizeClient(SEQUELIZE_PRODUCTION, target),
  },
  {
    id: 'sequelize_tuned',
    label: 'Sequelize, tuned',
    library: 'sequelize',
    variant: 'tuned',
    settings: SEQUELIZE_TUNED,
    notes:
      'pool.idle below wait_timeout, and the documented `retry` option matching connection errors, ' +
      'the usual advice for "connection lost".',
    create: async (target) => sequelizeClient(SEQUELIZE_TUNED, target),
  },
  {
    id: 'serverless',
    label: 'serverless-mysql',
    library: 'serverless-mysql',
    variant: 'production',
    settings: {},
    notes:
      "Defaults, used as its README's handler does: query() then end() for every request. One " +
      'connection per process, shared by concurrent callers; it reconnects and re-sends a ' +
      'statement after ECONNRESET/PROTOCOL_CONNECTION_LOST by itself, so it has no separate ' +
      'tuned variant.',
    create: async (target) => {
      const { default: serverlessMysql } = await import('serverless-mysql');
      const db = serverlessMysql({ config: { ...target } });
      return {
        query: async (sql, values) => {
          const result = await db.query(sql, values);
          await db.end();
          return result;
        },
        end: async () => db.quit(),
      };
    },
  },
  {
    id: 'goneaway',
    label: 'goneaway',
    library: 'goneaway',
    variant: 'production',
    settings: {},
    notes:
      'Defaults. No tuned variant: it reads wait_timeout on connect and retires idle connections ' +
      'before it, validates after idle, and bounds every wait by itself.',
    create: async (target) => {
      const { createPool } = await import('../../src/index.js');
      const db = createPool({ ...target });
      return { query: (sql, values) => db.query(sql, values), end: () => db.end() };
    },
  },
];

async function mariadbPool(config: MariadbPoolConfig): Promise<ContenderAdapter> {
  const mariadb = await import('mariadb');
  const pool = mariadb.createPool(config);
  return { query: (sql, values) => pool.query(sql, values), end: () => pool.end() };
}

async function knexClient(settings: Knex.Config, target: Target): Promise<ContenderAdapter> {
  const { default: knex } = await import('knex');
  const db = knex({ ...settings, connection: { ...target } });
  return { query: (sql, values) => db.raw(sql, values), end: () => db.destroy() };
}

async function sequelizeClient(
  settings: SequelizeOptions,
  target: Target,
): Promise<ContenderAdapter> {
  const { Sequelize } = await import('sequelize');
  const sequelize = new Sequelize(target.database, target.user, target.password, {
    ...settings,
    host: target.host,
    port: target.port,
  });
  return {
    query: (sql, values) => sequelize.query(sql, { replacements: values }),
    end: () => sequelize.close(),
  };
}
