/**
 * The one attempt loop: every statement goes through it, whether it runs alone on the pool
 * (`db.query`) or on a lease (`db.acquire()`, a transaction, a scope, the mysql2 facade).
 *
 * One attempt = take a connection, run the statement on it, and then either keep the result or
 * decide (in `src/retry/repeat-rule.ts`, through the host, which publishes the decision) whether
 * a failure may run again. The loop is bounded: one acquire deadline for the whole statement,
 * at most `maxAttempts` attempts, and the last attempt always on a new connection, since the
 * others may share the fate of the one that failed.
 *
 * Where the connection comes from and what happens to it afterwards is the site's business: the
 * pool takes a ready idle connection synchronously and gives it back after the statement; a lease
 * keeps its own. Neither allocates anything per statement beyond the statement's promise.
 */
import type {
  ManagedConnection,
  RunOptions,
  StatementKind,
} from '../connection/managed-connection.js';
import {
  type AttemptRecord,
  type QueryTraceContext,
  queryChannel,
  type TraceTarget,
} from '../connection/tracing-channels.js';
import type { GoneAwayError } from '../errors/index.js';
import type { RetryContext, RetryDecision } from '../retry/repeat-rule.js';
import type { StatementOptions } from './results.js';

/** What the loop needs from the pool. */
export interface StatementHost {
  now(): number;
  readonly maxAttempts: number;
  readonly acquireTimeoutMs: number;
  /** Bounds and result shaping for one statement (validates `timeoutMs`). */
  runOptions(options: StatementOptions | undefined, committing: boolean): RunOptions;
  /** Asks the repeat rule, publishes its answer, counts retries. */
  decide(
    error: GoneAwayError,
    context: Omit<RetryContext, 'maxAttempts' | 'ending'>,
  ): RetryDecision;
  /** Where statements go, for tracing. */
  readonly target: TraceTarget;
}

/** Where a statement's attempts take their connection, and what happens to it after each. */
export interface AttemptSite {
  /** A connection at hand without waiting (the hot path), or undefined. Not asked for a fresh one. */
  ready(): ManagedConnection | undefined;
  /** A connection by the deadline; `fresh`: a new one, never a pooled one. */
  checkout(deadline: number, fresh: boolean): Promise<ManagedConnection>;
  /** The attempt succeeded. */
  succeeded(connection: ManagedConnection): void;
  /** The attempt failed; `broken`: the connection cannot be used again. */
  failed(connection: ManagedConnection, error: GoneAwayError, broken: boolean): void;
  /** The failure is final: the error the caller gets, given what the session held before. */
  giveUp(error: GoneAwayError, inTransaction: boolean, held: readonly string[]): GoneAwayError;
}

const NOTHING: readonly string[] = [];

/**
 * Runs one statement through its attempts on `site`, as one `goneaway:query` trace when someone
 * subscribes to it.
 *
 * @example
 * const rows = await runAttempts(host, site, 'query', 'SELECT 1', undefined, undefined, false);
 */
export function runAttempts(
  host: StatementHost,
  site: AttemptSite,
  kind: StatementKind,
  sql: string,
  values: unknown,
  options: StatementOptions | undefined,
  committing: boolean,
): Promise<unknown> {
  if (!queryChannel.hasSubscribers) {
    return attempts(host, site, kind, sql, values, options, committing, undefined);
  }
  const trace: QueryTraceContext = {
    ...host.target,
    operation: kind,
    query: sql,
    values,
    attempts: [],
  };
  return queryChannel.tracePromise(
    () => attempts(host, site, kind, sql, values, options, committing, trace),
    trace,
  );
}

async function attempts(
  host: StatementHost,
  site: AttemptSite,
  kind: StatementKind,
  sql: string,
  values: unknown,
  options: StatementOptions | undefined,
  committing: boolean,
  trace: QueryTraceContext | undefined,
): Promise<unknown> {
  const runOptions = host.runOptions(options, committing);
  const { maxAttempts } = host;
  // One acquire deadline for the whole statement, however many attempts it takes.
  const deadline = host.now() + host.acquireTimeoutMs;
  for (let attempt = 1; ; attempt++) {
    const fresh = attempt > 1 && attempt === maxAttempts;
    let connection = fresh ? undefined : site.ready();
    connection ??= await site.checkout(deadline, fresh);
    const record: AttemptRecord | undefined = trace && {
      attempt,
      connectionId: connection.threadId,
      flavor: connection.flavor,
    };
    if (record) trace?.attempts.push(record);
    const inTransaction = connection.session.inTransaction;
    const held = connection.session.dirty ? connection.session.held : NOTHING;
    let result: unknown;
    try {
      result = await connection.run(kind, sql, values, runOptions);
    } catch (thrown) {
      const error = thrown as GoneAwayError;
      const broken = connection.isDead || !error.connectionUsable;
      if (record) record.error = error;
      site.failed(connection, error, broken);
      // The server answered: the statement ran and failed; nothing to repeat.
      if (!broken) throw error;
      const decision = host.decide(error, {
        attempt,
        inTransaction,
        sessionDirty: held.length > 0,
        idempotent: options?.idempotent,
        statement: connection.statement,
      });
      if (record) record.decision = decision;
      if (decision.retry) continue;
      throw site.giveUp(error, inTransaction, held);
    }
    site.succeeded(connection);
    return result;
  }
}
