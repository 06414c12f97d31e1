/**
 * The sandbox itself: it starts, its users have the privileges promised, and each fault it
 * offers (restart, kill, freeze, KILL CONNECTION) does to a real mysql2 connection what it
 * says. This file tests the sandbox, so it always starts one (never GONEAWAY_TEST_URI's server).
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import mysql from 'mysql2/promise';
import { type Sandbox, startSandbox } from '../../src/testing/index.js';

const CLOSED_STATE = "Can't add new command when connection is in closed state";

let server: Sandbox;
let startedInMs = 0;

before(async () => {
  const started = performance.now();
  server = await startSandbox();
  startedInMs = performance.now() - started;
});

after(async () => {
  await server?.stop();
});

/** A connection as the application user; its emitted errors are collected, not thrown. */
async function connect(
  t: { after(fn: () => void): void },
  options: { connectTimeout?: number } = {},
): Promise<{ connection: mysql.Connection; errors: Error[] }> {
  const connection = await mysql.createConnection({ uri: server.uri, ...options });
  const errors: Error[] = [];
  connection.on('error', (error: Error) => errors.push(error));
  t.after(() => connection.destroy());
  return { connection, errors };
}

async function selectOne(connection: mysql.Connection): Promise<number> {
  const [rows] = await connection.query<mysql.RowDataPacket[]>('SELECT 1 AS one');
  return Number(rows[0]?.one);
}

/** Resolves 'answered' or 'no answer' after `ms`: proves that nothing came back in time. */
async function answersWithin(pending: Promise<unknown>, ms: number): Promise<string> {
  pending.catch(() => {});
  return Promise.race([
    pending.then(
      () => 'answered',
      () => 'failed',
    ),
    sleep(ms, 'no answer'),
  ]);
}

function errorFields(error: unknown): Record<string, unknown> {
  const { code, errno, fatal, message } = error as {
    code?: string;
    errno?: number;
    fatal?: boolean;
    message: string;
  };
  return { code, errno, fatal, message };
}

const lostConnection = {
  code: 'PROTOCOL_CONNECTION_LOST',
  errno: undefined,
  fatal: true,
  message: 'Connection lost: The server closed the connection.',
};

function serverPid(sandbox: Sandbox): number {
  return Number(readFileSync(join(dirname(sandbox.socketPath), 'mariadbd.pid'), 'utf8').trim());
}

/** Waits until the server runs a statement for `id` (no event exists for that); bounded. */
async function untilRunning(id: number): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const rows = await server.admin(
      "SELECT 1 FROM information_schema.PROCESSLIST WHERE ID = ? AND COMMAND = 'Query'",
      [id],
    );
    if (rows.length > 0) return;
    await sleep(10);
  }
  throw new Error(`connection ${id} never showed up as running a statement`);
}

