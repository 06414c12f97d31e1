/**
 * The facts classification reads off whatever was thrown: mysql2's server errors (`errno`,
 * `sqlState`, `code` = MySQL's name), its own errors (`code`, `fatal`), Node's system errors
 * (`code`, `syscall`, negative `errno`), and plain values.
 */

/** What {@link driverFacts} found. */
export interface DriverFacts {
  /** A server or client error number (positive; Node's negative libuv numbers are not kept). */
  readonly errno: number | undefined;
  readonly sqlState: string | undefined;
  /** `code` when it is a string (mysql2 code, or Node's). */
  readonly code: string | undefined;
  /** The code, when it is one of Node's system codes. */
  readonly systemCode: string | undefined;
  /** mysql2 marks errors after which the connection is closed. */
  readonly fatal: boolean;
  readonly message: string;
  /** Whether the value was an Error at all. */
  readonly isError: boolean;
  /** `TypeError`/`RangeError`: mysql2 throws these for invalid arguments. */
  readonly isArgumentError: boolean;
}

// Node's system and network codes: E-codes from libuv and getaddrinfo, ERR_ codes from
// Node's own stream/socket layer, and the TLS verification codes.
const SYSTEM_CODE = /^(E[A-Z0-9_]+|ERR_[A-Z0-9_]+|[A-Z_]*CERT[A-Z_]*|UNABLE_TO_[A-Z_]+)$/;

/**
 * Reads the classification facts off any thrown value.
 *
 * @example
 * driverFacts(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET', errno: -104 }));
 * // { errno: undefined, code: 'ECONNRESET', systemCode: 'ECONNRESET', fatal: false, ... }
 */
export function driverFacts(error: unknown): DriverFacts {
  const isError = error instanceof Error;
  const record = (typeof error === 'object' && error !== null ? error : {}) as Record<
    string,
    unknown
  >;
  const rawCode = record.code;
  // mysql2 reports an error packet that arrives with no command waiting (MySQL's 4031 before
  // an idle close) with the number itself as `code` and no `errno` (lib/base/connection.js).
  const errno = positiveInteger(record.errno) ?? positiveInteger(rawCode);
  const code = typeof rawCode === 'string' && rawCode !== '' ? rawCode : undefined;
  const sqlState =
    typeof record.sqlState === 'string' && /^[0-9A-Z]{5}$/i.test(record.sqlState)
      ? record.sqlState.toUpperCase()
      : undefined;
  const looksSystem =
    code !== undefined &&
    !code.startsWith('ER_') &&
    !code.startsWith('EE_') &&
    (SYSTEM_CODE.test(code) || typeof record.syscall === 'string') &&
    !code.startsWith('PROTOCOL_') &&
    !code.startsWith('HANDSHAKE_');
  return {
    errno,
    sqlState,
    code,
    systemCode: looksSystem ? code : undefined,
    fatal: record.fatal === true,
    message: isError ? error.message : typeof error === 'string' ? error : String(error),
    isError,
    isArgumentError: error instanceof TypeError || error instanceof RangeError,
  };
}

function positiveInteger(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}
