/**
 * Requests from the orchestrator to a client process and what each answers. A client process
 * runs one contender's pool on the client core; requests are answered in order, by `id`.
 * Instants are {@link monoMs} values, comparable across processes.
 */
import type { ContenderId, Target } from './contenders.js';
import type { WorkloadId } from './workloads.js';

export type ClientRequest =
  | {
      readonly op: 'open';
      readonly contender: ContenderId;
      readonly target: Target;
      readonly size: number;
    }
  | { readonly op: 'close' }
  /** Opens `connections` connections by running that many short sleeps at once. */
  | { readonly op: 'warm'; readonly connections: number }
  | {
      readonly op: 'throughput';
      readonly workload: WorkloadId;
      readonly concurrency: number;
      readonly durationMs: number;
    }
  /** Starts paced workers (one statement each per `periodMs`, no catch-up); answers at once. */
  | {
      readonly op: 'steady-start';
      readonly workload: WorkloadId;
      readonly workers: number;
      readonly periodMs: number;
      /** Bound on the whole steady run. */
      readonly boundMs: number;
      /** False for long runs: only counts come back, not every instant. */
      readonly keepInstants: boolean;
    }
  | { readonly op: 'steady-stop'; readonly graceMs: number }
  /** `callers` statements at once; answers when all settled or at `boundMs`. */
  | {
      readonly op: 'burst';
      readonly workload: WorkloadId;
      readonly callers: number;
      readonly boundMs: number;
    }
  /** Borrows the pool's connections until `release`, then starts `callers` statements that must wait. */
  | { readonly op: 'hold-and-queue'; readonly holds: number; readonly callers: number }
  | { readonly op: 'release'; readonly boundMs: number }
  /** Heap figures after two forced collections. */
  | { readonly op: 'heap' }
  | { readonly op: 'exit' };

/** Answer to `throughput`. */
export interface ThroughputSample {
  readonly ops: number;
  readonly errors: number;
  readonly opsPerSec: number;
  readonly p50Us: number;
  readonly p99Us: number;
}

/** What callers saw during a steady run or a burst. */
export interface CallerRecords {
  /** Instants of successful answers. */
  readonly okAt: readonly number[];
  /** Instants of errors. */
  readonly errorAt: readonly number[];
  /** Error kind → count. */
  readonly errorKinds: Readonly<Record<string, number>>;
  /** Statements neither answered nor failed by the end. */
  readonly unsettled: number;
  /** Errors the pool raised outside any statement (the mariadb pool's `error` event). */
  readonly poolErrors: number;
  /** Answers and errors counted, also when the instants were not kept. */
  readonly okCount: number;
  readonly errorCount: number;
}

/** Answer to `heap`. */
export interface HeapSample {
  readonly heapUsed: number;
  readonly external: number;
  readonly rss: number;
}

export type ClientResponse =
  | { readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly id: number; readonly ok: false; readonly error: string };
