/**
 * Guarantees 2, 3 and 4 against real kills: no statement runs twice by accident, a transaction
 * never continues on another connection, session state is never lost silently.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CommitOutcomeUnknownError,
  ConnectionLostError,
  createPool,
  isGoneAwayError,
  type PoolEventMap,
  SessionLostError,
  TransactionLostError,
  type WriteResult,
} from '../../src/index.js';
import {
  type FaultProxy,
  type Sandbox,
  startFaultProxy,
  testServer,
} from '../../src/testing/index.js';
import { nextEvent, viaPort } from '../support/events.js';

describe('safe retry, transactions and session state', () => {
  let server: Sandbox;
  let proxy: FaultProxy;
  before(async () => {
    server = await testServer();
    await server.admin('CREATE TABLE goneaway.entry (id INT PRIMARY KEY, note VARCHAR(40))');
    await server.admin('CREATE TABLE goneaway.account (id INT PRIMARY KEY, balance INT)');
    await server.admin('INSERT INTO goneaway.account VALUES (1, 100), (2, 100)');
    proxy = await startFaultProxy({ target: { host: server.host, port: server.port } });
  });
  after(async () => {
    await proxy?.close();
    await server?.stop();
  });

  let nextId = 1;
  const uniqueId = (): number => nextId++;

  async function countEntries(id: number): Promise<number> {
    const rows = await server.admin('SELECT COUNT(*) AS n FROM goneaway.entry WHERE id = ?', [id]);
    return Number(rows[0]?.n);
  }

  /** The session running a statement that contains `sqlNeedle` (no event exists for that); bounded polling. */
  async function sessionOf(sqlNeedle: string): Promise<number> {
    for (let i = 0; i < 200; i++) {
      const rows = await server.admin(
        'SELECT ID AS id FROM information_schema.PROCESSLIST WHERE USER = ? AND INFO LIKE ?',
        [server.user, `%${sqlNeedle}%`],
      );
      if (rows[0]) return Number(rows[0].id);
      await sleep(10);
    }
    throw new Error(`no session runs '${sqlNeedle}'`);
  }

  test('KILL during a read-only SELECT SLEEP: retried transparently, correct result', async () => {
    const db = createPool(server.uri);
    try {
      const retried = nextEvent(db, 'retry');
      const pending = db.query<{ answer: number }[]>('SELECT SLEEP(1) AS s, 42 AS answer');
      await server.admin('KILL CONNECTION ?', [await sessionOf('42 AS answer')]);
      const rows = await pending;
      assert.equal(rows[0]?.answer, 42);
      const event = await retried;
      assert.match(event.reason, /^retried: read-only/);
      assert.equal(event.error.outcome, 'unknown');
    } finally {
      await db.end();
    }
  });

  test('KILL during an INSERT: outcome unknown, never sent twice', async () => {
    const db = createPool(server.uri);
    const id = uniqueId();
    const refusals: PoolEventMap['no-retry'][] = [];
    db.on('no-retry', (event) => refusals.push(event));
    try {
      // Handled at once: the rejection may arrive while the test still waits on the admin session.
      const settled = db
        .query("INSERT INTO entry (id, note) SELECT ?, IF(SLEEP(1) = 0, 'slow', 'x')", [id])
        .then(
          () => assert.fail('a killed INSERT cannot report success'),
          (e: unknown) => e,
        );
      await server.admin('KILL CONNECTION ?', [await sessionOf('slow')]);
      const error = await settled;
      assert.ok(error instanceof ConnectionLostError, String(error));
      assert.equal(error.outcome, 'unknown');
      assert.match(error.message, /may or may not/);
      assert.equal(db.stats.retries, 0);
      assert.match(refusals[0]?.reason ?? '', /^not retried: INSERT/);
      assert.ok((await countEntries(id)) <= 1, 'at most once');
    } finally {
      await db.end();
    }
  });

  test('KILL between two statements of a transaction: TransactionLostError, nothing committed, no continuation elsewhere', async () => {
    const db = createPool(server.uri);
    const id = uniqueId();
    try {
      let secondStatementError: unknown;
      const error = await db
        .transaction(async (tx) => {
          await tx.query("INSERT INTO entry (id, note) VALUES (?, 'first')", [id]);
          const lost = nextEvent(db, 'loss');
          await server.admin('KILL CONNECTION ?', [tx.threadId]);
          await lost;
          await tx
            .query("INSERT INTO entry (id, note) VALUES (?, 'second')", [id + 1000])
            .catch((e: unknown) => {
              secondStatementError = e;
            });
          // Even if the caller swallows the error, the transaction must not go on elsewhere.
          await tx.query('SELECT 1');
        })
        .then(
          () => assert.fail('the transaction cannot commit'),
          (e: unknown) => e,
        );
      assert.ok(secondStatementError instanceof TransactionLostError, String(secondStatementError));
      assert.ok(error instanceof TransactionLostError, String(error));
      assert.equal(await countEntries(id), 0);
      assert.equal(await countEntries(id + 1000), 0);
    } finally {
      await db.end();
    }
  });

  test('transaction with attempts: a KILL before COMMIT re-runs the function; exactly one result committed', async () => {
    const db = createPool(server.uri);
    const id = uniqueId();
    try {
      const runs: number[] = [];
      const result = await db.transaction(
        async (tx) => {
          runs.push(tx.attempt);
          await tx.query("INSERT INTO entry (id, note) VALUES (?, 'once')", [id]);
          if (tx.attempt === 1) {
            const lost = nextEvent(db, 'loss');
            await server.admin('KILL CONNECTION ?', [tx.threadId]);
            await lost;
            await tx.query('SELECT 1');
          }
          return 'done';
        },
        { attempts: 3 },
      );
      assert.equal(result, 'done');
      assert.deepEqual(runs, [1, 2]);
      assert.equal(await countEntries(id), 1);
    } finally {
      await db.end();
    }
  });

  test('a loss while COMMIT is in flight: CommitOutcomeUnknownError, never re-run', async () => {
    const db = createPool(viaPort(server.uri, proxy.port), {
      stallCheckMs: 500,
      validationTimeoutMs: 500,
    });
    const id = uniqueId();
    let runs = 0;
    try {
      const error = await db
        .transaction(
          async (tx) => {
            runs++;
            await tx.query("INSERT INTO entry (id, note) VALUES (?, 'commit?')", [id]);
            proxy.blackhole(); // COMMIT leaves, and nothing comes back
          },
          { attempts: 3 },
        )
        .then(
          () => assert.fail('COMMIT cannot be confirmed on a black-holed path'),
          (e: unknown) => e,
        );
      assert.ok(error instanceof CommitOutcomeUnknownError, String(error));
      assert.equal(runs, 1, 'a commit with an unknown outcome is never re-run');
      proxy.resume();
      assert.ok((await countEntries(id)) <= 1);
    } finally {
      proxy.resume();
      await db.end();
    }
  });

  test('deadlock between two real transactions: the loser re-runs; both effects present exactly once', async () => {
    const db = createPool(server.uri, { max: 4 });
    const [a, b] = [uniqueId(), uniqueId()];
    try {
      // Each transaction locks one account row, then waits for the other to lock its row.
      let release!: () => void;
      const bothLocked = new Promise<void>((resolve) => {
        release = resolve;
      });
      let locked = 0;
      const transfer = (first: number, second: number, entry: number) =>
        db.transaction(
          async (tx) => {
            await tx.query('UPDATE account SET balance = balance - 1 WHERE id = ?', [first]);
            if (tx.attempt === 1 && ++locked === 2) release();
            if (tx.attempt === 1) await bothLocked;
            await tx.query('UPDATE account SET balance = balance + 1 WHERE id = ?', [second]);
            await tx.query("INSERT INTO entry (id, note) VALUES (?, 'transfer')", [entry]);
          },
          { attempts: 3 },
        );
      const retries: string[] = [];
      db.on('retry', (event) => retries.push(event.reason));
      await Promise.all([transfer(1, 2, a), transfer(2, 1, b)]);
      assert.ok(
        retries.some((reason) => /deadlock/.test(reason)),
        `a deadlock victim was re-run: ${retries}`,
      );
      assert.equal(await countEntries(a), 1);
      assert.equal(await countEntries(b), 1);
      const balances = await server.admin('SELECT id, balance FROM goneaway.account ORDER BY id');
      assert.deepEqual(
        balances.map((row) => Number(row.balance)),
        [100, 100],
      );
    } finally {
      await db.end();
    }
  });

  for (const [state, setup, named] of [
    ['a user variable', 'SET @cart = 7', /user variables/],
    ['a temporary table', 'CREATE TEMPORARY TABLE scratch (a INT)', /temporary tables/],
    ['a named lock', "SELECT GET_LOCK('nightly-job', 1)", /named locks/],
  ] as const) {
    test(`a lease with ${state}, then KILL: SessionLostError naming it, never a silent fresh session`, async () => {
      const db = createPool(server.uri);
      const lease = await db.acquire();
      try {
        await lease.query(setup);
        const lost = nextEvent(db, 'loss');
        await server.admin('KILL CONNECTION ?', [lease.threadId]);
        await lost;
        const error = await lease.query('SELECT 1').then(
          () => assert.fail('the session was lost; a fresh one must not pretend to be it'),
          (e: unknown) => e,
        );
        assert.ok(error instanceof SessionLostError, String(error));
        assert.ok(
          error.lost.some((what) => named.test(what)),
          `lost: ${error.lost}`,
        );
        await assert.rejects(
          lease.query('SELECT 1'),
          SessionLostError,
          'the lease stays refused until released',
        );
      } finally {
        lease.release();
        await db.end();
      }
    });
  }

  test('state from initSql only: KILL is recovered transparently, with the init state present', async () => {
    const db = createPool(server.uri, {
      initSql: ['SET @tenant = 12', "SET SESSION time_zone = '+02:00'"],
    });
    const lease = await db.acquire();
    try {
      const before = lease.threadId;
      const lost = nextEvent(db, 'loss');
      await server.admin('KILL CONNECTION ?', [before]);
      await lost;
      const [row] = await lease.query<{ tenant: number; tz: string }[]>(
        'SELECT @tenant AS tenant, @@time_zone AS tz',
      );
      assert.notEqual(lease.threadId, before);
      assert.deepEqual({ ...row }, { tenant: 12, tz: '+02:00' });
    } finally {
      lease.release();
      await db.end();
    }
  });

  test('chaos: kills, restarts and resets under mixed load; acknowledged writes exactly once, unknown ones at most once', async (t) => {
    await server.admin('CREATE TABLE goneaway.chaos (id INT PRIMARY KEY)');
    // Callers must ride out every restart: once, with the whole suite loading both cores, a
    // restart kept the server away for longer than a 20 s acquire bound, so the bound is wide.
    const db = createPool(viaPort(server.uri, proxy.port), { max: 6, acquireTimeoutMs: 60_000 });
    const acknowledged: number[] = [];
    const unknown: number[] = [];
    const unexpected: unknown[] = [];
    let stop = false;
    let chaosId = 1_000_000;
    const deadline = Date.now() + 25_000;
    const worker = async (): Promise<void> => {
      // Bounded by count, by time and by `stop`.
      for (let i = 0; i < 2_000 && !stop && Date.now() < deadline; i++) {
        const id = chaosId++;
        try {
          if (i % 3 === 0) {
            await db.query('SELECT COUNT(*) AS n FROM chaos');
          } else {
            await db.query<WriteResult>('INSERT INTO chaos (id) VALUES (?)', [id]);
            acknowledged.push(id);
          }
        } catch (error) {
          if (error instanceof ConnectionLostError && error.outcome === 'unknown' && i % 3 !== 0)
            unknown.push(id);
          else unexpected.push(error);
        }
      }
    };
    try {
      const workers = Array.from({ length: 4 }, worker);
      const faults = ['reset', 'kill', 'restart', 'reset', 'kill', 'restart'] as const;
      for (const fault of faults) {
        await sleep(400);
        if (fault === 'reset') proxy.resetAll();
        else if (fault === 'kill') await server.killConnections();
        else {
          const started = Date.now();
          await server.restart({ downMs: 300 });
          t.diagnostic(`restart took ${Date.now() - started} ms`);
        }
      }
      await sleep(400);
      stop = true;
      await Promise.all(workers);

      assert.deepEqual(
        unexpected.map((e) => (isGoneAwayError(e) ? `${e.name}: ${e.message}` : String(e))),
        [],
        'only outcome-unknown writes may fail',
      );
      assert.ok(acknowledged.length > 50, `the load made progress (${acknowledged.length} writes)`);
      const rows = await server.admin('SELECT id FROM goneaway.chaos');
      const present = new Set(rows.map((row) => Number(row.id)));
      assert.equal(
        rows.length,
        present.size,
        'no id twice (the primary key would refuse it anyway)',
      );
      const missing = acknowledged.filter((id) => !present.has(id));
      assert.deepEqual(missing, [], 'every acknowledged write is present');
      const unaccounted = [...present].filter(
        (id) => !acknowledged.includes(id) && !unknown.includes(id),
      );
      assert.deepEqual(unaccounted, [], 'nothing was written that the caller was not told about');
    } finally {
      stop = true;
      await db.end();
    }
  });
});
