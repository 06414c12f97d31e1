/**
 * The hot path: throughput and latency of the three pools on the same statements, at several
 * concurrencies, in interleaved rounds. One round runs every contender once, back to back, in
 * an order that rotates from round to round (ABC, BCA, CAB, …), so no contender always runs
 * first or on a machine that just got busier; ratios are taken within a round, then summarised.
 */
import type { Client } from './client.js';
import type { ThroughputSample } from './client-protocol.js';
import { CONTENDER_IDS, type ContenderId, type Target } from './contenders.js';
import { int, ratioCell, table, verdictCell } from './markdown.js';
import { MAX_CONCLUSIVE_SPREAD, median, summariseRatios, type Verdict, verdict } from './stats.js';
import { WORKLOADS, type WorkloadId } from './workloads.js';

/** Same size for every pool: the mysql2 default is 10; 16 lets concurrency 16 run unqueued. */
export const HOT_PATH_POOL_SIZE = 16;

/** The goals for goneaway against each peer. */
const GOALS = {
  throughputVsMysql2: 1.0,
  throughputVsMariadb: 0.97,
  p99: 1.05,
} as const;

export interface HotPathOptions {
  readonly rounds: number;
  readonly durationMs: number;
  readonly warmMs: number;
  readonly workloads: readonly WorkloadId[];
  readonly concurrencies: readonly number[];
}

type Samples = Record<ContenderId, ThroughputSample[]>;

/** Runs the hot path and returns its markdown. */
export async function runHotPath(
  clients: Readonly<Record<ContenderId, Client>>,
  targets: Readonly<Record<ContenderId, Target>>,
  options: HotPathOptions,
  log: (line: string) => void,
): Promise<string> {
  const sampleBoundMs = options.durationMs + 30_000;
  for (const id of CONTENDER_IDS) {
    await clients[id].request(
      { op: 'open', contender: id, target: targets[id], size: HOT_PATH_POOL_SIZE },
      30_000,
    );
    await clients[id].request({ op: 'warm', connections: HOT_PATH_POOL_SIZE }, 30_000);
  }
  const cells: { workload: WorkloadId; concurrency: number; samples: Samples }[] = [];
  for (const workload of options.workloads) {
    for (const concurrency of options.concurrencies) {
      log(`hot path: ${WORKLOADS[workload].title} at concurrency ${concurrency}`);
      const samples: Samples = { mysql2: [], mariadb: [], goneaway: [] };
      const measure = (id: ContenderId, durationMs: number) =>
        clients[id].request<ThroughputSample>(
          { op: 'throughput', workload, concurrency, durationMs },
          sampleBoundMs,
        );
      for (const id of CONTENDER_IDS) await measure(id, options.warmMs);
      for (let round = 0; round < options.rounds; round++) {
        for (let k = 0; k < CONTENDER_IDS.length; k++) {
          const id = CONTENDER_IDS[(round + k) % CONTENDER_IDS.length]!;
          samples[id].push(await measure(id, options.durationMs));
        }
      }
      cells.push({ workload, concurrency, samples });
    }
  }
  for (const id of CONTENDER_IDS) await clients[id].request({ op: 'close' }, 30_000);
  return render(cells, options);
}

function render(
  cells: readonly { workload: WorkloadId; concurrency: number; samples: Samples }[],
  options: HotPathOptions,
): string {
  const throughputRows: string[][] = [];
  const latencyRows: string[][] = [];
  let comparisons = 0;
  let noisy = 0;
  let errors = 0;
  const count = (v: Verdict): Verdict => {
    comparisons++;
    if (v === 'too noisy') noisy++;
    return v;
  };
  for (const { workload, concurrency, samples } of cells) {
    const of = (id: ContenderId, key: keyof ThroughputSample) => samples[id].map((s) => s[key]);
    for (const id of CONTENDER_IDS) errors += of(id, 'errors').reduce((a, b) => a + b, 0);
    const label = [WORKLOADS[workload].title, String(concurrency)];
    const vsMysql2 = summariseRatios(of('goneaway', 'opsPerSec'), of('mysql2', 'opsPerSec'));
    const vsMariadb = summariseRatios(of('goneaway', 'opsPerSec'), of('mariadb', 'opsPerSec'));
    throughputRows.push([
      ...label,
      ...CONTENDER_IDS.map((id) => int(median(of(id, 'opsPerSec')))),
      ratioCell(vsMysql2),
      verdictCell(count(verdict(vsMysql2, GOALS.throughputVsMysql2, true))),
      ratioCell(vsMariadb),
      verdictCell(count(verdict(vsMariadb, GOALS.throughputVsMariadb, true))),
    ]);
    const p99VsMysql2 = summariseRatios(of('goneaway', 'p99Us'), of('mysql2', 'p99Us'));
    const p99VsMariadb = summariseRatios(of('goneaway', 'p99Us'), of('mariadb', 'p99Us'));
    latencyRows.push([
      ...label,
      ...CONTENDER_IDS.map(
        (id) => `${int(median(of(id, 'p50Us')))} / ${int(median(of(id, 'p99Us')))}`,
      ),
      ratioCell(p99VsMysql2),
      verdictCell(count(verdict(p99VsMysql2, GOALS.p99, false))),
      ratioCell(p99VsMariadb),
      verdictCell(count(verdict(p99VsMariadb, GOALS.p99, false))),
    ]);
  }
  const head = ['workload', 'conc'];
  const out = [
    `### Hot path: ${options.rounds} interleaved rounds of ${options.durationMs} ms per cell, pool size ${HOT_PATH_POOL_SIZE}`,
    '',
    'Throughput (statements/s, median of the rounds). Ratios are goneaway ÷ peer within each round: median (interquartile range).',
    '',
    table(
      [
        ...head,
        'mysql2',
        'mariadb',
        'goneaway',
        'goneaway ÷ mysql2',
        `goal ≥ ${GOALS.throughputVsMysql2.toFixed(2)}`,
        'goneaway ÷ mariadb',
        `goal ≥ ${GOALS.throughputVsMariadb.toFixed(2)}`,
      ],
      throughputRows,
    ),
    '',
    'Latency p50 / p99 (µs, median of the rounds); p99 ratios goneaway ÷ peer within each round.',
    '',
    table(
      [
        ...head,
        'mysql2',
        'mariadb',
        'goneaway',
        'p99 ÷ mysql2',
        `goal ≤ ${GOALS.p99.toFixed(2)}`,
        'p99 ÷ mariadb',
        `goal ≤ ${GOALS.p99.toFixed(2)}`,
      ],
      latencyRows,
    ),
    '',
    `"meets" / "misses": the whole interquartile range of the round-by-round ratio is on that side of the goal; ` +
      `"can't tell": it straddles the goal; "too noisy": the interquartile range is wider than ${MAX_CONCLUSIVE_SPREAD * 100} % of the median, so these rounds do not allow a conclusion.`,
    noisy > 0
      ? `**${noisy} of ${comparisons} comparisons were too noisy to conclude**: the machine moved too much between rounds; rerun when it is quiet, or with more rounds.`
      : `All ${comparisons} comparisons had a spread narrow enough to read.`,
    errors > 0 ? `**${errors} statements failed during the hot path** (none should).` : '',
  ];
  return out.filter((line, i, all) => line !== '' || all[i - 1] !== '').join('\n');
}
