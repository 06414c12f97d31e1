/**
 * Checks for the durations and counts goneaway takes, in one place, so that every option and
 * every front end (pool options, the mysql2 facade, the CLI) rejects the same values with the
 * same words.
 */
import { ConfigurationError } from '../errors/index.js';

/**
 * The longest wait a Node.js timer can take, 2³¹−1 ms (about 24.8 days). Node turns a longer
 * delay into 1 ms with only a warning, so a "very long" timeout would fire at once.
 *
 * @example
 * MAX_DURATION_MS; // 2147483647
 */
export const MAX_DURATION_MS = 2 ** 31 - 1;

/** What a duration may be besides a positive number of ms. */
export interface DurationRules {
  /** Whether 0 is allowed (it then means "off" or "none"). Default true. */
  readonly zero?: boolean;
}

/**
 * Returns `value` if it is a usable duration: a finite number of ms, not negative, at most
 * {@link MAX_DURATION_MS}, and not 0 unless `rules.zero` allows it.
 *
 * @throws ConfigurationError naming `label` and the accepted range.
 * @example
 * checkDurationMs("Pool option 'acquireTimeoutMs'", 5_000, { zero: false }); // 5000
 */
export function checkDurationMs(label: string, value: unknown, rules: DurationRules = {}): number {
  const zero = rules.zero ?? true;
  const expected = `a number of ms from ${zero ? 0 : 1} to ${MAX_DURATION_MS} (about 24.8 days, the longest a Node.js timer can wait)${zero ? '; 0 turns it off' : ''}`;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ConfigurationError(`${label} is ${shown(value)}; expected ${expected}.`);
  }
  if (value < 0 || value > MAX_DURATION_MS || (!zero && value === 0)) {
    throw new ConfigurationError(`${label} is ${value}; expected ${expected}.`);
  }
  return value;
}

/**
 * Returns `value` if it is a whole number from `min` to `max`.
 *
 * @throws ConfigurationError naming `label`, the range, and `why` for the upper bound.
 * @example
 * checkCount("Pool option 'max'", 10, 1, 100_000); // 10
 */
export function checkCount(
  label: string,
  value: unknown,
  min: number,
  max: number,
  why = '',
): number {
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    (value as number) < min ||
    (value as number) > max
  ) {
    throw new ConfigurationError(
      `${label} is ${shown(value)}; expected a whole number from ${min} to ${max}${why ? ` (${why})` : ''}.`,
    );
  }
  return value as number;
}

/** A value for a message: numbers and short strings as they are, anything else by type. */
function shown(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return `"${value.slice(0, 40)}"`;
  return value === null ? 'null' : `a ${typeof value}`;
}
