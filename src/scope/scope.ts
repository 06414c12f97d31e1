/**
 * One scope: Django's connection-per-request model, for one request or one job run.
 *
 * - **Lazy.** No connection until the first statement; a scope that runs none takes none.
 * - **One connection.** Every `db.query`, `db.execute` and `db.transaction` in the scope runs on
 *   one lease, one statement at a time in the order issued (a connection runs one statement at
 *   a time anyway). The lease keeps its guarantees: a clean session moves to a new connection
 *   unnoticed; a lost transaction or session fails this and every later statement of the scope.
 * - **End.** Statements in flight finish first; then a transaction left open is rolled back
 *   (event `scope-rollback`) and the connection is closed instead of returned when it was lost,
 *   is past `maxAgeMs`, saw an error that leaves it in doubt, or the scope is not pooled.
 * - **After the end**, code still running in the scope's async context (work after a response,
 *   timers started in a request) runs its statements as plain pool statements, unless that
 *   would quietly run them outside a transaction or session they belonged to: then they fail.
 */
import { type GoneAwayError, InterfaceError } from '../errors/index.js';
import { captureStack } from '../lease/capture-stack.js';
import type { CloseReason, ConnectionFacts, Lease } from '../lease/lease.js';
import type { StatementOptions } from '../lease/results.js';
import {
  runTransaction,
  type Transaction,
  type TransactionOptions,
} from '../lease/transaction-runner.js';
import { leavesConnectionDoubtful } from '../retry/close-on-doubt.js';
import { type ScopeBinding, type ScopeHost, scopeStorage } from './scope-host.js';
import type { ScopeEventMap, ScopeEventName } from './scope-options.js';
import type { ScopePolicy } from './scope-policy.js';
import { insideTransactionOf, scopeTransactionSite } from './scope-transaction.js';

type ScopeState = 'open' | 'ending' | 'ended';

/**
 * One scope of one pool. Created by `db.scope()`, `db.job()` and the middlewares; the pool
 * reaches it through the async context (see `scope-host.ts`).
 *
 * @example
 * const scope = new Scope(scopeHostOf(db), resolveScopeOptions({ name: 'GET /' }, 60_000));
 * try {
 *   await scope.enter(() => db.query('SELECT 1'));
 * } finally {
 *   await scope.end();
 * }
 */
export class Scope implements ScopeBinding {
  readonly policy: ScopePolicy;
  readonly #host: ScopeHost;
  readonly #startedAt: number;
  readonly #stack: string;
  #state: ScopeState = 'open';
  #ending: Promise<void> | undefined;
  #held: Lease | undefined;
  /** The tail of the statement queue: statements run one at a time, in order. */
  #queue: Promise<unknown> = Promise.resolve();
  /** Serialises the scope's own transactions (a nested one joins instead of waiting). */
  #transactions: Promise<unknown> = Promise.resolve();
  #statements = 0;
  /** The connection a doubtful error happened on (Django's `errors_occurred`); 0 = none. */
  #doubtfulOn = 0;
  /** `atomic`: the transaction was begun on the connection and not yet settled. */
  #atomicOpen = false;
  /** `atomic`: commit or rollback was decided; later statements run outside the transaction. */
  #atomicSettled = false;
  /** Set at the end when later statements must fail instead of running outside the scope. */
  #refusal: GoneAwayError | undefined;
  #leakTimer: NodeJS.Timeout | undefined;
  #savepoints = 0;

  constructor(host: ScopeHost, policy: ScopePolicy) {
    this.#host = host;
    this.policy = policy;
    this.#startedAt = host.now();
    this.#stack = policy.leakWarningMs > 0 ? captureStack(Scope) : '';
    if (policy.leakWarningMs > 0) {
      this.#leakTimer = setTimeout(() => this.#reportLeak(), policy.leakWarningMs);
      // A report must never keep the process alive.
      this.#leakTimer.unref();
    }
  }

  get isOpen(): boolean {
    return this.#state === 'open';
  }

