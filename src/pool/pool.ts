/**
 * The resilient pool. Read this comment first: it is the contract. The states named here are
 * the rows of the table in `connection/connection-state.ts` (drawn in docs/architecture.md).
 *
 * The path of one statement, `db.query(sql)`:
 *
 * 1. **Route.** Inside `db.scope()` the statement goes to the scope's lease (`src/scope`);
 *    otherwise it runs alone on the pool.
 * 2. **Attempt** (`lease/statement-loop.ts`, the one attempt loop). Take a connection:
 *    synchronously the most recently used `idle` one if it needs no check (the hot path: no
 *    extra round trip, no timer, no allocation); otherwise through the checkout below. Run the
 *    statement on it (`ManagedConnection.run`: classifier effects recorded before it is sent,
 *    the server's session reports read from whatever comes back). On success the connection
 *    goes back (step 4). On a failure that broke the connection, the repeat rule
 *    (`retry/repeat-rule.ts`) decides whether it runs again: only if it provably never reached
 *    the server, or repeating it is harmless; the last attempt always on a new connection.
 * 3. **Checkout.** An `idle` connection past its idle limit (the server's `wait_timeout` less a
 *    margin) or lifetime is retired with a clean COM_QUIT (`retiring` → `closed`). One idle
 *    longer than `validateAfterIdleMs`, or older than the pool's epoch, is pinged first
 *    (`validating`), bounded by `validationTimeoutMs`; a failed ping closes it and the caller
 *    takes another. With no idle connection and fewer than `max` open, a new one is opened
 *    (`connecting`: connect, handshake and goneaway's session set-up, all bounded); otherwise
 *    the caller waits in the acquire queue, within `acquireTimeoutMs` for the whole statement.
 * 4. **Give back.** A connection left inside a transaction is rolled back; one whose session
 *    holds state (a fresh connection would differ) is retired; one that broke is closed; a
 *    clean one goes to the first waiter or back to the idle stack (`idle`).
 *
 * Around it:
 *
 * - **Idle death** (wait_timeout, KILL, restart, proxy reset) is seen from the socket and the
 *   connection is closed at once. Any such loss, and a process freeze, starts a new epoch: every
 *   older idle connection is validated before its next use, so one caller pays for discovering
 *   a restart, not each.
 * - **Outage.** Failed connects back off with jitter, and while failing only one connect is
 *   tried at a time; callers wait within `acquireTimeoutMs` and go on when the server answers.
 * - **Housekeeping** (one unref'd timer): idle retirement, keepalive pings, the in-flight
 *   watchdog (a statement silent for `stallCheckMs` is asked about over a side connection, and
 *   failed only if the server is unreachable or no longer running it), leak reports, freeze
 *   detection, and the reaper that ends abandoned sessions on the server with KILL.
 * - **End.** `end()` waits for leases (bounded by `endTimeoutMs`), quits every connection and
 *   clears every timer.
 */

import { checkDurationMs } from '../config/duration.js';
import { checkStalledStatement, type SideConfig } from '../connection/liveness.js';
import type {
  ConnectionConfig,
  ManagedConnection as ManagedConnectionType,
  RunOptions,
  StatementKind,
} from '../connection/managed-connection.js';
import { ManagedConnection } from '../connection/managed-connection.js';
import { acquireChannel, type TraceTarget } from '../connection/tracing-channels.js';
import {
  AcquireTimeoutError,
  ConfigurationError,
  classify,
  type GoneAwayError,
  isGoneAwayError,
  PoolClosedError,
} from '../errors/index.js';
import { captureStack } from '../lease/capture-stack.js';
import {
  CLOSE_REASONS,
  type CloseReason,
  Lease,
  type LeaseHost,
  type LeasePolicy,
} from '../lease/lease.js';
import type { Row, StatementOptions } from '../lease/results.js';
import { type AttemptSite, runAttempts } from '../lease/statement-loop.js';
import {
  type BegunTransaction,
  beginOn,
  runTransaction,
  type Transaction,
  type TransactionOptions,
  type TransactionSite,
} from '../lease/transaction-runner.js';
import { decideRetry, type RetryContext, type RetryDecision } from '../retry/repeat-rule.js';
import { runJob } from '../scope/job.js';
import { runScope } from '../scope/run-scope.js';
import {
  boundScope,
  registerScopeHost,
  type ScopeBinding,
  type ScopeHost,
} from '../scope/scope-host.js';
import type { JobOptions, JobRun, ScopeOptions } from '../scope/scope-options.js';
import { AcquireQueue } from './acquire-queue.js';
import { backoffDelayMs, DEFAULT_BACKOFF } from './backoff.js';
import {
  type EpochCause,
  type GoneAwayEventMap,
  type PoolEventName,
  PoolEvents,
} from './pool-events.js';
import { type PoolOptions, type ResolvedPoolOptions, resolvePoolOptions } from './pool-options.js';
import { lifetimeDeadline, needsValidation, retireReason, wasFrozen } from './retirement.js';
import { SessionReaper } from './session-reaper.js';

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
  /** Statements (and transactions) run again after a failure that was safe to repeat. */
  readonly retries: number;
  readonly validations: number;
  readonly validationFailures: number;
  /** Times every idle connection was made suspect (restart smell, process freeze). */
  readonly epoch: number;
  /** Abandoned sessions the pool has yet to end on the server. */
  readonly abandonedPending: number;
  /** "Closed because" tallies. */
  readonly closed: Readonly<Record<CloseReason, number>>;
}

