/**
 * The one workload that drives every contender: a few workers, each issuing one statement
 * every `periodMs` (no catch-up burst after a slow one), alternating an insert with a unique
 * id and a point read of a seeded row. Open-loop pacing would pile up requests on a stalled
 * library and measure the pile; closed-loop with a fixed period measures the library.
 *
 * Every loop is bounded by count and by time. A statement that never settles keeps its worker
 * waiting, as it would keep a request waiting: the runner reports it as a hang at the end.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ContenderAdapter } from './adapter.js';

/** What the workload does, identical for every contender. */
export interface WorkloadPlan {
  readonly table: string;
  readonly workers: number;
  readonly periodMs: number;
  /** Rows `op_id = 1..seedRows` exist before the run; reads pick one of them. */
  readonly seedRows: number;
  /** Planned idle time, in ms since the start (the idle fault): no statement starts in it. */
  readonly pause: { readonly startMs: number; readonly endMs: number } | null;
  /** Hard bound on the run, in case the stop message never comes. */
  readonly maxDurationMs: number;
}

/** One statement as the caller saw it; times in ms since the workload started. */
export interface OpRecord {
  /** `'process'`: an error the library raised outside any statement (uncaught, unhandled). */
  readonly op: 'read' | 'insert' | 'process';
  readonly opId: number;
  readonly startMs: number;
  readonly endMs: number;
  readonly outcome: 'ok' | 'error' | 'hang';
  readonly kind?: string;
}

/** First insert id of worker `w`; reads use ids 1..seedRows, far below. */
export const INSERT_ID_BASE = 1_000_000;
const IDS_PER_WORKER = 100_000;

/** SQL of the two statements, shared with the audit. */
export function workloadSql(table: string): { readonly insert: string; readonly read: string } {
  return {
    insert: `INSERT INTO \`${table}\` (op_id, worker, payload) VALUES (?, ?, ?)`,
    read: `SELECT op_id, payload FROM \`${table}\` WHERE op_id = ?`,
  };
}

/**
 * A running workload. `stop()` ends it: no new statement starts, in-flight ones get
 * `graceMs` to settle, and the rest are returned as hangs.
 *
 * @example
 * const run = new Workload(adapter, plan, (r) => records.push(r), errorKind);
 * run.start();
 * // ... later
 * const hangs = await run.stop(2_000);
 */
export class Workload {
  readonly #adapter: ContenderAdapter;
  readonly #plan: WorkloadPlan;
  readonly #emit: (record: OpRecord) => void;
  readonly #kindOf: (error: unknown) => string;
  readonly #inFlight = new Map<number, { op: 'read' | 'insert'; opId: number; startMs: number }>();
  /** Set once stop() has reported the hangs: a late answer is not reported again. */
  #closed = false;
  #origin = 0;
  #stopping = false;
  #workers: Promise<void>[] = [];
  #nextToken = 0;

  constructor(
    adapter: ContenderAdapter,
    plan: WorkloadPlan,
    emit: (record: OpRecord) => void,
    kindOf: (error: unknown) => string,
  ) {
    this.#adapter = adapter;
    this.#plan = plan;
    this.#emit = emit;
    this.#kindOf = kindOf;
  }

  /** Ms since the workload started. */
  now(): number {
    return performance.now() - this.#origin;
  }

  /** Starts the workers; `origin` is `performance.now()` of the run's time zero. */
  start(origin = performance.now()): void {
    this.#origin = origin;
    this.#workers = Array.from({ length: this.#plan.workers }, (_, w) => this.#worker(w));
  }

  /** Stops starting statements; resolves with the ones still unanswered after `graceMs`. */
  async stop(graceMs: number): Promise<OpRecord[]> {
    this.#stopping = true;
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    await Promise.race([Promise.all(this.#workers), graceOver]);
    clearTimeout(timer);
    this.#closed = true;
    const endMs = this.now();
    return [...this.#inFlight.values()].map((op) => ({ ...op, endMs, outcome: 'hang' }));
  }

  async #worker(w: number): Promise<void> {
    const { periodMs, maxDurationMs, pause } = this.#plan;
    const maxOps = Math.ceil(maxDurationMs / periodMs) + 1;
    // Stagger workers across one period so they do not fire in lockstep.
    let nextAt = (w * periodMs) / this.#plan.workers;
    for (let i = 0; i < maxOps && !this.#stopping && this.now() < maxDurationMs; i++) {
      if (pause && nextAt >= pause.startMs && nextAt < pause.endMs) nextAt = pause.endMs;
      const wait = nextAt - this.now();
      if (wait > 0) await sleep(wait);
      if (this.#stopping) break;
      await this.#one(w, i);
      nextAt = Math.max(nextAt + periodMs, this.now());
    }
  }

  async #one(w: number, i: number): Promise<void> {
    const sql = workloadSql(this.#plan.table);
    // Half the workers insert while the other half read, so a fault always meets both.
    const insert = (i + w) % 2 === 0;
    const op = insert ? 'insert' : 'read';
    const opId = insert
      ? INSERT_ID_BASE + w * IDS_PER_WORKER + i
      : 1 + ((w * 7919 + i) % this.#plan.seedRows);
    const values = insert ? [opId, w, `w${w}-op${i}`] : [opId];
    const token = this.#nextToken++;
    const startMs = this.now();
    this.#inFlight.set(token, { op, opId, startMs });
    try {
      await this.#adapter.query(insert ? sql.insert : sql.read, values);
      if (!this.#closed) this.#emit({ op, opId, startMs, endMs: this.now(), outcome: 'ok' });
    } catch (error) {
      const kind = this.#kindOf(error);
      if (!this.#closed)
        this.#emit({ op, opId, startMs, endMs: this.now(), outcome: 'error', kind });
    } finally {
      this.#inFlight.delete(token);
    }
  }
}
