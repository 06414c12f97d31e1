/**
 * One Prisma query on goneaway: on the pool (with every guarantee of `db.query()`: a statement
 * that provably never ran, or a read-only one, is run again on a new connection) or on a
 * transaction's connection. Arguments are converted for mysql2, rows come back as arrays (a
 * join may name two columns alike) in the forms Prisma reads, and errors as Prisma's kinds.
 */
import { DriverAdapterError, type SqlQuery, type SqlResultSet } from '@prisma/driver-adapter-utils';
import type { StatementOptions, WriteResult } from '../lease/results.js';
import { type ServerAddress, toPrismaError } from './adapter-error.js';
import { type ColumnDefinition, castForPrisma, columnTypeOf } from './column-types.js';
import { toDriverArguments } from './driver-arguments.js';

/** Where a statement runs: a goneaway pool, or a transaction of one. */
export interface StatementTarget {
  query<T>(sql: string, values?: unknown, options?: StatementOptions): Promise<T>;
}

/**
 * Runs `query` and returns its rows as Prisma's result set; a statement without rows gives an
 * empty one with `lastInsertId`.
 *
 * @example
 * const result = await queryResultSet(pool, { sql: 'SELECT id FROM User', args: [], argTypes: [] }, {});
 */
export async function queryResultSet(
  target: StatementTarget,
  query: SqlQuery,
  address: ServerAddress,
): Promise<SqlResultSet> {
  let columns: readonly ColumnDefinition[] = [];
  const result = await run(target, query, address, {
    driverOptions: { rowsAsArray: true, typeCast: castForPrisma },
    onFields: (fields) => {
      columns = (fields as ColumnDefinition[] | undefined) ?? [];
    },
  });
  if (!Array.isArray(result)) {
    return {
      columnNames: [],
      columnTypes: [],
      rows: [],
      lastInsertId: String((result as WriteResult).insertId),
    };
  }
  const columnTypes = columns.map((column) => {
    const type = columnTypeOf(column);
    if (type === undefined) {
      throw new DriverAdapterError({
        kind: 'UnsupportedNativeDataType',
        type: `${column.extendedTypeName ?? column.columnType} (column ${column.name})`,
      });
    }
    return type;
  });
  return {
    columnNames: columns.map((column) => column.name),
    columnTypes,
    rows: result as unknown[][],
  };
}

/**
 * Runs `query` and returns the number of rows it changed (0 for a statement with rows).
 *
 * @example
 * const changed = await affectedRowCount(pool, { sql: 'DELETE FROM User', args: [], argTypes: [] }, {});
 */
export async function affectedRowCount(
  target: StatementTarget,
  query: SqlQuery,
  address: ServerAddress,
): Promise<number> {
  const result = await run(target, query, address, {});
  return Array.isArray(result) ? 0 : (result as WriteResult).affectedRows;
}

async function run(
  target: StatementTarget,
  query: SqlQuery,
  address: ServerAddress,
  options: StatementOptions,
): Promise<unknown> {
  try {
    return await target.query<unknown>(
      query.sql,
      toDriverArguments(query.args, query.argTypes),
      options,
    );
  } catch (error) {
    throw toPrismaError(error, address);
  }
}
