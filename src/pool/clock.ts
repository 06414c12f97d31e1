/**
 * Time as the pool sees it. Injectable so that retirement, lifetime, validation-window and
 * freeze logic can be unit-tested without real sleeps; integration tests use real time.
 */
export interface Clock {
  /** Milliseconds on a monotonic-enough scale (only differences are used). */
  now(): number;
  /** A random number in [0, 1), for jitter. */
  random(): number;
}

/**
 * The real clock: `performance.now()` (immune to wall-clock jumps) and `Math.random()`.
 *
 * @example
 * const started = systemClock.now();
 */
export const systemClock: Clock = {
  now: () => performance.now(),
  random: () => Math.random(),
};
