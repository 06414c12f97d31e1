/**
 * Recovery: how soon each pool serves again after the server comes back, measured from the
 * server's side of the event (the restart watch's "accepting again", the moment a slot frees),
 * never from the pool's own idea of it. Each contender gets its own fault, one at a time, in an
 * order that rotates between repetitions, so a pool's recovery never competes with another's
 * for the client core.
 *
 * - Restart under load: a steady paced workload, the server restarted under it.
 * - 200 callers waiting across a restart: the server goes down, 200 statements start while it
 *   is down, then it comes back.
 * - max_connections exhausted: another client holds every slot while the pool (new, with no
 *   connection) is asked for statements, then frees exactly one slot.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import mysql from 'mysql2/promise';
import { AdminSession } from '../faults/admin-session.js';
import { ConnectionHog } from '../faults/connection-hog.js';
import { type BenchServer, connectionsOpened, MAX_CONNECTIONS } from './bench-server.js';
import type { Client } from './client.js';
import type { CallerRecords } from './client-protocol.js';
import { CONTENDER_IDS, type ContenderId } from './contenders.js';
import { int, ms, table } from './markdown.js';
import { monoMs } from './mono-clock.js';
import { watchRestart } from './restart-watch.js';
import { longestGap, median, quantile } from './stats.js';

/** Every pool's size in these scenarios. */
export const RECOVERY_POOL_SIZE = 10;
const STEADY_WORKERS = 4;
const STEADY_PERIOD_MS = 10;
/** Steady load before the fault, and how long recovery is watched after it. */
const BEFORE_MS = 1_000;
const AFTER_MS = 1_500;
const WAITING_CALLERS = 200;
/** max_connections while the other client fills the server. */
const FULL_MAX_CONNECTIONS = 40;
/** How long the server stays full before one slot is freed. */
const FULL_MS = 1_000;
const WATCH_BOUND_MS = 90_000;
const REQUEST_BOUND_MS = 60_000;

export interface RecoveryOptions {
  readonly repetitions: number;
  /** How long the server stays down in the restart scenarios (after it has stopped). */
  readonly downMs: number;
}

interface RestartRun {
  /** One connect + SELECT 1 started the moment the watch saw the greeting: the floor. */
  readonly floorMs: number | undefined;
  readonly firstOkMs: number | undefined;
  readonly stallMs: number;
  readonly outageMs: number;
  readonly errors: number;
  readonly unsettled: number;
  readonly opened: number;
}

interface WaitersRun {
  readonly ok: number;
  readonly errors: number;
  readonly unsettled: number;
  readonly firstOkMs: number | undefined;
  readonly lastOkMs: number | undefined;
  readonly opened: number;
}

interface FullRun {
  readonly firstOkMs: number | undefined;
  readonly errorsWhileFull: number;
  readonly errorsAfter: number;
  readonly okWhileFull: number;
  readonly opened: number;
  readonly poolErrors: number;
}

type Runs<T> = Record<ContenderId, T[]>;

const firstAfter = (instants: readonly number[], from: number): number | undefined => {
  const after = instants.filter((t) => t >= from);
  return after.length > 0 ? Math.min(...after) - from : undefined;
};

/** Runs the three scenarios and returns their markdown. */
export async function runRecovery(
  clients: Readonly<Record<ContenderId, Client>>,
  bench: BenchServer,
  options: RecoveryOptions,
  log: (line: string) => void,
): Promise<string> {
  const restart: Runs<RestartRun> = { mysql2: [], mariadb: [], goneaway: [] };
  const waiters: Runs<WaitersRun> = { mysql2: [], mariadb: [], goneaway: [] };
  const full: Runs<FullRun> = { mysql2: [], mariadb: [], goneaway: [] };
  const order = (rep: number): ContenderId[] =>
    CONTENDER_IDS.map((_, k) => CONTENDER_IDS[(rep + k) % CONTENDER_IDS.length]!);
  for (let rep = 0; rep < options.repetitions; rep++) {
    for (const id of order(rep)) {
      log(`recovery ${rep + 1}/${options.repetitions}: restart under load, ${id}`);
      restart[id].push(await restartUnderLoad(clients[id], id, bench, options.downMs));
    }
    for (const id of order(rep)) {
      log(
        `recovery ${rep + 1}/${options.repetitions}: ${WAITING_CALLERS} callers across a restart, ${id}`,
      );
      waiters[id].push(await waitersAcrossRestart(clients[id], id, bench, options.downMs));
    }
    for (const id of order(rep)) {
      log(`recovery ${rep + 1}/${options.repetitions}: max_connections exhausted, ${id}`);
      full[id].push(await slotsExhausted(clients[id], id, bench));
    }
  }
  return render(restart, waiters, full, options);
}

