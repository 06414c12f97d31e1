/**
 * The one transaction runner, behind `db.transaction(fn)` inside and outside scopes: `fn` runs in
 * a transaction on one connection, committed when it resolves and rolled back when it throws.
 * With `attempts > 1` the whole function runs again from the start, on a new connection, when the
 * failure applied nothing (the rule is `rerunReason` in `src/retry/repeat-rule.ts`):
 *
 * - the connection was lost before or during the body (`TransactionLostError`: the server rolled
 *   it back), or before `START TRANSACTION` completed (including a loss that took the isolation
 *   level set just before with it: the transaction never runs without it);
 * - the server chose it as a deadlock victim, or a lock wait timed out (the rest is rolled back
 *   before the re-run).
 *
 * A loss while COMMIT is in flight raises `CommitOutcomeUnknownError` and is never re-run. A
 * statement of the transaction is never re-sent on its own.
 *
 * Where the transaction runs is a {@link TransactionSite}: the pool (a new lease for each run) or
 * a scope (the scope's lease; a savepoint when a transaction is already open there).
 */
import {
  type AttemptRecord,
  type TraceTarget,
  type TransactionTraceContext,
  transactionChannel,
} from '../connection/tracing-channels.js';
import { ConfigurationError, type GoneAwayError } from '../errors/index.js';
import { rerunReason, type TransactionStage } from '../retry/repeat-rule.js';
import type { Lease } from './lease.js';
import type { Row, StatementOptions } from './results.js';

/**
 * SQL isolation levels, as `SET TRANSACTION ISOLATION LEVEL` takes them.
 *
 * @example
 * const strictest: IsolationLevel = ISOLATION_LEVELS[3]; // 'SERIALIZABLE'
 */
export const ISOLATION_LEVELS = [
  'READ UNCOMMITTED',
  'READ COMMITTED',
  'REPEATABLE READ',
  'SERIALIZABLE',
] as const;

/** One of {@link ISOLATION_LEVELS}. */
export type IsolationLevel = (typeof ISOLATION_LEVELS)[number];

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

/** How the transaction begins: characteristics for this transaction only. */
export interface Characteristics {
  readonly isolationLevel: IsolationLevel | undefined;
  readonly readOnly: boolean;
}

/** One run of the transaction, begun on its connection. */
export interface BegunTransaction {
  readonly threadId: number;
  /** A savepoint inside an enclosing transaction: never re-run on its own. */
  readonly nested: boolean;
  run(
    kind: 'query' | 'execute',
    sql: string,
    values: unknown,
    options: StatementOptions | undefined,
  ): Promise<unknown>;
  commit(): Promise<unknown>;
  /** Undoes what is still open after a failure; never throws. */
  rollBack(): Promise<void>;
  /** The run is over (committed, rolled back or failed): the site lets go of what it holds. */
  finish(error: unknown): Promise<void>;
  /** Whether a failed run may be followed by another (the site's own limits). */
  mayRunAgain(error: unknown): boolean;
}

/** Where a transaction runs: the pool, or a scope. */
export interface TransactionSite {
  /** Where its statements go, for tracing. */
  readonly target: TraceTarget;
  /** Begins run `attempt`; on failure it lets go of whatever it took. */
  begin(attempt: number, characteristics: Characteristics): Promise<BegunTransaction>;
  /** Runs the body (a scope marks its async context, so a nested transaction joins it). */
  body<T>(fn: () => Promise<T>): Promise<T>;
}

/**
 * Runs `fn` as a transaction on `site`, as one `goneaway:transaction` trace when someone
 * subscribes; see the module comment for when it runs again.
 *
 * @param onRetry told before each re-run, with the reason
 *
 * @example
 * await runTransaction(site, async (tx) => tx.query('UPDATE stock SET n = n - 1'), { attempts: 3 }, onRetry);
 */
