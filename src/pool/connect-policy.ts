/**
 * When a pool may start a connect, given what the last ones did: the failure-aware successor
 * of the plain doubling backoff (`backoff.ts`). Pure: time and randomness come from an injected
 * {@link Clock}; it arms no timer and opens nothing.
 *
 * The rules:
 * - **Healthy** (no failure since the last success): a connect may start whenever the pool
 *   needs one; the pool's `max` is the only limit.
 * - **Outage** (from the first failure until a success): at most one attempt in flight, and the
 *   next one no sooner than the wait its failure earned. That wait depends on what failed
 *   ({@link ConnectFailureKind}) and grows with the outage: `outage × growth`, jittered by
 *   ×0.5…×1.5, kept within `[floorMs, ceilingMs]` of the kind's rule.
 * - **Permanent** failures (bad credentials, unknown database, blocked host) also tell the pool
 *   to fail its waiting callers now instead of letting them wait for a fix that will not come.
 *
 * Consequences, with {@link DEFAULT_CONNECT_RULES} (docs/benchmark.md has the table):
 * - A refused connect is retried after 20–30 ms for the first 5 s of an outage, so the first
 *   attempt after the server accepts again starts within 30 ms; the wait then grows to 1 s
 *   (at 250 s of outage).
 * - No pool ever starts more than 50 attempts a second during an outage (the smallest floor is
 *   20 ms, and only one attempt is in flight); a 30 s outage of a refused port costs about 700
 *   attempts (at most about 1,050, whatever the jitter draws).
 * - A full server is probed fast only by a pool with no connection at all; one that holds
 *   connections serves its callers with those and asks for a new slot at most 4 times a second.
 *
 * @example
 * const policy = new ConnectPolicy(systemClock);
 * const attempt = policy.tryBegin();
 * if (attempt) {
 *   try {
 *     await connection.open();
 *     attempt.succeeded();
 *   } catch (error) {
 *     const decision = attempt.failed({ kind: connectFailureKind(error), openConnections: 3 });
 *     // arm the pool's one wake-up timer for decision.retryAt
 *   }
 * }
 */
import type { Clock } from './clock.js';
import type { ConnectFailureKind } from './connect-failure-kind.js';

/** How soon to try again after one kind of failure. */
export interface ConnectRule {
  /** The shortest wait; 1000 / floorMs is this kind's ceiling on attempts per second. */
  readonly floorMs: number;
  /** The longest wait. */
  readonly ceilingMs: number;
  /** The wait grows as this fraction of the outage so far (before jitter). */
  readonly growth: number;
}

/** Which rule a failure falls under: its kind, with a full server split by what the pool holds. */
export type ConnectRuleId = ConnectFailureKind | 'server-full-holding';

/**
 * The rules, per failure. Numbers and why:
 *
 * @example
 * DEFAULT_CONNECT_RULES.refused.floorMs; // 20
 */
export const DEFAULT_CONNECT_RULES: Readonly<Record<ConnectRuleId, ConnectRule>> = {
  // Costs the server nothing and answers in microseconds: probe often, so the first success
  // lands within 30 ms of the server accepting; 0.4 % of the outage once that is longer (1 s
  // after 250 s).
  refused: { floorMs: 20, ceilingMs: 1_000, growth: 1 / 250 },
  // The pool has no connection and its callers have nothing else: a freed slot goes to whoever
  // asks first, so ask often at first, backing off at 2 % of the time the server has been full.
  'server-full': { floorMs: 20, ceilingMs: 1_000, growth: 1 / 50 },
  // The pool holds connections that serve its callers; every refusal costs the full server an
  // accept or an authentication. At most 4 a second, 2 s apart once it has been full 20 s.
  'server-full-holding': { floorMs: 250, ceilingMs: 2_000, growth: 1 / 10 },
  // The attempt itself took the connect bound, which already spaces attempts out; a black hole
  // that heals is found by the next attempt.
  timeout: { floorMs: 20, ceilingMs: 1_000, growth: 1 / 250 },
  // Unknown causes: the old backoff's pace (50 ms to 1 s).
  transient: { floorMs: 50, ceilingMs: 1_000, growth: 1 / 20 },
  // Will not fix itself while callers wait; someone may fix it (a password rotated), so try
  // again, rarely: no pool must lock an account or get its host blocked.
  permanent: { floorMs: 2_000, ceilingMs: 30_000, growth: 1 / 10 },
};

/** What the pool tells the policy about a failed attempt. */
export interface ConnectFailure {
  readonly kind: ConnectFailureKind;
  /** Connections the pool holds open now (idle or in use), the failed one not counted. */
  readonly openConnections: number;
}

