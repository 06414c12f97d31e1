/**
 * The taxonomy against real errors: each test makes a real MariaDB (and mysql2, and Node's
 * network stack) produce one failure, classifies what mysql2 hands over with the context a
 * pool would give, and checks the class, `retryable`, `connectionUsable` and `outcome`, and,
 * where the class claims the connection is still usable, that it really is.
 *
 * Every classified error is kept; the last test checks that none of them, in any printed form,
 * contains a password used in this file.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { inspect } from 'node:util';
import mysql from 'mysql2/promise';
import {
  type ClassifyContext,
  ConfigurationError,
  classify,
  type ErrorClassName,
  type Flavor,
  flavorOf,
  type GoneAwayError,
  type Outcome,
  signalsServerRestart,
} from '../../src/errors/index.js';
import { type Sandbox, startFaultProxy, testServer } from '../../src/testing/index.js';

const WRONG_PASSWORD = 'not-the-password-1234';

let server: Sandbox;
let flavor: Flavor;
const classified: GoneAwayError[] = [];

before(async () => {
  server = await testServer();
  flavor = flavorOf(server.version);
  await server.admin(
    `CREATE TABLE IF NOT EXISTS \`${server.database}\`.item (id INT PRIMARY KEY, name VARCHAR(8)) ENGINE=InnoDB`,
  );
  await server.admin(`INSERT INTO \`${server.database}\`.item VALUES (1, 'one'), (2, 'two')`);
});

after(async () => {
  await server?.stop();
});

type Ctx = Omit<ClassifyContext, 'flavor' | 'host' | 'port'>;

/** Classifies as the pool would (flavour, host and port filled in) and keeps the result. */
function classifyHere(error: unknown, context: Ctx, port = server.port): GoneAwayError {
  const result = classify(error, { flavor, host: server.host, port, ...context });
  classified.push(result);
  return result;
}

/** The rejection of `promise`, which must reject. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('expected a rejection');
}

function expectClass(
  error: GoneAwayError,
  [name, outcome, retryable, usable]: readonly [ErrorClassName, Outcome, boolean, boolean],
): void {
  assert.deepEqual(
    {
      name: error.name,
      outcome: error.outcome,
      retryable: error.retryable,
      connectionUsable: error.connectionUsable,
    },
    { name, outcome, retryable, connectionUsable: usable },
    error.message,
  );
}

interface Opened {
  readonly connection: mysql.Connection;
  /** Errors the connection emitted with no command to report them to. */
  readonly emitted: Error[];
  /** Resolves with the next emitted error. */
  nextEmitted(): Promise<Error>;
}

async function open(
  t: { after(fn: () => void): void },
  options: mysql.ConnectionOptions = {},
): Promise<Opened> {
  const connection = await mysql.createConnection({ uri: server.uri, ...options });
  const emitted: Error[] = [];
  connection.on('error', (error: Error) => emitted.push(error));
  t.after(() => connection.destroy());
  return {
    connection,
    emitted,
    nextEmitted: async () => ((await once(connection, 'error')) as [Error])[0],
  };
}

function threadIdOf(connection: mysql.Connection): number {
  return connection.threadId as number;
}

/**
 * Waits (bounded) until the server reports `threadId` in the wanted state. The server tells
 * this only when asked (processlist, InnoDB's transaction table), so this polls.
 */
async function untilServer(sql: string, threadId: number, what: string): Promise<void> {
  for (let attempt = 0; attempt < 150; attempt++) {
    const rows = await server.admin(sql, [threadId]);
    if (rows.length > 0) return;
    await sleep(20);
  }
  assert.fail(`thread ${threadId} never ${what}`);
}

const untilRunning = (threadId: number) =>
  untilServer(
    "SELECT 1 FROM information_schema.PROCESSLIST WHERE ID = ? AND COMMAND = 'Query' AND INFO IS NOT NULL",
    threadId,
    'started its statement',
  );