export async function runTransaction<T>(
  site: TransactionSite,
  fn: (tx: Transaction) => Promise<T>,
  options: TransactionOptions,
  onRetry: (attempt: number, reason: string, error: GoneAwayError) => void,
): Promise<T> {
  const checked = checkTransactionOptions(options);
  if (!transactionChannel.hasSubscribers) return runs(site, fn, checked, onRetry, undefined);
  const trace: TransactionTraceContext = {
    ...site.target,
    isolationLevel: checked.isolationLevel,
    readOnly: checked.readOnly ?? false,
    attempts: [],
  };
  return transactionChannel.tracePromise(() => runs(site, fn, checked, onRetry, trace), trace);
}

async function runs<T>(
  site: TransactionSite,
  fn: (tx: Transaction) => Promise<T>,
  options: TransactionOptions,
  onRetry: (attempt: number, reason: string, error: GoneAwayError) => void,
  trace: TransactionTraceContext | undefined,
): Promise<T> {
  const { attempts = 1, isolationLevel, readOnly = false } = options;
  for (let attempt = 1; ; attempt++) {
    const record: AttemptRecord | undefined = trace && { attempt, connectionId: 0 };
    if (record) trace?.attempts.push(record);
    let stage: TransactionStage = 'begin';
    let begun: BegunTransaction | undefined;
    let open = true;
    const statement =
      (kind: 'query' | 'execute') =>
      <R>(sql: string, values?: unknown, statementOptions?: StatementOptions): Promise<R> =>
        open && begun
          ? (begun.run(kind, sql, values, statementOptions) as Promise<R>)
          : Promise.reject(endedError());
    let failure: unknown;
    try {
      begun = await site.begin(attempt, { isolationLevel, readOnly });
      if (record) record.connectionId = begun.threadId;
      const tx: Transaction = {
        query: statement('query'),
        execute: statement('execute'),
        threadId: begun.threadId,
        attempt,
      };
      stage = 'body';
      const result = await site.body(() => fn(tx));
      stage = 'commit';
      await begun.commit();
      return result;
    } catch (error) {
      failure = error;
      open = false;
      if (begun) await begun.rollBack();
      const reason = begun?.nested ? undefined : rerunReason(error, stage);
      const again =
        reason !== undefined && attempt < attempts && (begun?.mayRunAgain(error) ?? true);
      if (record) {
        record.error = error as GoneAwayError;
        record.decision = { retry: again, reason: reason ?? 'not re-run' };
      }
      if (reason && again) {
        onRetry(attempt + 1, reason, error as GoneAwayError);
        continue;
      }
      throw error;
    } finally {
      open = false;
      await begun?.finish(failure);
    }
  }
}

/**
 * Begins a transaction on a lease: the isolation level first (for this transaction only), then
 * `START TRANSACTION`. The one place these lines are written.
 *
 * @example
 * await beginOn(lease, { isolationLevel: 'SERIALIZABLE', readOnly: false });
 */
export async function beginOn(lease: Lease, characteristics: Characteristics): Promise<void> {
  const { isolationLevel, readOnly } = characteristics;
  if (isolationLevel) await lease.query(`SET TRANSACTION ISOLATION LEVEL ${isolationLevel}`);
  await lease.query(readOnly ? 'START TRANSACTION READ ONLY' : 'START TRANSACTION');
}

/**
 * Rejects bad transaction options with a message naming the option; returns them unchanged.
 *
 * @example
 * checkTransactionOptions({ attempts: 3 }); // ok
 */
export function checkTransactionOptions(options: TransactionOptions): TransactionOptions {
  if (options === null || typeof options !== 'object') {
    throw new ConfigurationError('Transaction options must be an object, e.g. { attempts: 3 }.');
  }
  for (const key of Object.keys(options)) {
    if (key !== 'attempts' && key !== 'isolationLevel' && key !== 'readOnly') {
      throw new ConfigurationError(
        `Unknown transaction option '${key}'. Known options: attempts, isolationLevel, readOnly.`,
      );
    }
  }
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

function endedError(): ConfigurationError {
  return new ConfigurationError(
    'This transaction has ended; its statements can only run inside the function passed to db.transaction().',
  );
}
