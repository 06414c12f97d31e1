/**
 * The arithmetic of an honest comparison: quantiles of a sample, and a verdict on paired ratios
 * that says "can't tell" when the rounds disagree instead of printing a confident number.
 *
 * Ratios are paired: round r of contender A is divided by round r of contender B, measured
 * back to back on the same machine state, so the spread of the ratios shows how much the
 * machine moved between rounds.
 */

/**
 * The q-quantile (0..1) of `values`, interpolated linearly between ranks (as R's type 7 and
 * numpy's default). NaN for an empty list.
 *
 * @example
 * quantile([1, 2, 3, 4], 0.5); // 2.5
 */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const below = Math.floor(position);
  const above = Math.ceil(position);
  const low = sorted[below]!;
  const high = sorted[above]!;
  return low + (high - low) * (position - below);
}

/**
 * @example
 * median([3, 1, 2]); // 2
 */
export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** Median and interquartile range of a set of paired ratios. */
export interface RatioSummary {
  readonly median: number;
  readonly q1: number;
  readonly q3: number;
  readonly min: number;
  readonly max: number;
  readonly rounds: number;
  /** (q3 − q1) ÷ median: how far apart the middle half of the rounds are. */
  readonly relativeSpread: number;
}

/**
 * Paired ratios `a[i] / b[i]`, summarised.
 *
 * @example
 * summariseRatios([110, 100, 105], [100, 100, 100]).median; // 1.05
 */
export function summariseRatios(a: readonly number[], b: readonly number[]): RatioSummary {
  const ratios = a.map((value, i) => value / (b[i] ?? Number.NaN)).filter(Number.isFinite);
  const mid = median(ratios);
  const q1 = quantile(ratios, 0.25);
  const q3 = quantile(ratios, 0.75);
  return {
    median: mid,
    q1,
    q3,
    min: quantile(ratios, 0),
    max: quantile(ratios, 1),
    rounds: ratios.length,
    relativeSpread: (q3 - q1) / mid,
  };
}

/** What a set of rounds allows one to say about a goal. */
export type Verdict = 'meets' | 'misses' | "can't tell" | 'too noisy';

/**
 * Above this relative interquartile spread the rounds disagree too much to conclude anything:
 * on a quiet 2-core machine the same pool against itself stays within a few percent.
 */
export const MAX_CONCLUSIVE_SPREAD = 0.1;

/**
 * Whether the middle half of the rounds lies on one side of `goal`. `higherIsBetter` for
 * throughput ratios (goal: at least), not for latency ratios (goal: at most).
 *
 * @example
 * verdict(summariseRatios([101, 102, 103], [100, 100, 100]), 1.0, true); // 'meets'
 */
export function verdict(summary: RatioSummary, goal: number, higherIsBetter: boolean): Verdict {
  if (summary.rounds === 0 || !Number.isFinite(summary.median)) return "can't tell";
  if (summary.relativeSpread > MAX_CONCLUSIVE_SPREAD) return 'too noisy';
  const [worst, best] = higherIsBetter ? [summary.q1, summary.q3] : [summary.q3, summary.q1];
  const meets = (value: number): boolean => (higherIsBetter ? value >= goal : value <= goal);
  if (meets(worst)) return 'meets';
  if (!meets(best)) return 'misses';
  return "can't tell";
}

/**
 * Least-squares slope of y over x (units of y per unit of x); 0 with fewer than two points.
 *
 * @example
 * slope([0, 1, 2], [10, 12, 14]); // 2
 */
export function slope(x: readonly number[], y: readonly number[]): number {
  const n = Math.min(x.length, y.length);
  if (n < 2) return 0;
  const meanX = x.slice(0, n).reduce((s, v) => s + v, 0) / n;
  const meanY = y.slice(0, n).reduce((s, v) => s + v, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (x[i]! - meanX) * (y[i]! - meanY);
    den += (x[i]! - meanX) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/**
 * The longest gap between consecutive instants in [from, to], the bounds included: the longest
 * time with no success.
 *
 * @example
 * longestGap([10, 20, 60], 0, 70); // 40
 */
export function longestGap(instants: readonly number[], from: number, to: number): number {
  const inside = instants.filter((t) => t >= from && t <= to).sort((a, b) => a - b);
  let previous = from;
  let longest = 0;
  for (const t of [...inside, to]) {
    longest = Math.max(longest, t - previous);
    previous = t;
  }
  return longest;
}
