/**
 * The resilience benchmark's faults under a real generated Prisma 7 client, with goneaway/prisma
 * and the official `@prisma/adapter-mariadb` side by side in each test, each through its own
 * fault proxy: idle KILL, wait_timeout, a server restart, KILL of a statement in flight (a read,
 * a write, one inside an interactive transaction), and a network black hole with a statement
 * in flight. Each test asserts what goneaway does and what the official adapter does.
 *
 * The official adapter is set up as Prisma's documentation shows it (connection settings and a
 * connection limit) and runs in a child process (test/support/mariadb-adapter-process.ts): its
 * connector can let an error escape as an unhandled rejection or an uncaught exception, which
 * would end an application, and would fail whichever test ran in this process. The child
 * reports them instead, and the tests assert on them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, type TestContext, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import mysql from 'mysql2/promise';
import { createPool, type Pool, type PoolOptions, TransactionLostError } from '../../src/index.js';
import { goneawayErrorOf, PrismaGoneaway } from '../../src/prisma/index.js';
import {
  type FaultProxy,
  type ProxiedConnection,
  type Sandbox,
  startFaultProxy,
  testServer,
} from '../../src/testing/index.js';
import { nextEvent, viaPort } from '../support/events.js';
import { type ChildOutcome, MariadbAdapterProcess } from '../support/mariadb-adapter-process.js';
import {
  createPrismaTables,
  type GeneratedPrisma,
  generatedPrisma,
  type TestPrismaClient,
} from '../support/prisma-client.js';

type KnownError = Error & { code: string; meta?: Record<string, unknown> };

/** goneaway's bounds for these tests: short, so that a black hole costs seconds. */
const GONEAWAY_OPTIONS: PoolOptions = {
  acquireTimeoutMs: 15_000,
  connectTimeoutMs: 2_000,
  validationTimeoutMs: 1_000,
  stallCheckMs: 1_000,
};
/** The server's idle limit for the wait_timeout fault, in seconds. */
const SHORT_WAIT_TIMEOUT_S = 2;
/** How long the black hole lasts at least, and how long the official adapter is watched after it. */
const DARK_MS = 3_000;
const WATCH_AFTER_HEAL_MS = 3_000;

async function outcomeOf(work: Promise<unknown>): Promise<ChildOutcome> {
  try {
    return { ok: true, value: await work };
  } catch (thrown) {
    const error = thrown as KnownError;
    return { ok: false, error: { code: error.code, message: error.message } };
  }
}

async function rejection(work: Promise<unknown>): Promise<KnownError> {
  try {
    await work;
  } catch (error) {
    return error as KnownError;
  }
  assert.fail('expected the call to fail');
}

function assertSucceeded(outcomes: readonly ChildOutcome[], who: string): void {
  for (const outcome of outcomes) {
    assert.ok(
      outcome.ok,
      `${who}: ${outcome.ok ? '' : `${outcome.error.code}: ${outcome.error.message}`}`,
    );
  }
}

