/**
 * Guarantee 5 (every wait bounded) and riding out outages: restarts under load, a crowd of
 * callers after a restart, a black-holed path, and a long query the watchdog must leave alone.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createPool, isGoneAwayError } from '../../src/index.js';
import {
  type FaultProxy,
  type Sandbox,
  startFaultProxy,
  testServer,
} from '../../src/testing/index.js';
import { viaPort } from '../support/events.js';

describe('outages and bounded waits', () => {
  let server: Sandbox;
  let proxy: FaultProxy;
  before(async () => {
    server = await testServer();
    await server.admin('CREATE TABLE goneaway.item (id INT PRIMARY KEY, name VARCHAR(40))');
    await server.admin("INSERT INTO goneaway.item VALUES (1, 'one'), (2, 'two'), (3, 'three')");
    proxy = await startFaultProxy({ target: { host: server.host, port: server.port } });
  });
  after(async () => {
    await proxy?.close();
    await server?.stop();
  });

  test('server restart under a steady read load: no error reaches the callers', async () => {
    const db = createPool(server.uri, { max: 8 });
    const errors: unknown[] = [];
    let completed = 0;
    let stop = false;
    const deadline = Date.now() + 20_000;
    // Bounded: each worker stops at `stop`, at the deadline, or after 5 000 statements.
    const worker = async (n: number): Promise<void> => {
      for (let i = 0; i < 5_000 && !stop && Date.now() < deadline; i++) {
        try {
          const rows = await db.query<{ name: string }[]>('SELECT name FROM item WHERE id = ?', [
            1 + ((n + i) % 3),
          ]);
          assert.equal(rows.length, 1);
          completed++;
        } catch (error) {
          errors.push(error);
        }
      }
    };
    try {
      const workers = [0, 1, 2, 3, 4, 5].map(worker);
      while (completed < 200 && Date.now() < deadline) await new Promise((r) => setImmediate(r));
      const beforeRestart = completed;
      await server.restart({ downMs: 500 });
      const afterRestart = completed;
      while (completed < afterRestart + 200 && Date.now() < deadline)
        await new Promise((r) => setImmediate(r));
      stop = true;
      await Promise.all(workers);
      assert.deepEqual(errors.map(String), [], 'no statement failed');
      assert.ok(
        completed > beforeRestart + 200,
        `work went on after the restart (${completed} statements)`,
      );
      assert.ok(db.stats.connectFailures > 0, 'reconnects were refused while the server was down');
    } finally {
      stop = true;
      await db.end();
    }
  });

  test('50 concurrent callers right after a restart open at most max connections', async () => {
    const db = createPool(server.uri, { max: 5 });
    try {
      await Promise.all([1, 2, 3, 4, 5].map(() => db.query('SELECT SLEEP(0.02)')));
      const openedBefore = db.stats.opened;
      await server.restart();
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => db.query<{ n: number }[]>('SELECT ? AS n', [i])),
      );
      assert.deepEqual(
        results.map((rows) => rows[0]?.n),
        Array.from({ length: 50 }, (_, i) => i),
      );
      assert.ok(
        db.stats.opened - openedBefore <= 5,
        `opened ${db.stats.opened - openedBefore} connections`,
      );
      assert.ok(db.stats.total <= 5);
    } finally {
      await db.end();
    }
  });

  test('a statement in flight on a black-holed path gets an answer within the bound, then recovery after resume()', async () => {
    const db = createPool(viaPort(server.uri, proxy.port), {
      stallCheckMs: 1_000,
      validationTimeoutMs: 1_000,
      connectTimeoutMs: 1_500,
      acquireTimeoutMs: 4_000,
    });
    try {
      await db.query('SELECT 1');
      // A write: its outcome is unknown after a loss, so goneaway must not retry it.
      const pending = db.query('DO SLEEP(0.5)');
      proxy.blackhole();
      const started = Date.now();
      const error = await pending.then(
        () => assert.fail('the statement cannot succeed on a black-holed path'),
        (e: unknown) => e,
      );
      const tookMs = Date.now() - started;
      assert.ok(isGoneAwayError(error), String(error));
      assert.ok(tookMs < 6_000, `answered in ${tookMs} ms (bound: stall check + side check)`);
      proxy.resume();
      const rows = await db.query<{ ok: number }[]>('SELECT 1 AS ok');
      assert.deepEqual(rows, [{ ok: 1 }]);
    } finally {
      proxy.resume();
      await db.end();
    }
  });

  test('an idle connection on a black-holed path: bounded failure, then recovery after resume()', async () => {
    const db = createPool(viaPort(server.uri, proxy.port), {
      validateAfterIdleMs: 0,
      validationTimeoutMs: 1_000,
      connectTimeoutMs: 1_000,
      acquireTimeoutMs: 3_000,
    });
    try {
      await db.query('SELECT 1');
      proxy.blackhole();
      const started = Date.now();
      const error = await db.query('SELECT 1').then(
        () => assert.fail('nothing answers on a black-holed path'),
        (e: unknown) => e,
      );
      const tookMs = Date.now() - started;
      assert.ok(isGoneAwayError(error), String(error));
      assert.equal((error as { name: string }).name, 'AcquireTimeoutError');
      assert.ok(tookMs < 5_000, `answered in ${tookMs} ms (bound: acquireTimeoutMs 3 000)`);
      assert.ok(db.stats.validationFailures >= 1, 'the idle connection failed its bounded ping');
      proxy.resume();
      assert.deepEqual(await db.query('SELECT 1 AS ok'), [{ ok: 1 }]);
    } finally {
      proxy.resume();
      await db.end();
    }
  });

  test('a long query on a healthy server is left alone by the watchdog', async () => {
    const db = createPool(viaPort(server.uri, proxy.port), { stallCheckMs: 1_000 });
    try {
      const acceptedBefore = proxy.stats.accepted;
      const rows = await db.query<{ s: number }[]>('SELECT SLEEP(5) AS s');
      assert.deepEqual(rows, [{ s: 0 }]);
      // One pool connection plus the side connections the watchdog used to ask about it.
      const sideChecks = proxy.stats.accepted - acceptedBefore - 1;
      assert.ok(sideChecks >= 3, `the watchdog checked ${sideChecks} times and let it run`);
    } finally {
      await db.end();
    }
  });
});
