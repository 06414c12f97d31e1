/**
 * One fault run: fresh tables and proxies, every contender started in its own process, the
 * workload for a fixed time, the fault injected at a fixed moment, everyone stopped at a
 * bound, then the audit and the measures.
 *
 * Timeline (ms since the workload started): 0–1 000 warm-up (connections open), fault at
 * {@link FAULT_AT_MS}, run ends {@link AFTER_FAULT_MS} after the fault window closes.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type FaultProxy, type Sandbox, startFaultProxy } from '../../src/testing/index.js';
import type { AdminSession } from './admin-session.js';
import { auditTable, tableDdl } from './audit.js';
import {
  type ContenderOutcome,
  type ContenderProcesses,
  ContenderRunner,
} from './contender-runner.js';
import type { ContenderSpec } from './contenders.js';
import { HANG_KIND } from './error-kind.js';
import type { FaultContext, FaultSpec } from './faults.js';
import { computeMeasures, type MeasureFrame } from './measures.js';
import type { AuditResult, ContenderFaultResult, FaultResult, Span } from './results.js';
import type { WorkloadPlan } from './workload.js';

export const FAULT_AT_MS = 5_000;
export const AFTER_FAULT_MS = 8_000;
/** "During" is at least this long, so an instant fault (a KILL, a RST) has a span to measure. */
const MIN_DURING_MS = 2_000;
const BUCKET_MS = 500;
const SEED_ROWS = 200;
export const WORKERS = 4;
export const PERIOD_MS = 100;
const READY_BOUND_MS = 60_000;
/** In-flight statements get this long to settle after the run; the rest are hangs. */
export const GRACE_MS = 2_000;
const END_TIMEOUT_MS = 3_000;
const INJECT_BOUND_MS = 60_000;

/** A contender with its MariaDB login for this benchmark. */
export interface ContenderLogin {
  readonly spec: ContenderSpec;
  readonly user: string;
  readonly password: string;
}

/** What a fault run needs from the benchmark. */
export interface RunEnvironment {
  readonly server: Sandbox;
  readonly admin: AdminSession;
  readonly contenders: readonly ContenderLogin[];
  readonly hog: { readonly user: string; readonly password: string };
  readonly processes: ContenderProcesses;
  readonly log: (line: string) => void;
}

/**
 * @example
 * const result = await runFault(FAULTS[0], 1, environment);
 * result.contenders.map((c) => [c.contender, c.errors]);
 */
