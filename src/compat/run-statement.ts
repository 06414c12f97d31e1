/**
 * The one place where the facade hands a statement to goneaway's core (a pool or a lease),
 * with mysql2's per-statement result options (`rowsAsArray`, `nestTables`, `typeCast`,
 * `namedPlaceholders`) and receiving mysql2's column definitions (`fields`).
 */
import type { Row, StatementOptions } from '../lease/results.js';
import type { Statement } from './statement.js';

/** Which mysql2 command runs the statement: text protocol or prepared. */
export type StatementKind = 'query' | 'execute';

/** What runs statements: goneaway's `Pool` and `Lease` both are. */
export interface StatementRunner {
  query<T = Row[]>(sql: string, values?: unknown, options?: StatementOptions): Promise<T>;
  execute<T = Row[]>(sql: string, values?: unknown, options?: StatementOptions): Promise<T>;
}

/** What mysql2 hands its callback: rows (or a result header) and fields. */
export interface StatementResult {
  readonly result: unknown;
  /** Column definitions, as mysql2 passes them (`undefined` for statements without rows). */
  readonly fields: unknown;
}

/**
 * Runs one statement on a pool or a lease.
 *
 * @example
 * const { result, fields } = await runStatement(lease, 'query', { sql: 'SELECT 1 AS one', values: undefined, timeoutMs: undefined, shape: {} });
 */
export async function runStatement(
  runner: StatementRunner,
  kind: StatementKind,
  statement: Statement,
): Promise<StatementResult> {
  let fields: unknown;
  const options: StatementOptions = {
    timeoutMs: statement.timeoutMs,
    driverOptions: Object.keys(statement.shape).length > 0 ? statement.shape : undefined,
    onFields: (received) => {
      fields = received;
    },
  };
  const result = await runner[kind]<unknown>(statement.sql, statement.values, options);
  return { result, fields };
}
