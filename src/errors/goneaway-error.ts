/**
 * The base of every error goneaway throws. Its subclasses are built from a table
 * (`error-specs.ts`, `error-classes.ts`); this file holds everything they share: the fields,
 * the defaults taken from the class's row, the cross-copy brand behind `instanceof`, and the
 * printed forms (`toString()`, `util.inspect`, JSON), none of which may carry a secret.
 */

import { statementKeyword } from '../sql/statement-keyword.js';
import type { Phase } from './classify-context.js';
import { ERROR_CLASS_SPECS, type ErrorClassSpec } from './error-specs.js';
import type { Flavor } from './flavor.js';
import type { Outcome } from './outcome.js';
import { redact } from './redact.js';

/**
 * What a thrower may tell an error besides its message. Every field is optional; a class's
 * own defaults fill in `outcome`, `retryable` and `connectionUsable`.
 *
 * @example
 * const details: ErrorDetails = { cause: driverError, errno: 2013, outcome: 'unknown' };
 */
export interface ErrorDetails {
  /** The original error (from mysql2 or `net`), kept as the standard `cause`. */
  readonly cause?: unknown;
  /** Server or client error number (1045, 2013, ...). */
  readonly errno?: number;
  readonly sqlState?: string;
  /** Node's system error code: `'ECONNRESET'`, `'ECONNREFUSED'`, ... */
  readonly systemCode?: string;
  /** mysql2's string code: `'ER_DUP_ENTRY'`, `'PROTOCOL_CONNECTION_LOST'`, ... */
  readonly driverCode?: string;
  /** The error number's symbolic name for the server's flavour: `'ER_CONNECTION_KILLED'`, `'CR_SERVER_LOST'`. */
  readonly symbol?: string;
  readonly flavor?: Flavor;
  readonly phase?: Phase;
  readonly outcome?: Outcome;
  readonly retryable?: boolean;
  readonly connectionUsable?: boolean;
  /** Strings to blank out of the message and printed forms. Used while building, never stored. */
  readonly secrets?: readonly string[];
}

/**
 * What the class-building table attaches to each class: its row, its ancestry for the brand,
 * and, for classes with extra fields, how to fill them and how to word a default message.
 */
export interface ErrorClassMeta {
  readonly name: string;
  readonly spec: ErrorClassSpec;
  /** The class and its ancestors, nearest first. */
  readonly chain: readonly string[];
  readonly extraFields?: (details: Record<string, unknown>) => Record<string, unknown>;
  readonly defaultMessage?: (details: Record<string, unknown>) => string;
}

/** Where a class keeps its {@link ErrorClassMeta}. Per package copy; the brand below is not. */
export const ERROR_META: unique symbol = Symbol('goneaway.errorMeta');

/**
 * The brand every goneaway error carries: the names of its class and ancestors. `Symbol.for`
 * makes it the same symbol in every copy of the package, so `instanceof` and
 * {@link isGoneAwayError} work on errors thrown by another copy (a dependency's own goneaway).
 */
export const ERROR_BRAND: unique symbol = Symbol.for('goneaway.error') as never;

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** The fields printed by `toJSON()` and `util.inspect`, in this order. */
const PRINTED_FIELDS = [
  'code',
  'errno',
  'sqlState',
  'systemCode',
  'driverCode',
  'symbol',
  'flavor',
  'phase',
  'outcome',
  'retryable',
  'connectionUsable',
] as const;

type InspectFn = (value: unknown, options?: object) => string;

/**
 * The base class of every goneaway error. `code` is stable across versions; `retryable`,
 * `connectionUsable` and `outcome` say what may be done next; the driver's error is `cause`.
 *
 * @example
 * import { GoneAwayError } from 'goneaway';
 * try {
 *   await db.query('UPDATE account SET balance = 0 WHERE id = ?', [7]);
 * } catch (error) {
 *   if (error instanceof GoneAwayError && error.outcome === 'unknown') {
 *     // the update may or may not have been applied: check before repeating it
 *   }
 *   throw error;
 * }
 */
export class GoneAwayError extends Error {
  /** The stable code of errors of exactly this class. */
  static readonly code: string = ERROR_CLASS_SPECS.GoneAwayError.code;

  static readonly [ERROR_META]: ErrorClassMeta = {
    name: 'GoneAwayError',
    spec: ERROR_CLASS_SPECS.GoneAwayError,
    chain: ['GoneAwayError'],
  };

  /** Stable string code, `GONEAWAY_` + the class name in upper snake case (see docs/errors.md). */
  readonly code: string;
  /** Server (1000–4999) or client (2000–2999) error number, when there is one. */
  readonly errno: number | undefined;
  readonly sqlState: string | undefined;
  /** Node's system error code (`'ECONNRESET'`, `'ECONNREFUSED'`, ...). */
  readonly systemCode: string | undefined;
  /** mysql2's string code (`'ER_DUP_ENTRY'`, `'PROTOCOL_CONNECTION_LOST'`, ...), as ORMs map it. */
  readonly driverCode: string | undefined;
  /** The error number's name for the server's flavour (`'ER_CONNECTION_KILLED'`); mysql2 only knows MySQL's. */
  readonly symbol: string | undefined;
  readonly flavor: Flavor | undefined;
  /** What the connection was doing. */
  readonly phase: Phase | undefined;
  /** Whether running the failed unit of work again is safe and may succeed: the statement, or the whole transaction when one was open. */
  readonly retryable: boolean;
  /** Whether the connection can take the next statement (false when it is gone or there is none). */
  readonly connectionUsable: boolean;
  readonly outcome: Outcome;
  readonly #causeView: unknown;

