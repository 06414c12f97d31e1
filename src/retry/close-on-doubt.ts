/**
 * Which errors leave a scope's connection in doubt (Django's `errors_occurred`): a connection
 * that saw one is closed when the scope ends instead of going back to the pool. As data, one
 * row per class with the reason; the nearest class in an error's ancestry decides.
 *
 * Errors that closed the connection (a loss, a query timeout) fall under `OperationalError`
 * too, harmlessly: the pool has discarded that connection already. Django counts every database error but a data or integrity one, then pings;
 * goneaway closes instead of pinging, so it counts only the classes where the session's state
 * is really uncertain.
 */
import {
  classChain,
  ERROR_CLASS_NAMES,
  type ErrorClassName,
  type GoneAwayError,
  isGoneAwayError,
} from '../errors/index.js';

/**
 * Class name → whether its errors leave the connection in doubt, and why.
 *
 * @example
 * DOUBTFUL_ERRORS.DeadlockError; // undefined: TransactionRollbackError's row decides
 */
export const DOUBTFUL_ERRORS: Readonly<
  Partial<Record<ErrorClassName, { readonly doubtful: boolean; readonly why: string }>>
> = {
  OperationalError: {
    doubtful: true,
    why: 'the server could not carry out the statement (resources, a failed COMMIT): the session may not be what the client believes',
  },
  ReadOnlyServerError: {
    doubtful: true,
    why: 'the server became read-only (a failover demoted it): the next scope should reconnect, possibly to the new primary',
  },
  TransactionRollbackError: {
    doubtful: false,
    why: 'a deadlock is routine: the server rolled the transaction back and the session is clean',
  },
  LockWaitTimeoutError: {
    doubtful: false,
    why: 'a lock wait is routine: the statement was rolled back and the session is intact',
  },
  QueryInterruptedError: {
    doubtful: false,
    why: 'KILL QUERY or max_statement_time ended only the statement; the session is intact',
  },
  AcquireTimeoutError: {
    doubtful: false,
    why: 'no connection was involved',
  },
  ServerUnavailableError: {
    doubtful: false,
    why: 'raised while connecting: no connection was handed out',
  },
  InternalError: {
    doubtful: true,
    why: 'the server reported an internal error',
  },
  InterfaceError: {
    doubtful: true,
    why: 'the driver was used in a way it does not support: its state for this connection is uncertain',
  },
  ConfigurationError: {
    doubtful: false,
    why: 'refused by goneaway before anything was sent',
  },
  PoolClosedError: {
    doubtful: false,
    why: 'refused by goneaway before anything was sent',
  },
  DatabaseError: {
    doubtful: false,
    why: 'the server rejected the statement (syntax, privileges, constraints, data): the session is intact',
  },
};

/**
 * Whether `error` leaves the connection it happened on in doubt.
 *
 * @example
 * leavesConnectionDoubtful(new OperationalError('error during commit')); // true
 */
export function leavesConnectionDoubtful(error: unknown): error is GoneAwayError {
  if (!isGoneAwayError(error)) return false;
  const name = error.name as ErrorClassName;
  if (!ERROR_CLASS_NAMES.includes(name)) return false;
  for (const ancestor of classChain(name)) {
    const row = DOUBTFUL_ERRORS[ancestor];
    if (row) return row.doubtful;
  }
  return false;
}
