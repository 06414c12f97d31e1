/**
 * The three pools `npm run bench` compares, created the same way: same server, same size, each
 * library's defaults otherwise. Libraries are imported lazily, in the client process that runs
 * that contender only.
 */

import type { Target } from '../faults/adapter.js';

export type { Target };

export const CONTENDER_IDS = ['mysql2', 'mariadb', 'goneaway'] as const;
export type ContenderId = (typeof CONTENDER_IDS)[number];

/** What the bench asks of a pool: a statement, one connection held, and shutting down. */
export interface BenchPool {
  query(sql: string, values: readonly unknown[]): Promise<unknown>;
  /** Borrows one connection until the returned function is called. */
  hold(): Promise<() => void>;
  end(): Promise<void>;
}

/** What a contender's pool is told besides the target. */
export interface PoolSettings {
  /** Most connections open at once (mysql2 and mariadb: `connectionLimit`; goneaway: `max`). */
  readonly size: number;
}

/** How each pool is configured, printed with the figures. */
export const CONTENDER_SETTINGS: Readonly<Record<ContenderId, string>> = {
  mysql2:
    '`mysql2/promise` `createPool({ connectionLimit })`, defaults otherwise (waits for a free ' +
    'connection without a queue limit; a failed connect is the caller’s error)',
  mariadb:
    '`mariadb` `createPool({ connectionLimit })`, defaults otherwise (opens `connectionLimit` ' +
    'connections at creation, acquireTimeout 10 s, pings a connection idle > 500 ms); its `error` ' +
    'events are counted, not fatal',
  goneaway: '`createPool({ max })`, defaults otherwise (acquireTimeoutMs 30 s)',
};

/**
 * Creates a contender's pool. `onPoolError` receives errors a pool reports outside any
 * statement (the mariadb pool's `error` event), which would otherwise crash the process.
 *
 * @example
 * const pool = await createBenchPool('goneaway', target, { size: 16 }, () => {});
 * await pool.query('SELECT 1', []);
 * await pool.end();
 */
export async function createBenchPool(
  id: ContenderId,
  target: Target,
  settings: PoolSettings,
  onPoolError: (error: unknown) => void,
): Promise<BenchPool> {
  switch (id) {
    case 'mysql2': {
      const { default: mysql } = await import('mysql2/promise');
      const pool = mysql.createPool({ ...target, connectionLimit: settings.size });
      return {
        query: (sql, values) => pool.query(sql, values as unknown[]),
        hold: async () => {
          const connection = await pool.getConnection();
          return () => connection.release();
        },
        end: () => pool.end(),
      };
    }
    case 'mariadb': {
      const mariadb = await import('mariadb');
      const pool = mariadb.createPool({ ...target, connectionLimit: settings.size });
      // The pool emits 'error' when a background connect fails; its types do not declare it.
      (pool as unknown as NodeJS.EventEmitter).on('error', onPoolError);
      return {
        query: (sql, values) => pool.query(sql, values as unknown[]),
        hold: async () => {
          const connection = await pool.getConnection();
          return () => void connection.release();
        },
        end: () => pool.end(),
      };
    }
    case 'goneaway': {
      const { createPool } = await import('../../src/index.js');
      const db = createPool({ ...target, max: settings.size });
      return {
        query: (sql, values) => db.query(sql, values as unknown[]),
        hold: async () => {
          const lease = await db.acquire();
          return () => lease.release();
        },
        end: () => db.end(),
      };
    }
  }
}
