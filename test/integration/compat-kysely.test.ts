/**
 * Kysely through goneaway/mysql2. The only change in the application is where the pool comes
 * from: `new MysqlDialect({ pool: createPool(uri) })` with `createPool` imported from
 * goneaway/mysql2 instead of mysql2. The same tests on plain mysql2 record what happens today.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Generated, Kysely, MysqlDialect } from 'kysely';
import mysql2 from 'mysql2';
import goneawayMysql2 from '../../src/compat/index.js';
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
import { nextEvent } from '../support/events.js';

interface Database {
  compat_kysely: { id: Generated<number>; name: string };
}

const LETTER = { wait_timeout: 'a', kill: 'b', restart: 'c', 'proxy-reset': 'd' } as const;

async function readsAndWrites(db: Kysely<Database>, name: string): Promise<void> {
  await db.insertInto('compat_kysely').values({ name }).execute();
  const row = await db
    .selectFrom('compat_kysely')
    .select('name')
    .where('name', '=', name)
    .executeTakeFirstOrThrow();
  assert.equal(row.name, name);
}

describe('Kysely on goneaway/mysql2 and on plain mysql2', () => {
  let bench: FaultBench;
  before(async () => {
    bench = await startFaultBench('compat_kysely');
  });
  after(() => stopFaultBench(bench));

  describe('goneaway/mysql2', () => {
    for (const fault of IDLE_FAULTS) {
      test(`(${LETTER[fault]}) ${fault} while idle: the next reads and writes succeed`, () =>
        withFaultSettings(bench, fault, async () => {
          const pool = goneawayMysql2.createPool(proxiedUri(bench));
          const db = new Kysely<Database>({ dialect: new MysqlDialect({ pool }) });
          try {
            await readsAndWrites(db, `g-${fault}-before`);
            await causeIdleFault(bench, fault, () => goneawayDrained([pool.goneaway]));
            await readsAndWrites(db, `g-${fault}-after`);
          } finally {
            await db.destroy();
          }
        }));
    }

    test('(e) KILL inside a transaction: the transaction fails with TransactionLostError and nothing is committed', async () => {
      const pool = goneawayMysql2.createPool(proxiedUri(bench));
      const db = new Kysely<Database>({ dialect: new MysqlDialect({ pool }) });
      let swallowed: unknown;
      try {
        const outcome = await outcomeOf(() =>
          db.transaction().execute(async (trx) => {
            await trx.insertInto('compat_kysely').values({ name: 'e-1' }).execute();
            assert.equal((await bench.server.killConnections()).length, 1);
            // Application code that swallows the error must not get the rest of its
            // transaction run in autocommit mode on another connection.
            await trx
              .insertInto('compat_kysely')
              .values({ name: 'e-2' })
              .execute()
              .catch((error: unknown) => {
                swallowed = error;
              });
            await trx.insertInto('compat_kysely').values({ name: 'e-3' }).execute();
          }),
        );
        assert.ok(
          swallowed instanceof TransactionLostError,
          `the statement after the KILL failed with ${String(swallowed)}`,
        );
        assert.equal(outcome.ok, false);
        assert.ok(!outcome.ok && outcome.error instanceof TransactionLostError);
        assert.equal(
          !outcome.ok && outcome.error.outcome,
          'not-sent',
          'the statement after the loss was never sent',
        );
        assert.deepEqual(await namesLike(bench, 'e-'), []);
        await readsAndWrites(db, 'e-afterwards');
      } finally {
        await db.destroy();
      }
    });

    test("(f) a unique-key violation surfaces as mysql2's ER_DUP_ENTRY (Kysely passes driver errors through)", async () => {
      const pool = goneawayMysql2.createPool(proxiedUri(bench));
      const db = new Kysely<Database>({ dialect: new MysqlDialect({ pool }) });
      try {
        await db.insertInto('compat_kysely').values({ name: 'f-dup' }).execute();
        const outcome = await outcomeOf(() =>
          db.insertInto('compat_kysely').values({ name: 'f-dup' }).execute(),
        );
        assert.ok(!outcome.ok);
        const error = outcome.error as IntegrityError & { code: string; sqlMessage: string };
        assert.equal(error.code, 'ER_DUP_ENTRY');
        assert.equal(error.errno, 1062);
        assert.equal(error.sqlState, '23000');
        assert.match(error.message, /^Duplicate entry 'f-dup' for key/);
        assert.equal(error.sqlMessage, error.message);
        assert.ok(error instanceof IntegrityError);
      } finally {
        await db.destroy();
      }
    });

    test('(g) a connection held with db.connection() across a KILL: its next statement succeeds', async () => {
      const pool = goneawayMysql2.createPool(proxiedUri(bench));
      const db = new Kysely<Database>({ dialect: new MysqlDialect({ pool }) });
      try {
        await db.connection().execute(async (conn) => {
          await readsAndWrites(conn, 'g-held-before');
          await causeIdleFault(bench, 'kill', () =>
            nextEvent(pool.goneaway, 'loss').then(() => undefined),
          );
          await readsAndWrites(conn, 'g-held-after');
        });
      } finally {
        await db.destroy();
      }
    });
  });

  describe('plain mysql2 (what happens today)', () => {
    // mysql2's pool drops a connection whose socket closed while it sat in the pool, so once
    // the close has been seen, the next checkout opens a new one: all four survive.
    for (const fault of IDLE_FAULTS) {
      test(`(${LETTER[fault]}) ${fault} while idle: survives once mysql2 saw the close`, () =>
        withFaultSettings(bench, fault, async () => {
          const pool = mysql2.createPool(proxiedUri(bench));
          const opened = new Set<Mysql2Handle>();
          pool.on('connection', (connection) => opened.add(connection as unknown as Mysql2Handle));
          const db = new Kysely<Database>({ dialect: new MysqlDialect({ pool }) });
          try {
            await readsAndWrites(db, `m-${fault}-before`);
            await causeIdleFault(bench, fault, () => mysql2Closed(opened));
            const outcome = await outcomeOf(() => readsAndWrites(db, `m-${fault}-after`));
            assert.equal(outcome.ok, true);
          } finally {
            await db.destroy();
          }
        }));
    }

    test('(g) a connection held with db.connection() across a KILL: its next statement fails', async () => {
      const pool = mysql2.createPool(proxiedUri(bench));
      const opened = new Set<Mysql2Handle>();
      pool.on('connection', (connection) => opened.add(connection as unknown as Mysql2Handle));
      const db = new Kysely<Database>({ dialect: new MysqlDialect({ pool }) });
      try {
        const outcome = await outcomeOf(() =>
          db.connection().execute(async (conn) => {
            await readsAndWrites(conn, 'm-held-before');
            await causeIdleFault(bench, 'kill', () => mysql2Closed(opened));
            await readsAndWrites(conn, 'm-held-after');
          }),
        );
        assert.ok(!outcome.ok);
        assert.equal(
          outcome.error.message,
          "Can't add new command when connection is in closed state",
        );
      } finally {
        await db.destroy();
      }
    });
  });
});
