/**
 * The data audit, from an admin session after every contender process has gone: compares the
 * rows in a contender's table with what the library told the caller about each insert.
 *
 * The table has no unique key on `op_id` on purpose: a statement that ran twice leaves two
 * rows instead of failing the second time, so the audit can see it.
 */
import type { AdminSession } from './admin-session.js';
import type { AuditResult } from './results.js';
import { INSERT_ID_BASE, type OpRecord } from './workload.js';

/**
 * @example
 * const audit = await auditTable(admin, 'goneaway', 'f1_goneaway', records);
 * audit.missing; // acknowledged inserts that are not there
 */
export async function auditTable(
  admin: AdminSession,
  database: string,
  table: string,
  records: readonly OpRecord[],
): Promise<AuditResult> {
  const rows = await admin.query<{ opId: number; n: number }[]>(
    `SELECT op_id AS opId, COUNT(*) AS n FROM \`${database}\`.\`${table}\` WHERE op_id >= ? GROUP BY op_id`,
    [INSERT_ID_BASE],
  );
  return compareWrites(
    new Map(rows.map((row) => [Number(row.opId), Number(row.n)])),
    records.filter((r) => r.op === 'insert'),
  );
}

/** The pure half of the audit: rows present (id → copies) against what callers were told. */
export function compareWrites(
  present: ReadonlyMap<number, number>,
  inserts: readonly OpRecord[],
): AuditResult {
  let acknowledged = 0;
  let missing = 0;
  let failedButPresent = 0;
  for (const insert of inserts) {
    if (insert.outcome === 'ok') {
      acknowledged++;
      if (!present.has(insert.opId)) missing++;
    } else if (present.has(insert.opId)) {
      failedButPresent++;
    }
  }
  let duplicates = 0;
  for (const copies of present.values()) duplicates += Math.max(0, copies - 1);
  return { acknowledged, missing, duplicates, failedButPresent };
}

/** DDL of a contender's table for one run: no unique key on `op_id`, see the module notes. */
export function tableDdl(database: string, table: string): string {
  return (
    `CREATE TABLE \`${database}\`.\`${table}\` (` +
    'seq BIGINT AUTO_INCREMENT PRIMARY KEY, op_id BIGINT NOT NULL, worker INT NOT NULL, ' +
    'payload VARCHAR(64) NOT NULL, KEY (op_id)) ENGINE=InnoDB'
  );
}
