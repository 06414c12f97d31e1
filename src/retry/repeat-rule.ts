/**
 * The one place that decides whether work that failed may run again: a statement
 * ({@link decideRetry}), a whole transaction function ({@link rerunReason}) and a job's run
 * ({@link jobMayRepeat}). Nothing else in goneaway repeats anything.
 *
 * They share one rule: **repeat only what provably applied nothing**, that is, a failure before
 * any byte of the work reached the server (outcome `'not-sent'`), or a loss the server provably
 * rolled back (the connection of an open InnoDB transaction died before COMMIT was sent, a
 * deadlock). A prepared XA branch survives its connection: a loss then is reported as
 * `CommitOutcomeUnknownError`, never as a rolled-back `TransactionLostError`. A statement adds one case of its own: repeating a read-only, session-independent
 * statement is harmless even if it ran (or the caller marked it idempotent).
 *
 * Never repeated: a COMMIT whose outcome is unknown, a write whose outcome is unknown, a
 * timeout the caller set (it bounds the caller's wait), an answer from the server (it ran and
 * failed), and anything while the pool is ending.
 *
 * Honest limit: "rolled back" holds for transactional tables. A write to a non-transactional
 * table (MyISAM, Aria) inside a transaction is applied at once and survives the loss; goneaway
 * cannot see the table's engine in the statement, so a transaction that writes to such tables
 * must not be given `attempts > 1`.
 */
import {
  CommitOutcomeUnknownError,
  ConnectionLostError,
  DeadlockError,
  type GoneAwayError,
  isGoneAwayError,
  LockWaitTimeoutError,
  SessionLostError,
  TransactionLostError,
} from '../errors/index.js';
import type { StatementInfo } from '../sql/statement-classifier.js';

/**
 * Whether `error` proves that the work it ended applied nothing: it never reached the server,
 * or the server rolled back the transaction it belonged to.
 *
 * @example
 * appliedNothing(new TransactionLostError('lost')); // true: the server rolled it back
 * appliedNothing(new ConnectionLostError('lost', { outcome: 'unknown' })); // false
 */
export function appliedNothing(error: unknown): boolean {
  if (!isGoneAwayError(error)) return false;
  if (error instanceof CommitOutcomeUnknownError) return false;
  if (error instanceof TransactionLostError) return true;
  if (error instanceof DeadlockError) return true;
  return error.outcome === 'not-sent';
}

// ── statements ─────────────────────────────────────────────────────────────────────────────

/** What the statement decision reads besides the error. */
export interface RetryContext {
  /** 1 for the first try. */
  readonly attempt: number;
  readonly maxAttempts: number;
  /** A transaction was open on the lost connection: its work is gone, never continue it elsewhere. */
  readonly inTransaction: boolean;
  /** The lost session held state a fresh connection would not have. */
  readonly sessionDirty: boolean;
  /** The caller marked the statement safe to repeat. */
  readonly idempotent?: boolean | undefined;
  /** The classifier's view of the statement; read only when the outcome is unknown. */
  readonly statement?: StatementInfo | undefined;
  /** The pool is ending: nothing runs again. */
  readonly ending?: boolean;
}

/** The answer for one statement, with the reason published in `retry`/`no-retry` events. */
export interface RetryDecision {
  readonly retry: boolean;
  readonly reason: string;
}

/**
 * Decides whether a failed statement runs again on another connection.
 *
 * @example
 * const decision = decideRetry(error, { attempt: 1, maxAttempts: 3, inTransaction: false, sessionDirty: false });
 * if (decision.retry) console.log(decision.reason); // 'retried: …'
 */
export function decideRetry(error: GoneAwayError, context: RetryContext): RetryDecision {
  const refuse = (why: string): RetryDecision => ({ retry: false, reason: `not retried: ${why}` });
  if (context.ending) return refuse('the pool is ending');
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
      const statement = context.statement;
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

// ── transactions ───────────────────────────────────────────────────────────────────────────

/** Where a transaction was when it failed. */
export type TransactionStage = 'begin' | 'body' | 'commit';

/**
 * Why re-running a whole transaction function from the start is safe, or undefined if it is
 * not. The one rule for `db.transaction()`, inside and outside scopes.
 *
 * @example
 * rerunReason(new DeadlockError('deadlock'), 'body'); // 're-run: the server rolled …'
 */
export function rerunReason(error: unknown, stage: TransactionStage): string | undefined {
  if (error instanceof CommitOutcomeUnknownError) return undefined;
  if (error instanceof TransactionLostError)
    return 're-run: connection lost inside the transaction, which the server rolled back';
  if (error instanceof DeadlockError)
    return 're-run: the server rolled the transaction back to resolve a deadlock';
  if (error instanceof LockWaitTimeoutError)
    return 're-run: a lock wait timed out; the rest was rolled back';
  // Before START TRANSACTION completed nothing of the function had run: a loss there (including
  // one that took SET TRANSACTION's characteristics with it) applied nothing.
  if (
    stage === 'begin' &&
    (error instanceof ConnectionLostError || error instanceof SessionLostError)
  )
    return 're-run: connection lost before the transaction began';
  return undefined;
}

// ── jobs ───────────────────────────────────────────────────────────────────────────────────

/**
 * Whether a job's run that failed with `error` may run again: only when the failure applied
 * nothing (never after a write or COMMIT whose outcome is unknown). What the run did before the
 * failing statement is the job's own business: give `attempts > 1` only to runs that are safe
 * to repeat from the start.
 *
 * @example
 * jobMayRepeat(new TransactionLostError('lost')); // true
 * jobMayRepeat(new ConnectionLostError('lost', { outcome: 'unknown' })); // false
 */
export function jobMayRepeat(error: GoneAwayError | undefined): boolean {
  return (
    (error instanceof ConnectionLostError || error instanceof SessionLostError) &&
    appliedNothing(error)
  );
}
