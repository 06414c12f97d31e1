/**
 * `npm run bench`: goneaway's pool beside the raw mysql2 pool and the `mariadb` connector's
 * pool, same server, same run, on loopback. Prints markdown: the hot path (throughput and
 * latency in interleaved rounds, with ratios, their spread and a verdict that says when the
 * rounds do not allow one), recovery from a restart, from 200 callers waiting across a restart
 * and from a full server, heap per idle connection and per waiting caller, and on request a
 * sustained run. Nothing here is a test: timings are printed, never asserted. See
 * docs/benchmark.md.
 *
 * Honest on a small shared machine: the server and the clients are pinned to different cores
 * where the machine allows, each pool runs in its own process, and the load average is printed
 * at the start and the end.
 */
import { parseArgs } from 'node:util';
import { startBenchServer } from './pool/bench-server.js';
import { Client } from './pool/client.js';
import { CONTENDER_IDS, CONTENDER_SETTINGS, type ContenderId } from './pool/contenders.js';
import { runHotPath } from './pool/hot-path.js';
import { loadLine, machineLine, pinOrchestrator, serverAffinity } from './pool/machine.js';
import { runMemory, runSustained } from './pool/memory.js';
import { monoMs } from './pool/mono-clock.js';
import { runRecovery } from './pool/recovery.js';
import { WORKLOAD_IDS, type WorkloadId } from './pool/workloads.js';

const SECTIONS = ['hot-path', 'recovery', 'memory'] as const;
type Section = (typeof SECTIONS)[number];

const USAGE = `usage: npm run bench -- [options]   (see docs/benchmark.md)
  --quick                  a short run (~2 min): 3 rounds of 300 ms, 1 repetition
  --rounds N               hot-path rounds per cell (default 7)
  --duration-ms N          length of one hot-path sample (default 1000)
  --repetitions N          repetitions of each recovery scenario and memory figure (default 3)
  --down-ms N              how long the server stays down in the restart scenarios (default 2000)
  --only a,b               only these sections: ${SECTIONS.join(', ')}
  --workloads a,b          hot-path workloads: ${WORKLOAD_IDS.join(', ')}
  --concurrency a,b        hot-path concurrencies (default 1,16,64)
  --sustained-minutes N    also a sustained run of N minutes (default 0: none)
  --no-pin                 do not pin the server and the clients to cores
`;

/** Whole-run bound beyond the sustained minutes. */
const BOUND_MS = 40 * 60_000;

const log = (line: string): void => {
  process.stderr.write(`bench ${line}\n`);
};

function list<T extends string>(value: string | undefined, known: readonly T[], name: string): T[] {
  if (!value) return [...known];
  const wanted = value.split(',').map((s) => s.trim());
  const unknown = wanted.filter((w) => !known.includes(w as T));
  if (unknown.length > 0)
    throw new Error(`unknown ${name} ${unknown.join(', ')}; known: ${known.join(', ')}`);
  return wanted as T[];
}

function positive(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} ${value}: expected a number ≥ 0`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      rounds: { type: 'string' },
      'duration-ms': { type: 'string' },
      repetitions: { type: 'string' },
      'down-ms': { type: 'string' },
      only: { type: 'string' },
      workloads: { type: 'string' },
      concurrency: { type: 'string' },
      'sustained-minutes': { type: 'string' },
      'no-pin': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const quick = values.quick ?? false;
  const sections = list<Section>(values.only, SECTIONS, 'section');
  const rounds = positive(values.rounds, quick ? 3 : 7, 'rounds');
  const durationMs = positive(values['duration-ms'], quick ? 300 : 1_000, 'duration-ms');
  const repetitions = positive(values.repetitions, quick ? 1 : 3, 'repetitions');
  const downMs = positive(values['down-ms'], 2_000, 'down-ms');
  const sustainedMinutes = positive(values['sustained-minutes'], 0, 'sustained-minutes');
  const concurrencies = values.concurrency
    ? values.concurrency.split(',').map((c) => positive(c, 1, 'concurrency'))
    : [1, 16, 64];
  const workloads = list<WorkloadId>(values.workloads, WORKLOAD_IDS, 'workload');

  const bound = setTimeout(
    () => {
      log('gave up: the run exceeded its bound');
      process.exit(2);
    },
    BOUND_MS + sustainedMinutes * 60_000,
  );
  bound.unref();

  const started = monoMs();
  const placement = pinOrchestrator(!(values['no-pin'] ?? false));
  const loadAtStart = loadLine(0);
  log(placement.note);
  log('starting the server');
  const bench = await startBenchServer();
  const out: string[] = [];
  const clients = {} as Record<ContenderId, Client>;
  try {
    const argv = process.argv.slice(2).join(' ');
    out.push(
      '## goneaway pool benchmark',
      '',
      `- command: \`npm run bench${argv ? ` -- ${argv}` : ''}\``,
      `- date: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
      `- machine: ${machineLine()}`,
      `- server: MariaDB ${bench.server.version} on 127.0.0.1 (sandbox of the test kit); its cores: ${serverAffinity(bench.server.socketPath)}`,
      `- placement: ${placement.note}`,
      `- at start: ${loadAtStart}`,
      `- versions: mysql2 ${await versionOf('mysql2')}, mariadb ${await versionOf('mariadb')}, goneaway ${await versionOf('..')} (this checkout)`,
      ...CONTENDER_IDS.map((id) => `- ${id}: ${CONTENDER_SETTINGS[id]}`),
      '',
    );
    for (const id of CONTENDER_IDS)
      clients[id] = await Client.start({ core: placement.clientCore });
    if (sections.includes('hot-path')) {
      out.push(
        await runHotPath(
          clients,
          bench.targets,
          { rounds, durationMs, warmMs: Math.max(150, durationMs / 2), workloads, concurrencies },
          log,
        ),
        '',
      );
    }
    if (sections.includes('recovery')) {
      out.push(await runRecovery(clients, bench, { repetitions, downMs }, log), '');
    }
    for (const id of CONTENDER_IDS) await clients[id].stop();
    if (sections.includes('memory')) {
      out.push(await runMemory(bench, placement.clientCore, repetitions, log), '');
    }
    if (sustainedMinutes > 0) {
      out.push(await runSustained(bench, placement.clientCore, sustainedMinutes, log), '');
    }
    out.push(
      `- at end: ${loadLine(1)}`,
      `- wall time: ${((monoMs() - started) / 60_000).toFixed(1)} min`,
      '',
    );
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    for (const id of CONTENDER_IDS) await clients[id]?.stop();
    await bench.server.stop();
  }
}

async function versionOf(name: string): Promise<string> {
  const path = name === '..' ? '../package.json' : `../node_modules/${name}/package.json`;
  const { readFile } = await import('node:fs/promises');
  const json = JSON.parse(await readFile(new URL(path, import.meta.url), 'utf8')) as {
    version: string;
  };
  return json.version;
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