const untilWaitingForLock = (threadId: number) =>
  untilServer(
    "SELECT 1 FROM information_schema.INNODB_TRX WHERE trx_mysql_thread_id = ? AND trx_state = 'LOCK WAIT'",
    threadId,
    'waited for a row lock',
  );

async function stillUsable(connection: mysql.Connection): Promise<void> {
  const [rows] = await connection.query<mysql.RowDataPacket[]>('SELECT 1 AS ok');
  assert.equal(rows[0]?.ok, 1, 'the connection still answers');
}

describe('connecting', () => {
  test('wrong password → AuthenticationError, not retried', async () => {
    const url = new URL(server.uri);
    url.password = WRONG_PASSWORD;
    const driver = await rejection(mysql.createConnection({ uri: url.href }));
    assert.equal((driver as { errno?: number }).errno, 1045);
    const error = classifyHere(driver, { phase: 'connecting' });
    expectClass(error, ['AuthenticationError', 'not-sent', false, false]);
    assert.equal(error.symbol, 'ER_ACCESS_DENIED_ERROR');
    assert.equal(error.sqlState, '28000');
    assert.match(error.message, /using password: YES/);
  });

  test('unknown database the user may see → ConfigurationError (1049)', async () => {
    const driver = await rejection(
      mysql.createConnection({ uri: server.uri, database: `${server.database}_nosuch` }),
    );
    const error = classifyHere(driver, { phase: 'connecting' });
    expectClass(error, ['ConfigurationError', 'not-sent', false, false]);
    assert.equal(error.errno, 1049);
  });

  test('a database the user may not see → AuthenticationError (1044, even if it does not exist)', async () => {
    const driver = await rejection(mysql.createConnection({ uri: server.uri, database: 'nosuch' }));
    const error = classifyHere(driver, { phase: 'connecting' });
    expectClass(error, ['AuthenticationError', 'not-sent', false, false]);
    assert.equal(error.errno, 1044);
  });

  test('connection refused → ServerUnavailableError, retried, suggests a restart', async () => {
    // A port that was just listened on and closed again: nothing listens there now.
    const proxy = await startFaultProxy({ target: { host: server.host, port: server.port } });
    const port = proxy.port;
    await proxy.close();
    const driver = await rejection(mysql.createConnection({ uri: server.uri, port }));
    assert.equal((driver as { code?: string }).code, 'ECONNREFUSED');
    const error = classifyHere(driver, { phase: 'connecting' }, port);
    expectClass(error, ['ServerUnavailableError', 'not-sent', true, false]);
    assert.equal(error.systemCode, 'ECONNREFUSED');
    assert.equal(signalsServerRestart(error), true);
    assert.match(error.message, new RegExp(`^Could not connect to 127\\.0\\.0\\.1:${port}`));
  });

  test('a path that never answers → connect ETIMEDOUT → ServerUnavailableError', async (t) => {
    const proxy = await startFaultProxy({ target: { host: server.host, port: server.port } });
    t.after(() => proxy.close());
    proxy.blackhole();
    const driver = await rejection(
      mysql.createConnection({ uri: server.uri, port: proxy.port, connectTimeout: 300 }),
    );
    assert.equal((driver as { code?: string }).code, 'ETIMEDOUT');
    const error = classifyHere(driver, { phase: 'connecting' }, proxy.port);
    expectClass(error, ['ServerUnavailableError', 'not-sent', true, false]);
  });
});

