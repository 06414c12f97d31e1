/**
 * Memory: what an idle connection and a waiting caller cost each pool's heap, and, as an
 * option, a sustained run that shows whether the heap grows.
 *
 * Each contender is measured in a fresh client process, after forced collections, by
 * difference: the heap with a pool of {@link LARGE} idle connections less that with
 * {@link SMALL}, divided by the difference in connections, so the pool's fixed cost and the
 * library's code drop out. The server's processlist confirms the connections were open.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { AdminSession } from '../faults/admin-session.js';
import type { BenchServer } from './bench-server.js';
import { Client } from './client.js';
import type { CallerRecords, HeapSample } from './client-protocol.js';
import { CONTENDER_IDS, type ContenderId } from './contenders.js';
import { bytes, int, table } from './markdown.js';
import { monoMs } from './mono-clock.js';
import { median, slope } from './stats.js';

const SMALL = 10;
const LARGE = 50;
const WAITING = 1_000;
const BOUND_MS = 60_000;

interface MemoryRun {
  readonly perConnectionHeap: number;
  readonly perConnectionExternal: number;
  readonly openSeen: number;
  readonly perWaiterHeap: number;
  readonly waitersAnswered: number;
}

async function openConnections(server: BenchServer['server'], user: string): Promise<number> {
  const rows = await server.admin<Record<string, unknown>[]>(
    'SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE USER = ?',
    [user],
  );
  return Number(rows[0]?.n ?? 0);
}

async function measureOnce(
  client: Client,
  id: ContenderId,
  bench: BenchServer,
): Promise<MemoryRun> {
  const target = bench.targets[id];
  const heap = () => client.request<HeapSample>({ op: 'heap' }, BOUND_MS);
  const withPool = async (
    size: number,
  ): Promise<{ open: HeapSample; closed: HeapSample; seen: number }> => {
    await client.request({ op: 'open', contender: id, target, size }, BOUND_MS);
    await client.request({ op: 'warm', connections: size }, BOUND_MS);
    // Let every connection go idle (mariadb's pool may still be topping up).
    await sleep(300);
    const open = await heap();
    const seen = await openConnections(bench.server, target.user);
    await client.request({ op: 'close' }, BOUND_MS);
    return { open, closed: await heap(), seen };
  };
  // Loads the library and warms its code paths before anything is counted.
  await withPool(1);
  const base = await heap();
  const small = await withPool(SMALL);
  const large = await withPool(LARGE);
  const delta = (key: keyof HeapSample) =>
    (large.open[key] - small.closed[key] - (small.open[key] - base[key])) / (LARGE - SMALL);

  await client.request({ op: 'open', contender: id, target, size: 1 }, BOUND_MS);
  await client.request({ op: 'warm', connections: 1 }, BOUND_MS);
  await client.request({ op: 'hold-and-queue', holds: 1, callers: 0 }, BOUND_MS);
  const holding = await heap();
  await client.request({ op: 'release', boundMs: BOUND_MS }, BOUND_MS);
  await client.request({ op: 'hold-and-queue', holds: 1, callers: WAITING }, BOUND_MS);
  const queued = await heap();
  const answered = await client.request<CallerRecords>(
    { op: 'release', boundMs: BOUND_MS },
    BOUND_MS * 2,
  );
  await client.request({ op: 'close' }, BOUND_MS);
  return {
    perConnectionHeap: delta('heapUsed'),
    perConnectionExternal: delta('external'),
    openSeen: large.seen,
    perWaiterHeap: (queued.heapUsed - holding.heapUsed) / WAITING,
    waitersAnswered: answered.okAt.length,
  };
}

/** Heap per idle connection and per waiting caller, for each pool; returns markdown. */
export async function runMemory(
  bench: BenchServer,
  clientCore: number | undefined,
  repetitions: number,
  log: (line: string) => void,
): Promise<string> {
  const runs: Record<ContenderId, MemoryRun[]> = { mysql2: [], mariadb: [], goneaway: [] };
  for (const id of CONTENDER_IDS) {
    log(`memory: ${id}`);
    const client = await Client.start({ core: clientCore });
    try {
      for (let rep = 0; rep < repetitions; rep++)
        runs[id].push(await measureOnce(client, id, bench));
    } finally {
      await client.stop();
    }
  }
  const of = (id: ContenderId, key: keyof MemoryRun) => median(runs[id].map((r) => r[key]));
  const ratio = (id: ContenderId, key: keyof MemoryRun) =>
    `${(of(id, key) / of('mysql2', key)).toFixed(2)}×`;
  const rows = CONTENDER_IDS.map((id) => [
    id,
    bytes(of(id, 'perConnectionHeap')),
    ratio(id, 'perConnectionHeap'),
    bytes(of(id, 'perConnectionExternal')),
    runs[id].map((r) => String(r.openSeen)).join(' / '),
    bytes(of(id, 'perWaiterHeap')),
    ratio(id, 'perWaiterHeap'),
    runs[id].map((r) => int(r.waitersAnswered)).join(' / '),
  ]);
  return [
    `### Memory: median of ${repetitions} measurement${repetitions === 1 ? '' : 's'}, each pool in a fresh process`,
    '',
    `Per idle connection: heap with ${LARGE} idle connections less heap with ${SMALL}, ÷ ${LARGE - SMALL}, after forced collections ` +
      `("external": Buffers and other memory outside the JS heap). Per waiting caller: ${int(WAITING)} statements waiting behind ` +
      'a pool of one held connection, heap less the same pool with none waiting, ÷ the count (the caller’s own promise included, the same for every pool).',
    '',
    table(
      [
        'pool',
        'heap / idle connection',
        '÷ mysql2',
        'external / idle connection',
        `connections seen by the server (of ${LARGE})`,
        'heap / waiting caller',
        '÷ mysql2',
        `waiters answered (of ${WAITING})`,
      ],
      rows,
    ),
  ].join('\n');
}