describe('sandbox', () => {
  test('starts a MariaDB that answers SELECT 1 on its uri', async (t) => {
    t.diagnostic(
      `started in ${Math.round(startedInMs)} ms (server ready in ${server.startupMs} ms), ${server.version}`,
    );
    assert.ok(startedInMs < 30_000, `start-up took ${startedInMs} ms`);
    assert.equal(server.host, '127.0.0.1');
    assert.equal(server.running, true);
    assert.equal(server.canRestart, true);
    assert.match(server.version, /MariaDB/);
    assert.match(server.uri, /^mysql:\/\/app:[^@]+@127\.0\.0\.1:\d+\/goneaway$/);
    const { connection } = await connect(t);
    assert.equal(await selectOne(connection), 1);
    const [rows] = await connection.query<mysql.RowDataPacket[]>(
      'SELECT CURRENT_USER() AS user, DATABASE() AS db',
    );
    assert.deepEqual({ ...rows[0] }, { user: 'app@%', db: 'goneaway' });
  });

  test('the application user cannot do admin things', async (t) => {
    const { connection } = await connect(t);
    await assert.rejects(connection.query('SET GLOBAL max_connections = 100'), (error: unknown) => {
      assert.equal((error as { code?: string }).code, 'ER_SPECIFIC_ACCESS_DENIED_ERROR');
      assert.equal((error as { errno?: number }).errno, 1227);
      return true;
    });
    await assert.rejects(connection.query('CREATE DATABASE elsewhere'), (error: unknown) => {
      assert.equal((error as { errno?: number }).errno, 1044); // ER_DBACCESS_DENIED_ERROR
      return true;
    });
    // Without PROCESS the processlist shows only the user's own sessions.
    const [others] = await connection.query<mysql.RowDataPacket[]>(
      "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE USER <> 'app'",
    );
    assert.equal(Number(others[0]?.n), 0);
    const [grants] = await connection.query<mysql.RowDataPacket[]>('SHOW GRANTS');
    const text = grants.map((row) => String(Object.values(row)[0])).join('\n');
    assert.doesNotMatch(text, /\bSUPER\b|\bPROCESS\b|ALL PRIVILEGES ON \*\.\*/);
  });

  test('admin() runs as root, with values, on a fresh connection', async () => {
    const [who] = await server.admin('SELECT CURRENT_USER() AS user, ? + ? AS sum', [1, 2]);
    assert.match(String(who?.user), /^root@/);
    assert.equal(Number(who?.sum), 3);
    const [others] = await server.admin(
      "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE USER = 'root'",
    );
    assert.ok(Number(others?.n) >= 1, 'root sees its own session through PROCESS');
  });

  test('killConnections({ command: "Sleep" }) kills idle app sessions only', async (t) => {
    const idle = await connect(t);
    const busy = await connect(t);
    const idleId = idle.connection.threadId;
    const busyId = busy.connection.threadId;
    const running = busy.connection.query<mysql.RowDataPacket[]>('SELECT SLEEP(1) AS slept');
    await untilRunning(Number(busyId));

    const ended = once(idle.connection, 'error', { signal: AbortSignal.timeout(5_000) });
    const killed = await server.killConnections({ command: 'Sleep' });
    // Sessions of earlier tests may still be closing (and 'Sleep'); ours must be in, busy out.
    assert.ok(killed.includes(Number(idleId)), `killed ${killed}, idle was ${idleId}`);
    assert.ok(!killed.includes(Number(busyId)), 'the busy session was spared');
    const [error] = await ended;
    assert.deepEqual(errorFields(error), lostConnection);
    await assert.rejects(idle.connection.query('SELECT 1'), { message: CLOSED_STATE });

    const [rows] = await running;
    assert.equal(Number(rows[0]?.slept), 0, 'the busy session finished its statement');
    assert.deepEqual(busy.errors, []);
  });

  test('restart() keeps the port and the data; open sessions are closed', async (t) => {
    await server.admin('CREATE TABLE goneaway.kept (id INT PRIMARY KEY, note VARCHAR(20))');
    await server.admin("INSERT INTO goneaway.kept VALUES (1, 'before restart')");
    const { connection } = await connect(t);
    const lost = once(connection, 'error', { signal: AbortSignal.timeout(10_000) });
    const port = server.port;

    const started = performance.now();
    await server.restart({ downMs: 300 });
    const tookMs = performance.now() - started;
    t.diagnostic(`restart took ${Math.round(tookMs)} ms (server ready in ${server.startupMs} ms)`);
    assert.ok(tookMs >= 300, 'it stayed down for downMs');
    assert.equal(server.port, port);
    assert.equal(server.running, true);
    assert.deepEqual(errorFields((await lost)[0]), lostConnection);

    const fresh = await connect(t);
    const [rows] = await fresh.connection.query<mysql.RowDataPacket[]>(
      'SELECT note FROM kept WHERE id = 1',
    );
    assert.equal(rows[0]?.note, 'before restart');
  });

  test('kill() crashes the server: connects are refused until restart(), data survives', async (t) => {
    await server.admin('CREATE TABLE goneaway.crashed (id INT PRIMARY KEY)');
    await server.admin('INSERT INTO goneaway.crashed VALUES (7)');
    const { connection } = await connect(t);
    const lost = once(connection, 'error', { signal: AbortSignal.timeout(5_000) });

    await server.kill();
    assert.equal(server.running, false);
    assert.deepEqual(errorFields((await lost)[0]), lostConnection);
    await assert.rejects(mysql.createConnection({ uri: server.uri }), (error: unknown) => {
      assert.equal((error as { code?: string }).code, 'ECONNREFUSED');
      return true;
    });
    await assert.rejects(server.admin('SELECT 1'), /needs a running server/);

    await server.restart();
    assert.equal(server.running, true);
    const fresh = await connect(t);
    const [rows] = await fresh.connection.query<mysql.RowDataPacket[]>('SELECT id FROM crashed');
    assert.deepEqual(
      rows.map((row) => row.id),
      [7],
    );
  });

  test('freeze() makes statements and connects hang; thaw() releases them', async (t) => {
    const { connection, errors } = await connect(t);
    assert.equal(await selectOne(connection), 1);
    t.after(() => server.thaw()); // never leave it stopped for the next test

    await server.freeze();
    const pending = connection.query('SELECT 1 AS one');
    assert.equal(await answersWithin(pending, 500), 'no answer');
    // The kernel still completes the TCP handshake; the greeting never comes.
    await assert.rejects(
      mysql.createConnection({ uri: server.uri, connectTimeout: 500 }),
      (error: unknown) => {
        assert.deepEqual(errorFields(error), {
          code: 'ETIMEDOUT',
          errno: undefined,
          fatal: true,
          message: 'connect ETIMEDOUT',
        });
        return true;
      },
    );

    server.thaw();
    assert.equal(await answersWithin(pending, 5_000), 'answered');
    assert.deepEqual(errors, []);
  });

  test('stop() ends the process and removes its files; it is idempotent', async () => {
    // Its own sandbox: stopping the file's server would end every later test.
    const own = await startSandbox();
    const dir = dirname(own.socketPath);
    const pid = serverPid(own);
    assert.ok(existsSync(dir));
    assert.doesNotThrow(() => process.kill(pid, 0), 'the server runs');

    await own.stop();
    assert.equal(existsSync(dir), false, 'the temp dir is gone');
    assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' });
    assert.equal(own.running, false);
    await own.stop();
    await assert.rejects(own.restart(), /after stop/);
  });
});
