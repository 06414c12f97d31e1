/**
 * The orchestrator's handle on one contender's process: fork, prepare, go, stop, collect.
 * Every wait has a bound; a process that does not answer in time is SIGKILLed and reported
 * as such, never waited on forever and never dropped from the results.
 *
 * A process serves several fault runs (starting ten TypeScript processes on two cores takes
 * many seconds), but only while each run ended cleanly: after a hang, a failed or hung
 * shutdown, or an error outside any statement it is no longer `reusable`, since whatever the
 * library left running could disturb the next run.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { redact } from '../../src/errors/redact.js';
import type { Target } from './adapter.js';
import type { FromContender, ToContender } from './protocol.js';
import type { EndOutcome } from './results.js';
import type { OpRecord, WorkloadPlan } from './workload.js';

const ENTRY = fileURLToPath(new URL('./contender-process.ts', import.meta.url));

/** What a finished run handed back. */
export interface ContenderOutcome {
  readonly records: readonly OpRecord[];
  readonly end: EndOutcome;
  readonly samples: Readonly<Record<string, string>>;
}

type Reply = FromContender | 'exit' | 'timeout';

/**
 * @example
 * const runner = await ContenderRunner.start('goneaway', log, 60_000);
 * await runner.prepare(target, plan, 30_000);
 * runner.go(startAtEpochMs);
 * // ... inject the fault ...
 * const outcome = await runner.stop({ graceMs: 2_000, endTimeoutMs: 3_000, boundMs: 10_000 });
 * if (!runner.reusable) runner.close();
 */
export class ContenderRunner {
  readonly contender: string;
  readonly #child: ChildProcess;
  readonly #waiters = new Set<(message: FromContender | 'exit') => void>();
  #records: OpRecord[] = [];
  #exited = false;
  #ready = false;
  #reusable = true;
  #secrets: readonly string[] = [];

  /** Forks the process and resolves once it is listening; rejects after `boundMs`. */
  static async start(
    contender: string,
    log: (line: string) => void,
    boundMs: number,
  ): Promise<ContenderRunner> {
    const runner = new ContenderRunner(contender, log);
    const hello = await runner.#next((m) => m === 'exit' || m.type === 'hello', boundMs);
    if (hello === 'exit' || hello === 'timeout') {
      runner.close();
      throw new Error(`${contender}: process did not start (${hello})`);
    }
    return runner;
  }

  private constructor(contender: string, log: (line: string) => void) {
    this.contender = contender;
    this.#child = fork(ENTRY, [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    // Libraries print warnings; keep them, tagged, on stderr (never on the table's stdout).
    for (const stream of [this.#child.stdout, this.#child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream }).on('line', (line) =>
        log(`[${contender}] ${redact(line, this.#secrets).slice(0, 300)}`),
      );
    }
    this.#child.on('message', (message: FromContender) => {
      if (message.type === 'records' || message.type === 'done') {
        this.#records.push(...message.records);
      }
      for (const waiter of [...this.#waiters]) waiter(message);
    });
    this.#child.on('exit', () => {
      this.#exited = true;
      this.#reusable = false;
      for (const waiter of [...this.#waiters]) waiter('exit');
    });
  }

  /** Whether this process may serve another run. */
  get reusable(): boolean {
    return this.#reusable && !this.#exited;
  }