/**
 * The sustained run: every pool at once, each in its own process, a steady paced load for
 * `minutes`, the heap sampled (after forced collections) every {@link SAMPLE_EVERY_MS}, and every
 * idle session of the bench users killed every {@link CHURN_EVERY_MS} so that connections are
 * replaced throughout (leaks hide in the paths that open and close connections).
 */
const SAMPLE_EVERY_MS = 30_000;
const CHURN_EVERY_MS = 30_000;
const SUSTAINED_WORKERS = 8;
const SUSTAINED_PERIOD_MS = 5;
const SUSTAINED_POOL_SIZE = 16;

export async function runSustained(
  bench: BenchServer,
  clientCore: number | undefined,
  minutes: number,
  log: (line: string) => void,
): Promise<string> {
  const durationMs = minutes * 60_000;
  const clients = {} as Record<ContenderId, Client>;
  for (const id of CONTENDER_IDS) clients[id] = await Client.start({ core: clientCore });
  const admin = new AdminSession(bench.server);
  const samples: Record<ContenderId, { atMin: number; sample: HeapSample }[]> = {
    mysql2: [],
    mariadb: [],
    goneaway: [],
  };
  let killed = 0;
  try {
    for (const id of CONTENDER_IDS) {
      await clients[id].request(
        { op: 'open', contender: id, target: bench.targets[id], size: SUSTAINED_POOL_SIZE },
        BOUND_MS,
      );
      await clients[id].request(
        {
          op: 'steady-start',
          workload: 'pk',
          workers: SUSTAINED_WORKERS,
          periodMs: SUSTAINED_PERIOD_MS,
          boundMs: durationMs + BOUND_MS,
          keepInstants: false,
        },
        BOUND_MS,
      );
    }
    const started = monoMs();
    let nextChurn = started + CHURN_EVERY_MS;
    // Bounded by count and by time.
    for (let i = 0; i <= durationMs / SAMPLE_EVERY_MS + 1; i++) {
      const atMin = (monoMs() - started) / 60_000;
      for (const id of CONTENDER_IDS) {
        samples[id].push({
          atMin,
          sample: await clients[id].request<HeapSample>({ op: 'heap' }, BOUND_MS),
        });
      }
      log(`sustained: ${atMin.toFixed(1)} of ${minutes} min`);
      if (monoMs() - started >= durationMs) break;
      const nextSample = started + (i + 1) * SAMPLE_EVERY_MS;
      while (monoMs() < Math.min(nextSample, started + durationMs)) {
        await sleep(Math.min(1_000, Math.max(1, nextSample - monoMs())));
        if (monoMs() >= nextChurn) {
          nextChurn += CHURN_EVERY_MS;
          const sessions = await admin.query<{ id: number }[]>(
            "SELECT ID AS id FROM information_schema.PROCESSLIST WHERE USER LIKE 'bench\\_%' AND COMMAND = 'Sleep'",
          );
          for (const session of sessions) if (await admin.kill(Number(session.id))) killed++;
        }
      }
    }
    const records = {} as Record<ContenderId, CallerRecords>;
    for (const id of CONTENDER_IDS) {
      records[id] = await clients[id].request<CallerRecords>(
        { op: 'steady-stop', graceMs: 5_000 },
        BOUND_MS,
      );
      await clients[id].request({ op: 'close' }, BOUND_MS);
    }
    return renderSustained(samples, records, minutes, killed);
  } finally {
    await admin.close();
    for (const id of CONTENDER_IDS) await clients[id].stop();
  }
}

