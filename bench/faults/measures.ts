/**
 * The measures of one contender under one fault, computed from what the caller saw (one record
 * per statement). Pure: no clock, no I/O, so the numbers in the report follow from the
 * records alone.
 *
 * - **Longest stall**: the longest time with no successful statement, from the first success
 *   to the end of the run, not counting planned idle time (the idle fault's pause).
 * - **First success after the fault**: from the end of the fault window to the first
 *   statement that succeeded after it.
 * - **Throughput** (successes per second): before = from 1 s after the start (connections are
 *   open by then) to the fault; during = the fault's `during` span; after = the last 4 s.
 */
import type { ContenderFaultResult, Span } from './results.js';
import type { OpRecord } from './workload.js';

/** The parts of a fault run the measures depend on. */
export interface MeasureFrame {
  readonly window: Span;
  readonly pause: Span | null;
  readonly during: Span;
  readonly runEndMs: number;
  readonly bucketMs: number;
}

/** Skipped at the start of "before": the contenders are still opening connections. */
export const WARM_UP_MS = 1_000;
/** Length of the "after" span, at the end of the run. */
export const AFTER_SPAN_MS = 4_000;

type Measures = Pick<
  ContenderFaultResult,
  | 'ok'
  | 'errorsByKind'
  | 'errors'
  | 'hangs'
  | 'longestStallMs'
  | 'firstSuccessAfterMs'
  | 'throughput'
  | 'timeline'
>;

/**
 * @example
 * const m = computeMeasures(records, {
 *   window: { startMs: 5_000, endMs: 5_050 }, pause: null, during: { startMs: 5_000, endMs: 7_000 },
 *   runEndMs: 13_000, bucketMs: 250,
 * });
 * m.longestStallMs; // e.g. 812
 */
export function computeMeasures(records: readonly OpRecord[], frame: MeasureFrame): Measures {
  const successes = records
    .filter((r) => r.outcome === 'ok')
    .map((r) => r.endMs)
    .sort((a, b) => a - b);
  const errorsByKind: Record<string, number> = {};
  let errors = 0;
  let hangs = 0;
  for (const record of records) {
    if (record.outcome === 'hang') hangs++;
    if (record.outcome !== 'error') continue;
    errors++;
    const kind = record.kind ?? 'unknown';
    errorsByKind[kind] = (errorsByKind[kind] ?? 0) + 1;
  }
  const firstAfter = successes.find((t) => t >= frame.window.endMs);
  return {
    ok: successes.length,
    errorsByKind,
    errors,
    hangs,
    longestStallMs: round(longestStall(successes, frame)),
    firstSuccessAfterMs: firstAfter === undefined ? null : round(firstAfter - frame.window.endMs),
    throughput: {
      before: rate(successes, { startMs: WARM_UP_MS, endMs: frame.window.startMs }),
      during: rate(successes, frame.during),
      after: rate(successes, {
        startMs: Math.max(frame.during.endMs, frame.runEndMs - AFTER_SPAN_MS),
        endMs: frame.runEndMs,
      }),
    },
    timeline: timeline(records, frame),
  };
}

function longestStall(successes: readonly number[], frame: MeasureFrame): number {
  if (successes.length === 0) return frame.runEndMs - (frame.pause ? spanLength(frame.pause) : 0);
  let longest = 0;
  const points = [...successes, frame.runEndMs];
  for (let i = 1; i < points.length; i++) {
    const gap = { startMs: points[i - 1]!, endMs: points[i]! };
    const planned = frame.pause ? overlap(gap, frame.pause) : 0;
    longest = Math.max(longest, spanLength(gap) - planned);
  }
  return longest;
}

function rate(successes: readonly number[], span: Span): number {
  const seconds = spanLength(span) / 1_000;
  if (seconds <= 0) return 0;
  const count = successes.filter((t) => t >= span.startMs && t < span.endMs).length;
  return Math.round((count / seconds) * 10) / 10;
}

function timeline(records: readonly OpRecord[], frame: MeasureFrame): Measures['timeline'] {
  // Whole buckets only: a last, partly filled bucket would draw a dip that did not happen.
  const buckets = Math.max(1, Math.floor(frame.runEndMs / frame.bucketMs));
  const ok = new Array<number>(buckets).fill(0);
  const errors = new Array<number>(buckets).fill(0);
  for (const record of records) {
    if (record.outcome === 'hang') continue;
    const index = Math.floor(record.endMs / frame.bucketMs);
    if (index < 0 || index >= buckets) continue;
    if (record.outcome === 'ok') ok[index]!++;
    else errors[index]!++;
  }
  return { ok, errors };
}

function overlap(a: Span, b: Span): number {
  return Math.max(0, Math.min(a.endMs, b.endMs) - Math.max(a.startMs, b.startMs));
}

function spanLength(span: Span): number {
  return Math.max(0, span.endMs - span.startMs);
}

function round(ms: number): number {
  return Math.round(ms);
}
