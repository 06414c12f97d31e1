/**
 * Every error class, built from {@link ERROR_CLASS_SPECS} instead of written out one by one:
 * each is an empty subclass of its parent that carries its row of the table. Types are derived
 * from the same table, so `instanceof` narrows to the right class in TypeScript too.
 */
import {
  classChain,
  ERROR_CLASS_NAMES,
  ERROR_CLASS_SPECS,
  type ErrorClassName,
} from './error-specs.js';
import {
  ERROR_META,
  type ErrorClassMeta,
  type ErrorDetails,
  GoneAwayError,
} from './goneaway-error.js';

/**
 * The pool's counts when an acquire timed out.
 *
 * @example
 * const counts: PoolCounts = { total: 10, idle: 0, inUse: 10, waiting: 3, max: 10 };
 */
export interface PoolCounts {
  readonly total: number;
  readonly idle: number;
  readonly inUse: number;
  readonly waiting: number;
  readonly max: number;
}

/** The extra fields of the classes that have any. */
export interface ExtraFields {
  readonly SessionLostError: {
    /** What the lost session held, e.g. `['temporary tables', 'user variables']`. */
    readonly lost: readonly string[];
  };
  readonly AcquireTimeoutError: {
    readonly counts: PoolCounts | undefined;
    /** How long the caller waited, in ms. */
    readonly waitedMs: number | undefined;
  };
}

type ParentOf<N extends ErrorClassName> = (typeof ERROR_CLASS_SPECS)[N]['parent'];

/** The class and its ancestors, as a union of names. */
export type ClassChain<N extends ErrorClassName> =
  | N
  | (ParentOf<N> extends ErrorClassName ? ClassChain<ParentOf<N>> : never);

type ExtrasOf<N extends ErrorClassName> = N extends keyof ExtraFields ? ExtraFields[N] : unknown;

// Type-only: gives each class a distinct shape, so narrowing one class out of a union does not
// narrow out its siblings (they would otherwise be structurally identical).
declare const kinds: unique symbol;

/**
 * An instance of the goneaway error class named `N`.
 *
 * @example
 * const error: ErrorInstance<'DeadlockError'> = new DeadlockError('deadlock');
 */
export type ErrorInstance<N extends ErrorClassName> = GoneAwayError & {
  readonly [kinds]: { readonly [K in ClassChain<N>]: true };
} & ExtrasOf<N>;

/** What the constructor of class `N` accepts besides a message. */
export type DetailsOf<N extends ErrorClassName> = ErrorDetails &
  (N extends keyof ExtraFields ? Partial<ExtraFields[N]> : unknown);

/**
 * The constructor of the goneaway error class named `N`.
 *
 * @example
 * const Deadlock: ErrorClass<'DeadlockError'> = DeadlockError;
 */
export interface ErrorClass<N extends ErrorClassName> {
  new (message: string, details?: DetailsOf<N>): ErrorInstance<N>;
  new (details?: DetailsOf<N>): ErrorInstance<N>;
  readonly prototype: ErrorInstance<N>;
  /** The stable code of errors of exactly this class. */
  readonly code: (typeof ERROR_CLASS_SPECS)[N]['code'];
}

/** How the classes with extra fields fill them and word a message when given none. */
const EXTRAS: Partial<
  Record<ErrorClassName, Pick<ErrorClassMeta, 'extraFields' | 'defaultMessage'>>
> = {
  SessionLostError: {
    extraFields: (details) => ({ lost: Object.freeze([...((details.lost as string[]) ?? [])]) }),
    defaultMessage: (details) => {
      const lost = (details.lost as string[] | undefined) ?? [];
      const held = lost.length > 0 ? lost.join(', ') : 'session state';
      return (
        `The connection was lost, and with it the session's ${held}, which a new connection would not have. ` +
        ERROR_CLASS_SPECS.SessionLostError.action
      );
    },
  },
  AcquireTimeoutError: {
    extraFields: (details) => ({
      counts:
        details.counts === undefined
          ? undefined
          : Object.freeze({ ...(details.counts as PoolCounts) }),
      waitedMs: details.waitedMs,
    }),
    defaultMessage: (details) => acquireTimeoutMessage(details),
  },
};

function acquireTimeoutMessage(details: Record<string, unknown>): string {
  const counts = details.counts as PoolCounts | undefined;
  const waitedMs = details.waitedMs as number | undefined;
  const waited = waitedMs === undefined ? '' : ` after waiting ${waitedMs} ms`;
  const shown = counts
    ? ` (${counts.inUse} in use, ${counts.idle} idle, ${counts.waiting} waiting, ${counts.total} open, max ${counts.max})`
    : '';
  const cause =
    details.cause instanceof Error ? ` The last connect failed: ${details.cause.message}` : '';
  const advice =
    counts && counts.inUse >= counts.max
      ? 'Every connection was in use: raise max, release connections sooner or shorten transactions.'
      : cause
        ? 'New connections are failing: fix what the last failure says.'
        : ERROR_CLASS_SPECS.AcquireTimeoutError.action;
  return `No connection became available${waited}${shown}.${cause} ${advice}`;
}

