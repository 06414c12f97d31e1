/**
 * The resilient pool. Read this comment first: it is the contract.
 *
 * Lifecycle of a connection (states in `connection/connection-state.ts`):
 *
 * - **Lazy.** Creating a pool opens nothing. A statement that finds no idle connection opens
 *   one, if fewer than `max` are open or opening; otherwise it waits (bounded by
 *   `acquireTimeoutMs`) for a release.
 * - **Open** = TCP connect + handshake, bounded by `connectTimeoutMs` and by the caller's
 *   acquire deadline. One statement turns on session tracking and reads `wait_timeout`: with
 *   `initSql` it runs before them; without, it goes out right behind the caller's first
 *   statement, so a new connection costs no extra round trip on the caller's path.
 * - **Acquire.** The most recently used idle connection is taken (LIFO keeps the hot set small
 *   and lets the rest idle out). One past its idle limit (`wait_timeout` less a margin) or its
 *   lifetime is retired with a clean COM_QUIT instead. One idle longer than
 *   `validateAfterIdleMs`, or older than the pool's epoch, is pinged first (bounded by
 *   `validationTimeoutMs`); a failed ping discards it and the caller takes another. A
 *   connection reused within the window is handed out with no extra round trip.
 * - **Use.** The in-flight watchdog samples statements from the housekeeping tick (nothing per
 *   statement): one that has received no byte for `stallCheckMs` is asked about over a side
 *   connection, which fails it only if the server is unreachable or no longer running it.
 * - **Release.** A connection left inside a transaction is rolled back; one whose session holds
 *   state (user variables, temporary tables, changed session variables) is retired, never
 *   handed to the next caller; one that broke is discarded.
 * - **Idle death** (wait_timeout, KILL, restart, proxy reset) is seen from the socket and the
 *   connection is removed at once. Any such loss, and a process freeze, starts a new epoch:
 *   every older idle connection is validated before its next use, so one caller pays for
 *   discovering a restart, not each.
 * - **Retry.** A statement whose connection was dead before any byte of it was written runs
 *   again on another connection (the decision lives in `execute/retry-policy.ts`); the last
 *   attempt always uses a new connection.
 * - **Outage.** Failed connects back off with jitter, and while failing only one connect is
 *   tried at a time; callers wait within `acquireTimeoutMs` and go on when the server answers.
 * - **End.** `end()` waits for leases (bounded by `endTimeoutMs`), quits every connection and
 *   clears every timer.
 * - **Scopes.** Inside `db.scope()` / `db.job()` (`src/scope`), `query`, `execute` and
 *   `transaction` run on the scope's one lease instead (see `scope-context.ts`).
 */

import { checkDurationMs } from '../config/duration.js';
import { checkStalledStatement } from '../connection/liveness.js';
import {
  ManagedConnection,
  type RunOptions,
  type StatementKind,
} from '../connection/managed-connection.js';
import {
  AcquireTimeoutError,
  ConfigurationError,
  classify,
  type GoneAwayError,
  isGoneAwayError,
  PoolClosedError,
} from '../errors/index.js';
import { decideRetry, type RetryContext } from '../retry/retry-policy.js';
import { classifyStatement } from '../sql/statement-classifier.js';
import { backoffDelayMs, DEFAULT_BACKOFF } from './backoff.js';
import { Lease, type LeaseHost } from './lease.js';
import {
  CLOSE_REASONS,
  type CloseReason,
  type PoolEventMap,
  type PoolEventName,
  PoolEvents,
} from './pool-events.js';
import { type PoolOptions, type ResolvedPoolOptions, resolvePoolOptions } from './pool-options.js';
import type { Row, StatementOptions } from './results.js';
import { lifetimeDeadline, needsValidation, retireReason, wasFrozen } from './retirement.js';
import {
  boundScope,
  type JobOptions,
  type JobRun,
  registerScopeHost,
  type ScopeBinding,
  type ScopeEventMap,
  type ScopeHost,
  type ScopeLease,
  type ScopeLeasePolicy,
  type ScopeOptions,
  scopes,
} from './scope-context.js';
import { runTransaction, type Transaction, type TransactionOptions } from './transaction.js';

/** Live counts and lifetime tallies, as returned by {@link Pool.stats}. */
export interface PoolStats {
  readonly max: number;
  /** Open connections (idle + in use), not counting ones being opened. */
  readonly total: number;
  readonly idle: number;
  readonly inUse: number;
  readonly connecting: number;
  /** Callers waiting for a connection. */
  readonly waiting: number;
  /** Connections opened since the pool was created. */
  readonly opened: number;
  readonly connectFailures: number;
  /** Statements run again after a safe-to-retry failure. */
  readonly retries: number;
  readonly validations: number;
  readonly validationFailures: number;
  /** Times every idle connection was made suspect (restart smell, process freeze). */
  readonly epoch: number;
  /** "Closed because" tallies. */
  readonly closed: Readonly<Record<CloseReason, number>>;
}

