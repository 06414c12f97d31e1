/**
 * The one place that decides whether a failed statement runs again. Everything that retries
 * (pool statements, leases) asks {@link decideRetry}; nothing else re-sends a statement.
 *
 * A statement runs again on another connection only when one of these holds, outside a
 * transaction, on a clean session, while the attempt budget lasts:
 *
 * 1. it provably never reached the server (outcome `'not-sent'`), or
 * 2. its connection was lost after it was sent (outcome `'unknown'`) and repeating it is safe:
 *    the classifier finds it read-only and session-independent, or the caller marked it
 *    `idempotent`.
 *
 * A timeout the caller set is never retried (it bounds the caller's wait), nor is any error the
 * server answered with.
 */
import {
  CommitOutcomeUnknownError,
  ConnectionLostError,
  type GoneAwayError,
  SessionLostError,
  TransactionLostError,
} from '../errors/index.js';
import type { StatementInfo } from '../sql/statement-classifier.js';

/** What the decision reads besides the error. */
export interface RetryContext {
  /** 1 for the first try. */
  readonly attempt: number;
  readonly maxAttempts: number;
  /** A transaction was open on the lost connection: its work is gone, never continue it elsewhere. */
  readonly inTransaction: boolean;
  /** The lost session held state a fresh connection would not have. */
  readonly sessionDirty: boolean;
  /** The caller marked the statement safe to repeat. */
  readonly idempotent?: boolean;
  /** The classifier's view of the statement; asked only when the outcome is unknown. */
  readonly statement?: () => StatementInfo;
}

export interface RetryDecision {
  readonly retry: boolean;
  /** Human-readable, for the `retry`/`no-retry` events. */
  readonly reason: string;
}

/**
 * Decides whether `error` may be answered by running the statement again on another connection.
 *
 * @example
 * const decision = decideRetry(error, { attempt: 1, maxAttempts: 3, inTransaction: false, sessionDirty: false });
 * if (decision.retry) console.log(decision.reason); // 'retried: …'
 */
export function decideRetry(error: GoneAwayError, context: RetryContext): RetryDecision {
  const refuse = (why: string): RetryDecision => ({ retry: false, reason: `not retried: ${why}` });
  if (context.inTransaction)
    return refuse('the connection was inside a transaction, which the server rolled back');
  if (context.sessionDirty)
    return refuse('the lost session held state a new connection would not have');
  if (
    error instanceof TransactionLostError ||
    error instanceof CommitOutcomeUnknownError ||
    error instanceof SessionLostError
  ) {
    return refuse(`${error.name}: the work belonged to the lost connection`);
  }

  let why: string;
  if (error.outcome === 'not-sent' && error.retryable) {
    why = 'the statement never reached the server (its connection was already dead)';
  } else if (error.outcome === 'unknown' && error instanceof ConnectionLostError) {
    if (context.idempotent) {
      why = 'connection lost before the result; the caller marked the statement idempotent';
    } else {
      const statement = context.statement?.();
      if (!statement?.retrySafe) {
        const what = statement?.keyword || 'the statement';
        return refuse(
          `${what}, connection lost before the result, outcome unknown (${statement?.reason ?? 'not classified'})`,
        );
      }
      why = `${statement.reason}, connection lost before the result`;
    }
  } else {
    return refuse(`${error.name} (outcome ${error.outcome})`);
  }
  if (context.attempt >= context.maxAttempts) return refuse(`${context.maxAttempts} attempts used`);
  return { retry: true, reason: `retried: ${why}` };
}
