/**
 * One long-lived root session on the test server, for tests that ask the server about other
 * sessions many times (metadata locks, InnoDB transactions, the processlist). The kit's
 * `server.admin()` opens a connection per call, which is too slow for an oracle that runs
 * hundreds of times in one file.
 */
import mysql from 'mysql2/promise';
import type { Sandbox } from '../../src/testing/index.js';

/** Rows as the admin session returns them. */
export type AdminRows = Record<string, unknown>[];

/** A root session kept open for a test file. */
export interface AdminSession {
  /** Runs one statement as root; rows for a SELECT, mysql2's header otherwise. */
  query<T = AdminRows>(sql: string, values?: readonly unknown[]): Promise<T>;
  close(): Promise<void>;
}

/**
 * Opens a root session on `server`: root through the sandbox's unix socket (as `admin()` does), or
 * `GONEAWAY_TEST_ADMIN_URI` for an existing server.
 *
 * @example
 * const admin = await openAdminSession(server);
 * const rows = await admin.query('SELECT IS_USED_LOCK(?) AS holder', ['job']);
 * await admin.close();
 */
export async function openAdminSession(server: Sandbox): Promise<AdminSession> {
  const adminUri = process.env.GONEAWAY_TEST_ADMIN_URI ?? process.env.GONEAWAY_TEST_URI;
  const connection = await mysql.createConnection(
    adminUri
      ? { uri: adminUri, connectTimeout: 5_000 }
      : { socketPath: server.socketPath, user: 'root', connectTimeout: 5_000 },
  );
  // A test that fails midway must not crash the process through an unhandled 'error'.
  connection.on('error', () => {});
  return {
    async query<T>(sql: string, values?: readonly unknown[]): Promise<T> {
      const [result] = await connection.query(sql, values as unknown[] | undefined);
      return result as unknown as T;
    },
    async close(): Promise<void> {
      await connection.end().catch(() => connection.destroy());
    },
  };
}

/**
 * Polls `probe` until it returns a value other than undefined, at most `timeoutMs`. For facts
 * only the server knows and no event announces (a session gone from the processlist).
 *
 * @example
 * await until(async () => ((await sessionIds()).includes(id) ? undefined : true), 10_000, 'session ended');
 */
export async function until<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  what: string,
  everyMs = 50,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