interface Waiter {
  readonly fresh: boolean;
  readonly resolve: (connection: ManagedConnection | undefined) => void;
  readonly reject: (error: Error) => void;
  timer: NodeJS.Timeout | undefined;
}

/** Pool and scope events: name → payload. */
type EventMap = PoolEventMap & ScopeEventMap;

/** How often housekeeping runs: retirement, keepalive, leak reports, freeze detection. */
const TICK_MS = 500;
/** A tick this late means the process was frozen: sockets may have died unseen. */
const FREEZE_TOLERANCE_MS = 2_000;

/**
 * A pool of MySQL/MariaDB connections that survives the server going away.
 * Create it with {@link createPool}.
 */
export class Pool {
  readonly #options: ResolvedPoolOptions;
  readonly #events = new PoolEvents();
  readonly #all = new Set<ManagedConnection>();
  /** Idle connections, most recently used last. */
  readonly #idle: ManagedConnection[] = [];
  readonly #waiters: Waiter[] = [];
  readonly #leases = new Set<Lease>();
  readonly #leaseHost: LeaseHost;
  readonly #scopeHost: ScopeHost;
  #connecting = 0;
  #epoch = 0;
  #connectFailures = 0;
  #nextConnectAt = 0;
  #lastConnectError: GoneAwayError | undefined;
  #tick: NodeJS.Timeout | undefined;
  #tickDueAt = 0;
  #ending: Promise<void> | undefined;
  /** Connections whose silent statement is being asked about right now. */
  readonly #stallChecks = new Set<ManagedConnection>();
  /** Housekeeping period: short enough to sample the watchdog at half its threshold. */
  readonly #tickMs: number;
  #drained: (() => void) | undefined;
  readonly #tally = {
    opened: 0,
    connectFailures: 0,
    retries: 0,
    validations: 0,
    validationFailures: 0,
    closed: Object.fromEntries(CLOSE_REASONS.map((r) => [r, 0])) as Record<CloseReason, number>,
  };

  constructor(uriOrOptions: string | PoolOptions, options?: PoolOptions) {
    this.#options = resolvePoolOptions(uriOrOptions, options);
    const { stallCheckMs } = this.#options;
    this.#tickMs = stallCheckMs ? Math.max(50, Math.min(TICK_MS, stallCheckMs / 2)) : TICK_MS;
    this.#leaseHost = {
      run: (connection, kind, sql, values, statementOptions, committing) =>
        this.#run(
          connection,
          kind,
          sql,
          values,
          { ...this.#runOptions(statementOptions), committing },
          true,
        ),
      checkout: (fresh) => this.#checkout(this.#now() + this.#options.acquireTimeoutMs, fresh),
      release: (connection) => this.#release(connection),
      failed: (connection, error) => this.#afterFailure(connection, error),
      decide: (error, context) => this.#decide(error, context),
      forget: (lease) => this.#leases.delete(lease),
    };
    this.#scopeHost = {
      lease: (policy) => this.#scopeLease(policy),
      closeOld: (maxAgeMs) => this.#closeOld(maxAgeMs),
      publish: (event, payload) => this.#events.publish(event as PoolEventName, payload as never),
      now: () => this.#now(),
      random: () => this.#options.clock.random(),
      leakWarningMs: this.#options.leakWarningMs,
    };
    registerScopeHost(this, this.#scopeHost);
  }

  /**
   * Runs one statement (text protocol; `?` placeholders are escaped client-side) and resolves
   * to its rows, or to a {@link WriteResult} for statements without rows.
   *
   * @example
   * const rows = await db.query<{ id: number }[]>('SELECT id FROM tweet WHERE id = ?', [1]);
   */
  query<T = Row[]>(sql: string, values?: unknown, options?: StatementOptions): Promise<T> {
    return this.#runStatement('query', sql, values, options) as Promise<T>;
  }

  /**
   * Runs one prepared statement (binary protocol; mysql2 caches the preparation per
   * connection) and resolves like {@link Pool.query}.
   *
   * @example
   * const [user] = await db.execute<{ name: string }[]>('SELECT name FROM user WHERE id = ?', [7]);
   */
  execute<T = Row[]>(sql: string, values?: unknown, options?: StatementOptions): Promise<T> {
    return this.#runStatement('execute', sql, values, options) as Promise<T>;
  }

  /**
   * Borrows one connection for several statements. Release it in `finally` (or `using`).
   *
   * @example
   * const conn = await db.acquire();
   * try {
   *   await conn.query('SELECT 1');
   * } finally {
   *   conn.release();
   * }
   */
  acquire(): Promise<Lease> {
    return this.#lease(false);
  }

  /**
   * Runs `fn` in a transaction on one connection: committed when it resolves, rolled back when
   * it throws. With `attempts > 1`, a transaction that failed with nothing applied (connection
   * lost before COMMIT, deadlock, lock wait timeout) runs again from the start on a new
   * connection. A loss while COMMIT is in flight raises `CommitOutcomeUnknownError`, never
   * re-run.
   *
   * @example
   * const orderId = await db.transaction(async (tx) => {
   *   const { insertId } = await tx.query<WriteResult>('INSERT INTO orders (customer) VALUES (?)', [7]);
   *   await tx.query('UPDATE stock SET n = n - 1 WHERE item = ?', [42]);
   *   return insertId;
   * }, { attempts: 3 });
   */
  async transaction<T>(
    fn: (tx: Transaction) => Promise<T>,
    options: TransactionOptions = {},
  ): Promise<T> {
    const onRetry = (attempt: number, reason: string, error: GoneAwayError): void => {
      this.#tally.retries++;
      this.#events.publish('retry', { attempt, reason, error });
    };
    const scope = this.#scope();
    if (scope) return scope.transaction(fn, options, onRetry);
    return runTransaction((fresh) => this.#lease(fresh), fn, options, onRetry);
  }

  /**
   * Runs `fn` in a scope (Django's connection-per-request model): inside it, `query`, `execute`
   * and `transaction` share one connection, borrowed on the first statement and returned (or
   * closed) when `fn` settles. A nested scope joins the outer one.
   *
   * @example
   * const user = await db.scope(async () => {
   *   await db.query('UPDATE user SET seen = NOW() WHERE id = ?', [7]);
   *   return db.query('SELECT * FROM user WHERE id = ?', [7]); // same connection
   * });
   */
  scope<T>(fn: () => T | Promise<T>, options?: ScopeOptions): Promise<T> {
    return scopes().scope(this.#scopeHost, fn, options);
  }

  /**
   * Runs one run of a worker, queue consumer or cron job in its own scope, closing connections
   * that are broken or past their age before and after it; a failed run is reported (event
   * `job-error`) with the job's name, and repeated when `attempts` allows and it failed because
   * its connection was lost.
   *
   * @example
   * for (;;) {
   *   await db.job(async () => processNextBatch(), { name: 'mailer', attempts: 3 });
   *   await setTimeout(60_000);
   * }
   */
  job<T>(fn: (run: JobRun) => T | Promise<T>, options?: JobOptions): Promise<T> {
    return scopes().job(this.#scopeHost, fn, options);
  }

  /** The scope bound to this pool in the current async context, while it takes statements. */
  #scope(): ScopeBinding | undefined {
    const scope = boundScope(this.#scopeHost);
    return scope?.takesStatements() ? scope : undefined;
  }

  /**
   * A lease for a scope: like {@link Pool.acquire}, but the scope may ask what is under it (age,
   * transaction, session state) and have its connection closed instead of returned at the end.
   */
  async #scopeLease(policy: ScopeLeasePolicy): Promise<ScopeLease> {
    let current: ManagedConnection | undefined;
    let closeAs: CloseReason | undefined;
    // Settles once the connection is back in the pool or closed, so a scope's end can say so.
    let returned: Promise<void> | undefined;
    const host: LeaseHost = {
      ...this.#leaseHost,
      checkout: async (fresh) => {
        const started = this.#now();
        const deadline = started + this.#options.acquireTimeoutMs;
        let connection = await this.#checkout(deadline, fresh || policy.fresh, policy.healthCheck);
        const { maxAgeMs } = policy;
        // One opened for this checkout is never too old; a pooled one past the scope's age is.
        if (
          maxAgeMs !== undefined &&
          connection.createdAt < started &&
          started - connection.createdAt >= maxAgeMs
        ) {
          void this.#retire(connection, 'lifetime');
          connection = await this.#checkout(deadline, true);
        }
        current = connection;
        return connection;
      },
      failed: (connection, error) => {
        current = undefined;
        this.#afterFailure(connection, error);
      },
      release: (connection) => {
        current = undefined;
        const usable = connection.state === 'in-use' && !connection.isLost && !this.#ending;
        if (usable && closeAs) returned = this.#retire(connection, closeAs);
        else if (usable && connection.session.inTransaction) {
          returned = this.#rollbackThenRelease(connection);
        } else this.#release(connection);
      },
    };
    const lease = new Lease(await host.checkout(false), host, {
      maxAttempts: this.#options.maxAttempts,
      acquiredAt: this.#now(),
      stack: policy.stack,
    });
    this.#leases.add(lease);
    return {
      lease,
      facts: () =>
        current && {
          connectionId: current.threadId,
          ageMs: this.#now() - current.createdAt,
          inTransaction: current.session.inTransaction,
          sessionState: current.session.dirtyState,
        },
      end: (reason) => {
        closeAs = reason;
        lease.release();
        return returned ?? Promise.resolve();
      },
    };
  }

  async #lease(fresh: boolean): Promise<Lease> {
    const connection = await this.#checkout(this.#now() + this.#options.acquireTimeoutMs, fresh);
    const lease = new Lease(connection, this.#leaseHost, {
      maxAttempts: this.#options.maxAttempts,
      acquiredAt: this.#now(),
      stack: this.#options.leakWarningMs > 0 ? captureStack() : '',
    });
    this.#leases.add(lease);
    return lease;
  }

  /** Live counts and lifetime tallies. */
  get stats(): PoolStats {
    const idle = this.#idle.length;
    return {
      max: this.#options.max,
      total: this.#all.size,
      idle,
      inUse: this.#all.size - idle,
      connecting: this.#connecting,
      waiting: this.#waiters.length,
      epoch: this.#epoch,
      ...this.#tally,
      closed: { ...this.#tally.closed },
    };
  }

  /**
   * Subscribes to a pool or scope event (also published on `goneaway:<event>` diagnostics
   * channels).
   */
  on<E extends keyof EventMap>(event: E, listener: (payload: EventMap[E]) => void): this {
    this.#events.on(event as PoolEventName, listener as never);
    return this;
  }

  once<E extends keyof EventMap>(event: E, listener: (payload: EventMap[E]) => void): this {
    this.#events.once(event as PoolEventName, listener as never);
    return this;
  }

  off<E extends keyof EventMap>(event: E, listener: (payload: EventMap[E]) => void): this {
    this.#events.off(event as PoolEventName, listener as never);
    return this;
  }

  /**
   * Closes the pool: new statements fail with `PoolClosedError`, waiting callers are rejected,
   * leases get `endTimeoutMs` to be released, then every connection is quit and every timer
   * cleared. Idempotent.
   */
  end(): Promise<void> {
    this.#ending ??= this.#end();
    return this.#ending;
  }

  async #end(): Promise<void> {
    for (const waiter of this.#waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(this.#closedError());
    }
    if (this.#all.size > this.#idle.length) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.#options.endTimeoutMs);
        this.#drained = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    clearTimeout(this.#tick);
    this.#tick = undefined;
    const quits: Promise<void>[] = [];
    for (const connection of [...this.#all]) {
      if (connection.state === 'idle') quits.push(this.#retire(connection, 'pool-ended'));
      else this.#discard(connection, 'pool-ended');
    }
    await Promise.all(quits);
  }

  // ── statements ────────────────────────────────────────────────────────────────────────────

  async #runStatement(
    kind: StatementKind,
    sql: string,
    values: unknown,
    options?: StatementOptions,
  ): Promise<unknown> {
    if (typeof sql !== 'string') {
      throw new ConfigurationError(`A statement must be a string of SQL; got ${typeof sql}.`);
    }
    const scope = this.#scope();
    if (scope) return scope.run(kind, sql, values, options);
    const deadline = this.#now() + this.#options.acquireTimeoutMs;
    const runOptions = this.#runOptions(options);
    for (let attempt = 1; ; attempt++) {
      // The last attempt never reuses a pooled connection: the others may share the fate of the one that failed.
      const fresh = attempt > 1 && attempt === this.#options.maxAttempts;
      const connection =
        (fresh ? undefined : this.#takeReady()) ?? (await this.#checkout(deadline, fresh));
      const inTransaction = connection.session.inTransaction;
      const sessionDirty = !connection.session.isClean;
      let result: unknown;
      try {
        result = await this.#run(connection, kind, sql, values, runOptions);
      } catch (thrown) {
        const error = thrown as GoneAwayError;
        this.#afterFailure(connection, error);
        const retry = this.#decide(error, {
          attempt,
          inTransaction,
          sessionDirty,
          idempotent: options?.idempotent,
          statement: () => classifyStatement(sql),
        });
        if (retry) continue;
        throw error;
      }
      this.#release(connection);
      return result;
    }
  }

  /**
   * Runs a statement on a connection and records what it left in the session that the server
   * does not report (named locks, user variables assigned in a SELECT), so that the connection
   * is never handed to the next caller with them.
   */
  #run(
    connection: ManagedConnection,
    kind: StatementKind,
    sql: string,
    values: unknown,
    options: RunOptions,
    onLease = false,
  ): Promise<unknown> {
    // One classifier scan per statement, for both questions asked of it here.
    const info = classifyStatement(sql);
    // On a lease, a COMMIT sent as plain SQL is a commit too: its loss leaves the outcome unknown.
    const runOptions =
      onLease && info.keyword === 'COMMIT' ? { ...options, committing: true } : options;
    return connection.run(kind, sql, values, runOptions).then((result) => {
      for (const effect of info.sessionEffects) connection.session.markDirty(effect);
      return result;
    });
  }

  /** Asks the retry policy, publishes its answer for losses, and counts retries. */
  #decide(error: GoneAwayError, context: Omit<RetryContext, 'maxAttempts'>): boolean {
    if (!isGoneAwayError(error)) return false;
    const decision = decideRetry(error, { ...context, maxAttempts: this.#options.maxAttempts });
    if (decision.retry) {
      this.#tally.retries++;
      this.#events.publish('retry', {
        attempt: context.attempt + 1,
        reason: decision.reason,
        error,
      });
    } else if (!error.connectionUsable) {
      this.#events.publish('no-retry', { reason: decision.reason, error });
    }
    return decision.retry;
  }

  #runOptions(options: StatementOptions | undefined): RunOptions {
    const timeoutMs = options?.timeoutMs ?? this.#options.queryTimeoutMs;
    if (options?.timeoutMs !== undefined) checkDurationMs('Statement option timeoutMs', timeoutMs);
    return {
      timeoutMs: timeoutMs || undefined,
      driverOptions: options?.driverOptions,
      onFields: options?.onFields,
    };
  }

  // ── checkout ──────────────────────────────────────────────────────────────────────────────

  async #checkout(deadline: number, fresh: boolean, validate = false): Promise<ManagedConnection> {
    const started = this.#now();
    let waited = false;
    try {
      for (;;) {
        if (this.#ending) throw this.#closedError();
        this.#detectFreeze();
        if (fresh) this.#makeRoomForFresh();
        else {
          const idle = this.#takeIdle();
          if (idle) {
            if (await this.#validate(idle, validate)) return idle;
            continue;
          }
        }
        if (this.#canOpen()) {
          const opened = await this.#open(deadline);
          if (opened) return opened;
          continue;
        }
        waited = true;
        const handed = await this.#wait(deadline, fresh);
        if (handed) return handed;
      }
    } finally {
      if (waited)
        this.#events.publish('acquire-wait', { waitedMs: Math.round(this.#now() - started) });
    }
  }

  /**
   * The hot path, synchronous: the most recently used idle connection, if it may be used as is
   * (alive, within its idle limit and lifetime, within the validation window). Anything else
   * takes the full checkout.
   */
  #takeReady(): ManagedConnection | undefined {
    const connection = this.#idle[this.#idle.length - 1];
    if (!connection || this.#ending) return undefined;
    this.#detectFreeze();
    const now = this.#now();
    if (
      connection.isLost ||
      retireReason(connection, now, this.#options.idleTimeoutMs) ||
      needsValidation(connection, now, this.#options.validateAfterIdleMs, this.#epoch)
    ) {
      return undefined;
    }
    this.#idle.pop();
    connection.moveTo('in-use');
    return connection;
  }

  /** Pops idle connections until one may be used; retires the expired ones on the way. */
  #takeIdle(): ManagedConnection | undefined {
    const now = this.#now();
    for (let connection = this.#idle.pop(); connection; connection = this.#idle.pop()) {
      if (connection.isLost) {
        this.#discard(connection, 'server-closed');
        continue;
      }
      const reason = retireReason(connection, now, this.#options.idleTimeoutMs);
      if (reason) {
        void this.#retire(connection, reason);
        continue;
      }
      return connection;
    }
    return undefined;
  }

  /** Hands out an idle connection, pinging it first when in doubt (or `always`). False: it was discarded. */
  async #validate(connection: ManagedConnection, always: boolean): Promise<boolean> {
    const now = this.#now();
    const { validateAfterIdleMs, validationTimeoutMs } = this.#options;
    if (!always && !needsValidation(connection, now, validateAfterIdleMs, this.#epoch)) {
      connection.moveTo('in-use');
      return true;
    }
    connection.moveTo('validating');
    this.#tally.validations++;
    const ok = await connection.ping(validationTimeoutMs);
    this.#events.publish('validate', {
      connectionId: connection.threadId,
      ok,
      durationMs: Math.round(this.#now() - now),
    });
    if (ok && connection.state === 'validating') {
      connection.epoch = this.#epoch;
      connection.moveTo('in-use');
      return true;
    }
    this.#tally.validationFailures++;
    this.#discard(connection, 'validation-failed');
    this.#newEpoch('a pooled connection failed validation');
    return false;
  }

  #canOpen(): boolean {
    return (
      this.#all.size + this.#connecting < this.#options.max &&
      this.#now() >= this.#nextConnectAt &&
      // While connects fail, probe one at a time: a restart must not become a connection storm.
      (this.#connectFailures === 0 || this.#connecting === 0)
    );
  }

  /** The last attempt needs a new connection: close an idle one if that is what stands in the way. */
  #makeRoomForFresh(): void {
    if (this.#all.size + this.#connecting >= this.#options.max) {
      const oldest = this.#idle.shift();
      if (oldest) void this.#retire(oldest, 'lifetime');
    }
  }

  /** Opens a connection for the caller. Undefined: a retryable failure (backoff is set). */
  async #open(deadline: number): Promise<ManagedConnection | undefined> {
    const { clock, connection: config, maxLifetimeMs } = this.#options;
    const connection = new ManagedConnection(config, clock.now);
    connection.onLost((lost, cause) => this.#onLost(lost, cause));
    this.#connecting++;
    const started = this.#now();
    try {
      // A connect never outlasts the caller's acquire deadline.
      await connection.open(Math.max(1, Math.min(config.connectTimeoutMs, deadline - started)));
    } catch (thrown) {
      this.#connecting--;
      const error = thrown as GoneAwayError;
      this.#lastConnectError = error;
      this.#connectFailures++;
      this.#tally.connectFailures++;
      const retryInMs = backoffDelayMs(this.#connectFailures, DEFAULT_BACKOFF, clock.random);
      this.#nextConnectAt = this.#now() + retryInMs;
      this.#events.publish('connect-failed', { error, failures: this.#connectFailures, retryInMs });
      if (this.#connectFailures === 1) this.#newEpoch('a reconnect failed');
      this.#wakeWaiter();
      // Bad credentials or an unknown database will not fix themselves within the acquire timeout.
      if (!error.retryable) throw error;
      if (this.#now() >= deadline) throw this.#acquireTimeout(deadline);
      return undefined;
    }
    this.#connecting--;
    this.#connectFailures = 0;
    this.#nextConnectAt = 0;
    this.#all.add(connection);
    this.#tally.opened++;
    connection.epoch = this.#epoch;
    connection.retireAt = lifetimeDeadline(connection.createdAt, maxLifetimeMs, clock.random);
    connection.moveTo('in-use');
    this.#startTicking();
    this.#events.publish('connect', {
      connectionId: connection.threadId,
      durationMs: Math.round(this.#now() - started),
      waitTimeoutMs: connection.session.waitTimeoutMs,
    });
    return connection;
  }

  /** Waits for a handed-over connection, a free slot, or the end of a backoff. */
  #wait(deadline: number, fresh: boolean): Promise<ManagedConnection | undefined> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { fresh, resolve, reject, timer: undefined };
      const now = this.#now();
      const wakeAt = this.#nextConnectAt > now ? Math.min(deadline, this.#nextConnectAt) : deadline;
      waiter.timer = setTimeout(
        () => {
          const index = this.#waiters.indexOf(waiter);
          if (index >= 0) this.#waiters.splice(index, 1);
          if (this.#now() >= deadline) reject(this.#acquireTimeout(deadline));
          else resolve(undefined);
        },
        Math.max(0, wakeAt - now),
      );
      this.#waiters.push(waiter);
    });
  }

  /** Wakes the first waiter to look again (a slot was freed or a connect failed). */
  #wakeWaiter(): void {
    const waiter = this.#waiters.shift();
    if (!waiter) return;
    clearTimeout(waiter.timer);
    waiter.resolve(undefined);
  }

  // ── release and removal ───────────────────────────────────────────────────────────────────

  #release(connection: ManagedConnection): void {
    if (connection.state !== 'in-use') return;
    if (connection.isLost) this.#discard(connection, 'server-closed');
    else if (this.#ending) void this.#retire(connection, 'pool-ended');
    else if (connection.session.inTransaction) void this.#rollbackThenRelease(connection);
    else if (!connection.session.isClean) void this.#retire(connection, 'dirty-session');
    else this.#handOver(connection);
  }

  /** A healthy connection goes to the first waiter that can take it, or back to the idle stack. */
  #handOver(connection: ManagedConnection): void {
    // Usually the first waiter; a waiter that needs a fresh connection cannot take this one.
    const handTo =
      this.#waiters[0]?.fresh === false ? 0 : this.#waiters.findIndex((waiter) => !waiter.fresh);
    if (handTo >= 0) {
      const [waiter] = this.#waiters.splice(handTo, 1);
      clearTimeout(waiter!.timer);
      waiter!.resolve(connection);
      return;
    }
    connection.moveTo('idle');
    this.#idle.push(connection);
    this.#wakeWaiter();
  }

  /** A connection returned inside a transaction: roll it back before anyone else gets it. */
  async #rollbackThenRelease(connection: ManagedConnection): Promise<void> {
    try {
      await connection.run('query', 'ROLLBACK', undefined, {
        timeoutMs: this.#options.validationTimeoutMs,
      });
    } catch {
      return this.#discard(connection, 'broken');
    }
    this.#release(connection);
  }

  #afterFailure(connection: ManagedConnection, error: GoneAwayError): void {
    if (connection.isLost || !error.connectionUsable) {
      this.#events.publish('loss', { connectionId: connection.threadId, while: 'in-use', error });
      this.#discard(connection, connection.isLost ? 'server-closed' : 'broken');
      this.#newEpoch('a connection was lost under a statement');
    } else {
      this.#release(connection);
    }
  }

  /**
   * The socket of a connection died. Idle ones leave at once. A leased one stays with its lease
   * (its next statement finds it dead before sending anything); one under a statement is
   * reported by that statement's failure instead.
   */
  #onLost(connection: ManagedConnection, cause: Error): void {
    // Retiring, broken and closed connections were let go by the pool itself: no news.
    if (connection.busy || (connection.state !== 'idle' && connection.state !== 'in-use')) return;
    const idle = connection.state === 'idle';
    this.#events.publish('loss', {
      connectionId: connection.threadId,
      while: idle ? 'idle' : 'in-use',
      error: classify(cause, {
        phase: 'idle',
        host: this.#options.label,
        idleMs: connection.idleMs(),
      }),
    });
    if (idle) this.#discard(connection, 'server-closed');
    this.#newEpoch('a connection was closed by the server or the network while idle');
  }

  /** Removes a connection without a goodbye (it is dead, or must not be trusted). */
  #discard(connection: ManagedConnection, reason: CloseReason): void {
    connection.destroy();
    if (connection.state !== 'broken' && connection.state !== 'closed') connection.moveTo('broken');
    if (connection.state === 'broken') connection.moveTo('closed');
    this.#forget(connection, reason);
  }

  /** Removes a healthy connection with a clean COM_QUIT. */
  #retire(connection: ManagedConnection, reason: CloseReason): Promise<void> {
    connection.moveTo('retiring');
    this.#forget(connection, reason);
    return connection.quit().then(() => {
      if (connection.state === 'retiring') connection.moveTo('closed');
    });
  }

  #forget(connection: ManagedConnection, reason: CloseReason): void {
    if (!this.#all.delete(connection)) return;
    const index = this.#idle.indexOf(connection);
    if (index >= 0) this.#idle.splice(index, 1);
    this.#tally.closed[reason]++;
    const now = this.#now();
    this.#events.publish('close', {
      connectionId: connection.threadId,
      reason,
      idleMs: Math.round(connection.idleMs(now)),
      ageMs: Math.round(now - connection.createdAt),
    });
    this.#wakeWaiter();
    if (this.#drained && this.#all.size === this.#idle.length) this.#drained();
  }

  // ── housekeeping ──────────────────────────────────────────────────────────────────────────

  #startTicking(): void {
    if (this.#tick || this.#ending) return;
    this.#tickDueAt = this.#now() + this.#tickMs;
    this.#tick = setTimeout(() => this.#housekeep(), this.#tickMs);
    // Housekeeping must never keep the process alive.
    this.#tick.unref();
  }

  #housekeep(): void {
    this.#tick = undefined;
    this.#detectFreeze();
    const now = this.#now();
    const { idleTimeoutMs, keepaliveMs, leakWarningMs } = this.#options;
    for (const connection of [...this.#idle]) {
      const reason = retireReason(connection, now, idleTimeoutMs);
      if (reason) void this.#retire(connection, reason);
      else if (keepaliveMs > 0 && connection.idleMs(now) >= keepaliveMs)
        void this.#keepalive(connection);
    }
    this.#watchStatements(now);
    if (leakWarningMs > 0) {
      for (const lease of this.#leases) {
        const report = lease.leakReport(now, leakWarningMs);
        if (report) this.#events.publish('leak', report);
      }
    }
    if (this.#all.size > 0) this.#startTicking();
  }

  /**
   * The in-flight watchdog. A statement silent for `stallCheckMs` is asked about over a side
   * connection; the verdict fails it only if the same statement is still in flight. Sampled
   * from the housekeeping tick, so statements pay nothing for it.
   */
  #watchStatements(now: number): void {
    const { stallCheckMs, validationTimeoutMs, connection: config, label } = this.#options;
    if (!stallCheckMs) return;
    for (const connection of this.#all) {
      const silentMs = connection.silentForMs(now);
      if (silentMs < stallCheckMs || this.#stallChecks.has(connection)) continue;
      this.#stallChecks.add(connection);
      const statement = connection.statementCount;
      void checkStalledStatement(
        connection,
        { ...config, timeoutMs: validationTimeoutMs, label },
        silentMs,
      )
        .then((verdict) => {
          if (!connection.busy || connection.statementCount !== statement) return;
          if (verdict) connection.abort(verdict);
          else connection.resetSilence(this.#now());
        })
        .finally(() => this.#stallChecks.delete(connection));
    }
  }

  async #keepalive(connection: ManagedConnection): Promise<void> {
    const index = this.#idle.indexOf(connection);
    if (index < 0) return;
    this.#idle.splice(index, 1);
    connection.moveTo('validating');
    if (await connection.ping(this.#options.validationTimeoutMs)) {
      connection.moveTo('in-use');
      this.#release(connection);
    } else {
      this.#discard(connection, 'validation-failed');
    }
  }

  /** `closeOldConnections()`: the idle connections no one should borrow again, closed now. */
  async #closeOld(maxAgeMs: number | undefined): Promise<number> {
    const now = this.#now();
    const quits: Promise<void>[] = [];
    let closed = 0;
    for (const connection of [...this.#idle]) {
      if (connection.isLost) {
        this.#discard(connection, 'server-closed');
      } else {
        const tooOld = maxAgeMs !== undefined && now - connection.createdAt >= maxAgeMs;
        const reason =
          retireReason(connection, now, this.#options.idleTimeoutMs) ??
          (tooOld ? 'lifetime' : undefined);
        if (!reason) continue;
        quits.push(this.#retire(connection, reason));
      }
      closed++;
    }
    await Promise.all(quits);
    return closed;
  }

  /** A housekeeping tick that ran far too late means the process was frozen. */
  #detectFreeze(): void {
    if (!this.#tickDueAt) return;
    const now = this.#now();
    if (wasFrozen(this.#tickDueAt, now, FREEZE_TOLERANCE_MS)) {
      this.#newEpoch(
        `the process was frozen for about ${Math.round((now - this.#tickDueAt) / 1000)} s`,
      );
      this.#tickDueAt = now + TICK_MS;
    }
  }

  #newEpoch(reason: string): void {
    this.#epoch++;
    this.#events.publish('epoch', { epoch: this.#epoch, reason });
  }

  // ── small helpers ─────────────────────────────────────────────────────────────────────────

  #now(): number {
    return this.#options.clock.now();
  }

  #closedError(): PoolClosedError {
    return new PoolClosedError(
      `The pool for ${this.#options.label} has been ended; no new statements can run. Create a new pool.`,
    );
  }

  #acquireTimeout(deadline: number): AcquireTimeoutError {
    const stats = this.stats;
    const counts = {
      total: stats.total,
      idle: stats.idle,
      inUse: stats.inUse,
      waiting: stats.waiting,
      max: stats.max,
    };
    const waitedMs = this.#options.acquireTimeoutMs - Math.max(0, deadline - this.#now());
    const last = this.#lastConnectError;
    const hint = last
      ? `The last connect failed: ${last.message}`
      : `All ${counts.max} connections were in use; raise max, release leases sooner, or raise acquireTimeoutMs.`;
    return new AcquireTimeoutError(
      `No connection to ${this.#options.label} within acquireTimeoutMs (${this.#options.acquireTimeoutMs} ms): ` +
        `${counts.inUse} in use, ${counts.idle} idle, ${this.#connecting} connecting, ${counts.waiting} waiting, max ${counts.max}. ${hint}`,
      { cause: last, counts, waitedMs: Math.round(waitedMs) },
    );
  }
}

/**
 * Creates a pool. Nothing connects until the first statement.
 *
 * @example
 * import { createPool } from 'goneaway';
 * const db = createPool('mysql://app:secret@127.0.0.1:3306/shop', { max: 10 });
 * const rows = await db.query('SELECT * FROM tweet WHERE id = ?', [1]);
 * await db.end();
 */
export function createPool(uriOrOptions: string | PoolOptions, options?: PoolOptions): Pool {
  return new Pool(uriOrOptions, options);
}

function captureStack(): string {
  const holder: { stack?: string } = {};
  Error.captureStackTrace(holder, captureStack);
  return holder.stack?.split('\n').slice(1).join('\n') ?? '';
}
