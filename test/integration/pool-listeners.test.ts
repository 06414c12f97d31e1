/**
 * A listener that throws must not corrupt the pool (issue 13, item 6). Before the fix, a
 * `connect` listener that threw left an in-use connection with no holder, and a `close` listener
 * that threw skipped waking the waiters. Now every listener is called on its own, its error is a
 * process warning, and the pool goes on. Each case: a `max: 1` pool, a listener that throws on
 * one event, a workload that publishes that event with callers waiting, then the pool's real
 * state: every caller answered, no connection left in use, the server's sessions as expected.
 * (A `diagnostics_channel` subscriber that throws is Node's business: Node reports it as an
 * uncaught exception after the publish, which the pool never sees.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createPool, type Pool, type PoolEventName } from '../../src/index.js';
import { type Sandbox, testServer } from '../../src/testing/index.js';

/** Events and a workload that makes the pool publish each. */
const CASES: readonly {
  event: PoolEventName;
  provoke: (db: Pool, server: Sandbox) => Promise<void>;
}[] = [
  { event: 'connect', provoke: async (db) => void (await db.query('SELECT 1')) },
  {
    event: 'close',
    // A dirty session is retired on release: close is published while a caller waits.
    provoke: async (db) => {
      const lease = await db.acquire();
      await lease.query('SET @dirty = 1');
      const waiting = db.query('SELECT 2');
      lease.release();
      await waiting;
    },
  },
  {
    event: 'loss',
    provoke: async (db, server) => {
      await db.query('SELECT 1');
      await server.killConnections({ command: 'Sleep' });
      await db.query('SELECT 1');
    },
  },
  {
    event: 'epoch',
    provoke: async (db, server) => {
      await db.query('SELECT 1');
      await server.killConnections({ command: 'Sleep' });
      await db.query('SELECT 1');
    },
  },
  {
    event: 'acquire-wait',
    provoke: async (db) => {
      await Promise.all([db.query('SELECT SLEEP(0.05)'), db.query('SELECT 1')]);
    },
  },
  {
    event: 'scope-end',
    provoke: async (db) => void (await db.scope(() => db.query('SELECT 1'))),
  },
];

describe('a throwing event listener', () => {
  let server: Sandbox;
  before(async () => {
    server = await testServer();
  });
  after(() => server?.stop());

  const warnings: Error[] = [];
  const onWarning = (warning: Error & { code?: string }): void => {
    if (warning.code === 'GONEAWAY_LISTENER_THREW') warnings.push(warning);
  };
  before(() => process.on('warning', onWarning));
  after(() => process.off('warning', onWarning));

  for (const { event, provoke } of CASES) {
    test(`on '${event}' leaves the pool whole: every caller answered, nothing left in use`, async () => {
      const db = createPool(server.uri, { max: 1, acquireTimeoutMs: 5_000 });
      const before = warnings.length;
      let calls = 0;
      db.on(event, () => {
        calls++;
        throw new Error(`listener of ${event} broke`);
      });
      try {
        await provoke(db, server);
        // The pool still works for the next callers, concurrently.
        const rows = await Promise.all(
          [1, 2, 3].map((n) => db.query<{ n: number }[]>('SELECT ? AS n', [n])),
        );
        assert.deepEqual(rows.flat(), [{ n: 1 }, { n: 2 }, { n: 3 }]);
        assert.ok(calls > 0, `the listener was called (${event})`);
        assert.equal(db.stats.inUse, 0, 'no connection left in use without a holder');
        assert.equal(db.stats.waiting, 0);
        await new Promise((resolve) => setImmediate(resolve));
        assert.ok(warnings.length > before, 'the throw was reported as a warning');
      } finally {
        await db.end();
      }
    });
  }
});
