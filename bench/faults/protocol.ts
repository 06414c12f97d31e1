/**
 * Messages between the orchestrator and a contender's process. Each contender runs in its own
 * process so that one that blocks its event loop, leaks handles or never shuts down can be
 * stopped at a bound (SIGKILL) without disturbing the others or the measurements.
 *
 * prepare → ready (or failed) → go → records… → stop → done, then again for the next fault
 * run, or exit.
 */
import type { Target } from './adapter.js';
import type { EndOutcome } from './results.js';
import type { OpRecord, WorkloadPlan } from './workload.js';

export type ToContender =
  | {
      readonly type: 'prepare';
      readonly contender: string;
      readonly target: Target;
      readonly plan: WorkloadPlan;
    }
  /** `startAtEpochMs` is `performance.timeOrigin + performance.now()` of time zero. */
  | { readonly type: 'go'; readonly startAtEpochMs: number }
  | { readonly type: 'stop'; readonly graceMs: number; readonly endTimeoutMs: number }
  | { readonly type: 'exit' };

export type FromContender =
  /** The process is listening (sent once, when it has loaded). */
  | { readonly type: 'hello' }
  | { readonly type: 'ready' }
  | { readonly type: 'failed'; readonly message: string }
  | { readonly type: 'records'; readonly records: readonly OpRecord[] }
  | {
      readonly type: 'done';
      readonly records: readonly OpRecord[];
      readonly end: EndOutcome;
      readonly samples: Readonly<Record<string, string>>;
    };