async function open(client: Client, id: ContenderId, bench: BenchServer): Promise<void> {
  await client.request(
    { op: 'open', contender: id, target: bench.targets[id], size: RECOVERY_POOL_SIZE },
    REQUEST_BOUND_MS,
  );
}

/** The steady paced workload of the restart and full-server scenarios. */
async function startSteady(client: Client): Promise<void> {
  await client.request(
    {
      op: 'steady-start',
      workload: 'pk',
      workers: STEADY_WORKERS,
      periodMs: STEADY_PERIOD_MS,
      boundMs: WATCH_BOUND_MS,
      keepInstants: true,
    },
    REQUEST_BOUND_MS,
  );
}

async function restartUnderLoad(
  client: Client,
  id: ContenderId,
  bench: BenchServer,
  downMs: number,
): Promise<RestartRun> {
  const { server } = bench;
  await open(client, id, bench);
  await client.request({ op: 'warm', connections: STEADY_WORKERS }, REQUEST_BOUND_MS);
  await startSteady(client);
  const startedAt = monoMs();
  await sleep(BEFORE_MS);
  const watch = watchRestart(server.host, server.port, WATCH_BOUND_MS);
  // Started as soon as the watch sees the greeting, while the server is still starting up.
  const floor = watch.then(({ acceptingAt }) => connectAndQueryAt(bench, acceptingAt));
  await server.restart({ downMs });
  const { goneAt, acceptingAt } = await watch;
  const floorMs = await floor;
  await sleep(Math.max(0, acceptingAt + AFTER_MS - monoMs()));
  const stoppedAt = monoMs();
  const records = await client.request<CallerRecords>(
    { op: 'steady-stop', graceMs: 5_000 },
    REQUEST_BOUND_MS,
  );
  const opened = await connectionsOpened(server, bench.targets[id].user);
  await client.request({ op: 'close' }, REQUEST_BOUND_MS);
  return {
    floorMs,
    firstOkMs: firstAfter(records.okAt, acceptingAt),
    stallMs: longestGap(records.okAt, Math.min(...records.okAt, startedAt + BEFORE_MS), stoppedAt),
    outageMs: acceptingAt - goneAt,
    errors: records.errorAt.length,
    unsettled: records.unsettled,
    opened,
  };
}

/**
 * ms from `from` to the answer of one new connection's primary-key SELECT (as root), the
 * workload's own statement: the first one after a restart also opens the table. Undefined if it
 * failed.
 */
async function connectAndQueryAt(bench: BenchServer, from: number): Promise<number | undefined> {
  const { host, port } = bench.server;
  let connection: mysql.Connection | undefined;
  try {
    connection = await mysql.createConnection({ host, port, user: 'root', connectTimeout: 5_000 });
    await connection.query(`SELECT id, name FROM \`${bench.server.database}\`.item WHERE id = 1`);
    return monoMs() - from;
  } catch {
    return undefined;
  } finally {
    connection?.destroy();
  }
}

async function waitersAcrossRestart(
  client: Client,
  id: ContenderId,
  bench: BenchServer,
  downMs: number,
): Promise<WaitersRun> {
  const { server } = bench;
  await open(client, id, bench);
  await client.request({ op: 'warm', connections: RECOVERY_POOL_SIZE }, REQUEST_BOUND_MS);
  const watch = watchRestart(server.host, server.port, WATCH_BOUND_MS);
  const restarting = server.restart({ downMs });
  // The callers arrive once the server process is gone: they wait across the restart.
  for (let i = 0; i < 10_000 && server.running; i++) await sleep(2);
  const burst = client.request<CallerRecords>(
    { op: 'burst', workload: 'pk', callers: WAITING_CALLERS, boundMs: WATCH_BOUND_MS },
    WATCH_BOUND_MS + REQUEST_BOUND_MS,
  );
  await restarting;
  const { acceptingAt } = await watch;
  const records = await burst;
  const opened = await connectionsOpened(server, bench.targets[id].user);
  await client.request({ op: 'close' }, REQUEST_BOUND_MS);
  const after = records.okAt.filter((t) => t >= acceptingAt);
  return {
    ok: records.okAt.length,
    errors: records.errorAt.length,
    unsettled: records.unsettled,
    firstOkMs: firstAfter(records.okAt, acceptingAt),
    lastOkMs: after.length > 0 ? Math.max(...after) - acceptingAt : undefined,
    opened,
  };
}

