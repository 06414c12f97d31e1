/**
 * The fault proxy, each control observed on a real mysql2 connection to a real MariaDB.
 * Every test gets its own proxy (fresh counters); the server is shared by the file.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import mysql from 'mysql2/promise';
import {
  type FaultProxy,
  type Sandbox,
  startFaultProxy,
  testServer,
} from '../../src/testing/index.js';

const CLOSED_STATE = "Can't add new command when connection is in closed state";

let server: Sandbox;

before(async () => {
  server = await testServer();
});

after(async () => {
  await server?.stop();
});

/** A fresh proxy to the file's server, closed when the test ends. */
async function proxyFor(t: { after(fn: () => Promise<void>): void }): Promise<FaultProxy> {
  const proxy = await startFaultProxy({ target: { host: server.host, port: server.port } });
  t.after(() => proxy.close());
  return proxy;
}

/** The application user's URI, pointed at the proxy instead of the server. */
function viaProxy(proxy: FaultProxy): string {
  const url = new URL(server.uri);
  url.hostname = proxy.host;
  url.port = String(proxy.port);
  return url.href;
}

/** A connection through the proxy; its emitted errors are collected instead of thrown. */
async function connect(
  t: { after(fn: () => void): void },
  uri: string,
  options: { connectTimeout?: number } = {},
): Promise<{ connection: mysql.Connection; errors: Error[] }> {
  const connection = await mysql.createConnection({ uri, ...options });
  const errors: Error[] = [];
  connection.on('error', (error: Error) => errors.push(error));
  t.after(() => connection.destroy());
  return { connection, errors };
}

function socketOf(connection: mysql.Connection): Socket {
  // mysql2's promise wrapper keeps the core connection, whose `stream` is the TCP socket.
  return (connection as unknown as { connection: { stream: Socket } }).connection.stream;
}

/** Resolves 'answered' or 'no answer' after `ms`: proves that nothing came back in time. */
async function answersWithin(pending: Promise<unknown>, ms: number): Promise<string> {
  pending.catch(() => {}); // it may fail later, after this test stopped caring
  const timer = sleep(ms, 'no answer' as const);
  return Promise.race([
    pending.then(
      () => 'answered',
      () => 'failed',
    ),
    timer,
  ]);
}

async function selectOne(connection: mysql.Connection): Promise<number> {
  const [rows] = await connection.query<mysql.RowDataPacket[]>('SELECT 1 AS one');
  return Number(rows[0]?.one);
}

function errorFields(error: unknown): Record<string, unknown> {
  const { code, fatal, message } = error as { code?: string; fatal?: boolean; message: string };
  return { code, fatal, message };
}

