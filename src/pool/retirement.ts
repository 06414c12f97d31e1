/**
 * When a connection should be retired or checked: pure functions of time and settings, so the
 * pool's policies are unit-tested with an injected clock and no sleeps.
 */

/**
 * How long before the server's `wait_timeout` goneaway retires an idle connection: 10% of it,
 * at least 500 ms (covers timer lateness and the round trip: the server counts idle time from
 * when it sent the last result, the client from when it received it), at most 30 s.
 */
export function idleSafetyMarginMs(waitTimeoutMs: number): number {
  return Math.min(30_000, Math.max(500, waitTimeoutMs * 0.1));
}

/**
 * The idle limit for one connection: an explicit `idleTimeoutMs`, or with `'auto'` the
 * session's `wait_timeout` less a safety margin. Unknown `wait_timeout` ⇒ no client-side limit.
 *
 * @example
 * idleLimitMs('auto', 60_000); // 54 000
 */
export function idleLimitMs(setting: 'auto' | number, waitTimeoutMs: number | undefined): number {
  if (setting !== 'auto') return setting;
  if (waitTimeoutMs === undefined || !Number.isFinite(waitTimeoutMs) || waitTimeoutMs <= 0) {
    return Number.POSITIVE_INFINITY;
  }
  return Math.max(0, waitTimeoutMs - idleSafetyMarginMs(waitTimeoutMs));
}

/**
 * When a connection opened at `createdAt` reaches its maximum lifetime: up to 10% early, at
 * random, so connections opened together (after a restart) do not all expire together.
 *
 * @example
 * lifetimeDeadline(0, 1_800_000, () => 0.5); // 1 710 000
 */
export function lifetimeDeadline(
  createdAt: number,
  maxLifetimeMs: number,
  random: () => number,
): number {
  if (!Number.isFinite(maxLifetimeMs) || maxLifetimeMs <= 0) return Number.POSITIVE_INFINITY;
  return createdAt + maxLifetimeMs * (1 - 0.1 * random());
}

/** What {@link retireReason} and {@link needsValidation} read from a connection. */
export interface ConnectionTimes {
  readonly lastUsedAt: number;
  readonly retireAt: number;
  readonly epoch: number;
  readonly waitTimeoutMs: number | undefined;
}

/** Why an idle connection must be retired now, or undefined if it may be used. */
export function retireReason(
  connection: ConnectionTimes,
  now: number,
  idleSetting: 'auto' | number,
): 'idle-timeout' | 'lifetime' | undefined {
  if (now - connection.lastUsedAt >= idleLimitMs(idleSetting, connection.waitTimeoutMs)) {
    return 'idle-timeout';
  }
  if (now >= connection.retireAt) return 'lifetime';
  return undefined;
}

/**
 * Whether a connection must be pinged before use: idle longer than the validation window, or
 * older than the pool's epoch (a restart or a process freeze made every older one suspect).
 * Within the window the hot path adds no round trip.
 */
export function needsValidation(
  connection: ConnectionTimes,
  now: number,
  validateAfterIdleMs: number,
  poolEpoch: number,
): boolean {
  return now - connection.lastUsedAt > validateAfterIdleMs || connection.epoch < poolEpoch;
}

/**
 * Whether a periodic timer fired so late that the process was frozen (serverless thaw, SIGSTOP,
 * a long synchronous block): sockets may have died unseen in the meantime.
 *
 * @example
 * wasFrozen(1_000, 9_000, 1_000); // true: due at 1 s, ran at 9 s
 */
export function wasFrozen(dueAt: number, ranAt: number, toleranceMs: number): boolean {
  return ranAt - dueAt > toleranceMs;
}