export async function runFault(
  fault: FaultSpec,
  index: number,
  environment: RunEnvironment,
): Promise<FaultResult> {
  const { server, admin, contenders, log } = environment;
  const database = server.database;
  const tables = contenders.map((c) => `f${index}_${c.spec.id}`);
  await createTables(admin, database, tables);
  const proxies: FaultProxy[] = [];
  let undo: (() => Promise<void>) | undefined;
  let finished = false;
  try {
    const processes = await environment.processes.runners(contenders.map((c) => c.spec.id));
    const runners = contenders.map((c) => {
      const runner = processes.get(c.spec.id);
      if (runner instanceof ContenderRunner) return runner;
      log(`${c.spec.id}: ${runner?.message ?? 'no process'}`);
      return undefined;
    });
    for (const _ of contenders) {
      proxies.push(await startFaultProxy({ target: { host: server.host, port: server.port } }));
    }
    const context: FaultContext = {
      server,
      admin,
      proxies,
      tables,
      database,
      users: contenders.map((c) => c.user),
      hog: environment.hog,
    };
    undo = await fault.setup?.(context);

    const pause: Span | null = fault.pauseMs
      ? { startMs: FAULT_AT_MS, endMs: FAULT_AT_MS + fault.pauseMs }
      : null;
    const plan = (table: string): WorkloadPlan => ({
      table,
      workers: WORKERS,
      periodMs: PERIOD_MS,
      seedRows: SEED_ROWS,
      pause,
      maxDurationMs: 120_000,
    });
    await Promise.all(
      contenders.map(async (contender, i) => {
        const target = {
          host: '127.0.0.1',
          port: proxies[i]!.port,
          user: contender.user,
          password: contender.password,
          database,
        };
        const prepared = await runners[i]?.prepare(target, plan(tables[i]!), READY_BOUND_MS);
        if (prepared && !prepared.ok) {
          log(`${contender.spec.id}: could not start: ${prepared.reason}`);
        }
      }),
    );

    // Time zero a little ahead, so every process gets `go` before it.
    const zero = performance.now() + 300;
    for (const runner of runners) runner?.go(performance.timeOrigin + zero);
    const elapsed = (): number => performance.now() - zero;

    await sleep(FAULT_AT_MS - elapsed());
    const windowStart = elapsed();
    log(`${fault.id}: injecting`);
    const details = await Promise.race([
      fault.inject(context),
      sleep(INJECT_BOUND_MS).then(() => `injection did not finish within ${INJECT_BOUND_MS} ms`),
    ]);
    const window: Span = { startMs: round(windowStart), endMs: round(elapsed()) };
    log(`${fault.id}: ${details}`);

    await sleep(window.endMs + AFTER_FAULT_MS - elapsed());
    const runEndMs = round(elapsed());
    const outcomes = await Promise.all(
      runners.map(
        (runner) =>
          runner?.stop({
            graceMs: GRACE_MS,
            endTimeoutMs: END_TIMEOUT_MS,
            boundMs: GRACE_MS + END_TIMEOUT_MS + 5_000,
          }) ?? { records: [], end: 'not-started' as const, samples: {} },
      ),
    );
    await undo?.();
    undo = undefined;

    // The idle fault hits when the workload resumes; the others when injected.
    const hitMs = pause ? pause.endMs : window.startMs;
    const during: Span = {
      startMs: hitMs,
      endMs: Math.max(window.endMs, hitMs + MIN_DURING_MS),
    };
    const frame: MeasureFrame = { window, pause, during, runEndMs, bucketMs: BUCKET_MS };
    const results: ContenderFaultResult[] = [];
    for (const [i, contender] of contenders.entries()) {
      const outcome = outcomes[i]!;
      const audit = await auditTable(admin, database, tables[i]!, outcome.records);
      results.push(contenderResult(contender.spec.id, outcome, frame, audit));
    }
    finished = true;
    return {
      id: fault.id,
      title: fault.title,
      description: fault.description,
      window,
      pause,
      during,
      runEndMs,
      bucketMs: BUCKET_MS,
      details,
      contenders: results,
    };
  } finally {
    // A run cut short leaves its instances running: no process of it may serve another run.
    if (!finished) environment.processes.killAll();
    await undo?.().catch(() => {});
    await Promise.all(proxies.map((proxy) => proxy.close()));
  }
}

/** A fresh table per contender, seeded with the rows the reads look up. */
async function createTables(
  admin: AdminSession,
  database: string,
  tables: readonly string[],
): Promise<void> {
  for (const table of tables) {
    await admin.query(`DROP TABLE IF EXISTS \`${database}\`.\`${table}\``);
    await admin.query(tableDdl(database, table));
    await admin.query(
      `INSERT INTO \`${database}\`.\`${table}\` (op_id, worker, payload) ` +
        `SELECT seq, -1, CONCAT('seed-', seq) FROM \`${database}\`.seq_1_to_${SEED_ROWS}`,
    );
  }
}

function contenderResult(
  contender: string,
  outcome: ContenderOutcome,
  frame: MeasureFrame,
  audit: AuditResult,
): ContenderFaultResult {
  const measures = computeMeasures(outcome.records, frame);
  const samples = { ...outcome.samples };
  if (measures.hangs > 0) samples[HANG_KIND] = 'no answer and no error by the end of the run';
  return { contender, ...measures, audit, samples, end: outcome.end };
}

function round(ms: number): number {
  return Math.round(ms);
}
