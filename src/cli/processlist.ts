/**
 * The server's sessions as `SHOW FULL PROCESSLIST` reports them, shared by `doctor` and
 * `top`. `SHOW PROCESSLIST` rather than `information_schema.PROCESSLIST`: it works on every
 * MySQL and MariaDB version without a deprecation warning. Without the PROCESS privilege it
 * lists only the current account's sessions.
 */
import type mysql from 'mysql2/promise';

/** One session. */
export interface ProcessRow {
  readonly id: number;
  readonly user: string;
  /** `address:port` of the client as the server sees it (`localhost` for a socket). */
  readonly host: string;
  readonly db: string | null;
  /** `Sleep` for an idle session, `Query` for one running a statement, ... */
  readonly command: string;
  /** Seconds in the current command; for `Sleep`, how long the session has been idle. */
  readonly timeS: number;
  readonly state: string;
  /** The statement text, or null. Not redacted here: what shows it redacts it whole first (`redactStatementText`). */
  readonly info: string | null;
}

/**
 * Reads the processlist over `connection`.
 *
 * @example
 * const rows = await readProcesslist(connection);
 * const idle = rows.filter((row) => row.command === 'Sleep');
 */
export async function readProcesslist(connection: mysql.Connection): Promise<ProcessRow[]> {
  const [rows] = await connection.query<mysql.RowDataPacket[]>('SHOW FULL PROCESSLIST');
  return rows.map((row) => ({
    id: Number(row.Id),
    user: String(row.User ?? ''),
    host: String(row.Host ?? ''),
    db: row.db == null ? null : String(row.db),
    command: String(row.Command ?? ''),
    timeS: Number(row.Time ?? 0),
    state: String(row.State ?? ''),
    info: row.Info == null ? null : String(row.Info),
  }));
}

/**
 * Whether the current account sees every session: it holds PROCESS (or SUPER, which implies
 * it on older servers). Without it, the processlist lists only the account's own sessions.
 *
 * @example
 * if (!(await seesAllSessions(connection))) console.log('only this account\'s sessions');
 */
export async function seesAllSessions(connection: mysql.Connection): Promise<boolean> {
  const [rows] = await connection.query<mysql.RowDataPacket[]>(
    "SELECT PRIVILEGE_TYPE FROM information_schema.USER_PRIVILEGES WHERE PRIVILEGE_TYPE IN ('PROCESS','SUPER') " +
      // USER_PRIVILEGES lists every account to those who may read mysql.user: keep ours.
      "AND GRANTEE = CONCAT('''', SUBSTRING_INDEX(CURRENT_USER(), '@', 1), '''@''', SUBSTRING_INDEX(CURRENT_USER(), '@', -1), '''')",
  );
  return rows.length > 0;
}

/**
 * The client address without the port: `10.0.0.5:53122` → `10.0.0.5`, `[::1]:5000` → `::1`.
 *
 * @example
 * hostWithoutPort('127.0.0.1:37972'); // '127.0.0.1'
 */
export function hostWithoutPort(host: string): string {
  const bracketed = /^\[(.*)\](?::\d+)?$/.exec(host);
  if (bracketed) return bracketed[1] ?? host;
  const colons = host.split(':').length - 1;
  // One colon: name or IPv4 with a port. More: a bare IPv6 address, left as it is.
  return colons === 1 ? host.slice(0, host.lastIndexOf(':')) : host;
}

/**
 * Whether a session is idle between statements (the state that `wait_timeout` ends).
 *
 * @example
 * rows.filter(isIdle).length; // idle sessions
 */
export function isIdle(row: ProcessRow): boolean {
  return row.command === 'Sleep';
}

/** Share of wait_timeout after which an idle session counts as about to be closed. */
export const NEAR_CLOSE_SHARE = 0.9;

/**
 * Whether an idle session is past {@link NEAR_CLOSE_SHARE} of `waitTimeoutS`.
 *
 * @example
 * isNearClose({ ...row, command: 'Sleep', timeS: 55 }, 60); // true
 */
export function isNearClose(row: ProcessRow, waitTimeoutS: number | null): boolean {
  return waitTimeoutS !== null && isIdle(row) && row.timeS >= waitTimeoutS * NEAR_CLOSE_SHARE;
}
