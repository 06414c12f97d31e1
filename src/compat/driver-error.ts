/**
 * How errors look through the facade. ORMs read mysql2's fields: Sequelize maps `errno` 1062
 * and the server's message to its `UniqueConstraintError`, Knex and TypeORM users compare
 * `code === 'ER_DUP_ENTRY'`, mysql2 callers check `fatal`. goneaway's own errors keep
 * `code` for goneaway's stable `GONEAWAY_*` codes, so the facade hands out a copy of each
 * error, of the same class (`instanceof TransactionLostError` still holds), on which:
 *
 * - `code` is mysql2's code (`'ER_DUP_ENTRY'`, `'PROTOCOL_CONNECTION_LOST'`, `'ECONNREFUSED'`),
 *   or the goneaway code when the driver had none (an acquire timeout, a closed pool);
 * - `goneawayCode` keeps the goneaway code;
 * - `sqlMessage` is the server's message and `fatal` is mysql2's flag (the connection is gone);
 * - `message` is the server's own words for an error the server sent about the statement
 *   (ORMs parse it), and goneaway's explanation for everything else (losses, timeouts).
 *
 * The original is left untouched: pool events may have handed it to listeners already.
 */
import { ConnectionLostError, type GoneAwayError, isGoneAwayError } from '../errors/index.js';

/** The fields mysql2 puts on its errors, as the facade presents them. */
export interface DriverErrorFields {
  /** mysql2's string code, or goneaway's `GONEAWAY_*` code when the driver had none. */
  readonly code: string;
  /** The server's message, for an error the server sent. */
  readonly sqlMessage: string | undefined;
  /** mysql2's flag: the connection cannot take another statement. */
  readonly fatal: boolean;
  /** goneaway's stable code (`GONEAWAY_INTEGRITY`, `GONEAWAY_TRANSACTION_LOST`, ...). */
  readonly goneawayCode: string;
}

/** A goneaway error as the facade throws it: same class, mysql2's fields. */
export type DriverShapedError = GoneAwayError & DriverErrorFields;

const shaped = new WeakSet<Error>();

/**
 * The mysql2-shaped copy of `error` (a goneaway error); anything else is returned as it is.
 *
 * @example
 * try {
 *   await lease.query('INSERT INTO user (email) VALUES (?)', ['a@example.com']);
 * } catch (error) {
 *   const shown = toDriverError(error);
 *   shown.code;         // 'ER_DUP_ENTRY'
 *   shown.goneawayCode; // 'GONEAWAY_INTEGRITY'
 * }
 */
export function toDriverError(error: unknown): Error {
  if (!isGoneAwayError(error)) return error instanceof Error ? error : new Error(String(error));
  if (shaped.has(error)) return error;
  const driverError = driverCause(error);
  const sqlMessage =
    typeof driverError?.sqlMessage === 'string' ? driverError.sqlMessage : undefined;
  // A statement the server refused keeps the server's words: ORMs match on them.
  const serverVerdict = sqlMessage !== undefined && !(error instanceof ConnectionLostError);
  const message =
    serverVerdict && driverError instanceof Error ? driverError.message : error.message;

  const Class = error.constructor as new (message: string, details: object) => GoneAwayError;
  // Own enumerable fields are the details the class was built from (and its extra fields).
  const copy = new Class(message, { ...error, cause: error.cause });
  copy.stack = withHeader(error.stack, `${copy.name}: ${message}`);
  const fields: DriverErrorFields = {
    code: error.driverCode ?? error.systemCode ?? error.code,
    sqlMessage,
    fatal: !error.connectionUsable,
    goneawayCode: error.code,
  };
  for (const [key, value] of Object.entries(fields)) {
    Object.defineProperty(copy, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  shaped.add(copy);
  return copy;
}

/** The driver's own error behind a goneaway error, if it came from the driver. */
function driverCause(error: GoneAwayError): (Error & { sqlMessage?: unknown }) | undefined {
  const cause = error.cause;
  return cause instanceof Error && !isGoneAwayError(cause) ? cause : undefined;
}

function withHeader(stack: string | undefined, header: string): string {
  const frames = stack?.split('\n').filter((line) => /^\s+at /.test(line)) ?? [];
  return [header, ...frames].join('\n');
}