async function slotsExhausted(
  client: Client,
  id: ContenderId,
  bench: BenchServer,
): Promise<FullRun> {
  const { server } = bench;
  const user = bench.targets[id].user;
  // Opened before the server is full: while it is, only an open session can still act.
  const admin = new AdminSession(server);
  await admin.open();
  const hog = new ConnectionHog({ host: server.host, port: server.port, ...bench.hog });
  try {
    await admin.query('SET GLOBAL max_connections = ?', [FULL_MAX_CONNECTIONS]);
    await hog.fill();
    // A connection that was closing during the first fill freed its slot late: take it too.
    await sleep(100);
    await hog.fill();
    const openedBefore = await connectionsOpened(admin, user);
    await open(client, id, bench);
    await startSteady(client);
    await sleep(FULL_MS);
    await hog.releaseOne();
    const freedAt = monoMs();
    await sleep(AFTER_MS);
    const records = await client.request<CallerRecords>(
      { op: 'steady-stop', graceMs: 5_000 },
      REQUEST_BOUND_MS,
    );
    const opened = (await connectionsOpened(admin, user)) - openedBefore;
    await client.request({ op: 'close' }, REQUEST_BOUND_MS);
    return {
      firstOkMs: firstAfter(records.okAt, freedAt),
      errorsWhileFull: records.errorAt.filter((t) => t < freedAt).length,
      errorsAfter: records.errorAt.filter((t) => t >= freedAt).length,
      okWhileFull: records.okAt.filter((t) => t < freedAt).length,
      opened,
      poolErrors: records.poolErrors,
    };
  } finally {
    await hog.release();
    await admin.query('SET GLOBAL max_connections = ?', [MAX_CONNECTIONS]).catch(() => {});
    await admin.close();
  }
}

// ── rendering ──────────────────────────────────────────────────────────────────────────────

/** "median (min–max)" of the defined values, or the value alone for one repetition. */
function spread(values: readonly (number | undefined)[]): string {
  const known = values.filter((v): v is number => v !== undefined && Number.isFinite(v));
  const missing = values.length - known.length;
  const never = missing > 0 ? ` (${missing}× never)` : '';
  if (known.length === 0) return values.length === 0 ? '—' : 'never';
  if (known.length === 1) return `${ms(known[0])}${never}`;
  return `${ms(median(known))} (${ms(quantile(known, 0))}–${ms(quantile(known, 1))})${never}`;
}

/** Counts of every repetition, "0 / 0 / 1". */
const each = (values: readonly number[]): string => values.map(int).join(' / ');

/** How many repetitions met a goal. */
function goal(values: readonly boolean[]): string {
  const met = values.filter(Boolean).length;
  if (values.length === 0) return '—';
  const word = met === values.length ? 'meets' : met === 0 ? '**misses**' : '_mixed_';
  return `${word} (${met}/${values.length})`;
}