  /** Creates a new instance of the contender; resolves with why not if it could not. */
  async prepare(
    target: Target,
    plan: WorkloadPlan,
    boundMs: number,
  ): Promise<{ ok: boolean; reason: string }> {
    this.#secrets = [target.password];
    this.#records = [];
    this.#ready = false;
    const reply = this.#next(
      (m) => m === 'exit' || m.type === 'ready' || m.type === 'failed',
      boundMs,
    );
    this.#send({ type: 'prepare', contender: this.contender, target, plan });
    const message = await reply;
    if (typeof message !== 'string' && message.type === 'ready') {
      this.#ready = true;
      return { ok: true, reason: '' };
    }
    this.#reusable = false;
    const reason =
      message === 'timeout'
        ? `not ready within ${boundMs} ms`
        : message === 'exit'
          ? 'process exited while starting'
          : message.type === 'failed'
            ? message.message
            : 'unexpected reply';
    return { ok: false, reason };
  }

  go(startAtEpochMs: number): void {
    if (this.#ready) this.#send({ type: 'go', startAtEpochMs });
  }

  /** Stops the workload and the instance; SIGKILLs the process if it does not report in time. */
  async stop(options: {
    readonly graceMs: number;
    readonly endTimeoutMs: number;
    readonly boundMs: number;
  }): Promise<ContenderOutcome> {
    if (!this.#ready) return { records: [], end: 'not-started', samples: {} };
    this.#ready = false;
    const reply = this.#next((m) => m === 'exit' || m.type === 'done', options.boundMs);
    this.#send({ type: 'stop', graceMs: options.graceMs, endTimeoutMs: options.endTimeoutMs });
    const message = await reply;
    const records = this.#records;
    this.#records = [];
    if (typeof message !== 'string' && message.type === 'done') {
      const clean =
        message.end === 'clean' && !records.some((r) => r.outcome === 'hang' || r.op === 'process');
      if (!clean) this.#reusable = false;
      return { records, end: message.end, samples: message.samples };
    }
    this.close();
    return { records, end: 'process-killed', samples: {} };
  }

  /** Asks the process to exit and SIGKILLs it shortly after if it has not. Idempotent. */
  close(): void {
    this.#reusable = false;
    if (this.#exited) return;
    this.#send({ type: 'exit' });
    setTimeout(() => {
      if (!this.#exited) this.#child.kill('SIGKILL');
    }, 500).unref();
  }

  /** SIGKILLs the process now (the orchestrator is leaving). */
  kill(): void {
    if (!this.#exited) this.#child.kill('SIGKILL');
  }

  #send(message: ToContender): void {
    if (!this.#exited && this.#child.connected) this.#child.send(message);
  }

  #next(match: (message: FromContender | 'exit') => boolean, boundMs: number): Promise<Reply> {
    if (this.#exited) return Promise.resolve('exit');
    return new Promise((resolve) => {
      const waiter = (message: FromContender | 'exit'): void => {
        if (!match(message)) return;
        clearTimeout(timer);
        this.#waiters.delete(waiter);
        resolve(message);
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        resolve('timeout');
      }, boundMs);
      this.#waiters.add(waiter);
    });
  }
}

/**
 * One process per contender, replaced when it is no longer reusable.
 *
 * @example
 * const processes = new ContenderProcesses(log);
 * const runners = await processes.runners(['mysql2', 'goneaway']);
 * processes.closeAll();
 */
export class ContenderProcesses {
  readonly #runners = new Map<string, ContenderRunner>();
  readonly #log: (line: string) => void;
  readonly #startBoundMs: number;

  constructor(log: (line: string) => void, startBoundMs = 120_000) {
    this.#log = log;
    this.#startBoundMs = startBoundMs;
  }

  /** A ready process for each contender, started (in parallel) where none is reusable. */
  async runners(ids: readonly string[]): Promise<Map<string, ContenderRunner | Error>> {
    const entries = await Promise.all(
      ids.map(async (id): Promise<[string, ContenderRunner | Error]> => {
        const current = this.#runners.get(id);
        if (current?.reusable) return [id, current];
        current?.close();
        this.#runners.delete(id);
        try {
          const runner = await ContenderRunner.start(id, this.#log, this.#startBoundMs);
          this.#runners.set(id, runner);
          return [id, runner];
        } catch (error) {
          return [id, error instanceof Error ? error : new Error(String(error))];
        }
      }),
    );
    return new Map(entries);
  }

  /** Asks every process to exit (SIGKILL shortly after if it does not). */
  closeAll(): void {
    for (const runner of this.#runners.values()) runner.close();
    this.#runners.clear();
  }

  /** SIGKILLs every process now. */
  killAll(): void {
    for (const runner of this.#runners.values()) runner.kill();
    this.#runners.clear();
  }
}
