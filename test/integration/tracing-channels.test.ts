/**
 * goneaway's tracing channels (`goneaway:query`, `goneaway:transaction`, `goneaway:acquire`,
 * `goneaway:connect`), read the way an APM tool reads mysql2's: one trace per logical
 * operation, with its attempts, against a real server with a real KILL.
 */
import assert from 'node:assert/strict';
import { tracingChannel } from 'node:diagnostics_channel';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createPool } from '../../src/index.js';
import { type Sandbox, testServer } from '../../src/testing/index.js';

type Context = Record<string, unknown> & {
  attempts?: {
    attempt: number;
    connectionId: number;
    decision?: { retry: boolean; reason: string };
  }[];
};

/** Collects every finished trace of one channel while `work` runs. */
async function traces(name: string, work: () => Promise<unknown>): Promise<Context[]> {
  const channel = tracingChannel<unknown, Context>(name);
  const done: Context[] = [];
  const handlers = {
    start: () => {},
    end: () => {},
    asyncStart: () => {},
    asyncEnd: (context: Context) => void done.push(context),
    error: () => {},
  };
  channel.subscribe(handlers);
  try {
    await work().catch(() => undefined);
  } finally {
    channel.unsubscribe(handlers);
  }
  return done;
}

describe('tracing channels', () => {
  let server: Sandbox;
  before(async () => {
    server = await testServer();
  });
  after(() => server?.stop());

  async function sessionOf(needle: string): Promise<number> {
    for (let i = 0; i < 200; i++) {
      const rows = await server.admin(
        'SELECT ID AS id FROM information_schema.PROCESSLIST WHERE USER = ? AND INFO LIKE ?',
        [server.user, `%${needle}%`],
      );
      if (rows[0]) return Number(rows[0].id);
      await sleep(10);
    }
    throw new Error(`no session runs '${needle}'`);
  }

  test('goneaway:query: a read killed mid-flight is one trace with two attempts and the retry reason', async () => {
    const db = createPool(server.uri);
    try {
      const seen = await traces('goneaway:query', async () => {
        const pending = db.query('SELECT SLEEP(1) AS s, 7 AS traced_answer');
        await server.admin('KILL CONNECTION ?', [await sessionOf('traced_answer')]);
        assert.deepEqual(await pending, [{ s: 0, traced_answer: 7 }]);
      });
      const trace = seen.find((context) => String(context.query).includes('traced_answer'));
      assert.ok(trace, 'one trace for the statement');
      assert.equal(seen.filter((c) => String(c.query).includes('traced_answer')).length, 1);
      assert.equal(trace.operation, 'query');
      assert.equal(trace.serverAddress, server.host);
      assert.equal(trace.serverPort, server.port);
      assert.equal(trace.database, server.database);
      assert.equal(trace.attempts?.length, 2);
      assert.equal(trace.attempts?.[0]?.decision?.retry, true);
      assert.match(trace.attempts?.[0]?.decision?.reason ?? '', /^retried: read-only SELECT/);
      assert.notEqual(trace.attempts?.[0]?.connectionId, trace.attempts?.[1]?.connectionId);
      assert.doesNotMatch(
        JSON.stringify(trace, (_k, v) => (typeof v === 'bigint' ? 0 : v)),
        new RegExp(server.password),
      );
    } finally {
      await db.end();
    }
  });

  test('goneaway:transaction, goneaway:connect and goneaway:acquire', async () => {
    const db = createPool(server.uri, { max: 1 });
    try {
      const connects = await traces('goneaway:connect', () => db.query('SELECT 1'));
      assert.equal(connects.length, 1);
      assert.ok(Number(connects[0]?.connectionId) > 0);
      assert.equal(connects[0]?.user, server.user);
      assert.doesNotMatch(JSON.stringify(connects[0]), new RegExp(server.password));

      const transactions = await traces('goneaway:transaction', () =>
        db.transaction(async (tx) => tx.query('SELECT 1'), { isolationLevel: 'READ COMMITTED' }),
      );
      assert.equal(transactions.length, 1);
      assert.equal(transactions[0]?.isolationLevel, 'READ COMMITTED');
      assert.equal(transactions[0]?.attempts?.length, 1);

      // A second caller must wait for the only connection: that checkout is traced.
      const acquires = await traces('goneaway:acquire', async () => {
        const lease = await db.acquire();
        const waiting = db.query('SELECT 2');
        lease.release();
        await waiting;
      });
      assert.ok(acquires.length >= 1);
      assert.equal(acquires[0]?.fresh, false);
    } finally {
      await db.end();
    }
  });
});
