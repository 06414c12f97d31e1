/**
 * Entry point of a client process (started by `client.ts`, pinned to the client core where the
 * machine allows). It runs one contender's pool and answers the orchestrator's requests
 * (`client-protocol.ts`). Each contender has its own process, so one pool's garbage, timers and
 * sockets never share an event loop or a heap with another's.
 *
 * Started with `--expose-gc` for the heap figures.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { redact } from '../../src/errors/redact.js';
import { errorKind } from '../faults/error-kind.js';
import type {
  CallerRecords,
  ClientRequest,
  ClientResponse,
  HeapSample,
  ThroughputSample,
} from './client-protocol.js';
import { type BenchPool, type ContenderId, createBenchPool } from './contenders.js';
import { monoMs } from './mono-clock.js';
import { quantile } from './stats.js';
import { WORKLOADS, type WorkloadId } from './workloads.js';

/** Bound on statements per worker in any one request, whatever the duration. */
const MAX_STATEMENTS_PER_WORKER = 2_000_000;

let pool: BenchPool | undefined;
let contender: ContenderId = 'goneaway';
let secrets: string[] = [];
let poolErrors = 0;

/** What callers saw, collected as they settle. */
class Recorder {
  readonly okAt: number[] = [];
  readonly errorAt: number[] = [];
  readonly errorKinds: Record<string, number> = {};
  inFlight = 0;
  okCount = 0;
  errorCount = 0;

  constructor(readonly keepInstants = true) {}

  async run(statement: () => Promise<unknown>): Promise<void> {
    this.inFlight++;
    try {
      await statement();
      this.okCount++;
      if (this.keepInstants) this.okAt.push(monoMs());
    } catch (error) {
      this.errorCount++;
      if (this.keepInstants) this.errorAt.push(monoMs());
      const kind = errorKind(error);
      this.errorKinds[kind] = (this.errorKinds[kind] ?? 0) + 1;
    } finally {
      this.inFlight--;
    }
  }

  records(): CallerRecords {
    return {
      okAt: this.okAt,
      errorAt: this.errorAt,
      errorKinds: this.errorKinds,
      unsettled: this.inFlight,
      poolErrors,
      okCount: this.okCount,
      errorCount: this.errorCount,
    };
  }
}

let steady: { recorder: Recorder; stop: boolean; workers: Promise<void>[] } | undefined;
let queued: { recorder: Recorder; releases: (() => void)[]; pending: Promise<void>[] } | undefined;

function needPool(): BenchPool {
  if (!pool) throw new Error('no pool: send open first');
  return pool;
}

function statementOf(workload: WorkloadId, i: number): () => Promise<unknown> {
  const spec = WORKLOADS[workload];
  const sql = spec.sql(contender);
  const values = spec.values(i);
  const target = needPool();
  return () => target.query(sql, values);
}

async function throughput(
  workload: WorkloadId,
  concurrency: number,
  durationMs: number,
): Promise<ThroughputSample> {
  const target = needPool();
  const spec = WORKLOADS[workload];
  const sql = spec.sql(contender);
  const latencies: number[] = [];
  let errors = 0;
  const stopAt = monoMs() + durationMs;
  const worker = async (w: number): Promise<void> => {
    for (let i = 0; i < MAX_STATEMENTS_PER_WORKER && monoMs() < stopAt; i++) {
      const values = spec.values(w * MAX_STATEMENTS_PER_WORKER + i);
      const started = monoMs();
      try {
        await target.query(sql, values);
        latencies.push(monoMs() - started);
      } catch {
        errors++;
      }
    }
  };
  const started = monoMs();
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  const elapsed = monoMs() - started;
  return {
    ops: latencies.length,
    errors,
    opsPerSec: (latencies.length / elapsed) * 1000,
    p50Us: quantile(latencies, 0.5) * 1000,
    p99Us: quantile(latencies, 0.99) * 1000,
  };
}

