/**
 * mysql2's polymorphic statement arguments, read once: `query(sql, cb)`,
 * `query(sql, values, cb)`, `query({ sql, values, timeout, rowsAsArray, ... }, values?, cb?)`
 * and the same without a callback. mysql2's own rule applies: values given as an argument win
 * over `options.values`.
 */
import { ConfigurationError } from '../errors/index.js';
import { notSupported } from './not-supported.js';

/** mysql2's callback: `(error, rows or result header, fields)`. */
export type DriverCallback = (error: Error | null, result?: unknown, fields?: unknown) => void;

/** A statement given as an object, as mysql2 takes it. */
export interface QueryOptions {
  readonly sql: string;
  readonly values?: unknown;
  /** ms; 0 or absent: no bound beyond the pool's. */
  readonly timeout?: number;
  readonly rowsAsArray?: boolean;
  readonly nestTables?: boolean | string;
  readonly typeCast?: unknown;
  readonly namedPlaceholders?: boolean;
}

/** mysql2's per-statement result options. */
export interface ResultShape {
  readonly rowsAsArray?: boolean;
  readonly nestTables?: boolean | string;
  readonly typeCast?: unknown;
  readonly namedPlaceholders?: boolean;
}

/** One statement as the facade runs it. */
export interface Statement {
  readonly sql: string;
  readonly values: unknown;
  /** mysql2's per-statement `timeout`, in ms. */
  readonly timeoutMs: number | undefined;
  /** Per-statement result options; empty when the statement gave none. */
  readonly shape: ResultShape;
}

/** What a `query`/`execute` call asked for. */
export interface StatementCall {
  readonly statement: Statement;
  readonly callback: DriverCallback | undefined;
}

const SHAPE_KEYS = ['rowsAsArray', 'nestTables', 'typeCast', 'namedPlaceholders'] as const;
const KNOWN_KEYS = new Set<string>(['sql', 'values', 'timeout', ...SHAPE_KEYS]);

/**
 * Reads the arguments of a mysql2 `query` or `execute` call.
 *
 * @example
 * readStatementCall({ sql: 'SELECT * FROM user WHERE id = ?', timeout: 500 }, [7], undefined).statement.timeoutMs; // 500
 */
export function readStatementCall(
  sqlOrOptions: unknown,
  valuesOrCallback?: unknown,
  callback?: unknown,
): StatementCall {
  let values = valuesOrCallback;
  let done = callback;
  if (typeof values === 'function') {
    done = values;
    values = undefined;
  }
  if (done !== undefined && typeof done !== 'function') {
    throw new ConfigurationError(
      `The callback of query()/execute() must be a function; got ${typeof done}.`,
    );
  }
  const callbackFn = done as DriverCallback | undefined;
  if (typeof sqlOrOptions === 'string') {
    return {
      statement: { sql: sqlOrOptions, values, timeoutMs: undefined, shape: {} },
      callback: callbackFn,
    };
  }
  if (sqlOrOptions === null || typeof sqlOrOptions !== 'object') {
    throw new ConfigurationError(
      `A statement must be SQL text or { sql, ... }; got ${sqlOrOptions === null ? 'null' : typeof sqlOrOptions}.`,
    );
  }
  const options = sqlOrOptions as Record<string, unknown>;
  for (const key of Object.keys(options)) {
    if (!KNOWN_KEYS.has(key) && options[key] !== undefined) {
      throw notSupported(
        `the per-statement option ${key}`,
        `Per statement the facade takes ${[...KNOWN_KEYS].join(', ')}.`,
      );
    }
  }
  if (typeof options.sql !== 'string') {
    throw new ConfigurationError(`A statement's sql must be a string; got ${typeof options.sql}.`);
  }
  const timeout = options.timeout;
  if (
    timeout !== undefined &&
    (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout < 0)
  ) {
    throw new ConfigurationError('The per-statement timeout must be a number of ms, 0 or more.');
  }
  const shape: Record<string, unknown> = {};
  for (const key of SHAPE_KEYS) if (options[key] !== undefined) shape[key] = options[key];
  return {
    statement: {
      sql: options.sql,
      values: values === undefined ? options.values : values,
      timeoutMs: timeout === undefined || timeout === 0 ? undefined : timeout,
      shape: shape as ResultShape,
    },
    callback: callbackFn,
  };
}
