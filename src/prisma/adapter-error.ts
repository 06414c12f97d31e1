/**
 * goneaway's errors as Prisma's error kinds. Prisma turns a `DriverAdapterError` into a
 * `PrismaClientKnownRequestError` whose `code` depends on the kind: a lost connection is
 * P1017, an unreachable server P1001, a timeout P1008, a deadlock P2034, a duplicate key
 * P2002. The kind is chosen from goneaway's class first (what happened to the connection),
 * then from the server's error number (what the server said about the statement).
 *
 * goneaway's error is kept as the `cause` of the kind Prisma reads, so the chain reads
 * `PrismaClientKnownRequestError.meta.driverAdapterError` → `.cause` (Prisma's kind) →
 * `.cause` (the goneaway error, with `outcome`) → `.cause` (mysql2's error).
 * {@link goneawayErrorOf} walks it. An error Prisma has no kind for (a bad option, a closed
 * pool) is thrown as the goneaway error itself, which Prisma passes through unchanged.
 */
import { DriverAdapterError, type Error as PrismaErrorKind } from '@prisma/driver-adapter-utils';
import {
  AcquireTimeoutError,
  AuthenticationError,
  ConnectionLostError,
  type GoneAwayError,
  isGoneAwayError,
  QueryTimeoutError,
  ServerUnavailableError,
  serverErrorName,
  TransactionRollbackError,
} from '../errors/index.js';

/** Where the server is, for Prisma's "Can't reach database server at host:port" (P1001). */
export interface ServerAddress {
  readonly host?: string;
  readonly port?: number;
}

type KindBuilder = (sqlMessage: string) => PrismaErrorKind;

/**
 * Server errors Prisma has a kind of its own for, by their symbolic name. The fields Prisma
 * shows (the key, the column) are read from the server's message, which names them in the
 * same words on MariaDB and MySQL.
 */