function steadyStart(request: Extract<ClientRequest, { op: 'steady-start' }>): void {
  const { workload, workers, periodMs, boundMs } = request;
  const recorder = new Recorder(request.keepInstants);
  const state = { recorder, stop: false, workers: [] as Promise<void>[] };
  const boundAt = monoMs() + boundMs;
  const worker = async (w: number): Promise<void> => {
    let next = monoMs();
    for (let i = 0; i < MAX_STATEMENTS_PER_WORKER && !state.stop && monoMs() < boundAt; i++) {
      await recorder.run(statementOf(workload, w * MAX_STATEMENTS_PER_WORKER + i));
      // A fixed period without catch-up: a stalled pool is measured, not the pile behind it.
      next += periodMs;
      const waitMs = next - monoMs();
      if (waitMs > 0) await sleep(waitMs);
      else next = monoMs();
    }
  };
  state.workers = Array.from({ length: workers }, (_, w) => worker(w));
  steady = state;
}

async function steadyStop(graceMs: number): Promise<CallerRecords> {
  const state = steady;
  if (!state) throw new Error('no steady run');
  state.stop = true;
  await Promise.race([Promise.all(state.workers), sleep(graceMs)]);
  steady = undefined;
  return state.recorder.records();
}

async function burst(workload: WorkloadId, callers: number, boundMs: number) {
  const recorder = new Recorder();
  const all = Array.from({ length: callers }, (_, i) => recorder.run(statementOf(workload, i)));
  await Promise.race([Promise.all(all), sleep(boundMs)]);
  return recorder.records();
}

async function holdAndQueue(holds: number, callers: number): Promise<void> {
  const target = needPool();
  const releases = await Promise.all(Array.from({ length: holds }, () => target.hold()));
  const recorder = new Recorder();
  const pending = Array.from({ length: callers }, () =>
    recorder.run(() => target.query('SELECT 1', [])),
  );
  queued = { recorder, releases, pending };
  // Let every caller reach the pool's queue before the heap is read.
  await sleep(50);
}

async function release(boundMs: number): Promise<CallerRecords> {
  const state = queued;
  if (!state) throw new Error('nothing held');
  for (const release of state.releases) release();
  await Promise.race([Promise.all(state.pending), sleep(boundMs)]);
  queued = undefined;
  return state.recorder.records();
}

async function heap(): Promise<HeapSample> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('heap figures need node --expose-gc');
  // Twice, with a turn between: weak callbacks and finalizers free more on the second pass.
  gc();
  await sleep(20);
  gc();
  const usage = process.memoryUsage();
  return { heapUsed: usage.heapUsed, external: usage.external, rss: usage.rss };
}

async function handle(request: ClientRequest): Promise<unknown> {
  switch (request.op) {
    case 'open':
      await pool?.end();
      contender = request.contender;
      secrets = [request.target.password];
      poolErrors = 0;
      pool = await createBenchPool(contender, request.target, { size: request.size }, () => {
        poolErrors++;
      });
      return null;
    case 'close': {
      const closing = pool;
      pool = undefined;
      await Promise.race([closing?.end(), sleep(5_000)]);
      return null;
    }
    case 'warm': {
      const target = needPool();
      await Promise.all(
        Array.from({ length: request.connections }, () => target.query('SELECT SLEEP(0.05)', [])),
      );
      return null;
    }
    case 'throughput':
      return throughput(request.workload, request.concurrency, request.durationMs);
    case 'steady-start':
      steadyStart(request);
      return null;
    case 'steady-stop':
      return steadyStop(request.graceMs);
    case 'burst':
      return burst(request.workload, request.callers, request.boundMs);
    case 'hold-and-queue':
      await holdAndQueue(request.holds, request.callers);
      return null;
    case 'release':
      return release(request.boundMs);
    case 'heap':
      return heap();
    case 'exit':
      process.exit(0);
  }
}

function reply(response: ClientResponse): void {
  process.send?.(response);
}

// A pool error outside any statement would crash an application; here it is counted.
process.on('unhandledRejection', () => {
  poolErrors++;
});
process.on('uncaughtException', () => {
  poolErrors++;
});
process.on('disconnect', () => process.exit(0));
process.on('message', (message: { id: number; request: ClientRequest }) => {
  handle(message.request).then(
    (result) => reply({ id: message.id, ok: true, result }),
    (error: unknown) =>
      reply({ id: message.id, ok: false, error: redact(String(error), secrets).slice(0, 500) }),
  );
});
reply({ id: 0, ok: true, result: 'ready' });