function buildClasses(): Record<ErrorClassName, unknown> {
  const built: Partial<Record<ErrorClassName, unknown>> = { GoneAwayError };
  for (const name of ERROR_CLASS_NAMES) {
    if (name === 'GoneAwayError') continue;
    const spec = ERROR_CLASS_SPECS[name];
    const Parent = built[spec.parent] as typeof GoneAwayError;
    const Built = class extends Parent {};
    const meta: ErrorClassMeta = { name, spec, chain: classChain(name), ...EXTRAS[name] };
    Object.defineProperty(Built, 'name', { value: name });
    Object.defineProperty(Built, 'code', { value: spec.code, enumerable: true });
    Object.defineProperty(Built, ERROR_META, { value: meta });
    Object.defineProperty(Built.prototype, 'name', {
      value: name,
      writable: true,
      configurable: true,
    });
    built[name] = Built;
  }
  return built as Record<ErrorClassName, unknown>;
}

Object.defineProperty(GoneAwayError.prototype, 'name', {
  value: 'GoneAwayError',
  writable: true,
  configurable: true,
});

/**
 * Every class by name, for code that picks one from a table.
 *
 * @example
 * const error = new ERROR_CLASSES[rule.kind]('what happened');
 */
export const ERROR_CLASSES = buildClasses() as { readonly [N in ErrorClassName]: ErrorClass<N> };

/**
 * A client-side problem, not the database's (PEP 249 `InterfaceError`).
 *
 * @example
 * if (error instanceof InterfaceError) console.error('fix the calling code:', error.message);
 */
export const InterfaceError = ERROR_CLASSES.InterfaceError;
export type InterfaceError = ErrorInstance<'InterfaceError'>;

/**
 * Invalid configuration, or configuration that names something that does not exist.
 *
 * @example
 * throw new ConfigurationError("Pool option 'max' is -1; expected a positive integer.");
 */
export const ConfigurationError = ERROR_CLASSES.ConfigurationError;
export type ConfigurationError = ErrorInstance<'ConfigurationError'>;

/**
 * A statement or acquire on a pool that has been ended.
 *
 * @example
 * throw new PoolClosedError('The pool for 127.0.0.1:3306 has been ended; create a new pool.');
 */
export const PoolClosedError = ERROR_CLASSES.PoolClosedError;
export type PoolClosedError = ErrorInstance<'PoolClosedError'>;

/**
 * An error reported by the database (PEP 249 `DatabaseError`); the base of the server-side classes.
 *
 * @example
 * if (error instanceof DatabaseError) console.error(error.errno, error.sqlState, error.message);
 */
export const DatabaseError = ERROR_CLASSES.DatabaseError;
export type DatabaseError = ErrorInstance<'DatabaseError'>;

/**
 * The database could not carry out the operation (PEP 249 `OperationalError`).
 *
 * @example
 * if (error instanceof OperationalError && !error.connectionUsable) connection.destroy();
 */
export const OperationalError = ERROR_CLASSES.OperationalError;
export type OperationalError = ErrorInstance<'OperationalError'>;

/**
 * The connection was lost; `outcome` says whether the statement could have been applied.
 *
 * @example
 * throw new ConnectionLostError('Lost connection to 127.0.0.1:3306 before a SELECT was sent.', {
 *   outcome: 'not-sent',
 * });
 */
export const ConnectionLostError = ERROR_CLASSES.ConnectionLostError;
export type ConnectionLostError = ErrorInstance<'ConnectionLostError'>;

/**
 * The connection was lost inside a transaction, before COMMIT was sent; the server rolled it back.
 *
 * @example
 * if (error instanceof TransactionLostError) await runTransactionAgain();
 */
export const TransactionLostError = ERROR_CLASSES.TransactionLostError;
export type TransactionLostError = ErrorInstance<'TransactionLostError'>;

/**
 * The connection was lost while COMMIT was in flight: the transaction may or may not be committed.
 *
 * @example
 * if (error instanceof CommitOutcomeUnknownError) await checkOrderWasStored(orderId);
 */
export const CommitOutcomeUnknownError = ERROR_CLASSES.CommitOutcomeUnknownError;
export type CommitOutcomeUnknownError = ErrorInstance<'CommitOutcomeUnknownError'>;

/**
 * The connection was lost with session state a new connection would not have (`lost` lists it).
 *
 * @example
 * throw new SessionLostError({ lost: ['temporary tables', 'user variables'] });
 */
export const SessionLostError = ERROR_CLASSES.SessionLostError;
export type SessionLostError = ErrorInstance<'SessionLostError'>;

/**
 * The server could not be reached or refused a new connection (refused, unreachable, too many
 * connections, shutting down).
 *
 * @example
 * if (error instanceof ServerUnavailableError) await backOffAndReconnect();
 */
export const ServerUnavailableError = ERROR_CLASSES.ServerUnavailableError;
export type ServerUnavailableError = ErrorInstance<'ServerUnavailableError'>;