  /** Runs `fn` with this scope bound in its async context (and in everything it starts). */
  enter<T>(fn: () => T): T {
    const frame = new Map(scopeStorage.getStore());
    frame.set(this.#host, this);
    return scopeStorage.run(frame, fn);
  }

  takesStatements(): boolean {
    if (this.#state === 'open') return true;
    const refusal = this.#refusal ?? this.#refusalFor(this.#held?.facts());
    if (refusal) throw refusal;
    return false;
  }

  run(
    kind: 'query' | 'execute',
    sql: string,
    values: unknown,
    options?: StatementOptions,
  ): Promise<unknown> {
    this.#statements++;
    return this.exec((lease) =>
      kind === 'execute' ? lease.execute(sql, values, options) : lease.query(sql, values, options),
    );
  }

  transaction<T>(fn: (tx: Transaction) => Promise<T>, options: TransactionOptions): Promise<T> {
    const run = () =>
      runTransaction(
        scopeTransactionSite(this, this.#host.target),
        fn,
        options,
        (attempt, reason, error) => this.#host.retried(attempt, reason, error),
      );
    // One started inside another's function is nested in it: waiting for it would never end.
    if (insideTransactionOf(this)) return run();
    const turn = this.#transactions.then(run);
    this.#transactions = turn.catch(() => undefined);
    return turn;
  }

  /**
   * Runs `op` on the scope's lease in its turn, borrowing the lease first if this is the
   * scope's first statement. Errors that leave the connection in doubt are noted.
   */
  exec<T>(op: (lease: Lease) => Promise<T>): Promise<T> {
    return this.#enqueue(async () => {
      const lease = await this.#lease();
      try {
        return await op(lease);
      } catch (error) {
        if (leavesConnectionDoubtful(error)) {
          this.#doubtfulOn = this.#held?.facts()?.connectionId ?? this.#doubtfulOn;
        }
        throw error;
      }
    });
  }

  /** What the pool knows about the scope's connection now; undefined when it holds none. */
  facts(): ConnectionFacts | undefined {
    return this.#held?.facts();
  }

  /**
   * Lets go of a lease whose transaction was lost while the session held nothing else: the
   * caller was told, and the scope goes on with a new connection.
   */
  renew(): Promise<void> {
    return this.#enqueue(async () => {
      if (this.#atomicOpen) return;
      const held = this.#held;
      this.#held = undefined;
      await held?.end();
    });
  }

  /** A savepoint name unique within the scope. */
  nextSavepoint(): string {
    this.#savepoints++;
    return `goneaway_sp_${this.#savepoints}`;
  }