function renderSustained(
  samples: Record<ContenderId, { atMin: number; sample: HeapSample }[]>,
  records: Record<ContenderId, CallerRecords>,
  minutes: number,
  killed: number,
): string {
  const rows = CONTENDER_IDS.map((id) => {
    // The first minute is warm-up: code is compiled, caches fill.
    const settled = samples[id].filter((s) => s.atMin >= 1);
    const series = settled.length >= 2 ? settled : samples[id];
    const first = series[0]?.sample;
    const last = series.at(-1)?.sample;
    const perMin = slope(
      series.map((s) => s.atMin),
      series.map((s) => s.sample.heapUsed),
    );
    const peak = Math.max(...series.map((s) => s.sample.heapUsed));
    const span = (series.at(-1)?.atMin ?? 0) - (series[0]?.atMin ?? 0);
    const growth = perMin * span;
    const reading =
      first && growth > 0.1 * first.heapUsed ? '**grows**' : 'no growth beyond 10 % of the start';
    return [
      id,
      first ? bytes(first.heapUsed) : '—',
      last ? bytes(last.heapUsed) : '—',
      bytes(peak),
      `${bytes(perMin)}/min`,
      first && last ? `${bytes(first.rss)} → ${bytes(last.rss)}` : '—',
      int(records[id].okCount),
      int(records[id].errorCount),
      reading,
    ];
  });
  return [
    `### Sustained run: ${minutes} min, every pool at once, each in its own process`,
    '',
    `${SUSTAINED_WORKERS} workers per pool each start a primary-key SELECT every ${SUSTAINED_PERIOD_MS} ms; pool size ${SUSTAINED_POOL_SIZE}; ` +
      `every ${CHURN_EVERY_MS / 1000} s an admin kills every idle session of the bench users (${int(killed)} in all), so connections are replaced throughout. ` +
      `Heap after forced collections every ${SAMPLE_EVERY_MS / 1000} s; the first minute (warm-up) is left out of the trend.`,
    '',
    table(
      [
        'pool',
        'heap after 1 min',
        'heap at end',
        'peak',
        'trend',
        'RSS',
        'answers',
        'errors',
        'reading',
      ],
      rows,
    ),
  ].join('\n');
}
