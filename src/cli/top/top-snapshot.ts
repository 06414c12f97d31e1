/**
 * One refresh of `goneaway top`: the sessions and the few server numbers the header shows,
 * read in three short statements.
 */
import type mysql from 'mysql2/promise';
import { type ProcessRow, readProcesslist } from '../processlist.js';

/** What one refresh read from the server. */
export interface TopSnapshot {
  /** When it was read (ms since the epoch). */
  readonly takenAtMs: number;
  readonly version: string;
  readonly uptimeS: number | null;
  /** The global wait_timeout: what new sessions get, and what the idle bars measure against. */
  readonly waitTimeoutS: number | null;
  readonly maxConnections: number | null;
  readonly threadsConnected: number | null;
  /** The session `top` itself uses, left out of the list. */
  readonly ownId: number;
  readonly rows: readonly ProcessRow[];
}

/**
 * Reads a snapshot over `connection`.
 *
 * @example
 * const snapshot = await readTopSnapshot(connection);
 */
export async function readTopSnapshot(connection: mysql.Connection): Promise<TopSnapshot> {
  const [[info]] = await connection.query<mysql.RowDataPacket[]>(
    'SELECT CONNECTION_ID() AS id, /* goneaway top */ VERSION() AS version, ' +
      '@@GLOBAL.wait_timeout AS wait, @@GLOBAL.max_connections AS max',
  );
  const [status] = await connection.query<mysql.RowDataPacket[]>(
    "SHOW GLOBAL STATUS WHERE Variable_name IN ('Uptime','Threads_connected')",
  );
  const rows = await readProcesslist(connection);
  const value = (name: string): number | null => {
    const row = status.find((candidate) => candidate.Variable_name === name);
    return row === undefined ? null : Number(row.Value);
  };
  return {
    takenAtMs: Date.now(),
    version: String(info?.version ?? ''),
    uptimeS: value('Uptime'),
    waitTimeoutS: info?.wait == null ? null : Number(info.wait),
    maxConnections: info?.max == null ? null : Number(info.max),
    threadsConnected: value('Threads_connected'),
    ownId: Number(info?.id ?? 0),
    rows,
  };
}

/**
 * The snapshot with every statement passed through `redact` (whole, before any column cuts
 * it): what `top` shows and prints as JSON.
 *
 * @example
 * const shown = redactSnapshot(snapshot, (sql) => redactStatementText(sql, { showLiterals: false, redactor }));
 */
export function redactSnapshot(
  snapshot: TopSnapshot,
  redact: (sql: string) => string,
): TopSnapshot {
  return {
    ...snapshot,
    rows: snapshot.rows.map((row) =>
      row.info === null ? row : { ...row, info: redact(row.info) },
    ),
  };
}
