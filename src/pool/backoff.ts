/** Reconnect backoff: first delay, and the ceiling it doubles up to. */
export interface BackoffPolicy {
  readonly baseMs: number;
  readonly maxMs: number;
}

/** 50 ms, doubling to 1 s: a 2 s restart costs a handful of attempts, not hundreds. */
export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 50, maxMs: 1_000 };

/**
 * Delay before reconnect attempt `failures + 1`, with "equal jitter" (half fixed, half random)
 * so that many pools restarting together do not retry in lockstep.
 *
 * @example
 * backoffDelayMs(3, DEFAULT_BACKOFF, Math.random); // between 100 and 200 ms
 */
export function backoffDelayMs(
  failures: number,
  policy: BackoffPolicy,
  random: () => number,
): number {
  if (failures <= 0) return 0;
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** (failures - 1));
  return ceiling / 2 + (ceiling / 2) * random();
}
