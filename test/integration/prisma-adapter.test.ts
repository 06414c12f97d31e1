/**
 * goneaway/prisma with a real generated Prisma 7 client on a real MariaDB: CRUD and every column
 * type, raw queries, interactive and batch transactions, isolation levels, savepoints, and
 * goneaway's errors as Prisma's codes. Where both can do a thing, the official
 * `@prisma/adapter-mariadb` runs the same statements in the same test, and the two must read
 * the same values: the contrast for faults is in prisma-faults.test.ts.
 */
import assert from 'node:assert/strict';
import { type AddressInfo, createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { inspect } from 'node:util';
import { PrismaMariaDb } from '@prisma/adapter-mariadb';
import type { SqlDriverAdapter } from '@prisma/driver-adapter-utils';
import mysql from 'mysql2/promise';
import {
  AcquireTimeoutError,
  AuthenticationError,
  createPool,
  DeadlockError,
  IntegrityError,
  NotSupportedError,
  QueryTimeoutError,
} from '../../src/index.js';
import { goneawayErrorOf, PrismaGoneaway } from '../../src/prisma/index.js';
import { type Sandbox, testServer } from '../../src/testing/index.js';
import {
  createPrismaTables,
  type GeneratedPrisma,
  generatedPrisma,
  type PrismaRow,
  type TestPrismaClient,
} from '../support/prisma-client.js';

type KnownError = Error & { code: string; meta?: Record<string, unknown> };

/** The kind Prisma read from the adapter's error (`ConnectionClosed`, `mysql`, ...). */
function kindOf(error: KnownError): string | undefined {
  const adapterError = error.meta?.driverAdapterError as { cause?: { kind?: string } } | undefined;
  return adapterError?.cause?.kind;
}

/** A port nothing listens on: one the kernel handed out and took back. */
async function freePort(): Promise<number> {
  const listener = createServer();
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const { port } = listener.address() as AddressInfo;
  await new Promise((resolve) => listener.close(resolve));
  return port;
}

async function rejection(work: () => Promise<unknown>): Promise<KnownError> {
  try {
    await work();
  } catch (error) {
    return error as KnownError;
  }
  assert.fail('expected the call to fail');
}

describe('goneaway/prisma with a generated Prisma 7 client', () => {
  let server: Sandbox;
  let prismaModule: GeneratedPrisma;
  let goneaway: TestPrismaClient;
  let official: TestPrismaClient;

  before(async () => {
    [server, prismaModule] = await Promise.all([testServer(), generatedPrisma()]);
    await createPrismaTables(server);
    goneaway = new prismaModule.PrismaClient({ adapter: new PrismaGoneaway(server.uri) });
    official = new prismaModule.PrismaClient({ adapter: new PrismaMariaDb(server.uri) });
  });
  after(async () => {
    await goneaway?.$disconnect();
    await official?.$disconnect();
    await server?.stop();
  });

  /** A user with every column type set, under `email`. */
  const everyType = (email: string) => ({
    email,
    name: 'Ada',
    role: 'ADMIN',
    visits: 9_007_199_254_740_993n, // 2^53 + 1: lost by any trip through a JavaScript number
    balance: '1234567890.12',
    score: 0.1 + 0.2,
    active: false,
    born: new Date('1815-12-10T00:00:00Z'),
    createdAt: new Date('2024-02-29T23:59:58.123Z'),
    profile: { languages: ['en', 'fr'], nested: { n: 1.5, none: null } },
    avatar: new Uint8Array([0, 1, 127, 128, 255]),
  });

  /** A row without what differs between adapters (ids, the email each was stored under). */
  function comparable(row: PrismaRow | null): PrismaRow {
    assert.ok(row, 'the row was found');
    const { id: _id, email: _email, posts, ...rest } = row;
    return {
      ...rest,
      balance: String(rest.balance),
      posts: (posts as PrismaRow[]).map(({ title }) => title),
    };
  }

  test('create and read back every column type: goneaway reads exactly what the official adapter reads', async () => {
    const rows: PrismaRow[] = [];
    for (const [name, prisma] of [
      ['goneaway', goneaway],
      ['official', official],
    ] as const) {
      const created = await prisma.user.create({
        data: {
          ...everyType(`types-${name}@example.com`),
          posts: { create: [{ title: 'p1' }, { title: 'p2' }] },
        },
        include: { posts: { orderBy: { id: 'asc' } } },
      });
      const read = await prisma.user.findUnique({
        where: { email: `types-${name}@example.com` },
        include: { posts: { orderBy: { id: 'asc' } } },
      });
      assert.deepEqual(comparable(read), comparable(created), `${name}: read back as created`);
      rows.push(comparable(read));
    }
    const [mine = {}, theirs] = rows;
    assert.deepEqual(mine, theirs);
    assert.equal(mine.visits, 9_007_199_254_740_993n);
    assert.equal(mine.balance, '1234567890.12');
    assert.equal((mine.createdAt as Date).toISOString(), '2024-02-29T23:59:58.123Z');
    assert.equal((mine.born as Date).toISOString(), '1815-12-10T00:00:00.000Z');
    assert.deepEqual(mine.profile, { languages: ['en', 'fr'], nested: { n: 1.5, none: null } });
    assert.deepEqual([...(mine.avatar as Uint8Array)], [0, 1, 127, 128, 255]);
    // Stored in UTC, as the official adapter stores it.
    const [stored] = await server.admin(
      "SELECT DATE_FORMAT(createdAt, '%Y-%m-%d %H:%i:%s.%f') AS at FROM goneaway.`User` WHERE email = 'types-goneaway@example.com'",
    );
    assert.equal(stored?.at, '2024-02-29 23:59:58.123000');
  });

  test('filters, updates, counts and deletes, on BIGINT and DATETIME values too', async () => {
    await goneaway.user.createMany({
      data: [1, 2, 3].map((n) => ({
        email: `crud-${n}@example.com`,
        visits: 2n ** 60n + BigInt(n),
      })),
    });
    const big = await goneaway.user.findMany({
      where: { visits: { gt: 2n ** 60n + 1n }, email: { startsWith: 'crud-' } },
      orderBy: { visits: 'asc' },
    });
    assert.deepEqual(
      big.map((row) => row.email),
      ['crud-2@example.com', 'crud-3@example.com'],
    );
    const updated = await goneaway.user.update({
      where: { email: 'crud-1@example.com' },
      data: { visits: { increment: 1 }, name: 'renamed' },
    });
    assert.equal(updated.visits, 2n ** 60n + 2n);
    const since = await goneaway.user.count({
      where: {
        email: { startsWith: 'crud-' },
        createdAt: { gte: new Date(Date.now() - 3_600_000) },
      },
    });
    assert.equal(since, 3);
    assert.deepEqual(
      await goneaway.user.deleteMany({ where: { email: { startsWith: 'crud-' } } }),
      {
        count: 3,
      },
    );
  });

  test('raw queries: column types as Prisma reads them, the same through both adapters', async () => {
    const sql =
      "SELECT CAST(? AS SIGNED) AS big, CAST('12.50' AS DECIMAL(6, 2)) AS amount, 1.5e0 AS dbl, " +
      "CAST('2024-01-02 03:04:05.678' AS DATETIME(3)) AS at, CAST('2024-01-02' AS DATE) AS day, " +
      "CAST('03:04:05' AS TIME) AS t, x'00ff' AS bin, 'text' AS txt, NULL AS nothing, ? AS param";
    const mine = await goneaway.$queryRawUnsafe<PrismaRow[]>(sql, 9_007_199_254_740_993n, "it's");
    const theirs = await official.$queryRawUnsafe<PrismaRow[]>(sql, 9_007_199_254_740_993n, "it's");
    assert.deepEqual(mine, theirs);
    const [row = {}] = mine;
    assert.equal(row.big, 9_007_199_254_740_993n);
    assert.equal((row.at as Date).toISOString(), '2024-01-02T03:04:05.678Z');
    assert.equal(row.param, "it's");
    assert.equal(
      await goneaway.$executeRawUnsafe(
        "UPDATE goneaway.`User` SET name = 'x' WHERE email = 'nobody'",
      ),
      0,
    );
  });

  test('interactive transactions: committed when the function resolves, rolled back when it throws', async () => {
    const id = await goneaway.$transaction(async (tx) => {
      const user = await tx.user.create({ data: { email: 'tx-commit@example.com' } });
      await tx.post.create({ data: { title: 'first', authorId: user.id } });
      return user.id;
    });
    assert.equal(await goneaway.post.count({ where: { authorId: id } }), 1);

    const failure = new Error('the application changed its mind');
    await assert.rejects(
      goneaway.$transaction(async (tx) => {
        await tx.user.create({ data: { email: 'tx-rollback@example.com' } });
        throw failure;
      }),
      (error) => error === failure,
    );
    assert.equal(await goneaway.user.count({ where: { email: 'tx-rollback@example.com' } }), 0);
  });

  test('an isolation level applies to that transaction', async () => {
    const levels = await goneaway.$transaction(
      async (tx) => {
        await tx.user.count();
        const [session] = await tx.$queryRawUnsafe<{ id: bigint }[]>(
          'SELECT CONNECTION_ID() AS id',
        );
        return server.admin(
          'SELECT trx_isolation_level AS level FROM information_schema.INNODB_TRX WHERE trx_mysql_thread_id = ?',
          [Number(session?.id)],
        );
      },
      { isolationLevel: 'Serializable' },
    );
    assert.deepEqual(levels, [{ level: 'SERIALIZABLE' }]);
  });

  test('batch transactions: all or nothing', async () => {
    const [a, b] = (await goneaway.$transaction([
      goneaway.user.create({ data: { email: 'batch-a@example.com' } }),
      goneaway.user.create({ data: { email: 'batch-b@example.com' } }),
    ])) as PrismaRow[];
    assert.deepEqual([a?.email, b?.email], ['batch-a@example.com', 'batch-b@example.com']);
    const error = await rejection(() =>
      goneaway.$transaction([
        goneaway.user.create({ data: { email: 'batch-c@example.com' } }),
        goneaway.user.create({ data: { email: 'batch-a@example.com' } }),
      ]),
    );
    assert.equal(error.code, 'P2002');
    assert.equal(await goneaway.user.count({ where: { email: 'batch-c@example.com' } }), 0);
  });

  test('constraint violations are P2002 and P2003 with the constraint named, and the goneaway error behind them', async () => {
    await goneaway.user.create({ data: { email: 'dup@example.com' } });
    const duplicate = await rejection(() =>
      goneaway.user.create({ data: { email: 'dup@example.com' } }),
    );
    assert.ok(duplicate instanceof prismaModule.Prisma.PrismaClientKnownRequestError);
    assert.equal(duplicate.code, 'P2002');
    assert.match(duplicate.message, /Unique constraint failed on the constraint: `User_email_key`/);
    assert.ok(goneawayErrorOf(duplicate) instanceof IntegrityError);
    assert.equal(goneawayErrorOf(duplicate)?.errno, 1062);

    const orphan = await rejection(() =>
      goneaway.post.create({ data: { title: 'orphan', authorId: 999_999 } }),
    );
    assert.equal(orphan.code, 'P2003');
    assert.match(orphan.message, /`authorId`/);
  });

  test('two transactions that deadlock: the victim gets P2034 with a DeadlockError behind it', async () => {
    const [one, two] = await Promise.all(
      ['lock-1@example.com', 'lock-2@example.com'].map((email) =>
        goneaway.user.create({ data: { email } }),
      ),
    );
    let bothLocked: () => void = () => {};
    const locked = new Promise<void>((resolve) => {
      let count = 0;
      bothLocked = () => {
        if (++count === 2) resolve();
      };
    });
    const crossUpdate = (first: PrismaRow, second: PrismaRow) =>
      goneaway.$transaction(
        async (tx) => {
          await tx.user.update({ where: { id: first.id as number }, data: { name: 'mine' } });
          bothLocked();
          await locked;
          await tx.user.update({ where: { id: second.id as number }, data: { name: 'mine' } });
        },
        { timeout: 20_000 },
      );
    const results = await Promise.allSettled([crossUpdate(one!, two!), crossUpdate(two!, one!)]);
    const failed = results.filter((result) => result.status === 'rejected');
    assert.equal(failed.length, 1, 'InnoDB chose one victim; the other transaction committed');
    const error = (failed[0] as PromiseRejectedResult).reason as KnownError;
    assert.equal(error.code, 'P2034');
    assert.ok(goneawayErrorOf(error) instanceof DeadlockError);
  });

  test('a statement over queryTimeoutMs is P1008 with a QueryTimeoutError behind it', async () => {
    const prisma = new prismaModule.PrismaClient({
      adapter: new PrismaGoneaway(server.uri, { queryTimeoutMs: 300, maxAttempts: 1 }),
    });
    const holder = await mysql.createConnection(server.uri);
    try {
      await holder.query('LOCK TABLES `User` WRITE');
      const error = await rejection(() => prisma.user.findMany());
      assert.equal(error.code, 'P1008');
      assert.equal(kindOf(error), 'SocketTimeout');
      assert.ok(goneawayErrorOf(error) instanceof QueryTimeoutError);
    } finally {
      await holder.query('UNLOCK TABLES');
      await holder.end();
      await prisma.$disconnect();
    }
  });

  test('no server listening: P1001 within acquireTimeoutMs, naming where it looked', async () => {
    const closedPort = await freePort();
    const prisma = new prismaModule.PrismaClient({
      adapter: new PrismaGoneaway(
        { host: '127.0.0.1', port: closedPort, user: 'app' },
        { acquireTimeoutMs: 800 },
      ),
    });
    try {
      const error = await rejection(() => prisma.user.count());
      assert.equal(error.code, 'P1001');
      assert.match(
        error.message,
        new RegExp(`Can't reach database server at 127\\.0\\.0\\.1:${closedPort}`),
      );
      assert.ok(goneawayErrorOf(error) instanceof AcquireTimeoutError);
    } finally {
      await prisma.$disconnect();
    }
  });

  test('wrong credentials: P1000 naming the user, and the password appears nowhere', async () => {
    const password = 'not-the-password-7f3a9c';
    const url = new URL(server.uri);
    url.password = password;
    const prisma = new prismaModule.PrismaClient({ adapter: new PrismaGoneaway(url.href) });
    try {
      const error = await rejection(() => prisma.user.count());
      assert.equal(error.code, 'P1000');
      assert.match(error.message, /credentials for `app`/);
      assert.ok(goneawayErrorOf(error) instanceof AuthenticationError);
      for (const shown of [
        error.message,
        String(error.stack),
        inspect(error, { depth: 8 }),
        JSON.stringify(goneawayErrorOf(error)),
      ]) {
        assert.ok(!shown.includes(password), 'the password is not shown');
      }
    } finally {
      await prisma.$disconnect();
    }
  });

  describe('the adapter itself, under the client', () => {
    async function connected(adapter: PrismaGoneaway): Promise<SqlDriverAdapter> {
      return adapter.connect();
    }

    test('savepoints: rolling back to one undoes only what came after it', async () => {
      const adapter = await connected(new PrismaGoneaway(server.uri));
      try {
        const insert = (email: string) => ({
          sql: 'INSERT INTO `User` (email) VALUES (?)',
          args: [email],
          argTypes: [{ scalarType: 'string' as const, arity: 'scalar' as const }],
        });
        const tx = await adapter.startTransaction();
        await tx.executeRaw(insert('sp-kept@example.com'));
        await tx.createSavepoint?.('prisma_sp_1');
        await tx.executeRaw(insert('sp-undone@example.com'));
        await tx.rollbackToSavepoint?.('prisma_sp_1');
        await tx.releaseSavepoint?.('prisma_sp_1');
        await tx.commit();
        const rows = await server.admin(
          "SELECT email FROM goneaway.`User` WHERE email LIKE 'sp-%'",
        );
        assert.deepEqual(rows, [{ email: 'sp-kept@example.com' }]);
      } finally {
        await adapter.dispose();
      }
    });

    test('connection info: the database, and no joined relation loading on MariaDB', async () => {
      const adapter = await connected(new PrismaGoneaway(server.uri));
      try {
        assert.deepEqual(adapter.getConnectionInfo?.(), {
          schemaName: server.database,
          supportsRelationJoins: false,
        });
        await assert.rejects(adapter.executeScript('SELECT 1; SELECT 2'), NotSupportedError);
      } finally {
        await adapter.dispose();
      }
    });

    test("a shared goneaway pool: Prisma's statements go through it, and dispose() leaves it open", async () => {
      const pool = createPool(server.uri);
      try {
        const prisma = new prismaModule.PrismaClient({ adapter: new PrismaGoneaway(pool) });
        await prisma.user.count();
        assert.ok(pool.stats.opened >= 1, 'the shared pool opened the connection');
        await prisma.$disconnect();
        assert.deepEqual(await pool.query('SELECT 1 AS one'), [{ one: 1 }]);
      } finally {
        await pool.end();
      }
    });
  });
});
