/**
 * The pool's contract outside of faults: lazy connect, the hot path adds no round trip,
 * release resets what it must, bounded timeouts, leak reports, clean end, clear errors.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { after, before, describe, test } from 'node:test';
import { inspect } from 'node:util';
import { createPool, type WriteResult } from '../../src/index.js';
import { type Sandbox, testServer } from '../../src/testing/index.js';
import { nextEvent } from '../support/events.js';

describe('pool lifecycle', () => {
  let server: Sandbox;
  before(async () => {
    server = await testServer();
    await server.admin('CREATE TABLE goneaway.note (id INT AUTO_INCREMENT PRIMARY KEY, body TEXT)');
  });
  after(() => server?.stop());

  async function abortedClients(): Promise<number> {
    const rows = await server.admin("SHOW GLOBAL STATUS LIKE 'Aborted_clients'");
    return Number(rows[0]?.Value);
  }

  /** The server ends a session's thread shortly after it closes; no event tells when, so poll (bounded). */
  async function untilNoAppSessions(): Promise<void> {
    for (let i = 0; i < 250 && (await appSessions()) > 0; i++)
      await new Promise((r) => setTimeout(r, 20));
  }

  async function appSessions(): Promise<number> {
    const rows = await server.admin(
      'SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE USER = ?',
      [server.user],
    );
    return Number(rows[0]?.n);
  }

  test('creating a pool opens nothing; the first statement connects', async () => {
    const db = createPool(server.uri);
    try {
      assert.equal(await appSessions(), 0);
      assert.equal(db.stats.total, 0);
      await db.query('SELECT 1');
      assert.equal(await appSessions(), 1);
      assert.equal(db.stats.opened, 1);
    } finally {
      await db.end();
    }
  });

  test('the hot path: reuse within the validation window sends no ping', async () => {
    const db = createPool(server.uri, { max: 1 });
    try {
      for (let i = 0; i < 50; i++) await db.query('SELECT 1');
      assert.equal(db.stats.validations, 0);
      assert.equal(db.stats.opened, 1);
    } finally {
      await db.end();
    }
  });

  test('a write resolves to a WriteResult; prepared statements work', async () => {
    const db = createPool(server.uri);
    try {
      const result = await db.query<WriteResult>('INSERT INTO note (body) VALUES (?)', ['hello']);
      assert.equal(result.affectedRows, 1);
      assert.ok(result.insertId > 0);
      const rows = await db.execute<{ body: string }[]>('SELECT body FROM note WHERE id = ?', [
        result.insertId,
      ]);
      assert.deepEqual(rows, [{ body: 'hello' }]);
    } finally {
      await db.end();
    }
  });

  test('a lease returned inside an open transaction is rolled back; the next caller sees no transaction', async () => {
    const db = createPool(server.uri, { max: 1 });
    try {
      const lease = await db.acquire();
      await lease.query('START TRANSACTION');
      await lease.query('INSERT INTO note (body) VALUES (?)', ['uncommitted']);
      assert.equal(lease.inTransaction, true, 'the server reported the open transaction');
      lease.release();
      const next = await db.acquire();
      try {
        assert.equal(next.inTransaction, false);
        const rows = await next.query<{ n: number }[]>(
          "SELECT COUNT(*) AS n FROM note WHERE body = 'uncommitted'",
        );
        assert.equal(Number(rows[0]?.n), 0, 'the insert was rolled back');
        const [status] = await next.query<{ trx: number }[]>('SELECT @@in_transaction AS trx');
        assert.equal(Number(status?.trx), 0);
      } finally {
        next.release();
      }
    } finally {
      await db.end();
    }
  });

  test('a session holding state is retired on release, never handed to the next caller', async () => {
    const db = createPool(server.uri, { max: 1 });
    try {
      const lease = await db.acquire();
      await lease.query('SET @secret_of_the_previous_user = 42');
      const dirtyId = lease.threadId;
      lease.release();
      const [row] = await db.query<{ v: unknown; id: number }[]>(
        'SELECT @secret_of_the_previous_user AS v, CONNECTION_ID() AS id',
      );
      assert.equal(row?.v, null);
      assert.notEqual(row?.id, dirtyId);
      assert.equal(db.stats.closed['dirty-session'], 1);
    } finally {
      await db.end();
    }
  });

  test('initSql runs on every new connection and does not count as session state', async () => {
    const db = createPool(server.uri, { max: 1, initSql: ["SET SESSION time_zone = '+03:00'"] });
    try {
      const [row] = await db.query<{ tz: string }[]>('SELECT @@session.time_zone AS tz');
      assert.equal(row?.tz, '+03:00');
      await db.query('SELECT 1');
      assert.equal(db.stats.opened, 1, 'the connection was reused, not retired as dirty');
    } finally {
      await db.end();
    }
  });

  test("the server's wait_timeout is learned right behind the first statement, not before it", async () => {
    await server.admin('SET GLOBAL wait_timeout = 3');
    const db = createPool(server.uri);
    try {
      const [first] = await db.query<{ id: number }[]>('SELECT CONNECTION_ID() AS id');
      const retired = await nextEvent(db, 'close', (e) => e.reason === 'idle-timeout', 8_000);
      assert.equal(retired.connectionId, first?.id);
      assert.ok(
        retired.idleMs >= 2_000 && retired.idleMs < 3_000,
        `retired after ${retired.idleMs} ms, before the server's 3 s`,
      );
      assert.equal(db.stats.closed['server-closed'], 0);
    } finally {
      await server.admin('SET GLOBAL wait_timeout = 28800');
      await db.end();
    }
  });

  test('a per-statement timeout fails the statement within the bound and closes its connection', async () => {
    const db = createPool(server.uri);
    try {
      const started = Date.now();
      await assert.rejects(
        db.query('SELECT SLEEP(3)', undefined, { timeoutMs: 300 }),
        (error: Error) => {
          assert.equal(error.name, 'QueryTimeoutError');
          return true;
        },
      );
      assert.ok(Date.now() - started < 2_000);
      assert.deepEqual(await db.query('SELECT 1 AS ok'), [{ ok: 1 }]);
    } finally {
      await db.end();
    }
  });

  test('acquire timeout carries the pool counts and suggests a fix', async () => {
    const db = createPool(server.uri, { max: 1, acquireTimeoutMs: 300 });
    const lease = await db.acquire();
    try {
      await assert.rejects(
        db.query('SELECT 1'),
        (error: Error & { counts?: { inUse: number; max: number } }) => {
          assert.equal(error.name, 'AcquireTimeoutError');
          assert.equal(error.counts?.inUse, 1);
          assert.equal(error.counts?.max, 1);
          assert.match(error.message, /raise max/);
          return true;
        },
      );
    } finally {
      lease.release();
      await db.end();
    }
  });

  test('a lease held past leakWarningMs is reported with the stack that took it', async () => {
    const db = createPool(server.uri, { leakWarningMs: 300 });
    try {
      const leak = nextEvent(db, 'leak', () => true, 5_000);
      const lease = await db.acquire(); // this line is the one the report must point at
      const report = await leak;
      assert.ok(report.heldMs >= 300);
      assert.match(report.stack, /pool-lifecycle\.test\.ts/);
      lease.release();
    } finally {
      await db.end();
    }
  });

  test('events are published on goneaway:* diagnostics channels', async () => {
    const seen: unknown[] = [];
    const listener = (message: unknown): void => {
      seen.push(message);
    };
    subscribe('goneaway:connect', listener);
    const db = createPool(server.uri);
    try {
      await db.query('SELECT 1');
      assert.equal(seen.length, 1);
      assert.equal(typeof (seen[0] as { connectionId: number }).connectionId, 'number');
      assert.equal(typeof (seen[0] as { durationMs: number }).durationMs, 'number');
    } finally {
      unsubscribe('goneaway:connect', listener);
      await db.end();
    }
  });

  test('wrong password: a clear error at once, without the password', async () => {
    const url = new URL(server.uri);
    url.password = 'Wr0ng-Pa55word-xyzzy';
    const db = createPool(url.href, { acquireTimeoutMs: 10_000 });
    try {
      const started = Date.now();
      const error = await db.query('SELECT 1').then(
        () => assert.fail('must not authenticate'),
        (e: unknown) => e as Error,
      );
      assert.equal(error.name, 'AuthenticationError');
      assert.ok(Date.now() - started < 5_000, 'bad credentials are not waited on');
      for (const form of [
        error.message,
        String(error),
        inspect(error, { depth: 5 }),
        JSON.stringify(error),
      ]) {
        assert.ok(!form.includes('Wr0ng-Pa55word-xyzzy'), 'password leaked in an error form');
        assert.ok(!form.includes(server.password));
      }
    } finally {
      await db.end();
    }
  });

  test('bad options are rejected with the key named, never echoing the URI password', () => {
    assert.throws(() => createPool(server.uri, { maxx: 3 } as never), /Unknown pool option 'maxx'/);
    assert.throws(() => createPool(server.uri, { max: 0 }), /'max' is 0/);
    assert.throws(
      () => createPool('mysql://app:s3cr3t-p4ss@127.0.0.1:3306/db?bogus=1'),
      (error: Error) =>
        /unknown parameter 'bogus'/.test(error.message) && !error.message.includes('s3cr3t-p4ss'),
    );
  });

  test('end() closes every connection and timer: the process exits on its own', async () => {
    // Sessions dropped by earlier tests (a timed-out SLEEP) are counted once their thread ends.
    await untilNoAppSessions();
    const abortedBefore = await abortedClients();
    const script = `
      import { createPool } from './src/index.ts';
      const db = createPool(process.env.URI, { keepaliveMs: 100, leakWarningMs: 50 });
      await Promise.all([1, 2, 3].map(() => db.query('SELECT SLEEP(0.05)')));
      const lease = await db.acquire();
      lease.release();
      await db.end();
      console.log('ended');
    `;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      {
        env: { ...process.env, URI: server.uri },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    const exitCode = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve(null);
      }, 15_000);
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
    assert.equal(exitCode, 0, `the process did not exit by itself: ${output}`);
    assert.match(output, /ended/);
    await untilNoAppSessions();
    assert.equal(await appSessions(), 0, 'every server session was closed');
    assert.equal(
      await abortedClients(),
      abortedBefore,
      'each connection said goodbye (COM_QUIT), none was just dropped',
    );
  });
});