describe('statements the server rejects', () => {
  test('syntax error → ProgrammingError; the connection really is still usable', async (t) => {
    const { connection } = await open(t);
    const sql = 'SELEC 1';
    const error = classifyHere(await rejection(connection.query(sql)), {
      phase: 'awaiting-result',
      sql,
    });
    expectClass(error, ['ProgrammingError', 'failed', false, true]);
    assert.equal(error.driverCode, 'ER_PARSE_ERROR');
    await stillUsable(connection);
  });

  test('duplicate key → IntegrityError', async (t) => {
    const { connection } = await open(t);
    const sql = "INSERT INTO item VALUES (1, 'dup')";
    const error = classifyHere(await rejection(connection.query(sql)), {
      phase: 'awaiting-result',
      sql,
    });
    expectClass(error, ['IntegrityError', 'failed', false, true]);
    assert.equal(error.errno, 1062);
    assert.match(
      error.message,
      /^127\.0\.0\.1:\d+ rejected an INSERT \(ER_DUP_ENTRY 1062, SQLSTATE 23000/,
    );
    assert.doesNotMatch(error.message, /'dup'/, 'no value from the statement');
    await stillUsable(connection);
  });

  test('USE of an unknown database mid-session → ProgrammingError (not ConfigurationError)', async (t) => {
    const { connection } = await open(t);
    const sql = `USE \`${server.database}_nosuch\``;
    const error = classifyHere(await rejection(connection.query(sql)), {
      phase: 'awaiting-result',
      sql,
    });
    expectClass(error, ['ProgrammingError', 'failed', false, true]);
  });

  test('max_statement_time → QueryTimeoutError (1969, no mysql2 code), connection usable', async (t) => {
    const { connection } = await open(t);
    const sql = 'SET STATEMENT max_statement_time = 0.1 FOR SELECT SLEEP(2)';
    const driver = await rejection(connection.query(sql));
    assert.equal((driver as { code?: string }).code, undefined, 'mysql2 only knows MySQL names');
    const error = classifyHere(driver, { phase: 'awaiting-result', sql });
    expectClass(error, ['QueryTimeoutError', 'failed', false, true]);
    assert.equal(error.symbol, 'ER_STATEMENT_TIMEOUT');
    await stillUsable(connection);
  });

  test('read-only server (failover) → ReadOnlyServerError, retried on a new connection', async (t) => {
    const { connection } = await open(t);
    await server.admin('SET GLOBAL read_only = 1');
    t.after(() => server.admin('SET GLOBAL read_only = 0'));
    const sql = "INSERT INTO item VALUES (9, 'ro')";
    const error = classifyHere(await rejection(connection.query(sql)), {
      phase: 'awaiting-result',
      sql,
    });
    expectClass(error, ['ReadOnlyServerError', 'failed', true, false]);
    assert.equal(error.errno, 1290);
  });
});

describe('transaction conflicts', () => {
  test('deadlock between two connections → DeadlockError; the victim was rolled back', async (t) => {
    const a = (await open(t)).connection;
    const b = (await open(t)).connection;
    await a.query('START TRANSACTION');
    await b.query('START TRANSACTION');
    await a.query("UPDATE item SET name = 'a' WHERE id = 1");
    await b.query("UPDATE item SET name = 'b' WHERE id = 2");
    const aWaits = a.query("UPDATE item SET name = 'a' WHERE id = 2");
    await untilWaitingForLock(threadIdOf(a));
    const bCloses = b.query("UPDATE item SET name = 'b' WHERE id = 1");
    const [aResult, bResult] = await Promise.allSettled([aWaits, bCloses]);
    const victim = aResult.status === 'rejected' ? aResult : bResult;
    assert.equal(victim.status, 'rejected', 'one of the two is chosen as the deadlock victim');
    const error = classifyHere((victim as PromiseRejectedResult).reason, {
      phase: 'awaiting-result',
      sql: 'UPDATE item',
      inTransaction: true,
    });
    expectClass(error, ['DeadlockError', 'failed', true, true]);
    assert.equal(error.sqlState, '40001');
    // Retrying the whole transaction is safe: InnoDB rolled the victim's first update back.
    const survivor = aResult.status === 'rejected' ? b : a;
    const loser = aResult.status === 'rejected' ? a : b;
    await survivor.query('COMMIT');
    await stillUsable(loser);
    const [rows] = await loser.query<mysql.RowDataPacket[]>('SELECT name FROM item ORDER BY id');
    const names = rows.map((row) => row.name);
    assert.deepEqual(names, aResult.status === 'rejected' ? ['b', 'b'] : ['a', 'a']);
    await loser.query('ROLLBACK');
    await server.admin(`UPDATE \`${server.database}\`.item SET name = IF(id = 1, 'one', 'two')`);
  });

  test('lock wait timeout → LockWaitTimeoutError; the transaction stays open', async (t) => {
    const holder = (await open(t)).connection;
    const waiter = (await open(t)).connection;
    await holder.query('START TRANSACTION');
    await holder.query("UPDATE item SET name = 'held' WHERE id = 1");
    await waiter.query('SET SESSION innodb_lock_wait_timeout = 1');
    await waiter.query('START TRANSACTION');
    const sql = "UPDATE item SET name = 'late' WHERE id = 1";
    const error = classifyHere(await rejection(waiter.query(sql)), {
      phase: 'awaiting-result',
      sql,
      inTransaction: true,
    });
    expectClass(error, ['LockWaitTimeoutError', 'failed', true, true]);
    assert.equal(error.errno, 1205);
    await holder.query('ROLLBACK');
    await waiter.query('ROLLBACK');
  });
});

describe('KILL', () => {
  test('KILL QUERY → QueryInterruptedError; the connection stays usable', async (t) => {
    const { connection } = await open(t);
    const sql = 'SELECT SLEEP(5)';
    const running = rejection(connection.query(sql));
    await untilRunning(threadIdOf(connection));
    await server.admin('KILL QUERY ?', [threadIdOf(connection)]);
    const error = classifyHere(await running, { phase: 'awaiting-result', sql });
    expectClass(error, ['QueryInterruptedError', 'failed', false, true]);
    assert.equal(error.errno, 1317);
    await stillUsable(connection);
  });

  test('KILL CONNECTION during a statement → ConnectionLostError, outcome unknown', async (t) => {
    const { connection } = await open(t);
    const sql = 'SELECT SLEEP(5)';
    const running = rejection(connection.query(sql));
    await untilRunning(threadIdOf(connection));
    await server.admin('KILL CONNECTION ?', [threadIdOf(connection)]);
    const driver = await running;
    assert.equal((driver as { code?: string }).code, 'PROTOCOL_CONNECTION_LOST');
    const error = classifyHere(driver, { phase: 'awaiting-result', sql, idleMs: 0 });
    expectClass(error, ['ConnectionLostError', 'unknown', false, false]);

    // Every later call on the same handle: refused before anything is written.
    const next = classifyHere(await rejection(connection.query('SELECT 1')), {
      phase: 'sending',
      sql: 'SELECT 1',
    });
    expectClass(next, ['ConnectionLostError', 'not-sent', true, false]);
    assert.equal(next.driverCode, undefined, 'mysql2 gives the closed-state error no code');
  });

  test('KILL CONNECTION while idle → emitted PROTOCOL_CONNECTION_LOST → not-sent', async (t) => {
    const { connection, nextEmitted } = await open(t);
    const emitted = nextEmitted();
    await server.admin('KILL CONNECTION ?', [threadIdOf(connection)]);
    const error = classifyHere(await emitted, { phase: 'idle', idleMs: 10 });
    expectClass(error, ['ConnectionLostError', 'not-sent', true, false]);
    assert.equal(error.driverCode, 'PROTOCOL_CONNECTION_LOST');
  });

  test('a session killing itself gets MariaDB 1927 ER_CONNECTION_KILLED', async (t) => {
    if (flavor !== 'mariadb') return t.skip('MariaDB-specific error number');
    const { connection } = await open(t);
    const sql = `KILL CONNECTION ${threadIdOf(connection)}`;
    const error = classifyHere(await rejection(connection.query(sql)), {
      phase: 'awaiting-result',
      sql,
    });
    assert.equal(error.errno, 1927);
    assert.equal(error.symbol, 'ER_CONNECTION_KILLED');
    expectClass(error, ['ConnectionLostError', 'failed', true, false]);
    assert.equal(signalsServerRestart(error), true);
  });
});

describe('wait_timeout', () => {
  test('an idle connection past wait_timeout → reset (MariaDB sends no error packet) → not-sent', async (t) => {
    const { connection, nextEmitted } = await open(t);
    await connection.query('SET SESSION wait_timeout = 1');
    const idleSince = Date.now();
    const emitted = await nextEmitted();
    const idleMs = Date.now() - idleSince;
    assert.equal((emitted as { code?: string }).code, 'ECONNRESET', 'measured on MariaDB 10.11');
    const error = classifyHere(emitted, { phase: 'idle', idleMs, waitTimeoutMs: 1_000 });
    expectClass(error, ['ConnectionLostError', 'not-sent', true, false]);
    assert.match(error.message, /longer than the server's wait_timeout \(1\.0 s\)/);

    const sql = 'SELECT 1';
    const next = classifyHere(await rejection(connection.query(sql)), {
      phase: 'sending',
      sql,
      idleMs: Date.now() - idleSince,
      waitTimeoutMs: 1_000,
    });
    expectClass(next, ['ConnectionLostError', 'not-sent', true, false]);
  });
});

describe('network faults (fault proxy)', () => {
  test('proxy reset during a statement → ECONNRESET → ConnectionLostError, outcome unknown', async (t) => {
    const proxy = await startFaultProxy({ target: { host: server.host, port: server.port } });
    t.after(() => proxy.close());
    const { connection } = await open(t, { port: proxy.port });
    const sql = 'SELECT SLEEP(5)';
    const running = rejection(connection.query(sql));
    await untilRunning(threadIdOf(connection));
    proxy.resetAll();
    const driver = await running;
    assert.equal((driver as { code?: string }).code, 'ECONNRESET');
    const error = classifyHere(driver, { phase: 'awaiting-result', sql }, proxy.port);
    expectClass(error, ['ConnectionLostError', 'unknown', false, false]);
    assert.equal(error.systemCode, 'ECONNRESET');
  });

  test('proxy reset inside a transaction → TransactionLostError', async (t) => {
    const proxy = await startFaultProxy({ target: { host: server.host, port: server.port } });
    t.after(() => proxy.close());
    const { connection } = await open(t, { port: proxy.port });
    await connection.query('START TRANSACTION');
    await connection.query("UPDATE item SET name = 'tx' WHERE id = 2");
    const sql = 'SELECT SLEEP(5)';
    const running = rejection(connection.query(sql));
    await untilRunning(threadIdOf(connection));
    proxy.resetAll();
    const error = classifyHere(
      await running,
      { phase: 'awaiting-result', sql, inTransaction: true },
      proxy.port,
    );
    expectClass(error, ['TransactionLostError', 'unknown', true, false]);
  });

  test("mysql2's own query timeout on a dark path → QueryTimeoutError, connection discarded", async (t) => {
    const proxy = await startFaultProxy({ target: { host: server.host, port: server.port } });
    t.after(() => proxy.close());
    const { connection } = await open(t, { port: proxy.port });
    proxy.blackhole();
    const sql = 'SELECT 1';
    const driver = await rejection(connection.query({ sql, timeout: 200 }));
    assert.equal((driver as { code?: string }).code, 'PROTOCOL_SEQUENCE_TIMEOUT');
    const error = classifyHere(driver, { phase: 'awaiting-result', sql }, proxy.port);
    expectClass(error, ['QueryTimeoutError', 'unknown', false, false]);
  });
});

describe('too many connections', () => {
  test('1040 while connecting → ServerUnavailableError, retried with backoff', async (t) => {
    await server.admin('SET GLOBAL max_connections = 10');
    t.after(() => server.admin('SET GLOBAL max_connections = 151'));
    const held: mysql.Connection[] = [];
    t.after(() => {
      for (const connection of held) connection.destroy();
    });
    let refused: unknown;
    // MariaDB never goes below 10 connections (plus one for admins): 12 attempts must hit it.
    for (let attempt = 0; attempt < 12 && refused === undefined; attempt++) {
      try {
        held.push(await mysql.createConnection({ uri: server.uri }));
      } catch (error) {
        refused = error;
      }
    }
    assert.ok(refused, 'max_connections was reached');
    const error = classifyHere(refused, { phase: 'connecting' });
    expectClass(error, ['ServerUnavailableError', 'not-sent', true, false]);
    assert.equal(error.errno, 1040);
    assert.equal(error.sqlState, '08004');
  });
});

describe('server restart', () => {
  test('restart: in-flight → unknown, idle → not-sent, reconnect while down → refused', async (t) => {
    if (!server.canRestart) return t.skip('needs a sandbox server (GONEAWAY_TEST_URI is set)');
    const idle = await open(t);
    const busy = await open(t);
    const idleLost = idle.nextEmitted();
    const sql = 'SELECT SLEEP(20)';
    const running = rejection(busy.connection.query(sql));
    await untilRunning(threadIdOf(busy.connection));
    await server.kill();
    t.after(async () => {
      if (!server.running) await server.restart();
    });

    const inFlight = classifyHere(await running, { phase: 'awaiting-result', sql });
    expectClass(inFlight, ['ConnectionLostError', 'unknown', false, false]);
    const idleError = classifyHere(await idleLost, { phase: 'idle' });
    expectClass(idleError, ['ConnectionLostError', 'not-sent', true, false]);

    const down = classifyHere(await rejection(mysql.createConnection({ uri: server.uri })), {
      phase: 'connecting',
    });
    expectClass(down, ['ServerUnavailableError', 'not-sent', true, false]);
    assert.equal(signalsServerRestart(down), true);

    await server.restart();
    const { connection } = await open(t);
    await stillUsable(connection);
  });

  test('clean restart (SIGTERM): idle and in-flight connections are lost without an error packet', async (t) => {
    if (!server.canRestart) return t.skip('needs a sandbox server (GONEAWAY_TEST_URI is set)');
    const idle = await open(t);
    const busy = await open(t);
    const idleLost = idle.nextEmitted();
    const sql = 'SELECT SLEEP(20)';
    const running = rejection(busy.connection.query(sql));
    await untilRunning(threadIdOf(busy.connection));
    const restarted = server.restart();
    const inFlight = classifyHere(await running, { phase: 'awaiting-result', sql });
    expectClass(inFlight, ['ConnectionLostError', 'unknown', false, false]);
    assert.equal(
      inFlight.driverCode,
      'PROTOCOL_CONNECTION_LOST',
      'measured: MariaDB 10.11 sends no 1053',
    );
    const idleError = classifyHere(await idleLost, { phase: 'idle' });
    expectClass(idleError, ['ConnectionLostError', 'not-sent', true, false]);
    await restarted;
  });
});

describe('secrets', () => {
  test('a configuration error naming the URI does not print the password', () => {
    const error = new ConfigurationError(`Cannot use ${server.uri}: option 'max' is -1.`);
    classified.push(error);
    assert.match(error.message, /mysql:\/\/app:\*\*\*@127\.0\.0\.1/);
  });

  test('no error above, in any printed form, contains a password used in this file', () => {
    assert.ok(classified.length >= 20, `${classified.length} errors were classified`);
    for (const error of classified) {
      const forms = [
        error.message,
        String(error),
        error.stack ?? '',
        inspect(error, { depth: 10 }),
        JSON.stringify(error),
      ];
      for (const form of forms) {
        assert.ok(!form.includes(server.password), `${error.name} printed the password`);
        assert.ok(!form.includes(encodeURIComponent(server.password)));
        assert.ok(!form.includes(WRONG_PASSWORD), `${error.name} printed the wrong password`);
      }
    }
  });
});
