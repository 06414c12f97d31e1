/**
 * The shape of a benchmark run as written to `results.json` and read by the report renderers.
 * Times inside one fault run are in ms since that run's start (the moment the workload began).
 * Bump {@link RESULTS_SCHEMA} when a field changes meaning, so an old file is refused, not
 * misread.
 */

/** Version of the JSON layout below. */
export const RESULTS_SCHEMA = 1;

/** A span of one fault run, in ms since the workload started. */
export interface Span {
  readonly startMs: number;
  readonly endMs: number;
}

/** What the data audit found in one contender's table after a run. */
export interface AuditResult {
  /** Inserts the library reported as successful. */
  readonly acknowledged: number;
  /** Acknowledged inserts whose row is not in the table: lost writes. */
  readonly missing: number;
  /** Ids present more than once: a write that ran twice (sum of the extra copies). */
  readonly duplicates: number;
  /** Inserts that failed or hung for the caller, yet are in the table (outcome was unknown). */
  readonly failedButPresent: number;
}

/** How the contender's own shutdown (`end()`, `destroy()`, ...) went after the run. */
export type EndOutcome = 'clean' | 'error' | 'hung' | 'process-killed' | 'not-started';

/** The measures of one contender under one fault. */
export interface ContenderFaultResult {
  readonly contender: string;
  /** Statements that succeeded, over the whole run. */
  readonly ok: number;
  /** Errors that reached the caller, by kind (see `error-kind.ts`); hangs are counted apart. */
  readonly errorsByKind: Readonly<Record<string, number>>;
  readonly errors: number;
  /** Statements still unanswered when the run ended plus its grace period. */
  readonly hangs: number;
  /** Longest time with no successful statement, planned idle time excluded. */
  readonly longestStallMs: number;
  /** From the end of the fault to the first success after it; null: none before the run ended. */
  readonly firstSuccessAfterMs: number | null;
  /** Successful statements per second before, during and after the fault. */
  readonly throughput: { readonly before: number; readonly during: number; readonly after: number };
  readonly audit: AuditResult;
  /** Per bucket of `bucketMs`: successes and errors that ended in it. */
  readonly timeline: { readonly ok: readonly number[]; readonly errors: readonly number[] };
  /** One example message per error kind, with secrets blanked and cut to a sane length. */
  readonly samples: Readonly<Record<string, string>>;
  readonly end: EndOutcome;
}

/** One fault, injected once while every contender ran the workload. */
export interface FaultResult {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  /** When the fault was in force (for the idle fault: the workload's pause). */
  readonly window: Span;
  /** Planned idle time of the workload (the idle fault's pause), excluded from stalls. */
  readonly pause: Span | null;
  /** The span whose throughput is reported as "during". */
  readonly during: Span;
  /** When the run stopped issuing statements. */
  readonly runEndMs: number;
  readonly bucketMs: number;
  /** What the injection did, e.g. how many sessions it killed. */
  readonly details: string;
  readonly contenders: readonly ContenderFaultResult[];
}

/** A contender as the report lists it: library, version and every setting passed to it. */
export interface ContenderInfo {
  readonly id: string;
  readonly label: string;
  readonly library: string;
  readonly version: string;
  /** `'production'` (the docs' recommended setup) or `'tuned'` (tuned for idle disconnects). */
  readonly variant: 'production' | 'tuned';
  readonly settings: Readonly<Record<string, unknown>>;
  /** Where the settings come from and what they mean. */
  readonly notes: string;
}

/** The whole run. */
export interface BenchResults {
  readonly schema: number;
  readonly startedAt: string;
  readonly elapsedMs: number;
  readonly machine: {
    readonly cpu: string;
    readonly cores: number;
    readonly memoryGiB: number;
    readonly os: string;
    readonly node: string;
    readonly network: string;
    /** 1-minute load average when the run started and ended: other work on the machine. */
    readonly loadAverage: { readonly atStart: number; readonly atEnd: number };
  };
  readonly server: {
    readonly version: string;
    readonly settings: Readonly<Record<string, string>>;
  };
  readonly workload: {
    readonly workers: number;
    readonly opsPerSecondPerWorker: number;
    readonly description: string;
  };
  readonly contenders: readonly ContenderInfo[];
  readonly faults: readonly FaultResult[];
  /** Versions of tools that made the report itself (the charting library). */
  readonly tools: Readonly<Record<string, string>>;
}
