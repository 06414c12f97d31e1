/**
 * Entry point of one contender's process (forked by `contender-runner.ts`). For each fault run
 * it creates a new instance of the contender, runs the shared workload against it, streams
 * what the caller saw, and shuts the instance down within a bound. The process is kept for
 * the next run only when that shutdown was clean; otherwise the orchestrator replaces it.
 *
 * An error the library raises outside any statement (an 'error' event nobody listens to, an
 * unhandled rejection) would crash an application; here it is recorded as an error of kind
 * `uncaught …` and the run goes on, so the contender is still measured.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { redact } from '../../src/errors/redact.js';
import type { ContenderAdapter } from './adapter.js';
import { CONTENDERS } from './contenders.js';
import { errorKind } from './error-kind.js';
import type { FromContender, ToContender } from './protocol.js';
import type { EndOutcome } from './results.js';
import { type OpRecord, Workload } from './workload.js';

const FLUSH_EVERY_MS = 250;
const SAMPLE_CHARS = 400;

let adapter: ContenderAdapter | undefined;
let workload: Workload | undefined;
let secrets: string[] = [];
let pending: OpRecord[] = [];
let flushTimer: NodeJS.Timeout | undefined;
const samples = new Map<string, string>();

function send(message: FromContender): void {
  process.send?.(message);
}

function kindOf(error: unknown): string {
  const kind = errorKind(error);
  if (!samples.has(kind)) {
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    samples.set(kind, redact(text, secrets).slice(0, SAMPLE_CHARS));
  }
  return kind;
}

function flush(): void {
  if (pending.length === 0) return;
  send({ type: 'records', records: pending });
  pending = [];
}

function onStray(error: unknown): void {
  const base = kindOf(error);
  const kind = `uncaught ${base}`;
  const at = workload?.now() ?? 0;
  pending.push({ op: 'process', opId: 0, startMs: at, endMs: at, outcome: 'error', kind });
  if (!samples.has(kind)) samples.set(kind, samples.get(base) ?? '');
}

async function prepare(message: Extract<ToContender, { type: 'prepare' }>): Promise<void> {
  const spec = CONTENDERS.find((c) => c.id === message.contender);
  if (!spec) throw new Error(`unknown contender ${message.contender}`);
  secrets = [message.target.password];
  pending = [];
  samples.clear();
  adapter = await spec.create(message.target);
  workload = new Workload(adapter, message.plan, (record) => pending.push(record), kindOf);
}

async function stop(message: Extract<ToContender, { type: 'stop' }>): Promise<void> {
  const hangs = (await workload?.stop(message.graceMs)) ?? [];
  clearInterval(flushTimer);
  let end: EndOutcome = 'clean';
  if (adapter) {
    const ended = adapter.end().then(
      () => 'clean' as const,
      () => 'error' as const,
    );
    end = await Promise.race([ended, sleep(message.endTimeoutMs, 'hung' as const)]);
  }
  send({
    type: 'done',
    records: [...pending, ...hangs],
    end,
    samples: Object.fromEntries(samples),
  });
  pending = [];
  adapter = undefined;
  workload = undefined;
}

process.on('uncaughtException', onStray);
process.on('unhandledRejection', onStray);
// Orphaned (the orchestrator died or gave up): nobody is listening any more.
process.on('disconnect', () => process.exit(0));
process.on('message', (message: ToContender) => {
  if (message.type === 'exit') process.exit(0);
  if (message.type === 'prepare') {
    prepare(message).then(
      () => send({ type: 'ready' }),
      (error: unknown) => send({ type: 'failed', message: redact(String(error), secrets) }),
    );
  } else if (message.type === 'go') {
    const origin = message.startAtEpochMs - performance.timeOrigin;
    workload?.start(origin);
    flushTimer = setInterval(flush, FLUSH_EVERY_MS);
  } else if (message.type === 'stop') {
    void stop(message);
  }
});
send({ type: 'hello' });