function render(
  restart: Runs<RestartRun>,
  waiters: Runs<WaitersRun>,
  full: Runs<FullRun>,
  options: RecoveryOptions,
): string {
  const reps = options.repetitions;
  const restartRows = CONTENDER_IDS.map((id) => {
    const runs = restart[id];
    return [
      id,
      spread(runs.map((r) => r.floorMs)),
      spread(runs.map((r) => r.firstOkMs)),
      spread(runs.map((r) => r.stallMs)),
      spread(runs.map((r) => r.outageMs)),
      spread(runs.map((r) => r.stallMs - r.outageMs)),
      each(runs.map((r) => r.errors)),
      each(runs.map((r) => r.unsettled)),
      each(runs.map((r) => r.opened)),
      goal(
        runs.map(
          (r) =>
            r.firstOkMs !== undefined &&
            r.firstOkMs <= 50 &&
            r.stallMs <= r.outageMs + 100 &&
            r.errors === 0,
        ),
      ),
    ];
  });
  const waiterRows = CONTENDER_IDS.map((id) => {
    const runs = waiters[id];
    return [
      id,
      each(runs.map((r) => r.ok)),
      each(runs.map((r) => r.errors)),
      each(runs.map((r) => r.unsettled)),
      spread(runs.map((r) => r.firstOkMs)),
      spread(runs.map((r) => (r.ok === WAITING_CALLERS ? r.lastOkMs : undefined))),
      each(runs.map((r) => r.opened)),
      goal(
        runs.map(
          (r) =>
            r.ok === WAITING_CALLERS &&
            r.lastOkMs !== undefined &&
            r.lastOkMs <= 100 &&
            r.opened <= RECOVERY_POOL_SIZE,
        ),
      ),
    ];
  });
  const fullRows = CONTENDER_IDS.map((id) => {
    const runs = full[id];
    return [
      id,
      spread(runs.map((r) => r.firstOkMs)),
      each(runs.map((r) => r.errorsWhileFull)),
      each(runs.map((r) => r.errorsAfter)),
      each(runs.map((r) => r.okWhileFull)),
      each(runs.map((r) => r.opened)),
      each(runs.map((r) => r.poolErrors)),
      goal(
        runs.map((r) => r.firstOkMs !== undefined && r.firstOkMs <= 50 && r.errorsWhileFull === 0),
      ),
    ];
  });
  return [
    `### Recovery: ${reps} repetition${reps === 1 ? '' : 's'} per pool, pool size ${RECOVERY_POOL_SIZE}, times in ms as median (min–max), counts per repetition`,
    '',
    `**Restart under load.** ${STEADY_WORKERS} workers each start a primary-key SELECT every ${STEADY_PERIOD_MS} ms (no catch-up); ` +
      `after ${BEFORE_MS / 1000} s the server is stopped (SIGTERM), stays down ${options.downMs} ms and starts again on the same port. ` +
      '"Outage": from the first refused connect to the first greeting of a new connection (a probe every 2 ms); ' +
      `"first success": from that greeting to the pool's first answer; "floor": from it to the answer of one new connection's primary-key SELECT started the moment the probe saw the greeting ` +
      '(what the server allows at best, during that very restart, at that machine load); "stall": the longest time with no answer. ' +
      'Goal (issue 14): first success ≤ 50 ms, stall ≤ outage + 100 ms, 0 errors.',
    '',
    table(
      [
        'pool',
        'floor',
        'first success',
        'longest stall',
        'outage',
        'stall − outage',
        'errors',
        'unanswered',
        'connects',
        'goal',
      ],
      restartRows,
    ),
    '',
    `**${WAITING_CALLERS} callers waiting across a restart.** The pool is warm (${RECOVERY_POOL_SIZE} connections); the server is stopped; ` +
      `once its process has exited, ${WAITING_CALLERS} primary-key SELECTs start at once; it stays down ${options.downMs} ms and starts again. ` +
      'Times from the first greeting after the restart. Goal: all answered ≤ 100 ms after it, with no more than the pool size opened, 0 errors.',
    '',
    table(
      [
        'pool',
        'answered',
        'errors',
        'unanswered',
        'first answer',
        'all answered',
        'connects',
        'goal',
      ],
      waiterRows,
    ),
    '',
    `**max_connections exhausted, then one slot freed.** max_connections is set to ${FULL_MAX_CONNECTIONS} and another client takes every slot; ` +
      `a new pool then gets the steady workload above for ${FULL_MS / 1000} s; the other client closes one connection (clean quit, awaited) and takes no slot again. ` +
      '"first success" from that close. "pool errors": errors the pool raised outside any statement. Goal: first success ≤ 50 ms, 0 errors while waiting.',
    '',
    table(
      [
        'pool',
        'first success',
        'errors while full',
        'errors after',
        'answers while full',
        'connects',
        'pool errors',
        'goal',
      ],
      fullRows,
    ),
  ].join('\n');
}
