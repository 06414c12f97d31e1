/**
 * Drizzle through goneaway/mysql2. The only change in the application is where the client
 * comes from: `drizzle({ client: createPool(uri) })` with `createPool` from goneaway/mysql2
 * (Drizzle turns a callback pool into a promise pool itself). Drizzle asks mysql2 for rows as
 * arrays and for dates as strings, per statement, so these tests also cover per-statement
 * result options. The same tests on plain mysql2 record what happens today.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eq, like } from 'drizzle-orm';
import { int, mysqlTable, varchar } from 'drizzle-orm/mysql-core';
import { drizzle, type MySql2Database } from 'drizzle-orm/mysql2';
import mysql2 from 'mysql2';
import goneawayMysql2, { type Mysql2Pool } from '../../src/compat/index.js';
import { IntegrityError, TransactionLostError } from '../../src/index.js';
import {
  causeIdleFault,
  type FaultBench,
  goneawayDrained,
  IDLE_FAULTS,
  type Mysql2Handle,
  mysql2Closed,
  namesLike,
  outcomeOf,
  proxiedUri,
  startFaultBench,
  stopFaultBench,
  withFaultSettings,
} from '../support/compat-faults.js';

const LETTER = { wait_timeout: 'a', kill: 'b', restart: 'c', 'proxy-reset': 'd' } as const;

const items = mysqlTable('compat_drizzle', {
  id: int('id').autoincrement().primaryKey(),
  name: varchar('name', { length: 64 }).notNull().unique(),
});
const tags = mysqlTable('compat_drizzle_tag', {
  id: int('id').autoincrement().primaryKey(),
  itemId: int('item_id').notNull(),
  name: varchar('name', { length: 64 }).notNull(),
});

async function readsAndWrites(db: MySql2Database, name: string): Promise<void> {
  await db.insert(items).values({ name });
  const rows = await db.select({ name: items.name }).from(items).where(eq(items.name, name));
  assert.deepEqual(rows, [{ name }]);
}

/**
 * Drizzle's types name mysql2's own classes; the facade's pool is not one of them (it has no
 * `prepare()`, no streams), so TypeScript needs this cast. At run time Drizzle only uses what
 * the facade provides.
 */
function asMysql2Pool(pool: Mysql2Pool): mysql2.Pool {
  return pool as unknown as mysql2.Pool;
}

/** The driver error behind Drizzle's DrizzleQueryError. */
function driverErrorOf(error: unknown): unknown {
  return error instanceof Error && error.cause !== undefined ? error.cause : error;
}