  /**
   * `atomic`: commits (`commit` true) or rolls back the scope's transaction after the
   * statements issued before this call. Does nothing when no statement ran. A failed commit is
   * published (`scope-commit-failed`) and thrown.
   */
  settle(commit: boolean): Promise<void> {
    if (!this.policy.atomic || this.#state !== 'open') return Promise.resolve();
    return this.#enqueue(async () => {
      if (this.#atomicSettled) return;
      this.#atomicSettled = true;
      const held = this.#held;
      if (!this.#atomicOpen || !held) return;
      this.#atomicOpen = false;
      if (!commit) {
        // A lost or poisoned connection has nothing left to roll back: the server did it.
        await held.query('ROLLBACK').catch(() => undefined);
        return;
      }
      try {
        await held.commit();
      } catch (error) {
        this.#host.publish('scope-commit-failed', {
          scope: this.policy.name,
          connectionId: held.facts()?.connectionId ?? 0,
          error: error as GoneAwayError,
        });
        throw error;
      }
    });
  }

  /**
   * Django's `close_if_unusable_or_obsolete()` for this scope's connection, between its
   * statements: lets go of it if it was lost, is past `maxAgeMs` or saw a doubtful error, so the
   * next statement starts on a new one. Never inside a transaction. Resolves to 1 if it did.
   */
  closeIfObsolete(maxAgeMs = this.policy.maxAgeMs): Promise<number> {
    if (this.#state !== 'open') return Promise.resolve(0);
    return this.#enqueue(async () => {
      const held = this.#held;
      if (!held || this.#atomicOpen) return 0;
      const facts = held.facts();
      if (facts?.inTransaction) return 0;
      const reason = facts && this.#obsolete(facts, maxAgeMs);
      if (facts && !reason) return 0;
      this.#held = undefined;
      await held.end(reason);
      return 1;
    });
  }

  /** Ends the scope: see the module comment. Idempotent; never rejects. */
  end(): Promise<void> {
    this.#ending ??= this.#finish();
    return this.#ending;
  }

  async #finish(): Promise<void> {
    this.#state = 'ending';
    clearTimeout(this.#leakTimer);
    await this.#queue;
    this.#state = 'ended';
    const held = this.#held;
    this.#held = undefined;
    const facts = held?.facts();
    let closedAs: CloseReason | undefined;
    if (held) {
      this.#refusal = this.#refusalFor(facts);
      closedAs = facts && (this.policy.pooled ? this.#obsolete(facts) : 'scope-ended');
      if (facts?.inTransaction) {
        this.#publish('scope-rollback', {
          scope: this.policy.name,
          connectionId: facts.connectionId,
          atomic: this.#atomicOpen,
        });
      }
      await held.end(closedAs);
    }
    this.#refusal ??= this.#refusalFor(undefined);
    this.#publish('scope-end', {
      scope: this.policy.name,
      connectionId: facts?.connectionId ?? 0,
      durationMs: Math.round(this.#host.now() - this.#startedAt),
      statements: this.#statements,
      closedAs,
    });
  }

  #enqueue<T>(task: () => Promise<T>): Promise<T> {
    if (this.#state !== 'open') return Promise.reject(this.#endedError());
    const turn = this.#queue.then(task);
    this.#queue = turn.catch(() => undefined);
    return turn;
  }

  /** The scope's lease, borrowed on first use; `atomic` begins its transaction here. */
  async #lease(): Promise<Lease> {
    if (!this.#held) {
      const { pooled, healthCheck, maxAgeMs } = this.policy;
      const stack = this.#stack;
      this.#held = await this.#host.lease({ fresh: !pooled, healthCheck, maxAgeMs, stack });
    }
    const lease = this.#held;
    if (this.policy.atomic && !this.#atomicOpen && !this.#atomicSettled) {
      await lease.query('START TRANSACTION');
      this.#atomicOpen = true;
    }
    return lease;
  }

  /** Why the connection must not be reused, if it must not. */
  #obsolete(facts: ConnectionFacts, maxAgeMs = this.policy.maxAgeMs): CloseReason | undefined {
    if (maxAgeMs !== undefined && facts.ageMs >= maxAgeMs) return 'lifetime';
    if (this.#doubtfulOn === facts.connectionId) return 'broken';
    return undefined;
  }

  /** After the end: the error for a statement that must not run outside the scope, if any. */
  #refusalFor(facts: ConnectionFacts | undefined): GoneAwayError | undefined {
    let what: string | undefined;
    if (this.policy.atomic) what = "the request's transaction (atomic: true) is over";
    else if (facts?.inTransaction) what = 'its open transaction was rolled back';
    else if (facts && facts.sessionState.length > 0) {
      what = `its session (${facts.sessionState.join(', ')}) was closed`;
    }
    if (!what) return undefined;
    return new InterfaceError(
      `The scope '${this.policy.name}' has ended and ${what}; this statement would have run outside it, ` +
        'on another connection, so goneaway refused it. Run work that follows a response in its own db.scope() or db.job().',
    );
  }

  #endedError(): GoneAwayError {
    return new InterfaceError(
      `The scope '${this.policy.name}' has ended; its transaction and connection are no longer available. ` +
        'Run work that follows a response in its own db.scope() or db.job().',
    );
  }

  #reportLeak(): void {
    if (this.#state === 'ended') return;
    this.#publish('scope-leak', {
      scope: this.policy.name,
      openMs: Math.round(this.#host.now() - this.#startedAt),
      connectionId: this.#held?.facts()?.connectionId ?? 0,
      stack: this.#stack,
    });
  }

  /** A listener that throws must not break the end of a scope. */
  #publish<E extends ScopeEventName>(event: E, payload: ScopeEventMap[E]): void {
    try {
      this.#host.publish(event, payload);
    } catch {
      // The listener's error is its own; the scope has already done its work.
    }
  }
}
