/**
 * The idle faults every ORM test of the mysql2 facade runs, the same way for goneaway and for
 * plain mysql2: the server's wait_timeout, KILL of idle sessions, a server restart, and a
 * proxy resetting every connection. Each fault is caused while the ORM's connections are
 * idle, and the helper returns once the client side has seen every one of them close (an
 * event, not a sleep), as it would have long before the next request in a real application.
 */
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Pool } from '../../src/index.js';
import {
  type FaultProxy,
  type Sandbox,
  startFaultProxy,
  testServer,
} from '../../src/testing/index.js';
import { nextEvent, viaPort } from './events.js';

export const IDLE_FAULTS = ['wait_timeout', 'kill', 'restart', 'proxy-reset'] as const;
export type IdleFault = (typeof IDLE_FAULTS)[number];

/** The session idle limit the `wait_timeout` fault sets, in seconds. */
export const SHORT_WAIT_TIMEOUT_S = 2;

/** What the faults need: one server, a proxy in front of it, and the ORM test's table. */
export interface FaultBench {
  readonly server: Sandbox;
  readonly proxy: FaultProxy;
  /** `goneaway.<table>`: `id` AUTO_INCREMENT, `name` VARCHAR(64) UNIQUE. */
  readonly table: string;
}

/**
 * Starts the server and the proxy for one ORM's test file and creates its table.
 *
 * @example
 * before(async () => { bench = await startFaultBench('compat_knex'); });
 * after(() => stopFaultBench(bench));
 */
export async function startFaultBench(table: string): Promise<FaultBench> {
  const server = await testServer();
  const proxy = await startFaultProxy({ target: { host: server.host, port: server.port } });
  await server.admin(
    `CREATE TABLE goneaway.${table} (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(64) NOT NULL UNIQUE) ENGINE=InnoDB`,
  );
  return { server, proxy, table };
}

/** Stops what {@link startFaultBench} started (tolerates a failed start). */
export async function stopFaultBench(bench: FaultBench | undefined): Promise<void> {
  await bench?.proxy.close();
  await bench?.server.stop();
}

/** The names in the bench's table that start with `prefix`, read from an admin session. */
export async function namesLike(bench: FaultBench, prefix: string): Promise<string[]> {
  const rows = await bench.server.admin(
    `SELECT name FROM goneaway.${bench.table} WHERE name LIKE ? ORDER BY name`,
    [`${prefix}%`],
  );
  return rows.map((row) => String(row.name));
}

/** The application user's URI through the proxy: every ORM connects this way. */
export function proxiedUri(bench: FaultBench): string {
  return viaPort(bench.server.uri, bench.proxy.port);
}

/** The same, as mysql2-style options (for ORMs that take host/port/user/... separately). */
export function proxiedOptions(bench: FaultBench): {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
} {
  const { server, proxy } = bench;
  return {
    host: '127.0.0.1',
    port: proxy.port,
    user: server.user,
    password: server.password,
    database: server.database,
  };
}

/**
 * Runs `body` with the server's global wait_timeout set for the `wait_timeout` fault (new
 * sessions inherit it), and restores it after.
 */
export async function withFaultSettings(
  bench: FaultBench,
  fault: IdleFault,
  body: () => Promise<void>,
): Promise<void> {
  if (fault !== 'wait_timeout') return body();
  await bench.server.admin(`SET GLOBAL wait_timeout = ${SHORT_WAIT_TIMEOUT_S}`);
  try {
    await body();
  } finally {
    await bench.server.admin('SET GLOBAL wait_timeout = DEFAULT');
  }
}

/**
 * Causes `fault` and resolves once `closed()` says the client saw its idle connections close.
 * `closed` is called before the fault, so no close event is missed. Call it right after the
 * ORM's last statement: for `wait_timeout` the idle time counts from the call.
 */
export async function causeIdleFault(
  bench: FaultBench,
  fault: IdleFault,
  closed: () => Promise<void>,
): Promise<void> {
  const seen = closed();
  switch (fault) {
    case 'wait_timeout':
      // The fault is time itself: stay idle past the server's limit (goneaway retires its
      // connections a little before it; mysql2's are closed by the server at it).
      await sleep(SHORT_WAIT_TIMEOUT_S * 1_000 + 500);
      break;
    case 'kill': {
      const killed = await bench.server.killConnections({ command: 'Sleep' });
      assert.ok(killed.length > 0, 'there were idle sessions to kill');
      break;
    }
    case 'restart':
      await bench.server.restart();
      break;
    case 'proxy-reset':
      assert.ok(bench.proxy.resetAll() > 0, 'there were connections to reset');
      break;
  }
  await seen;
}

/**
 * Resolves once each goneaway pool has no open connection left (each close is an event).
 * Bounded: rejects after `timeoutMs`.
 */
export function goneawayDrained(pools: readonly Pool[], timeoutMs = 10_000): Promise<void> {
  return Promise.all(pools.map((pool) => drained(pool, timeoutMs))).then(() => undefined);
}

function drained(pool: Pool, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (pool.stats.total > 0) return;
      clearTimeout(timer);
      pool.off('close', check);
      resolve();
    };
    const timer = setTimeout(() => {
      pool.off('close', check);
      reject(
        new Error(
          `a goneaway pool still had ${pool.stats.total} connection(s) after ${timeoutMs} ms`,
        ),
      );
    }, timeoutMs);
    pool.on('close', check);
    check();
  });
}

/** A plain mysql2 connection, as far as the close check needs it. */
export interface Mysql2Handle {
  readonly stream: Socket;
}

/** Resolves once every mysql2 connection's socket has closed. Bounded: rejects after `timeoutMs`. */
export function mysql2Closed(
  connections: Iterable<Mysql2Handle>,
  timeoutMs = 10_000,
): Promise<void> {
  const all = [...connections];
  assert.ok(all.length > 0, 'the ORM opened mysql2 connections before the fault');
  const each = all.map(
    (connection) =>
      new Promise<void>((resolve) => {
        if (connection.stream.destroyed) resolve();
        else connection.stream.once('close', () => resolve());
      }),
  );
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`mysql2 sockets still open after ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  return Promise.race([Promise.all(each), bound])
    .then(() => undefined)
    .finally(() => clearTimeout(timer));
}

/**
 * Runs `work` and reports whether it threw, and what: the observation the plain-mysql2 tests
 * assert on.
 */
export async function outcomeOf(
  work: () => Promise<unknown>,
): Promise<{ ok: true } | { ok: false; error: Error & { code?: string } }> {
  try {
    await work();
    return { ok: true };
  } catch (error) {
    return { ok: false, error: error as Error & { code?: string } };
  }
}

/**
 * Resolves once each goneaway pool reported a lost connection. For connections a lease holds
 * (a standalone connection's one), which stay counted until their next statement.
 */
export function goneawayLost(pools: readonly Pool[], timeoutMs = 10_000): Promise<void> {
  return Promise.all(pools.map((pool) => nextEvent(pool, 'loss', () => true, timeoutMs))).then(
    () => undefined,
  );
}
