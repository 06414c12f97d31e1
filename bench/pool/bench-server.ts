/**
 * The server every figure is measured against: a throwaway MariaDB on 127.0.0.1 from the test
 * kit, with one user per contender (so the server's per-user statistics count each pool's
 * connections apart) and one with no privileges for the client that fills every slot.
 */
import { randomBytes } from 'node:crypto';
import { type Sandbox, startSandbox } from '../../src/testing/index.js';
import { CONTENDER_IDS, type ContenderId, type Target } from './contenders.js';
import { ITEM_ROWS, insertTable } from './workloads.js';

/** The server's default max_connections here: far above what any scenario opens. */
export const MAX_CONNECTIONS = 500;

/** A started bench server. */
export interface BenchServer {
  readonly server: Sandbox;
  readonly targets: Readonly<Record<ContenderId, Target>>;
  readonly hog: { readonly user: string; readonly password: string };
}

/**
 * @example
 * const { server, targets } = await startBenchServer();
 * try { ... } finally { await server.stop(); }
 */
export async function startBenchServer(): Promise<BenchServer> {
  const server = await startSandbox({
    serverArgs: [
      `--max-connections=${MAX_CONNECTIONS}`,
      // Per-user connection counts (information_schema.USER_STATISTICS).
      '--userstat=1',
      // The restart probe and the contenders' failed connects must never get 127.0.0.1 blocked.
      '--max-connect-errors=1000000',
    ],
  });
  try {
    const db = `\`${server.database}\``;
    await server.admin(`CREATE TABLE ${db}.item (id INT PRIMARY KEY, name VARCHAR(40))`);
    await server.admin(
      `INSERT INTO ${db}.item SELECT seq, CONCAT('item-', seq) FROM ${db}.seq_1_to_${ITEM_ROWS}`,
    );
    const entries: [ContenderId, Target][] = [];
    for (const id of CONTENDER_IDS) {
      const user = `bench_${id}`;
      const password = randomBytes(12).toString('base64url');
      await server.admin(`CREATE USER ?@'%' IDENTIFIED BY ?`, [user, password]);
      await server.admin(`GRANT ALL PRIVILEGES ON ${db}.* TO ?@'%'`, [user]);
      await server.admin(
        `CREATE TABLE ${db}.${insertTable(id)} (id BIGINT AUTO_INCREMENT PRIMARY KEY, v INT, note VARCHAR(40))`,
      );
      entries.push([
        id,
        { host: server.host, port: server.port, user, password, database: server.database },
      ]);
    }
    const hog = { user: 'bench_hog', password: randomBytes(12).toString('base64url') };
    await server.admin(`CREATE USER ?@'%' IDENTIFIED BY ?`, [hog.user, hog.password]);
    return {
      server,
      targets: Object.fromEntries(entries) as Record<ContenderId, Target>,
      hog,
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/**
 * Connections the server counted for a user since it (re)started (USER_STATISTICS), asked
 * through the sandbox (a new root connection) or an open admin session (when the server is full).
 */
export async function connectionsOpened(
  via: { query<T>(sql: string, values?: readonly unknown[]): Promise<T> } | Sandbox,
  user: string,
): Promise<number> {
  const run = 'admin' in via ? via.admin.bind(via) : via.query.bind(via);
  const rows = await run<Record<string, unknown>[]>(
    'SELECT TOTAL_CONNECTIONS AS n FROM information_schema.USER_STATISTICS WHERE USER = ?',
    [user],
  );
  return Number(rows[0]?.n ?? 0);
}