/** What the pool should do after a failed attempt. */
export interface ConnectDecision {
  /** The rule applied. */
  readonly rule: ConnectRuleId;
  /** Earliest clock time for the next attempt. */
  readonly retryAt: number;
  readonly retryInMs: number;
  /** Fail the waiting callers with this error now: waiting will not help them. */
  readonly failWaiters: boolean;
}

/** One connect attempt; settle it exactly once. */
export interface ConnectAttempt {
  succeeded(): void;
  failed(failure: ConnectFailure): ConnectDecision;
}

/** Thrown when an attempt is settled twice: the pool's bookkeeping is wrong. */
export class AttemptSettledTwiceError extends Error {
  override readonly name = 'AttemptSettledTwiceError';
}

/**
 * The per-pool connect policy. See the module comment for the rules.
 *
 * @example
 * const policy = new ConnectPolicy({ now: () => performance.now(), random: Math.random });
 * policy.tryBegin()?.succeeded();
 */
export class ConnectPolicy {
  readonly #clock: Clock;
  readonly #rules: Readonly<Record<ConnectRuleId, ConnectRule>>;
  #inFlight = 0;
  /** When the first failed attempt of the current outage began; undefined while healthy. */
  #outageStartedAt: number | undefined;
  #failures = 0;
  #nextAttemptAt = 0;

  constructor(
    clock: Clock,
    rules: Readonly<Record<ConnectRuleId, ConnectRule>> = DEFAULT_CONNECT_RULES,
  ) {
    this.#clock = clock;
    this.#rules = rules;
  }

  /** Attempts started and not yet settled. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Whether a connect has failed since the last success. */
  get inOutage(): boolean {
    return this.#outageStartedAt !== undefined;
  }

  /** Failed attempts in the current outage (0 while healthy). */
  get failures(): number {
    return this.#failures;
  }

  /** How long the current outage has lasted, in ms (0 while healthy). */
  outageMs(now = this.#clock.now()): number {
    return this.#outageStartedAt === undefined ? 0 : now - this.#outageStartedAt;
  }

  /**
   * The earliest clock time at which {@link tryBegin} may succeed, or undefined while an attempt
   * of the outage is in flight (its settling decides). While healthy: now. A pool with waiting
   * callers and nothing in flight must have a wake-up armed for this time.
   */
  nextAttemptAt(now = this.#clock.now()): number | undefined {
    if (this.#outageStartedAt === undefined) return now;
    if (this.#inFlight > 0) return undefined;
    return Math.max(now, this.#nextAttemptAt);
  }

  /** Whether an attempt may start now. */
  mayStart(now = this.#clock.now()): boolean {
    const at = this.nextAttemptAt(now);
    return at !== undefined && now >= at;
  }

  /** Starts an attempt if one may start now; undefined otherwise. */
  tryBegin(): ConnectAttempt | undefined {
    const began = this.#clock.now();
    if (!this.mayStart(began)) return undefined;
    this.#inFlight++;
    let settled = false;
    const settle = (): void => {
      if (settled) throw new AttemptSettledTwiceError('A connect attempt was settled twice.');
      settled = true;
      this.#inFlight--;
    };
    return {
      succeeded: () => {
        settle();
        this.#outageStartedAt = undefined;
        this.#failures = 0;
        this.#nextAttemptAt = 0;
      },
      failed: (failure) => {
        settle();
        return this.#failed(failure, began);
      },
    };
  }

  #failed(failure: ConnectFailure, began: number): ConnectDecision {
    const now = this.#clock.now();
    // The server has been unreachable at least since this attempt began.
    this.#outageStartedAt ??= began;
    this.#failures++;
    const rule = ruleFor(failure);
    const { floorMs, ceilingMs, growth } = this.#rules[rule];
    const base = Math.max(floorMs, (now - this.#outageStartedAt) * growth);
    // ×0.5…×1.5, so that pools that failed together do not retry together.
    const jittered = base * (0.5 + this.#clock.random());
    const retryInMs = Math.min(ceilingMs, Math.max(floorMs, jittered));
    // An earlier decision of the same outage may already ask for a later time; keep the later.
    this.#nextAttemptAt = Math.max(this.#nextAttemptAt, now + retryInMs);
    return {
      rule,
      retryAt: this.#nextAttemptAt,
      retryInMs: this.#nextAttemptAt - now,
      failWaiters: failure.kind === 'permanent',
    };
  }
}

/** The rule of a failure. */
function ruleFor(failure: ConnectFailure): ConnectRuleId {
  if (failure.kind === 'server-full' && failure.openConnections > 0) return 'server-full-holding';
  return failure.kind;
}