describe('Drizzle on goneaway/mysql2 and on plain mysql2', () => {
  let bench: FaultBench;
  before(async () => {
    bench = await startFaultBench('compat_drizzle');
    await bench.server.admin(
      'CREATE TABLE goneaway.compat_drizzle_tag (id INT AUTO_INCREMENT PRIMARY KEY, item_id INT NOT NULL, name VARCHAR(64) NOT NULL) ENGINE=InnoDB',
    );
  });
  after(() => stopFaultBench(bench));

  describe('goneaway/mysql2', () => {
    test('a join whose tables share column names keeps every column (rows as arrays, per statement)', async () => {
      const pool = goneawayMysql2.createPool(proxiedUri(bench));
      const db = drizzle({ client: asMysql2Pool(pool) });
      try {
        const [{ insertId }] = await db.insert(items).values({ name: 'join-item' });
        await db.insert(tags).values({ itemId: insertId, name: 'join-tag' });
        const rows = await db
          .select({ item: items.name, itemId: items.id, tag: tags.name, tagId: tags.id })
          .from(items)
          .innerJoin(tags, eq(tags.itemId, items.id))
          .where(eq(items.id, insertId));
        assert.equal(rows.length, 1);
        assert.equal(rows[0]?.item, 'join-item');
        assert.equal(rows[0]?.tag, 'join-tag');
        assert.equal(rows[0]?.itemId, insertId);
        assert.notEqual(rows[0]?.tagId, undefined);
      } finally {
        await pool.goneaway.end();
      }
    });

    for (const fault of IDLE_FAULTS) {
      test(`(${LETTER[fault]}) ${fault} while idle: the next reads and writes succeed`, () =>
        withFaultSettings(bench, fault, async () => {
          const pool = goneawayMysql2.createPool(proxiedUri(bench));
          const db = drizzle({ client: asMysql2Pool(pool) });
          try {
            await readsAndWrites(db, `g-${fault}-before`);
            await causeIdleFault(bench, fault, () => goneawayDrained([pool.goneaway]));
            await readsAndWrites(db, `g-${fault}-after`);
          } finally {
            await pool.goneaway.end();
          }
        }));
    }

    test('(e) KILL inside a transaction: the transaction fails with TransactionLostError and nothing is committed', async () => {
      const pool = goneawayMysql2.createPool(proxiedUri(bench));
      const db = drizzle({ client: asMysql2Pool(pool) });
      let swallowed: unknown;
      try {
        const outcome = await outcomeOf(() =>
          db.transaction(async (tx) => {
            await tx.insert(items).values({ name: 'e-1' });
            assert.equal((await bench.server.killConnections()).length, 1);
            await tx
              .insert(items)
              .values({ name: 'e-2' })
              .catch((error: unknown) => {
                swallowed = error;
              });
            await tx.insert(items).values({ name: 'e-3' });
          }),
        );
        assert.ok(
          driverErrorOf(swallowed) instanceof TransactionLostError,
          `the statement after the KILL failed with ${String(swallowed)}`,
        );
        assert.ok(!outcome.ok);
        const cause = driverErrorOf(outcome.error);
        assert.ok(cause instanceof TransactionLostError);
        assert.equal(cause.outcome, 'not-sent', 'the statement after the loss was never sent');
        assert.deepEqual(await namesLike(bench, 'e-'), []);
        await readsAndWrites(db, 'e-afterwards');
      } finally {
        await pool.goneaway.end();
      }
    });

    test("(f) a unique-key violation surfaces as Drizzle's DrizzleQueryError caused by ER_DUP_ENTRY", async () => {
      const pool = goneawayMysql2.createPool(proxiedUri(bench));
      const db = drizzle({ client: asMysql2Pool(pool) });
      try {
        await db.insert(items).values({ name: 'f-dup' });
        const outcome = await outcomeOf(() => db.insert(items).values({ name: 'f-dup' }));
        assert.ok(!outcome.ok);
        assert.equal(outcome.error.constructor.name, 'DrizzleQueryError');
        const cause = driverErrorOf(outcome.error) as IntegrityError & { code: string };
        assert.equal(cause.code, 'ER_DUP_ENTRY');
        assert.equal(cause.errno, 1062);
        assert.ok(cause instanceof IntegrityError);
        const [row] = await db.select({ n: items.name }).from(items).where(like(items.name, 'f-%'));
        assert.equal(row?.n, 'f-dup');
      } finally {
        await pool.goneaway.end();
      }
    });
  });

  describe('plain mysql2 (what happens today)', () => {
    // mysql2's pool drops a connection whose socket closed while it sat in the pool.
    for (const fault of IDLE_FAULTS) {
      test(`(${LETTER[fault]}) ${fault} while idle: survives once mysql2 saw the close`, () =>
        withFaultSettings(bench, fault, async () => {
          const pool = mysql2.createPool(proxiedUri(bench));
          const opened = new Set<Mysql2Handle>();
          pool.on('connection', (connection) => opened.add(connection as unknown as Mysql2Handle));
          const db = drizzle({ client: pool });
          try {
            await readsAndWrites(db, `m-${fault}-before`);
            await causeIdleFault(bench, fault, () => mysql2Closed(opened));
            const outcome = await outcomeOf(() => readsAndWrites(db, `m-${fault}-after`));
            assert.equal(outcome.ok, true);
          } finally {
            await pool.promise().end();
          }
        }));
    }
  });
});