  constructor(message?: string, details?: ErrorDetails);
  constructor(details?: ErrorDetails);
  constructor(messageOrDetails?: string | ErrorDetails, maybeDetails?: ErrorDetails) {
    const details: ErrorDetails =
      (typeof messageOrDetails === 'object' && messageOrDetails !== null
        ? messageOrDetails
        : maybeDetails) ?? {};
    const meta = metaOf(new.target);
    const text =
      typeof messageOrDetails === 'string' && messageOrDetails !== ''
        ? messageOrDetails
        : (meta.defaultMessage?.(details as Record<string, unknown>) ??
          `${meta.spec.summary} ${meta.spec.action}`);
    super(
      redact(text, details.secrets),
      details.cause === undefined ? undefined : { cause: details.cause },
    );
    Object.defineProperty(this, ERROR_BRAND, { value: meta.chain });

    const spec = meta.spec;
    const outcome = details.outcome ?? spec.outcome;
    this.code = spec.code;
    this.errno = details.errno;
    this.sqlState = details.sqlState;
    this.systemCode = details.systemCode;
    this.driverCode = details.driverCode;
    this.symbol = details.symbol;
    this.flavor = details.flavor;
    this.phase = details.phase;
    this.outcome = outcome;
    this.retryable =
      details.retryable ??
      (spec.retryable === 'unless-unknown' ? outcome !== 'unknown' : spec.retryable);
    this.connectionUsable =
      details.connectionUsable ??
      (spec.connectionUsable === 'if-failed' ? outcome === 'failed' : spec.connectionUsable);
    if (meta.extraFields) Object.assign(this, meta.extraFields(details as Record<string, unknown>));
    this.#causeView =
      details.cause === undefined ? undefined : viewOf(details.cause, details.secrets);
  }

  /**
   * `instanceof` by brand, so it holds for errors from another copy of goneaway. Classes a user
   * derives from these keep the ordinary prototype check.
   */
  static override [Symbol.hasInstance]<T>(
    this: abstract new (
      ...args: never[]
    ) => T,
    value: unknown,
  ): value is T {
    // biome-ignore lint/complexity/noThisInStatic: instanceof passes the class being tested (maybe a subclass) as this.
    return hasInstance(this, value);
  }

  /** A plain object without secrets or statement text, for loggers and `JSON.stringify`. */
  toJSON(): Record<string, unknown> {
    const json: Record<string, unknown> = { name: this.name, message: this.message };
    for (const key of PRINTED_FIELDS) if (this[key] !== undefined) json[key] = this[key];
    for (const [key, value] of Object.entries(this)) {
      if (!(key in json) && value !== undefined) json[key] = value;
    }
    if (this.#causeView !== undefined) json.cause = this.#causeView;
    return json;
  }

  /** `util.inspect` (and so `console.log`): the stack, the fields, and the cause without its statement text. */
  [INSPECT](depth: number, options: { depth?: number | null }, inspect: InspectFn): string {
    const { name: _name, message: _message, ...fields } = this.toJSON();
    if (depth < 0) return `[${this.name}: ${this.message}]`;
    const nested = { ...options, depth: options.depth == null ? options.depth : options.depth - 1 };
    return `${this.stack ?? `${this.name}: ${this.message}`} ${inspect(fields, nested)}`;
  }
}

/**
 * Whether `value` is a goneaway error, from this copy of the package or any other.
 *
 * @example
 * import { isGoneAwayError } from 'goneaway';
 * process.on('unhandledRejection', (reason) => {
 *   if (isGoneAwayError(reason)) console.error(reason.code, reason.message);
 * });
 */
export function isGoneAwayError(value: unknown): value is GoneAwayError {
  return (
    value instanceof Error &&
    Array.isArray((value as unknown as Record<symbol, unknown>)[ERROR_BRAND])
  );
}

function hasInstance(target: object, value: unknown): boolean {
  if (!Object.hasOwn(target, ERROR_META)) {
    return Function.prototype[Symbol.hasInstance].call(target, value);
  }
  return isGoneAwayError(value) && brandOf(value).includes(metaOf(target).name);
}

function brandOf(value: GoneAwayError): readonly string[] {
  return (value as unknown as Record<symbol, readonly string[] | undefined>)[ERROR_BRAND] ?? [];
}

function metaOf(target: unknown): ErrorClassMeta {
  return (target as Record<typeof ERROR_META, ErrorClassMeta>)[ERROR_META];
}

/** What of a cause may be printed: codes and a redacted message, never the statement's text. */
function viewOf(cause: unknown, secrets: readonly string[] | undefined): unknown {
  if (isGoneAwayError(cause)) return cause.toJSON();
  if (!(cause instanceof Error)) return redact(String(cause), secrets);
  const source = cause as Error & Record<string, unknown>;
  const view: Record<string, unknown> = {
    name: source.name,
    message: redact(source.message, secrets),
  };
  for (const key of ['code', 'errno', 'sqlState', 'fatal', 'syscall', 'address', 'port']) {
    if (source[key] !== undefined) view[key] = source[key];
  }
  // mysql2 puts the whole statement, values included, on `sql`.
  if (typeof source.sql === 'string') view.statement = statementKeyword(source.sql) ?? '(unknown)';
  return view;
}
