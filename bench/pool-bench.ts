/**
 * `npm run bench`: goneaway's pool against a plain mysql2 pool of the same size, same server,
 * same run, on loopback. Prints medians over several alternating rounds and the ratios
 * (goneaway ÷ mysql2). Not a test: timings are reported, never asserted.
 *
 * Also measured: the first successful query after every idle connection was killed (vs a
 * fresh connect + query), and the time to an answer through a black-holed path.
 */
import mysql from 'mysql2/promise';
import { createPool, type Pool } from '../src/index.js';
import { startFaultProxy, startSandbox } from '../src/testing/index.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 1_500);
const CONCURRENCY = [1, 16, 64];
const MAX = 16;

interface Sample {
  readonly opsPerSec: number;
  readonly p50Us: number;
  readonly p99Us: number;
}

type Runner = (sql: string, values: unknown[]) => Promise<unknown>;

async function measure(
  run: Runner,
  sql: string,
  concurrency: number,
  makeValues: (i: number) => unknown[],
): Promise<Sample> {
  const latencies: number[] = [];
  const stopAt = performance.now() + DURATION_MS;
  let ops = 0;
  const worker = async (w: number): Promise<void> => {
    // Bounded by time and by count.
    for (let i = 0; i < 1_000_000 && performance.now() < stopAt; i++) {
      const started = performance.now();
      await run(sql, makeValues(w * 7 + i));
      latencies.push(performance.now() - started);
      ops++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  const elapsed = performance.now() - started;
  latencies.sort((a, b) => a - b);
  const at = (q: number): number =>
    (latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0) * 1000;
  return { opsPerSec: (ops / elapsed) * 1000, p50Us: at(0.5), p99Us: at(0.99) };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

async function main(): Promise<void> {
  const server = await startSandbox({ serverArgs: ['--max-connections=500'] });
  try {
    await server.admin('CREATE TABLE goneaway.item (id INT PRIMARY KEY, name VARCHAR(40))');
    await server.admin(
      `INSERT INTO goneaway.item SELECT seq, CONCAT('item-', seq) FROM goneaway.seq_1_to_1000`,
    );
    const plain = mysql.createPool({ uri: server.uri, connectionLimit: MAX });
    const db = createPool(server.uri, { max: MAX });
    const contenders: Record<'mysql2' | 'goneaway', Runner> = {
      mysql2: (sql, values) => plain.query(sql, values),
      goneaway: (sql, values) => db.query(sql, values),
    };
    const workloads = [
      { name: 'SELECT 1', sql: 'SELECT 1', values: () => [] },
      {
        name: 'PK select',
        sql: 'SELECT id, name FROM item WHERE id = ?',
        values: (i: number) => [1 + (i % 1000)],
      },
    ];

    console.log(
      `goneaway pool benchmark — MariaDB ${server.version}, loopback, pool size ${MAX}, ${ROUNDS} rounds × ${DURATION_MS} ms, medians\n`,
    );
    console.log(
      '| workload | conc | mysql2 ops/s | goneaway ops/s | ratio | mysql2 p50/p99 µs | goneaway p50/p99 µs | p99 ratio |',
    );
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
    for (const workload of workloads) {
      for (const concurrency of CONCURRENCY) {
        const samples: Record<string, Sample[]> = { mysql2: [], goneaway: [] };
        // Warm both pools to full size before measuring.
        for (const run of Object.values(contenders))
          await measure(run, workload.sql, concurrency, workload.values);
        for (let round = 0; round < ROUNDS; round++) {
          // Alternate the order so neither always runs on a warmer machine.
          const order =
            round % 2 === 0 ? (['mysql2', 'goneaway'] as const) : (['goneaway', 'mysql2'] as const);
          for (const name of order)
            samples[name]!.push(
              await measure(contenders[name], workload.sql, concurrency, workload.values),
            );
        }
        const m = (name: string, key: keyof Sample) => median(samples[name]!.map((s) => s[key]));
        const ratio = m('goneaway', 'opsPerSec') / m('mysql2', 'opsPerSec');
        const p99Ratio = m('goneaway', 'p99Us') / m('mysql2', 'p99Us');
        console.log(
          `| ${workload.name} | ${concurrency} | ${m('mysql2', 'opsPerSec').toFixed(0)} | ${m('goneaway', 'opsPerSec').toFixed(0)} | ${ratio.toFixed(3)}× | ` +
            `${m('mysql2', 'p50Us').toFixed(0)}/${m('mysql2', 'p99Us').toFixed(0)} | ${m('goneaway', 'p50Us').toFixed(0)}/${m('goneaway', 'p99Us').toFixed(0)} | ${p99Ratio.toFixed(3)}× |`,
        );
      }
    }
    await plain.end();
    await db.end();

    await recoveryAfterKill(server.uri, () =>
      server.killConnections({ command: 'Sleep' }).then(() => undefined),
    );
    await blackholeAnswer(server.uri, server.host, server.port);
  } finally {
    await server.stop();
  }
}

/** First query after every idle connection was killed, vs a fresh connect + query. */
async function recoveryAfterKill(uri: string, killIdle: () => Promise<void>): Promise<void> {
  const fresh: number[] = [];
  const recovered: number[] = [];
  for (let round = 0; round < 7; round++) {
    let started = performance.now();
    const connection = await mysql.createConnection({ uri });
    await connection.query('SELECT 1');
    fresh.push(performance.now() - started);
    await connection.end();

    const db: Pool = createPool(uri, { max: 4 });
    await Promise.all([1, 2, 3, 4].map(() => db.query('SELECT SLEEP(0.01)')));
    await killIdle();
    started = performance.now();
    await db.query('SELECT 1');
    recovered.push(performance.now() - started);
    await db.end();
  }
  const ratio = median(recovered) / median(fresh);
  console.log(
    `\nfirst query after KILL of all idle connections: ${median(recovered).toFixed(2)} ms; fresh connect + query: ${median(fresh).toFixed(2)} ms; ratio ${ratio.toFixed(2)}× (target ≤ 1.2×)`,
  );
}

/**
 * Time to an answer on a black-holed path (a proxy that forwards nothing and closes nothing),
 * with default bounds except `acquireTimeoutMs`, which is lowered to 8 s to keep the run short.
 */
async function blackholeAnswer(uri: string, host: string, port: number): Promise<void> {
  const url = new URL(uri);
  const cases: {
    name: string;
    bound: string;
    run: (db: Pool, dark: () => void) => Promise<unknown>;
  }[] = [
    {
      name: 'write in flight',
      bound: 'stallCheckMs 3 s + validationTimeoutMs 2 s (+ up to one 0.5 s tick)',
      run: async (db, dark) => {
        const pending = db.query('INSERT INTO item (id, name) VALUES (?, ?)', [
          100_000 + Math.floor(Math.random() * 1e6),
          'x',
        ]);
        dark();
        return pending;
      },
    },
    {
      name: 'read in flight (retried, then bounded by the acquire deadline)',
      bound: 'acquireTimeoutMs 8 s from the statement start',
      run: async (db, dark) => {
        const pending = db.query('SELECT 1');
        dark();
        return pending;
      },
    },
    {
      name: 'idle connection, then a statement',
      bound: 'validationTimeoutMs 2 s + reconnects within acquireTimeoutMs 8 s',
      run: async (db, dark) => {
        dark();
        await new Promise((r) => setTimeout(r, 1_100)); // idle past validateAfterIdleMs
        return db.query('SELECT 1');
      },
    },
  ];
  for (const c of cases) {
    const fresh = await startFaultProxy({ target: { host, port } });
    url.port = String(fresh.port);
    const db = createPool(url.href, { acquireTimeoutMs: 8_000 });
    try {
      // Twice: a new connection's own set-up statement follows its first statement.
      await db.query('SELECT 1');
      await db.query('SELECT 1');
      const started = performance.now();
      const outcome = await c
        .run(db, () => fresh.blackhole())
        .then(
          () => 'succeeded?!',
          (error: Error) => error.name,
        );
      const seconds = (performance.now() - started) / 1000;
      console.log(
        `black-holed path, ${c.name}: ${outcome} after ${seconds.toFixed(2)} s (bound: ${c.bound})`,
      );
      fresh.resume();
    } finally {
      await db.end();
      await fresh.close();
    }
  }
  console.log(
    '(without goneaway the OS TCP retransmission timeout, ~15 min on Linux, is the only bound)',
  );
}

await main();
