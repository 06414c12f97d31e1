/**
 * Results as Prisma's query engine reads them: one Prisma column type per column, and each
 * value in the form that type expects. The facts come from Prisma's driver adapter contract
 * (`@prisma/driver-adapter-utils`) and from what its data mapper accepts:
 *
 * - 64-bit integers as decimal strings (a JavaScript number cannot hold every BIGINT);
 * - DECIMAL as strings, so no digit is lost to a float;
 * - DATETIME and TIMESTAMP as ISO 8601 strings read as UTC (Prisma writes them in UTC);
 *   DATE and TIME as the server's text;
 * - JSON as its text, which Prisma parses itself;
 * - binary strings, BIT and GEOMETRY as bytes.
 *
 * mysql2's text protocol hands each value to a per-statement `typeCast`, so values are built in
 * this form as they are read, with no second pass over the rows.
 */
import { type ColumnType, ColumnTypeEnum } from '@prisma/driver-adapter-utils';
import mysql from 'mysql2';

const { Types } = mysql;

/** The parts of mysql2's column definition that decide a column's Prisma type. */
export interface ColumnDefinition {
  readonly name: string;
  /** mysql2's `Types` code. */
  readonly columnType: number;
  readonly flags: number;
  /** The collation id; 63 is `binary`. */
  readonly characterSet: number;
  /** MariaDB's extended metadata: `'json'` for a JSON column (stored as LONGTEXT). */
  readonly extendedFormat?: string;
  /** MariaDB's extended metadata: `'uuid'`, `'inet6'`, ... */
  readonly extendedTypeName?: string;
}

/** What mysql2 hands a `typeCast` function for one value. */
export interface CastField {
  /** mysql2's type name: `'LONGLONG'`, `'DATETIME'`, ... */
  readonly type: string;
  readonly extendedFormat?: string;
  string(encoding?: string): string | null;
  buffer(): Buffer | null;
}

const UNSIGNED_FLAG = 32;
const ENUM_FLAG = 256;
const BINARY_COLLATION = 63;

/** Column types whose Prisma type does not depend on flags or collation. */
const FIXED_TYPES: ReadonlyMap<number, ColumnType> = new Map<number, ColumnType>([
  [Types.TINY, ColumnTypeEnum.Int32],
  [Types.SHORT, ColumnTypeEnum.Int32],
  [Types.INT24, ColumnTypeEnum.Int32],
  [Types.YEAR, ColumnTypeEnum.Int32],
  // A column of NULL literals (`SELECT NULL`): every value is null, any type reads it.
  [Types.NULL, ColumnTypeEnum.Int32],
  [Types.LONGLONG, ColumnTypeEnum.Int64],
  [Types.FLOAT, ColumnTypeEnum.Float],
  [Types.DOUBLE, ColumnTypeEnum.Double],
  [Types.DECIMAL, ColumnTypeEnum.Numeric],
  [Types.NEWDECIMAL, ColumnTypeEnum.Numeric],
  [Types.DATETIME, ColumnTypeEnum.DateTime],
  [Types.TIMESTAMP, ColumnTypeEnum.DateTime],
  [Types.DATE, ColumnTypeEnum.Date],
  [Types.NEWDATE, ColumnTypeEnum.Date],
  [Types.TIME, ColumnTypeEnum.Time],
  [Types.JSON, ColumnTypeEnum.Json],
  [Types.ENUM, ColumnTypeEnum.Enum],
  [Types.SET, ColumnTypeEnum.Text],
  [Types.BIT, ColumnTypeEnum.Bytes],
  [Types.GEOMETRY, ColumnTypeEnum.Bytes],
]);

/** Types that carry text or bytes, told apart by their collation. */
const STRING_TYPES: ReadonlySet<number> = new Set([
  Types.VARCHAR,
  Types.VAR_STRING,
  Types.STRING,
  Types.TINY_BLOB,
  Types.MEDIUM_BLOB,
  Types.LONG_BLOB,
  Types.BLOB,
]);

/**
 * The Prisma column type of one result column, or undefined for a type Prisma has no reading
 * for (MariaDB's VECTOR, say).
 *
 * @example
 * columnTypeOf({ name: 'id', columnType: 8, flags: 0, characterSet: 63 }); // ColumnTypeEnum.Int64
 */
export function columnTypeOf(column: ColumnDefinition): ColumnType | undefined {
  const { columnType, flags } = column;
  // INT UNSIGNED goes past 2^31: Prisma reads it as a 64-bit integer.
  if (columnType === Types.LONG) {
    return flags & UNSIGNED_FLAG ? ColumnTypeEnum.Int64 : ColumnTypeEnum.Int32;
  }
  if (STRING_TYPES.has(columnType)) {
    if (column.extendedFormat === 'json') return ColumnTypeEnum.Json;
    if (column.extendedTypeName === 'uuid') return ColumnTypeEnum.Uuid;
    if (flags & ENUM_FLAG) return ColumnTypeEnum.Enum;
    return column.characterSet === BINARY_COLLATION ? ColumnTypeEnum.Bytes : ColumnTypeEnum.Text;
  }
  return FIXED_TYPES.get(columnType);
}

/**
 * mysql2's per-statement `typeCast` for Prisma: each value in the form its column type expects
 * (see the module comment). Everything else is read as mysql2 reads it.
 *
 * @example
 * await pool.query(sql, args, { driverOptions: { rowsAsArray: true, typeCast: castForPrisma } });
 */
export function castForPrisma(field: CastField, next: () => unknown): unknown {
  switch (field.type) {
    case 'LONGLONG':
    case 'DECIMAL':
    case 'NEWDECIMAL':
    case 'DATE':
    case 'NEWDATE':
      return field.string('ascii');
    case 'DATETIME':
    case 'TIMESTAMP':
      return utcDateTime(field.string('ascii'));
    case 'JSON':
      // MySQL sends JSON with the binary collation; its text is UTF-8 by definition.
      return field.string('utf8');
    case 'GEOMETRY':
      return field.buffer();
    default:
      // MariaDB's JSON is LONGTEXT with a JSON format tag: keep the text, do not parse it.
      if (field.extendedFormat === 'json') return field.string();
      return next();
  }
}

/** `2024-05-01 12:30:00.250000` (the server's text, written in UTC) → `2024-05-01T12:30:00.250000+00:00`. */
function utcDateTime(text: string | null): string | null {
  if (text === null) return null;
  return `${text.replace(' ', 'T')}+00:00`;
}