describe('Prisma under faults: goneaway/prisma beside @prisma/adapter-mariadb', () => {
  let server: Sandbox;
  let prismaModule: GeneratedPrisma;
  let goneawayProxy: FaultProxy;
  let officialProxy: FaultProxy;

  before(async () => {
    [server, prismaModule] = await Promise.all([testServer(), generatedPrisma()]);
    await createPrismaTables(server);
    const target = { host: server.host, port: server.port };
    [goneawayProxy, officialProxy] = await Promise.all([
      startFaultProxy({ target }),
      startFaultProxy({ target }),
    ]);
  });
  after(async () => {
    await goneawayProxy?.close();
    await officialProxy?.close();
    await server?.stop();
  });

  interface Pair {
    /** goneaway's pool under the goneaway client, for its events. */
    readonly pool: Pool;
    readonly goneaway: TestPrismaClient;
    readonly official: MariadbAdapterProcess;
    close(): Promise<void>;
  }

  /** A goneaway client and an official one, each through its own proxy, each with a row written. */
  async function pair(tag: string, t: TestContext): Promise<Pair> {
    const pool = createPool(viaPort(server.uri, goneawayProxy.port), GONEAWAY_OPTIONS);
    const goneaway = new prismaModule.PrismaClient({ adapter: new PrismaGoneaway(pool) });
    const official = await MariadbAdapterProcess.start({
      host: '127.0.0.1',
      port: officialProxy.port,
      user: server.user,
      password: server.password,
      database: server.database,
    });
    const clients = {
      pool,
      goneaway,
      official,
      close: async () => {
        // Frees a statement the black hole left hanging, so the child can disconnect.
        officialProxy.resetAll();
        await Promise.all([goneaway.$disconnect(), official.stop()]);
        await pool.end();
        // What escaped the official adapter's connector (would have ended an application).
        for (const crash of official.crashes) {
          t.diagnostic(`official adapter: ${crash.how}: ${crash.code ?? ''} ${crash.message}`);
        }
      },
    };
    try {
      await goneaway.user.create({ data: { email: `${tag}-g-before@example.com` } });
      assertSucceeded(
        [await official.run({ op: 'create', email: `${tag}-o-before@example.com` })],
        'official',
      );
    } catch (error) {
      await clients.close();
      throw error;
    }
    return clients;
  }

  /** A read and a write through each client, reported as what they did. */
  async function readAndWrite(
    clients: Pair,
    tag: string,
  ): Promise<{ goneaway: ChildOutcome[]; official: ChildOutcome[] }> {
    return {
      goneaway: [
        await outcomeOf(clients.goneaway.user.findMany({ where: { email: { startsWith: tag } } })),
        await outcomeOf(
          clients.goneaway.user.create({ data: { email: `${tag}-g-after@example.com` } }),
        ),
      ],
      official: [
        await clients.official.run({ op: 'findMany', prefix: tag }),
        await clients.official.run({ op: 'create', email: `${tag}-o-after@example.com` }),
      ],
    };
  }

  /**
   * Resolves once the client side of each of `connections` has closed too (the proxy sees both
   * sides gone): the client has seen the fault, as it would have long before the next request.
   * Bounded: a client that never closes fails the test.
   */
  async function clientsSawClose(connections: readonly ProxiedConnection[]): Promise<void> {
    for (let i = 0; i < 500 && connections.some((connection) => connection.open); i++)
      await sleep(20);
    assert.ok(
      connections.every((connection) => !connection.open),
      'every client closed its side after the server closed its own',
    );
  }

  function openConnections(): ProxiedConnection[] {
    return [...goneawayProxy.connections, ...officialProxy.connections].filter((c) => c.open);
  }

  /** The app user's sessions that are running a statement now. */
  async function busySessions(): Promise<number[]> {
    const rows = await server.admin(
      "SELECT ID AS id FROM information_schema.PROCESSLIST WHERE USER = ? AND COMMAND <> 'Sleep'",
      [server.user],
    );
    return rows.map((row) => Number(row.id));
  }

  /** Waits (bounded) until `count` of the app user's sessions are running a statement. */
  async function waitForBusy(count: number): Promise<number[]> {
    let busy = await busySessions();
    for (let i = 0; i < 250 && busy.length < count; i++) {
      await sleep(20);
      busy = await busySessions();
    }
    assert.equal(busy.length, count, 'each client has a statement waiting on the lock');
    return busy;
  }

  /** Holds a write lock on `User` from its own session, so statements wait in flight. */
  async function lockUsers(): Promise<{ unlock(): Promise<void> }> {
    const holder = await mysql.createConnection(server.uri);
    await holder.query('LOCK TABLES `User` WRITE');
    return {
      unlock: async () => {
        await holder.query('UNLOCK TABLES');
        await holder.end();
      },
    };
  }

  async function emailsLike(prefix: string): Promise<string[]> {
    const rows = await server.admin(
      'SELECT email FROM goneaway.`User` WHERE email LIKE ? ORDER BY email',
      [`${prefix}%`],
    );
    return rows.map((row) => String(row.email));
  }

  test('idle connections KILLed: both adapters read and write again once they saw the close', async (t) => {
    const clients = await pair('kill', t);
    try {
      const connections = openConnections();
      assert.ok((await server.killConnections({ command: 'Sleep' })).length >= 2);
      await clientsSawClose(connections);
      const after = await readAndWrite(clients, 'kill');
      assertSucceeded(after.goneaway, 'goneaway');
      assertSucceeded(after.official, 'official');
    } finally {
      await clients.close();
    }
  });

  test('idle past wait_timeout: both adapters read and write again', async (t) => {
    await server.admin(`SET GLOBAL wait_timeout = ${SHORT_WAIT_TIMEOUT_S}`);
    const clients = await pair('wait', t).catch(async (error: unknown) => {
      await server.admin('SET GLOBAL wait_timeout = DEFAULT');
      throw error;
    });
    try {
      const connections = openConnections();
      // The fault is time itself: stay idle past the server's limit.
      await sleep(SHORT_WAIT_TIMEOUT_S * 1_000 + 500);
      await clientsSawClose(connections);
      const after = await readAndWrite(clients, 'wait');
      assertSucceeded(after.goneaway, 'goneaway');
      assertSucceeded(after.official, 'official');
    } finally {
      await clients.close();
      await server.admin('SET GLOBAL wait_timeout = DEFAULT');
    }
  });

  test('server restart while idle: both adapters read and write again', async (t) => {
    const clients = await pair('restart', t);
    try {
      const connections = openConnections();
      await server.restart();
      await clientsSawClose(connections);
      const after = await readAndWrite(clients, 'restart');
      assertSucceeded(after.goneaway, 'goneaway');
      assertSucceeded(after.official, 'official');
    } finally {
      await clients.close();
    }
  });

  test('KILL of a read in flight: goneaway runs it again and answers; the official adapter fails with P2039', async (t) => {
    const clients = await pair('read', t);
    try {
      const lock = await lockUsers();
      const retried = nextEvent(clients.pool, 'retry');
      const mine = outcomeOf(
        clients.goneaway.user.findMany({ where: { email: { startsWith: 'read-' } } }),
      );
      const theirs = clients.official.run({ op: 'findMany', prefix: 'read-' });
      for (const id of await waitForBusy(2)) await server.admin('KILL CONNECTION ?', [id]);
      await lock.unlock();
      const answered = await mine;
      assert.ok(answered.ok, 'goneaway answered');
      assert.equal((answered.value as unknown[]).length, 2);
      assert.match((await retried).reason, /read-only/);

      const failed = await theirs;
      assert.ok(!failed.ok, 'the official adapter failed');
      assert.equal(failed.error.code, 'P2039');
      // A plain database error, not a connection error: 1927 ER_CONNECTION_KILLED when the
      // server's goodbye arrived first, else the connector's own 45009 "socket closed".
      assert.equal(failed.error.kind, 'mysql');
      assert.ok(
        ['1927', '45009'].includes(String(failed.error.originalCode)),
        failed.error.originalCode,
      );
    } finally {
      await clients.close();
    }
  });

  test('KILL of a write in flight: both fail and nothing is applied; goneaway says P1017 with the loss behind it', async (t) => {
    const clients = await pair('write', t);
    try {
      const lock = await lockUsers();
      const mine = rejection(
        clients.goneaway.user.create({ data: { email: 'write-g-killed@example.com' } }),
      );
      const theirs = clients.official.run({ op: 'create', email: 'write-o-killed@example.com' });
      for (const id of await waitForBusy(2)) await server.admin('KILL CONNECTION ?', [id]);
      await lock.unlock();
      const error = await mine;
      assert.equal(error.code, 'P1017', 'goneaway did not run the INSERT again');
      // Prisma runs a create as INSERT + SELECT in a transaction, which the server rolled back.
      assert.ok(goneawayErrorOf(error) instanceof TransactionLostError);
      const failed = await theirs;
      assert.ok(!failed.ok);
      assert.equal(failed.error.code, 'P2039');
      assert.deepEqual(await emailsLike('write-'), [
        'write-g-before@example.com',
        'write-o-before@example.com',
      ]);
    } finally {
      await clients.close();
    }
  });

  test('KILL inside an interactive transaction: both fail and nothing is committed; goneaway says P1017 each time', async (t) => {
    const clients = await pair('itx', t);
    try {
      const errors: KnownError[] = [];
      const end = await outcomeOf(
        clients.goneaway.$transaction(async (tx) => {
          await tx.user.create({ data: { email: 'itx-g-tx1@example.com' } });
          const [session] = await tx.$queryRawUnsafe<{ id: bigint }[]>(
            'SELECT CONNECTION_ID() AS id',
          );
          await server.admin('KILL CONNECTION ?', [Number(session?.id)]);
          // An application that swallows the error and goes on.
          for (const n of [2, 3]) {
            await tx.user
              .create({ data: { email: `itx-g-tx${n}@example.com` } })
              .catch((error: KnownError) => errors.push(error));
          }
        }),
      );
      assert.deepEqual(
        errors.map((error) => error.code),
        ['P1017', 'P1017'],
      );
      assert.ok(errors.every((error) => goneawayErrorOf(error) instanceof TransactionLostError));
      assert.ok(!end.ok, 'the transaction failed');

      const theirs = await clients.official.run({
        op: 'killInsideTransaction',
        prefix: 'itx-o-tx',
      });
      assert.ok(theirs.ok);
      const observed = theirs.value as { errors: { code: string }[]; end: ChildOutcome };
      assert.equal(
        observed.errors.length,
        2,
        'the official adapter failed both statements after the KILL',
      );
      assert.ok(!observed.end.ok);
      // Neither continued on another connection: nothing of either transaction is in the table.
      assert.deepEqual(await emailsLike('itx-g-tx'), []);
      assert.deepEqual(await emailsLike('itx-o-tx'), []);
    } finally {
      await clients.close();
    }
  });

  test("black hole with a read in flight: goneaway answers once the path heals; the official adapter's read never settles", async (t) => {
    const clients = await pair('dark', t);
    try {
      const lock = await lockUsers();
      const retried = nextEvent(clients.pool, 'retry', () => true, 20_000);
      const mine = outcomeOf(
        clients.goneaway.user.findMany({ where: { email: { startsWith: 'dark-' } } }),
      );
      const theirs = clients.official.run({ op: 'findMany', prefix: 'dark-' });
      await waitForBusy(2);
      goneawayProxy.blackhole();
      officialProxy.blackhole();
      // The results go into the dark and are dropped; the sockets stay open.
      await lock.unlock();
      // goneaway's watchdog gave up on the silent statement and went for a new connection.
      await Promise.all([retried, sleep(DARK_MS)]);
      goneawayProxy.resume();
      officialProxy.resume();
      const answered = await mine;
      assert.ok(answered.ok, 'goneaway answered after the path healed');
      assert.equal((answered.value as unknown[]).length, 2);

      const watched = await Promise.race([
        theirs,
        sleep(WATCH_AFTER_HEAL_MS).then(() => 'pending' as const),
      ]);
      assert.equal(
        watched,
        'pending',
        `the official adapter's read was still waiting ${WATCH_AFTER_HEAL_MS} ms after the path healed`,
      );
      officialProxy.resetAll();
      const ended = await theirs;
      assert.ok(!ended.ok, 'it ends only when its connection is reset');
    } finally {
      await clients.close();
    }
  });
});