/**
 * The server rejected the credentials.
 *
 * @example
 * if (error instanceof AuthenticationError) console.error('check DATABASE_URL credentials');
 */
export const AuthenticationError = ERROR_CLASSES.AuthenticationError;
export type AuthenticationError = ErrorInstance<'AuthenticationError'>;

/**
 * goneaway refused to send the password, because the server asked for it over a connection
 * without TLS in a way that whoever answers in the server's place could read.
 *
 * @example
 * if (error instanceof PasswordExchangeRefusedError) console.error('use TLS or pin the server key');
 */
export const PasswordExchangeRefusedError = ERROR_CLASSES.PasswordExchangeRefusedError;
export type PasswordExchangeRefusedError = ErrorInstance<'PasswordExchangeRefusedError'>;

/**
 * A write reached a read-only server: after a failover the connection is on a replica.
 *
 * @example
 * if (error instanceof ReadOnlyServerError) console.warn('failover in progress?', error.message);
 */
export const ReadOnlyServerError = ERROR_CLASSES.ReadOnlyServerError;
export type ReadOnlyServerError = ErrorInstance<'ReadOnlyServerError'>;

/**
 * The server rolled back the transaction to resolve a conflict; run it again.
 *
 * @example
 * if (error instanceof TransactionRollbackError) await runTransactionAgain();
 */
export const TransactionRollbackError = ERROR_CLASSES.TransactionRollbackError;
export type TransactionRollbackError = ErrorInstance<'TransactionRollbackError'>;

/**
 * A deadlock (1213): the server rolled back this transaction; run it again.
 *
 * @example
 * if (error instanceof DeadlockError) await runTransactionAgain();
 */
export const DeadlockError = ERROR_CLASSES.DeadlockError;
export type DeadlockError = ErrorInstance<'DeadlockError'>;

/**
 * A row-lock wait exceeded innodb_lock_wait_timeout (1205); only the statement was rolled back.
 *
 * @example
 * if (error instanceof LockWaitTimeoutError) await connection.query('ROLLBACK');
 */
export const LockWaitTimeoutError = ERROR_CLASSES.LockWaitTimeoutError;
export type LockWaitTimeoutError = ErrorInstance<'LockWaitTimeoutError'>;

/**
 * The statement ran past a server-side or client-side time limit.
 *
 * @example
 * throw new QueryTimeoutError('The statement did not finish within 5000 ms.', { outcome: 'unknown' });
 */
export const QueryTimeoutError = ERROR_CLASSES.QueryTimeoutError;
export type QueryTimeoutError = ErrorInstance<'QueryTimeoutError'>;

/**
 * The statement was stopped by KILL QUERY (1317); the connection is still usable.
 *
 * @example
 * if (error instanceof QueryInterruptedError) console.warn('statement was killed by someone');
 */
export const QueryInterruptedError = ERROR_CLASSES.QueryInterruptedError;
export type QueryInterruptedError = ErrorInstance<'QueryInterruptedError'>;

/**
 * No connection became available within the acquire timeout; carries the pool's counts.
 *
 * @example
 * throw new AcquireTimeoutError({
 *   counts: { total: 10, idle: 0, inUse: 10, waiting: 4, max: 10 },
 *   waitedMs: 5_000,
 * });
 */
export const AcquireTimeoutError = ERROR_CLASSES.AcquireTimeoutError;
export type AcquireTimeoutError = ErrorInstance<'AcquireTimeoutError'>;

/**
 * The statement would break a constraint (duplicate key, foreign key, NOT NULL, CHECK).
 *
 * @example
 * if (error instanceof IntegrityError && error.driverCode === 'ER_DUP_ENTRY') return existingRow();
 */
export const IntegrityError = ERROR_CLASSES.IntegrityError;
export type IntegrityError = ErrorInstance<'IntegrityError'>;

/**
 * The statement is wrong: syntax, unknown table or column, missing privilege.
 *
 * @example
 * if (error instanceof ProgrammingError) throw error; // a bug, not an outage
 */
export const ProgrammingError = ERROR_CLASSES.ProgrammingError;
export type ProgrammingError = ErrorInstance<'ProgrammingError'>;

/**
 * A value does not fit its column or is invalid for its type.
 *
 * @example
 * if (error instanceof DataError) return badRequest(error.message);
 */
export const DataError = ERROR_CLASSES.DataError;
export type DataError = ErrorInstance<'DataError'>;

/**
 * Client and server lost track of the protocol; the connection is discarded.
 *
 * @example
 * if (error instanceof InternalError) reportBug(error.cause);
 */
export const InternalError = ERROR_CLASSES.InternalError;
export type InternalError = ErrorInstance<'InternalError'>;

/**
 * The server does not support what the statement asks for.
 *
 * @example
 * if (error instanceof NotSupportedError) useFallbackQuery();
 */
export const NotSupportedError = ERROR_CLASSES.NotSupportedError;
export type NotSupportedError = ErrorInstance<'NotSupportedError'>;