describe('fault proxy', () => {
  test('forwards a real session and counts connections and bytes', async (t) => {
    const proxy = await proxyFor(t);
    assert.equal(proxy.host, '127.0.0.1');
    assert.notEqual(proxy.port, server.port);
    const { connection } = await connect(t, viaProxy(proxy));
    await proxy.waitForConnections(1, 2_000);

    const before = proxy.stats;
    assert.equal(await selectOne(connection), 1);
    const afterQuery = proxy.stats;
    assert.equal(afterQuery.accepted, 1);
    assert.equal(afterQuery.active, 1);
    assert.ok(afterQuery.bytesUp > before.bytesUp, 'the query went up');
    assert.ok(afterQuery.bytesDown > before.bytesDown, 'the result came down');
    assert.equal(afterQuery.bytesDropped, 0);

    const [only] = proxy.connections;
    assert.equal(only?.clientPort, socketOf(connection).localPort);
    assert.equal(only?.open, true);
    assert.equal(only?.dark, false);
    assert.equal(only?.bytesUp, afterQuery.bytesUp);
    assert.equal(only?.bytesDown, afterQuery.bytesDown);
  });

  test('keeps chunks in order: a 4 MB result arrives intact, with and without latency', async (t) => {
    const proxy = await proxyFor(t);
    const { connection } = await connect(t, viaProxy(proxy));
    const sql = "SELECT REPEAT('abcdefgh', 524288) AS big, MD5(REPEAT('abcdefgh', 524288)) AS md5";
    for (const ms of [0, 5]) {
      proxy.latency(ms);
      const [rows] = await connection.query<mysql.RowDataPacket[]>(sql);
      const big = String(rows[0]?.big);
      assert.equal(big.length, 4 * 1024 * 1024);
      assert.equal(createHash('md5').update(big).digest('hex'), rows[0]?.md5);
    }
  });

  test('resetAll() on an idle connection: mysql2 emits ECONNRESET, later calls fail closed', async (t) => {
    const proxy = await proxyFor(t);
    const { connection } = await connect(t, viaProxy(proxy));
    assert.equal(await selectOne(connection), 1);

    const emitted = once(connection, 'error', { signal: AbortSignal.timeout(5_000) });
    assert.equal(proxy.resetAll(), 1);
    const [error] = await emitted;
    assert.deepEqual(errorFields(error), {
      code: 'ECONNRESET',
      fatal: true,
      message: 'read ECONNRESET',
    });
    await assert.rejects(connection.query('SELECT 1'), (next: unknown) => {
      assert.deepEqual(errorFields(next), { code: undefined, fatal: true, message: CLOSED_STATE });
      return true;
    });
    assert.equal(proxy.stats.resets, 1);

    const fresh = await connect(t, viaProxy(proxy));
    assert.equal(await selectOne(fresh.connection), 1);
  });

  test('resetAll() with a statement in flight: the statement fails with ECONNRESET', async (t) => {
    const proxy = await proxyFor(t);
    const { connection } = await connect(t, viaProxy(proxy));
    // mysql2 writes the statement to the socket synchronously, so it is in flight here.
    const inFlight = connection.query('SELECT SLEEP(5)');
    assert.equal(proxy.resetAll(), 1);
    await assert.rejects(inFlight, (error: unknown) => {
      assert.deepEqual(errorFields(error), {
        code: 'ECONNRESET',
        fatal: true,
        message: 'read ECONNRESET',
      });
      return true;
    });
  });

  test('a single connection can be reset without touching the others', async (t) => {
    const proxy = await proxyFor(t);
    const victim = await connect(t, viaProxy(proxy));
    const bystander = await connect(t, viaProxy(proxy));
    await proxy.waitForConnections(2, 2_000);
    const target = proxy.connections.find(
      (c) => c.clientPort === socketOf(victim.connection).localPort,
    );
    assert.ok(target, 'the victim is listed by its client port');

    const emitted = once(victim.connection, 'error', { signal: AbortSignal.timeout(5_000) });
    assert.equal(target.reset(), true);
    assert.equal((await emitted)[0].code, 'ECONNRESET');
    assert.equal(target.reset(), false, 'a closed connection cannot be reset twice');
    assert.equal(await selectOne(bystander.connection), 1);
    assert.deepEqual(bystander.errors, []);
  });

  test('blackhole(): a statement gets no answer while the socket stays open; the server is fine', async (t) => {
    const proxy = await proxyFor(t);
    const { connection, errors } = await connect(t, viaProxy(proxy));
    assert.equal(await selectOne(connection), 1);

    proxy.blackhole();
    assert.equal(proxy.dark, true);
    assert.equal(await answersWithin(connection.query('SELECT 1'), 500), 'no answer');
    assert.equal(socketOf(connection).destroyed, false, 'the client socket is still open');
    assert.deepEqual(errors, [], 'mysql2 was told nothing');
    assert.equal(proxy.stats.active, 1);
    assert.equal(proxy.connections[0]?.dark, true);
    assert.ok(proxy.stats.bytesDropped > 0, 'the statement was dropped, not queued');

    // Only the path is dark: the server itself answers a direct connection.
    const direct = await connect(t, server.uri);
    assert.equal(await selectOne(direct.connection), 1);

    // A new connection through the dark path is accepted but never greeted.
    await assert.rejects(
      mysql.createConnection({ uri: viaProxy(proxy), connectTimeout: 500 }),
      (error: unknown) => {
        assert.deepEqual(errorFields(error), {
          code: 'ETIMEDOUT',
          fatal: true,
          message: 'connect ETIMEDOUT',
        });
        return true;
      },
    );
  });

  test('a single connection can be black-holed while the others keep working', async (t) => {
    const proxy = await proxyFor(t);
    const victim = await connect(t, viaProxy(proxy));
    const bystander = await connect(t, viaProxy(proxy));
    await proxy.waitForConnections(2, 2_000);
    const target = proxy.connections.find(
      (c) => c.clientPort === socketOf(victim.connection).localPort,
    );
    assert.ok(target);
    target.blackhole();
    assert.equal(proxy.dark, false);
    assert.equal(await answersWithin(victim.connection.query('SELECT 1'), 300), 'no answer');
    assert.equal(await selectOne(bystander.connection), 1);
  });

  test('resume(): new connections work; bytes dropped while dark stay lost', async (t) => {
    const proxy = await proxyFor(t);
    const { connection } = await connect(t, viaProxy(proxy));
    assert.equal(await selectOne(connection), 1);
    proxy.blackhole();
    const lost = connection.query('SELECT 1');
    assert.equal(await answersWithin(lost, 300), 'no answer');
    // A connect made while dark: accepted, waiting for a greeting that has not come.
    const waiting = mysql.createConnection({ uri: viaProxy(proxy), connectTimeout: 5_000 });
    waiting.catch(() => {});
    await proxy.waitForConnections(2, 2_000);

    proxy.resume();
    assert.equal(proxy.dark, false);
    const late = await waiting; // connected upstream on resume, so the greeting arrives now
    t.after(() => late.destroy());
    assert.equal(await selectOne(late), 1);
    const fresh = await connect(t, viaProxy(proxy));
    assert.equal(await selectOne(fresh.connection), 1);
    // The dropped statement never reached the server, so its answer never comes.
    assert.equal(await answersWithin(lost, 300), 'no answer');
  });

  test('resume(): a server that closed the session while dark shows up as a reset', async (t) => {
    const proxy = await proxyFor(t);
    const { connection, errors } = await connect(t, viaProxy(proxy));
    const [rows] = await connection.query<mysql.RowDataPacket[]>('SELECT CONNECTION_ID() AS id');
    proxy.blackhole();
    await server.admin('KILL CONNECTION ?', [Number(rows[0]?.id)]);
    // The FIN is lost on the dark path; give it time to arrive if it were forwarded.
    assert.equal(await answersWithin(once(connection, 'end'), 300), 'no answer');
    assert.deepEqual(errors, []);

    const emitted = once(connection, 'error', { signal: AbortSignal.timeout(5_000) });
    proxy.resume();
    const [error] = await emitted;
    assert.equal(error.code, 'ECONNRESET');
  });

  test('latency(200): every round trip takes at least 2 x 200 ms', async (t) => {
    const proxy = await proxyFor(t);
    const { connection } = await connect(t, viaProxy(proxy));
    assert.equal(await selectOne(connection), 1);

    proxy.latency(200);
    assert.equal(proxy.latencyMs, 200);
    let started = performance.now();
    assert.equal(await selectOne(connection), 1);
    const slow = performance.now() - started;
    t.diagnostic(`round trip with latency(200): ${Math.round(slow)} ms`);
    assert.ok(slow >= 400, `a round trip took ${slow} ms`);

    proxy.latency(0);
    started = performance.now();
    assert.equal(await selectOne(connection), 1);
    const fast = performance.now() - started;
    t.diagnostic(`round trip with latency(0): ${Math.round(fast)} ms`);
    assert.ok(fast < 200, `a round trip took ${fast} ms without latency`);
    assert.throws(() => proxy.latency(-1), RangeError);
  });

  test('refuseNew(true): connects fail with ECONNRESET, existing sessions go on', async (t) => {
    const proxy = await proxyFor(t);
    const { connection } = await connect(t, viaProxy(proxy));

    proxy.refuseNew(true);
    assert.equal(proxy.refusing, true);
    await assert.rejects(mysql.createConnection({ uri: viaProxy(proxy) }), (error: unknown) => {
      const { code, fatal } = errorFields(error);
      // Node names the syscall that saw the RST: usually 'connect', or 'read' if it came later.
      assert.deepEqual({ code, fatal }, { code: 'ECONNRESET', fatal: true });
      assert.match(String(errorFields(error).message), /^(connect|read) ECONNRESET/);
      return true;
    });
    assert.equal(proxy.stats.refused, 1);
    assert.equal(proxy.stats.accepted, 1);
    assert.equal(await selectOne(connection), 1);

    proxy.refuseNew(false);
    const fresh = await connect(t, viaProxy(proxy));
    assert.equal(await selectOne(fresh.connection), 1);
  });

  test('waitForConnections() resolves on the Nth connection and rejects after its bound', async (t) => {
    const proxy = await proxyFor(t);
    await assert.rejects(proxy.waitForConnections(1, 100), /0 connection\(s\) open after 100 ms/);
    const waiting = proxy.waitForConnections(2, 5_000);
    await connect(t, viaProxy(proxy));
    await connect(t, viaProxy(proxy));
    await waiting;
    assert.equal(proxy.stats.active, 2);
  });

  test('close(): the port refuses, open sessions are closed, and close() is idempotent', async (t) => {
    const proxy = await proxyFor(t);
    const { connection } = await connect(t, viaProxy(proxy));
    const emitted = once(connection, 'error', { signal: AbortSignal.timeout(5_000) });

    await proxy.close();
    const [error] = await emitted;
    assert.equal(error.code, 'PROTOCOL_CONNECTION_LOST');
    await assert.rejects(mysql.createConnection({ uri: viaProxy(proxy) }), (refused: unknown) => {
      assert.equal((refused as { code?: string }).code, 'ECONNREFUSED');
      return true;
    });
    await proxy.close();
    assert.equal(proxy.stats.active, 0);
    await assert.rejects(proxy.waitForConnections(1, 1_000), /after close/);
  });
});
