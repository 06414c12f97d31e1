/**
 * Guarantee 1: a connection that died while idle never causes an error for the caller.
 * Each fault is real: the server's own wait_timeout, KILL from an admin session, a server
 * restart, and a proxy that resets every connection.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createPool, type Pool } from '../../src/index.js';
import {
  type FaultProxy,
  type Sandbox,
  startFaultProxy,
  testServer,
} from '../../src/testing/index.js';
import { nextEvent, viaPort } from '../support/events.js';

type Mode = 'db.query' | 'lease';
const MODES: readonly Mode[] = ['db.query', 'lease'];

/**
 * Runs `SELECT CONNECTION_ID()` the way the mode says, around a fault. For a lease, the same
 * lease is held across the fault, so its connection dies while borrowed.
 */
async function aroundFault(
  db: Pool,
  mode: Mode,
  fault: () => Promise<void>,
): Promise<{ before: number; after: number }> {
  const sql = 'SELECT CONNECTION_ID() AS id';
  if (mode === 'db.query') {
    const [first] = await db.query<{ id: number }[]>(sql);
    await fault();
    const [second] = await db.query<{ id: number }[]>(sql);
    return { before: first!.id, after: second!.id };
  }
  const lease = await db.acquire();
  try {
    const [first] = await lease.query<{ id: number }[]>(sql);
    await fault();
    const [second] = await lease.query<{ id: number }[]>(sql);
    return { before: first!.id, after: second!.id };
  } finally {
    lease.release();
  }
}

async function statusValue(server: Sandbox, name: string): Promise<number> {
  const rows = await server.admin('SHOW GLOBAL STATUS LIKE ?', [name]);
  return Number(rows[0]?.Value);
}

describe('idle death is invisible', () => {
  let server: Sandbox;
  let proxy: FaultProxy;
  before(async () => {
    server = await testServer();
    proxy = await startFaultProxy({ target: { host: server.host, port: server.port } });
  });
  after(async () => {
    await proxy?.close();
    await server?.stop();
  });

  for (const mode of MODES) {
    test(`${mode}: the server closes an idle connection at wait_timeout; the next statement succeeds`, async () => {
      // idleTimeoutMs far above wait_timeout, so the server, not goneaway, closes it.
      const db = createPool(server.uri, {
        initSql: ['SET SESSION wait_timeout = 2'],
        idleTimeoutMs: 60_000,
      });
      try {
        const ids = await aroundFault(db, mode, async () => {
          await nextEvent(db, 'loss', () => true, 8_000);
        });
        assert.notEqual(
          ids.after,
          ids.before,
          'a new connection replaced the one the server closed',
        );
        if (mode === 'db.query') assert.equal(db.stats.closed['server-closed'], 1);
      } finally {
        await db.end();
      }
    });

    test(`${mode}: KILL of the idle connection from an admin session; the next statement succeeds`, async () => {
      const db = createPool(server.uri);
      try {
        const ids = await aroundFault(db, mode, async () => {
          const lost = nextEvent(db, 'loss');
          const killed = await server.killConnections({ command: 'Sleep' });
          assert.equal(killed.length, 1);
          await lost;
        });
        assert.notEqual(ids.after, ids.before);
      } finally {
        await db.end();
      }
    });

    test(`${mode}: server restart while idle; the next statement succeeds`, async () => {
      const db = createPool(server.uri);
      try {
        const ids = await aroundFault(db, mode, () => server.restart());
        assert.ok(ids.after > 0);
      } finally {
        await db.end();
      }
    });

    test(`${mode}: proxy resets every connection while idle; the next statement succeeds`, async () => {
      const db = createPool(viaPort(server.uri, proxy.port));
      try {
        const ids = await aroundFault(db, mode, async () => {
          const lost = nextEvent(db, 'loss');
          assert.equal(proxy.resetAll(), 1);
          await lost;
        });
        assert.notEqual(ids.after, ids.before);
      } finally {
        await db.end();
      }
    });
  }

  test('KILL with no time to notice: the validation ping finds the dead connection first', async () => {
    // validateAfterIdleMs 0 pings before every reuse: the statement is never written to the dead socket.
    const db = createPool(server.uri, { max: 4, validateAfterIdleMs: 0 });
    try {
      await Promise.all([1, 2, 3].map(() => db.query('SELECT SLEEP(0.05)')));
      assert.equal(db.stats.idle, 3);
      const killed = await server.killConnections({ command: 'Sleep' });
      assert.equal(killed.length, 3);
      const rows = await db.query<{ ok: number }[]>('SELECT 1 AS ok');
      assert.deepEqual(rows, [{ ok: 1 }]);
    } finally {
      await db.end();
    }
  });

  test("'auto' idle timeout retires a connection with a clean quit before the server's wait_timeout", async () => {
    const db = createPool(server.uri, { initSql: ['SET SESSION wait_timeout = 2'] });
    try {
      const [first] = await db.query<{ id: number }[]>('SELECT CONNECTION_ID() AS id');
      const abortedBefore = await statusValue(server, 'Aborted_clients');
      const retired = await nextEvent(db, 'close', (e) => e.reason === 'idle-timeout', 8_000);
      assert.equal(retired.connectionId, first!.id);
      assert.ok(
        retired.idleMs < 2_000,
        `retired after ${retired.idleMs} ms idle, before the server's 2 s`,
      );
      const rows = await db.query<{ ok: number }[]>('SELECT 1 AS ok');
      assert.deepEqual(rows, [{ ok: 1 }]);
      assert.equal(
        await statusValue(server, 'Aborted_clients'),
        abortedBefore,
        'the server never had to drop it',
      );
      assert.equal(db.stats.closed['server-closed'], 0);
    } finally {
      await db.end();
    }
  });
});