/** How often housekeeping runs: retirement, keepalive, leak reports, freeze detection, reaper. */
const DEFAULT_TICK_MS = 500;
/** A tick this late means the process was frozen: sockets may have died unseen. */
const FREEZE_TOLERANCE_MS = 2_000;
/** The pool's own leases: a pooled connection, no forced ping, no age limit. */
const PLAIN: LeasePolicy = { fresh: false, healthCheck: false, maxAgeMs: undefined, stack: '' };
const RESOLVED = Promise.resolve();

/**
 * A pool of MySQL/MariaDB connections that survives the server going away.
 * Create it with {@link createPool}.
 *
 * @example
 * const db = createPool('mysql://app:secret@127.0.0.1:3306/shop');
 * const rows = await db.query('SELECT 1 AS one');
 * await db.end();
 */
export class Pool {
  readonly #options: ResolvedPoolOptions;
  readonly #events = new PoolEvents();
  readonly #all = new Set<ManagedConnectionType>();
  /** Idle connections, most recently used last. */
  readonly #idle: ManagedConnectionType[] = [];
  readonly #queue: AcquireQueue;
  readonly #leases = new Set<Lease>();
  readonly #host: LeaseHost;
  readonly #site: AttemptSite;
  readonly #scopeHost: ScopeHost;
  readonly #reaper: SessionReaper;
  readonly #side: SideConfig;
  readonly #target: TraceTarget;
  #connecting = 0;
  #epoch = 0;
  #connectFailures = 0;
  #nextConnectAt = 0;
  #lastConnectError: GoneAwayError | undefined;
  #tick: NodeJS.Timeout | undefined;
  #tickDueAt = 0;
  #ending: Promise<void> | undefined;
  /** When each borrowed connection was lent, kept only while someone measures use time. */
  readonly #lentAt = new Map<ManagedConnectionType, number>();
  /** Connections whose silent statement is being asked about right now. */
  readonly #stallChecks = new Set<ManagedConnectionType>();
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
    const { stallCheckMs, clock, connection, validationTimeoutMs, label } = this.#options;
    this.#tickMs = stallCheckMs
      ? Math.max(50, Math.min(DEFAULT_TICK_MS, stallCheckMs / 2))
      : DEFAULT_TICK_MS;
    this.#queue = new AcquireQueue({
      now: clock.now,
      setTimeout: (callback, ms) => setTimeout(callback, ms),
      clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
    });
    this.#side = { ...sideTarget(connection), timeoutMs: validationTimeoutMs, label };
    const serverAddress = connection.socketPath ?? connection.host;
    const serverPort = connection.socketPath ? undefined : connection.port;
    const database = connection.driver.database ?? '';
    this.#target = {
      serverAddress,
      serverPort,
      database,
      poolName: this.#options.name ?? defaultPoolName(serverAddress, serverPort, database),
    };
    this.#host = this.#leaseHost();
    this.#site = this.#autocommitSite();
    this.#scopeHost = this.#scopeHostFor();
    this.#reaper = new SessionReaper({
      now: () => this.#now(),
      side: () => this.#side,
      report: (session, outcome) =>
        this.#events.publish('abandoned-session', {
          connectionId: session.threadId,
          outcome,
          why: session.why,
        }),
    });
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
  transaction<T>(
    fn: (tx: Transaction) => Promise<T>,
    options: TransactionOptions = {},
  ): Promise<T> {
    const scope = this.#scope();
    if (scope) return scope.transaction(fn, options);
    return runTransaction(this.#transactionSite(), fn, options, (attempt, reason, error) =>
      this.#retried(attempt, reason, error),
    );
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
    return runScope(this.#scopeHost, fn, options);
  }

  /**
   * Runs one run of a worker, queue consumer or cron job in its own scope, closing connections
   * that are broken or past their age before and after it; a failed run is reported (event
   * `job-error`) with the job's name, and repeated when `attempts` allows and the failure
   * applied nothing (its connection was lost before anything reached the server, or the server
   * rolled its transaction back).
   *
   * @example
   * for (;;) {
   *   await db.job(async () => processNextBatch(), { name: 'mailer', attempts: 3 });
   *   await setTimeout(60_000);
   * }
   */
  job<T>(fn: (run: JobRun) => T | Promise<T>, options?: JobOptions): Promise<T> {
    return runJob(this.#scopeHost, fn, options);
  }

  /**
   * The pool's name in telemetry and tracing contexts: the `name` option, or by default
   * `host:port/database` (numbered `#2`, `#3`, ... for later pools with the same default).
   *
   * @example
   * createPool('mysql://app:secret@127.0.0.1:3306/shop').name; // '127.0.0.1:3306/shop'
   */
  get name(): string {
    return this.#target.poolName;
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
      waiting: this.#queue.length,
      epoch: this.#epoch,
      abandonedPending: this.#reaper.pending,
      ...this.#tally,
      closed: { ...this.#tally.closed },
    };
  }

  /**
   * Subscribes to a pool or scope event (also published on `goneaway:<event>` diagnostics
   * channels). A listener that throws is reported as a process warning; the pool goes on.
   *
   * @example
   * db.on('close', ({ reason }) => metrics.increment(`db.closed.${reason}`));
   */
  on<E extends PoolEventName>(event: E, listener: (payload: GoneAwayEventMap[E]) => void): this {
    this.#events.on(event, listener);
    return this;
  }

  /** Like {@link Pool.on}, for the next event only. */
  once<E extends PoolEventName>(event: E, listener: (payload: GoneAwayEventMap[E]) => void): this {
    this.#events.once(event, listener);
    return this;
  }

  /** Removes a listener added with {@link Pool.on} or {@link Pool.once}. */
  off<E extends PoolEventName>(event: E, listener: (payload: GoneAwayEventMap[E]) => void): this {
    this.#events.off(event, listener);
    return this;
  }

  /**
   * Closes the pool: new statements fail with `PoolClosedError`, waiting callers are rejected,
   * leases get `endTimeoutMs` to be released, then every connection is quit and every timer
   * cleared. Idempotent.
   *
   * @example
   * process.once('SIGTERM', () => void db.end());
   */
  end(): Promise<void> {
    this.#ending ??= this.#end();
    return this.#ending;
  }

  async #end(): Promise<void> {
    this.#queue.rejectAll(() => this.#closedError());
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
    await this.#reaper.close();
  }

  // ── statements ────────────────────────────────────────────────────────────────────────────

  #runStatement(
    kind: StatementKind,
    sql: string,
    values: unknown,
    options?: StatementOptions,
  ): Promise<unknown> {
    if (typeof sql !== 'string') {
      return Promise.reject(
        new ConfigurationError(`A statement must be a string of SQL; got ${typeof sql}.`),
      );
    }
    let scope: ScopeBinding | undefined;
    try {
      scope = this.#scope();
    } catch (refusal) {
      return Promise.reject(refusal);
    }
    if (scope) return scope.run(kind, sql, values, options);
    return runAttempts(this.#host, this.#site, kind, sql, values, options, false);
  }

  /** The scope bound to this pool in the current async context, while it takes statements. */
  #scope(): ScopeBinding | undefined {
    const scope = boundScope(this.#scopeHost);
    return scope?.takesStatements() ? scope : undefined;
  }

  /** A statement alone on the pool: takes a connection, gives it back after each attempt. */
  #autocommitSite(): AttemptSite {
    return {
      ready: () => this.#takeReady(),
      checkout: (deadline, fresh) => this.#checkoutFor(deadline, fresh, PLAIN),
      succeeded: (connection) => void this.#giveBack(connection),
      failed: (connection, error, broken) => {
        if (broken) this.#lostUnderStatement(connection, error);
        else void this.#giveBack(connection);
      },
      giveUp: (error) => error,
    };
  }

  /** What leases and the attempt loop ask of the pool. */
  #leaseHost(): LeaseHost {
    return {
      now: () => this.#now(),
      maxAttempts: this.#options.maxAttempts,
      acquireTimeoutMs: this.#options.acquireTimeoutMs,
      runOptions: (options, committing) => this.#runOptions(options, committing),
      decide: (error, context) => this.#decide(error, context),
      target: this.#target,
      checkout: (deadline, fresh, policy) => this.#checkoutFor(deadline, fresh, policy),
      giveBack: (connection, closeAs) => this.#giveBack(connection, closeAs) ?? RESOLVED,
      failed: (connection, error) => this.#lostUnderStatement(connection, error),
      forget: (lease) => this.#leases.delete(lease),
    };
  }

  /** `db.transaction()` outside a scope: a lease per run, a new connection for every re-run. */
  #transactionSite(): TransactionSite {
    return {
      target: this.#target,
      begin: async (attempt, characteristics): Promise<BegunTransaction> => {
        const lease = await this.#lease(attempt > 1);
        try {
          await beginOn(lease, characteristics);
        } catch (error) {
          lease.release();
          throw error;
        }
        return {
          threadId: lease.threadId,
          nested: false,
          run: (kind, sql, values, options) => lease[kind](sql, values, options),
          commit: () => lease.commit(),
          // Giving the lease back rolls back whatever is still open.
          rollBack: async () => {},
          finish: () => lease.end(),
          mayRunAgain: () => true,
        };
      },
      body: (fn) => fn(),
    };
  }

  #scopeHostFor(): ScopeHost {
    return {
      target: this.#target,
      lease: (policy) => this.#lease(false, policy),
      closeOld: (maxAgeMs) => this.#closeOld(maxAgeMs),
      publish: (event, payload) =>
        this.#events.publish(event, payload as GoneAwayEventMap[typeof event]),
      retried: (attempt, reason, error) => this.#retried(attempt, reason, error),
      backoffMs: (attempt, baseMs) =>
        backoffDelayMs(attempt, { baseMs, maxMs: baseMs * 2 ** 5 }, this.#options.clock.random),
      now: () => this.#now(),
      leakWarningMs: this.#options.leakWarningMs,
    };
  }

  async #lease(fresh: boolean, policy?: LeasePolicy): Promise<Lease> {
    const chosen: LeasePolicy = policy ?? {
      ...PLAIN,
      stack: this.#options.leakWarningMs > 0 ? captureStack() : '',
    };
    const deadline = this.#now() + this.#options.acquireTimeoutMs;
    const connection = await this.#checkoutFor(deadline, fresh, chosen);
    const lease = new Lease(connection, this.#host, chosen);
    this.#leases.add(lease);
    return lease;
  }

  /** Asks the repeat rule, publishes its answer for losses, and counts retries. */
  #decide(
    error: GoneAwayError,
    context: Omit<RetryContext, 'maxAttempts' | 'ending'>,
  ): RetryDecision {
    if (!isGoneAwayError(error))
      return { retry: false, reason: 'not retried: not a database error' };
    const decision = decideRetry(error, {
      ...context,
      maxAttempts: this.#options.maxAttempts,
      ending: this.#ending !== undefined,
    });
    if (decision.retry) {
      this.#retried(context.attempt + 1, decision.reason, error);
    } else if (!error.connectionUsable) {
      this.#events.publish('no-retry', { reason: decision.reason, error });
    }
    return decision;
  }

  #retried(attempt: number, reason: string, error: GoneAwayError): void {
    this.#tally.retries++;
    this.#events.publish('retry', { attempt, reason, error });
  }

  #runOptions(options: StatementOptions | undefined, committing: boolean): RunOptions {
    const timeoutMs = options?.timeoutMs ?? this.#options.queryTimeoutMs;
    if (options?.timeoutMs !== undefined) checkDurationMs('Statement option timeoutMs', timeoutMs);
    // The common case (no options, no timeout) shares one object: nothing allocated per statement.
    if (!options && !timeoutMs && !committing) return NO_RUN_OPTIONS;
    return {
      timeoutMs: timeoutMs || undefined,
      driverOptions: options?.driverOptions,
      onFields: options?.onFields,
      committing,
    };
  }

  // ── checkout ──────────────────────────────────────────────────────────────────────────────

  /**
   * A checkout the way a lease's policy says: fresh, pinged, or not older than its age limit.
   * One `goneaway:acquire` trace when someone subscribes.
   */
  #checkoutFor(
    deadline: number,
    fresh: boolean,
    policy: LeasePolicy,
  ): Promise<ManagedConnectionType> {
    if (!acquireChannel.hasSubscribers) return this.#checkoutWith(deadline, fresh, policy);
    return acquireChannel.tracePromise(() => this.#checkoutWith(deadline, fresh, policy), {
      ...this.#target,
      fresh: fresh || policy.fresh,
    });
  }

  async #checkoutWith(
    deadline: number,
    fresh: boolean,
    policy: LeasePolicy,
  ): Promise<ManagedConnectionType> {
    const started = this.#now();
    let connection = await this.#checkout(deadline, fresh || policy.fresh, policy.healthCheck);
    const { maxAgeMs } = policy;
    // One opened for this checkout is never too old; a pooled one past the age limit is.
    if (
      maxAgeMs !== undefined &&
      connection.createdAt < started &&
      started - connection.createdAt >= maxAgeMs
    ) {
      void this.#retire(connection, 'lifetime');
      connection = await this.#checkout(deadline, true, false);
    }
    return this.#lent(connection);
  }

  async #checkout(
    deadline: number,
    fresh: boolean,
    validate: boolean,
  ): Promise<ManagedConnectionType> {
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
        const now = this.#now();
        const wakeAt = this.#nextConnectAt > now ? this.#nextConnectAt : Number.POSITIVE_INFINITY;
        const result = await this.#queue.wait({ deadline, wakeAt, fresh });
        if (result.kind === 'handed') return result.connection;
        if (result.kind === 'deadline') throw this.#acquireTimeout(deadline);
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
  #takeReady(): ManagedConnectionType | undefined {
    const connection = this.#idle[this.#idle.length - 1];
    if (!connection || this.#ending) return undefined;
    this.#detectFreeze();
    const now = this.#now();
    if (
      connection.isDead ||
      retireReason(connection, now, this.#options.idleTimeoutMs) ||
      needsValidation(connection, now, this.#options.validateAfterIdleMs, this.#epoch)
    ) {
      return undefined;
    }
    this.#idle.pop();
    connection.lend();
    return this.#lent(connection);
  }

  /** Pops idle connections until one may be used; retires the expired ones on the way. */
  #takeIdle(): ManagedConnectionType | undefined {
    const now = this.#now();
    for (let connection = this.#idle.pop(); connection; connection = this.#idle.pop()) {
      if (connection.isDead) {
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

  /** Lends an idle connection, pinging it first when in doubt (or `always`). False: it was closed. */
  async #validate(connection: ManagedConnectionType, always: boolean): Promise<boolean> {
    const now = this.#now();
    const { validateAfterIdleMs, validationTimeoutMs } = this.#options;
    if (!always && !needsValidation(connection, now, validateAfterIdleMs, this.#epoch)) {
      connection.lend();
      return true;
    }
    this.#tally.validations++;
    const ok = await connection.validate(validationTimeoutMs);
    this.#events.publish('validate', {
      connectionId: connection.threadId,
      ok,
      durationMs: Math.round(this.#now() - now),
    });
    if (ok) {
      connection.epoch = this.#epoch;
      return true;
    }
    this.#tally.validationFailures++;
    this.#forget(connection, 'validation-failed');
    this.#newEpoch('validation-failed', 'a pooled connection failed validation');
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
  async #open(deadline: number): Promise<ManagedConnectionType | undefined> {
    const { clock, connection: config, maxLifetimeMs } = this.#options;
    const connection = new ManagedConnection(config, clock.now, this.#target);
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
      if (this.#connectFailures === 1) this.#newEpoch('connect-failed', 'a reconnect failed');
      this.#queue.wakeOne();
      // Bad credentials or an unknown database will not fix themselves within the acquire timeout.
      if (!error.retryable) throw error;
      if (this.#now() >= deadline) throw this.#acquireTimeout(deadline);
      return undefined;
    }
    this.#connecting--;
    this.#connectFailures = 0;
    this.#nextConnectAt = 0;
    // The pool ended while this one was opening: it goes, the caller is told.
    if (this.#ending) {
      void connection.retire();
      throw this.#closedError();
    }
    this.#all.add(connection);
    this.#tally.opened++;
    connection.epoch = this.#epoch;
    connection.retireAt = lifetimeDeadline(connection.createdAt, maxLifetimeMs, clock.random);
    connection.lend();
    this.#startTicking();
    this.#events.publish('connect', {
      connectionId: connection.threadId,
      durationMs: Math.round(this.#now() - started),
      waitTimeoutMs: connection.session.waitTimeoutMs,
    });
    return connection;
  }

  // ── give back and removal ─────────────────────────────────────────────────────────────────

  /**
   * Takes a connection back from its holder (see the module comment, step 4). Returns a promise
   * only when it has asynchronous work to do (a rollback, a quit); the hot path returns nothing.
   */
  #giveBack(connection: ManagedConnectionType, closeAs?: CloseReason): Promise<void> | undefined {
    this.#returned(connection);
    if (connection.state === 'lost') {
      this.#discard(connection, connection.abandoned ? 'broken' : 'server-closed');
      return undefined;
    }
    if (connection.state !== 'in-use') return undefined;
    if (closeAs) return this.#retire(connection, closeAs);
    if (this.#ending) return this.#retire(connection, 'pool-ended');
    if (connection.session.inTransaction) return this.#rollbackThenGiveBack(connection);
    if (!connection.session.isClean) return this.#retire(connection, 'dirty-session');
    if (!this.#queue.handOver(connection)) {
      connection.park();
      this.#idle.push(connection);
      this.#queue.wakeOne();
    }
    return undefined;
  }

  /** A connection returned inside a transaction: roll it back before anyone else gets it. */
  async #rollbackThenGiveBack(connection: ManagedConnectionType): Promise<void> {
    try {
      await connection.run('query', 'ROLLBACK', undefined, {
        timeoutMs: this.#options.validationTimeoutMs,
      });
    } catch {
      if (connection.state !== 'closed') this.#discard(connection, 'broken');
      return;
    }
    // Still "in a transaction" after ROLLBACK: autocommit is off, so every statement opens one.
    // Such a session is not a fresh one: it goes, instead of being rolled back forever.
    if (connection.session.inTransaction) return this.#retire(connection, 'dirty-session');
    await this.#giveBack(connection);
  }

  /** A statement's failure broke its connection: it leaves the pool. */
  #lostUnderStatement(connection: ManagedConnectionType, error: GoneAwayError): void {
    this.#returned(connection);
    this.#events.publish('loss', { connectionId: connection.threadId, while: 'in-use', error });
    this.#discard(
      connection,
      connection.isDead && !connection.abandoned ? 'server-closed' : 'broken',
    );
    this.#newEpoch('loss', 'a connection was lost under a statement');
  }

  /**
   * The socket of a connection died by itself. Idle ones leave at once. A leased one stays with
   * its lease (now `lost`: its next statement fails as not sent); one under a statement is
   * reported by that statement's failure instead.
   */
  #onLost(connection: ManagedConnectionType, cause: Error): void {
    const { state } = connection;
    if (connection.busy || (state !== 'idle' && state !== 'lost')) return;
    const idle = state === 'idle';
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
    this.#newEpoch('loss', 'a connection was closed by the server or the network while idle');
  }

  /** Removes a connection without a goodbye (it is dead, or must not be trusted). */
  #discard(connection: ManagedConnectionType, reason: CloseReason): void {
    connection.discard();
    this.#forget(connection, reason);
  }

  /** Removes a healthy connection with a clean COM_QUIT. */
  #retire(connection: ManagedConnectionType, reason: CloseReason): Promise<void> {
    const quit = connection.retire();
    this.#forget(connection, reason);
    return quit;
  }

  #forget(connection: ManagedConnectionType, reason: CloseReason): void {
    if (!this.#all.delete(connection)) return;
    const index = this.#idle.indexOf(connection);
    if (index >= 0) this.#idle.splice(index, 1);
    this.#tally.closed[reason]++;
    const abandoned = connection.abandoned;
    if (abandoned) this.#reaper.add(abandoned);
    const now = this.#now();
    this.#events.publish('close', {
      connectionId: connection.threadId,
      reason,
      idleMs: Math.round(connection.idleMs(now)),
      ageMs: Math.round(now - connection.createdAt),
    });
    this.#queue.wakeOne();
    if (this.#drained && this.#all.size === this.#idle.length) this.#drained();
  }

  /** A connection goes to a borrower; its use is timed only while someone listens to `release`. */
  #lent(connection: ManagedConnectionType): ManagedConnectionType {
    if (this.#events.wants('release')) this.#lentAt.set(connection, this.#now());
    return connection;
  }

  /** A borrowed connection came back (or broke): the `release` event, if its lending was timed. */
  #returned(connection: ManagedConnectionType): void {
    if (this.#lentAt.size === 0) return;
    const lentAt = this.#lentAt.get(connection);
    if (lentAt === undefined) return;
    this.#lentAt.delete(connection);
    this.#events.publish('release', {
      connectionId: connection.threadId,
      useMs: this.#now() - lentAt,
    });
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
    void this.#reaper.sweep();
    if (this.#all.size > 0 || this.#reaper.pending > 0) this.#startTicking();
  }

  /**
   * The in-flight watchdog. A statement silent for `stallCheckMs` is asked about over a side
   * connection; the verdict fails it only if the same statement is still in flight. Sampled
   * from the housekeeping tick, so statements pay nothing for it.
   */
  #watchStatements(now: number): void {
    const { stallCheckMs } = this.#options;
    if (!stallCheckMs) return;
    for (const connection of this.#all) {
      const silentMs = connection.silentForMs(now);
      if (silentMs < stallCheckMs || this.#stallChecks.has(connection)) continue;
      this.#stallChecks.add(connection);
      const statement = connection.statementCount;
      void checkStalledStatement(connection.threadId, this.#side, silentMs)
        .then((verdict) => {
          const settled = !connection.busy || connection.statementCount !== statement;
          this.#events.publish('watchdog', {
            connectionId: connection.threadId,
            silentMs: Math.round(silentMs),
            verdict: settled ? 'settled' : verdict ? 'stalled' : 'running',
          });
          if (settled) return;
          if (verdict)
            connection.abort(verdict, 'the in-flight watchdog found the statement stalled');
          else connection.resetSilence(this.#now());
        })
        .finally(() => this.#stallChecks.delete(connection));
    }
  }

  async #keepalive(connection: ManagedConnectionType): Promise<void> {
    const index = this.#idle.indexOf(connection);
    if (index < 0) return;
    this.#idle.splice(index, 1);
    if (await connection.validate(this.#options.validationTimeoutMs)) {
      void this.#giveBack(connection);
    } else {
      this.#forget(connection, 'validation-failed');
    }
  }

  /** `closeOldConnections()`: the idle connections no one should borrow again, closed now. */
  async #closeOld(maxAgeMs: number | undefined): Promise<number> {
    const now = this.#now();
    const quits: Promise<void>[] = [];
    let closed = 0;
    for (const connection of [...this.#idle]) {
      if (connection.isDead) {
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
        'freeze',
        `the process was frozen for about ${Math.round((now - this.#tickDueAt) / 1000)} s`,
      );
      this.#tickDueAt = now + this.#tickMs;
    }
  }

  #newEpoch(cause: EpochCause, reason: string): void {
    this.#epoch++;
    this.#events.publish('epoch', { epoch: this.#epoch, reason, cause });
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

const NO_RUN_OPTIONS: RunOptions = Object.freeze({});

/** How many pools took each default name in this process. */
const defaultNamesTaken = new Map<string, number>();

/**
 * The semantic conventions' fallback pool name, `server.address:server.port/db.namespace`, made
 * unique within the process: telemetry must tell two pools to the same database apart.
 */
function defaultPoolName(address: string, port: number | undefined, database: string): string {
  const base = `${address}${port === undefined ? '' : `:${port}`}/${database}`;
  const taken = (defaultNamesTaken.get(base) ?? 0) + 1;
  defaultNamesTaken.set(base, taken);
  return taken === 1 ? base : `${base}#${taken}`;
}

/** Where side connections go: the same host and port (or socket) as the pool's. */
function sideTarget(config: ConnectionConfig): Omit<SideConfig, 'timeoutMs' | 'label'> {
  return {
    host: config.host,
    port: config.port,
    socketPath: config.socketPath,
    driver: config.driver,
  };
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