const SERVER_ERROR_KINDS: ReadonlyMap<string, KindBuilder> = new Map<string, KindBuilder>([
  // Duplicate entry 'x' for key 'User_email_key' (MySQL 8 writes 'User.User_email_key') → P2002.
  [
    'ER_DUP_ENTRY',
    (m) => {
      const key = quoted(m, /for key '([^']+)'/);
      return {
        kind: 'UniqueConstraintViolation',
        constraint: key ? { index: key.split('.').pop() ?? key } : undefined,
      };
    },
  ],
  // Cannot add or update a child row: a foreign key constraint fails (... FOREIGN KEY (`authorId`) ...) → P2003.
  ['ER_NO_REFERENCED_ROW_2', foreignKey],
  ['ER_ROW_IS_REFERENCED_2', foreignKey],
  ['ER_NO_REFERENCED_ROW', foreignKey],
  ['ER_ROW_IS_REFERENCED', foreignKey],
  // Column 'name' cannot be null; Field 'name' doesn't have a default value → P2011.
  ['ER_BAD_NULL_ERROR', (m) => nullConstraint(quoted(m, /Column '([^']+)'/))],
  ['ER_NO_DEFAULT_FOR_FIELD', (m) => nullConstraint(quoted(m, /Field '([^']+)'/))],
  ['ER_WARN_NULL_TO_NOTNULL', (m) => nullConstraint(quoted(m, /column '([^']+)'/))],
  // Out of range value for column 'n' at row 1 → P2020.
  ['ER_WARN_DATA_OUT_OF_RANGE', (m) => ({ kind: 'ValueOutOfRange', cause: m })],
  // Data too long for column 'name' at row 1 → P2000.
  ['ER_DATA_TOO_LONG', (m) => ({ kind: 'LengthMismatch', column: quoted(m, /column '([^']+)'/) })],
  // Table 'shop.User' doesn't exist → P2021.
  [
    'ER_NO_SUCH_TABLE',
    (m) => ({
      kind: 'TableDoesNotExist',
      table: quoted(m, /Table '([^']+)'/)
        ?.split('.')
        .pop(),
    }),
  ],
  // Unknown column 'x' in 'field list' → P2022.
  [
    'ER_BAD_FIELD_ERROR',
    (m) => ({ kind: 'ColumnNotFound', column: quoted(m, /column '([^']+)'/) }),
  ],
  // Unknown database 'shop' → P1003; Can't create database 'shop'; database exists → P1009.
  [
    'ER_BAD_DB_ERROR',
    (m) => ({ kind: 'DatabaseDoesNotExist', db: quoted(m, /database '([^']+)'/) }),
  ],
  [
    'ER_DB_CREATE_EXISTS',
    (m) => ({ kind: 'DatabaseAlreadyExists', db: quoted(m, /database '([^']+)'/) }),
  ],
  // Access denied for user 'app'@'%' to database 'shop' → P1010.
  [
    'ER_DBACCESS_DENIED_ERROR',
    (m) => ({ kind: 'DatabaseAccessDenied', db: quoted(m, /database '([^']+)'/) }),
  ],
  // Access denied for user 'app'@'localhost' (using password: YES) → P1000. The message names
  // the user, never the password.
  [
    'ER_ACCESS_DENIED_ERROR',
    (m) => ({ kind: 'AuthenticationFailed', user: quoted(m, /user '([^']+)'/) }),
  ],
  // Can't find FULLTEXT index matching the column list → P2030.
  ['ER_FT_MATCHING_KEY_NOT_FOUND', () => ({ kind: 'MissingFullTextSearchIndex' })],
  // Too many connections; User 'app' has exceeded the 'max_user_connections' resource → P2037.
  ['ER_CON_COUNT_ERROR', (m) => ({ kind: 'TooManyConnections', cause: m })],
  ['ER_TOO_MANY_USER_CONNECTIONS', (m) => ({ kind: 'TooManyConnections', cause: m })],
]);

/** The chain of causes this module builds, so that {@link goneawayErrorOf} can walk it. */
type KindWithCause = PrismaErrorKind & { readonly cause?: unknown };

/**
 * What the adapter throws for `error`: a `DriverAdapterError` of the matching kind, with the
 * goneaway error as the kind's `cause`, or the error itself when Prisma has no kind for it.
 *
 * @example
 * try {
 *   return await pool.query(sql, args);
 * } catch (error) {
 *   throw toPrismaError(error, { host: '127.0.0.1', port: 3306 });
 * }
 */
export function toPrismaError(error: unknown, address: ServerAddress = {}): Error {
  if (!isGoneAwayError(error)) return error instanceof Error ? error : new Error(String(error));
  const kind = prismaKindOf(error, address);
  if (!kind) return error;
  const payload = {
    ...kind,
    originalCode: error.errno !== undefined ? String(error.errno) : error.code,
    originalMessage: serverMessageOf(error) ?? error.message,
    cause: error,
  } as KindWithCause;
  return new DriverAdapterError(payload);
}

/**
 * The goneaway error behind an error Prisma threw (a `PrismaClientKnownRequestError` from the
 * adapter, or the `DriverAdapterError` Prisma passes through from a commit), or the error
 * itself if it is one. Undefined for errors goneaway had no part in.
 *
 * @example
 * import { goneawayErrorOf } from 'goneaway/prisma';
 * try {
 *   await prisma.order.create({ data });
 * } catch (error) {
 *   const lost = goneawayErrorOf(error);
 *   if (lost?.outcome === 'unknown') {
 *     // the INSERT may or may not have been applied: look before repeating it
 *   }
 *   throw error;
 * }
 */
export function goneawayErrorOf(error: unknown): GoneAwayError | undefined {
  let current: unknown = error;
  // Bounded: a Prisma error, its adapter error, the kind, the goneaway error.
  for (let depth = 0; depth < 5 && current !== null && typeof current === 'object'; depth++) {
    if (isGoneAwayError(current)) return current;
    const meta = (current as { meta?: { driverAdapterError?: unknown } }).meta;
    current = meta?.driverAdapterError ?? (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function prismaKindOf(error: GoneAwayError, address: ServerAddress): PrismaErrorKind | undefined {
  // What happened to the connection comes first: a KILL arrives as server error 1927 or 4031,
  // but for Prisma it is a closed connection.
  if (error instanceof ConnectionLostError) return { kind: 'ConnectionClosed' };
  if (error instanceof QueryTimeoutError) return { kind: 'SocketTimeout' };
  if (error instanceof AcquireTimeoutError) {
    // Waiting only because every connect failed means the server could not be reached.
    return isGoneAwayError(error.cause)
      ? (prismaKindOf(error.cause, address) ?? { kind: 'SocketTimeout' })
      : { kind: 'SocketTimeout' };
  }
  const message = serverMessageOf(error);
  const name = error.errno !== undefined ? serverErrorName(error.errno, error.flavor) : undefined;
  const fromServer = name !== undefined ? SERVER_ERROR_KINDS.get(name) : undefined;
  if (fromServer) return fromServer(message ?? error.message);
  if (error instanceof TransactionRollbackError) return { kind: 'TransactionWriteConflict' };
  if (error instanceof AuthenticationError) return { kind: 'AuthenticationFailed' };
  if (error instanceof ServerUnavailableError) {
    return { kind: 'DatabaseNotReachable', host: address.host, port: address.port };
  }
  if (error.errno !== undefined && message !== undefined) {
    return { kind: 'mysql', code: error.errno, message, state: error.sqlState ?? 'HY000' };
  }
  return undefined;
}

/** The server's own message, when the server sent the error. */
function serverMessageOf(error: GoneAwayError): string | undefined {
  const cause = error.cause as { sqlMessage?: unknown } | undefined;
  return typeof cause?.sqlMessage === 'string' ? cause.sqlMessage : undefined;
}

function foreignKey(message: string): PrismaErrorKind {
  const field = quoted(message, /FOREIGN KEY \(`([^`]+)`\)/);
  return {
    kind: 'ForeignKeyConstraintViolation',
    constraint: field ? { fields: [field] } : undefined,
  };
}

function nullConstraint(field: string | undefined): PrismaErrorKind {
  return { kind: 'NullConstraintViolation', constraint: field ? { fields: [field] } : undefined };
}

function quoted(message: string, pattern: RegExp): string | undefined {
  return pattern.exec(message)?.[1];
}
