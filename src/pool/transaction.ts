/**
 * `db.transaction(fn)`: a transaction on one connection, committed when `fn` resolves and
 * rolled back when it throws. With `attempts > 1` the whole function runs again from the start,
 * on a new connection, when the transaction failed in a way that left nothing applied:
 *
 * - the connection was lost before or during the transaction body (`TransactionLostError`:
 *   the server rolled it back), or before `START TRANSACTION` completed;
 * - the server chose it as a deadlock victim (`DeadlockError`) or a lock wait timed out
 *   (`LockWaitTimeoutError`; goneaway rolls back the rest before re-running).
 *
 * A loss while COMMIT is in flight raises `CommitOutcomeUnknownError` and is never re-run: the
 * transaction may be committed. A statement of the transaction is never re-sent on its own.
 */
import {
  CommitOutcomeUnknownError,
  ConfigurationError,
  ConnectionLostError,
  DeadlockError,
  type GoneAwayError,
  LockWaitTimeoutError,
  TransactionLostError,
} from '../errors/index.js';
import type { Lease } from './lease.js';
import type { Row, StatementOptions } from './results.js';

/** SQL isolation levels, as `SET TRANSACTION ISOLATION LEVEL` takes them. */
export type IsolationLevel =
  | 'READ UNCOMMITTED'
  | 'READ COMMITTED'
  | 'REPEATABLE READ'
  | 'SERIALIZABLE';

const ISOLATION_LEVELS: readonly IsolationLevel[] = [
  'READ UNCOMMITTED',
  'READ COMMITTED',
  'REPEATABLE READ',
  'SERIALIZABLE',
];

/** Options for `db.transaction()`. */
export interface TransactionOptions {
  /** Runs of `fn` at most, counting the first. Default 1 (no re-run). */
  readonly attempts?: number;
  /** Isolation level for this transaction only. Default: the session's. */
  readonly isolationLevel?: IsolationLevel;
  /** `START TRANSACTION READ ONLY`. */
  readonly readOnly?: boolean;
}

/** What `fn` receives: the transaction's statements. Valid only until `fn` settles. */
export interface Transaction {
  query<T = Row[]>(sql: string, values?: unknown, options?: StatementOptions): Promise<T>;
  execute<T = Row[]>(sql: string, values?: unknown, options?: StatementOptions): Promise<T>;
  /** The server's id for the transaction's connection. */
  readonly threadId: number;
  /** Which run of `fn` this is, from 1. */
  readonly attempt: number;
}

/** Where a transaction was when it failed. */
export type TransactionStage = 'begin' | 'body' | 'commit';

/**
 * Runs `fn` in a transaction; see the module comment for when it runs again.
 *
 * @param acquire borrows a lease; `fresh` asks for a new connection (every re-run)
 * @param onRetry told before each re-run, with the reason
 */
export async function runTransaction<T>(
  acquire: (fresh: boolean) => Promise<Lease>,
  fn: (tx: Transaction) => Promise<T>,
  options: TransactionOptions,
  onRetry: (attempt: number, reason: string, error: GoneAwayError) => void,
): Promise<T> {
  const { attempts = 1, isolationLevel, readOnly = false } = checkTransactionOptions(options);
  for (let attempt = 1; ; attempt++) {
    const lease = await acquire(attempt > 1);
    let stage: TransactionStage = 'begin';
    let open = true;
    const tx: Transaction = {
      query: (sql, values, statementOptions) =>
        guard(open).then(() => lease.query(sql, values, statementOptions)),
      execute: (sql, values, statementOptions) =>
        guard(open).then(() => lease.execute(sql, values, statementOptions)),
      threadId: lease.threadId,
      attempt,
    };
    try {
      if (isolationLevel) await lease.query(`SET TRANSACTION ISOLATION LEVEL ${isolationLevel}`);
      await lease.query(readOnly ? 'START TRANSACTION READ ONLY' : 'START TRANSACTION');
      stage = 'body';
      const result = await fn(tx);
      stage = 'commit';
      await lease.commit();
      return result;
    } catch (error) {
      const reason = rerunReason(error, stage);
      if (reason && attempt < attempts) {
        onRetry(attempt + 1, reason, error as GoneAwayError);
        continue;
      }
      throw error;
    } finally {
      open = false;
      // Rolls back whatever is still open (fn threw, a lock wait timed out) before reuse.
      lease.release();
    }
  }
}

/**
 * Rejects bad transaction options with a message naming the option; returns them unchanged.
 *
 * @example
 * checkTransactionOptions({ attempts: 3 }); // ok
 */
export function checkTransactionOptions(options: TransactionOptions): TransactionOptions {
  const { attempts = 1, isolationLevel } = options;
  if (!Number.isInteger(attempts) || attempts < 1) {
    throw new ConfigurationError(
      `Transaction option attempts is ${attempts}; expected an integer of at least 1.`,
    );
  }
  if (isolationLevel !== undefined && !ISOLATION_LEVELS.includes(isolationLevel)) {
    throw new ConfigurationError(
      `Transaction option isolationLevel is '${isolationLevel}'; expected one of ${ISOLATION_LEVELS.join(', ')}.`,
    );
  }
  return options;
}

/**
 * Why re-running the whole transaction is safe, or undefined if it is not. The one rule for
 * `db.transaction()` inside and outside scopes.
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
  if (stage === 'begin' && error instanceof ConnectionLostError)
    return 're-run: connection lost before the transaction began';
  return undefined;
}

async function guard(open: boolean): Promise<void> {
  if (!open) {
    throw new ConfigurationError(
      'This transaction has ended; its statements can only run inside the function passed to db.transaction().',
    );
  }
}
