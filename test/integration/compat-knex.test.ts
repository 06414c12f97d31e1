/**
 * Knex through goneaway/mysql2. Knex 3.3 takes a driver's pool as `connectionPool` and then
 * leaves pooling to it: `knex({ client: 'mysql2', connectionPool: createPool(uri) })` with
 * `createPool` from goneaway/mysql2 hands pooling, validation and retirement to goneaway. The
 * same tests with Knex's own pool over plain mysql2 record what happens today.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import knex, { type Knex } from 'knex';
import goneawayMysql2, { type Mysql2StandaloneConnection } from '../../src/compat/index.js';
import { IntegrityError, TransactionLostError } from '../../src/index.js';
import {
  causeIdleFault,
  type FaultBench,
  goneawayDrained,
  goneawayLost,
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

/**
 * Knex before 3.3 has no `connectionPool`: its own pool opens connections through the dialect's
 * driver, which a client class can replace. Knex ships its dialect classes untyped.
 */
type KnexClientClass = new (config: Knex.Config) => object;
const MySql2Client = createRequire(import.meta.url)(
  'knex/lib/dialects/mysql2/index.js',
) as KnexClientClass;
class GoneawayMySql2Client extends MySql2Client {
  _driver(): typeof goneawayMysql2 {
    return goneawayMysql2;
  }
}
const TABLE = 'compat_knex';

async function readsAndWrites(db: Knex | Knex.Transaction, name: string): Promise<void> {
  await db(TABLE).insert({ name });
  const row = await db(TABLE).where({ name }).first('name');
  assert.equal(row?.name, name);
}

describe('Knex on goneaway/mysql2 and on plain mysql2', () => {
  let bench: FaultBench;
  before(async () => {
    bench = await startFaultBench(TABLE);
  });
  after(() => stopFaultBench(bench));

  /** Knex over a goneaway pool; `pool.end()` is the caller's, as with any `connectionPool`. */
  function goneawayKnex(): {
    db: Knex;
    pool: ReturnType<typeof goneawayMysql2.createPool>;
    close: () => Promise<void>;
  } {
    const pool = goneawayMysql2.createPool(proxiedUri(bench));
    const db = knex({ client: 'mysql2', connectionPool: pool });
    return {
      db,
      pool,
      close: async () => {
        await db.destroy();
        await pool.goneaway.end();
      },
    };
  }

  describe('goneaway/mysql2', () => {
    for (const fault of IDLE_FAULTS) {
      test(`(${LETTER[fault]}) ${fault} while idle: the next reads and writes succeed`, () =>
        withFaultSettings(bench, fault, async () => {
          const { db, pool, close } = goneawayKnex();
          try {
            await readsAndWrites(db, `g-${fault}-before`);
            await causeIdleFault(bench, fault, () => goneawayDrained([pool.goneaway]));
            await readsAndWrites(db, `g-${fault}-after`);
          } finally {
            await close();
          }
        }));
    }

    test('(e) KILL inside a transaction: the transaction fails with TransactionLostError and nothing is committed', async () => {
      const { db, close } = goneawayKnex();
      let swallowed: unknown;
      try {
        const outcome = await outcomeOf(() =>
          db.transaction(async (trx) => {
            await trx(TABLE).insert({ name: 'e-1' });
            assert.equal((await bench.server.killConnections()).length, 1);
            await trx(TABLE)
              .insert({ name: 'e-2' })
              .catch((error: unknown) => {
                swallowed = error;
              });
            await trx(TABLE).insert({ name: 'e-3' });
          }),
        );
        assert.ok(
          swallowed instanceof TransactionLostError,
          `the statement after the KILL failed with ${String(swallowed)}`,
        );
        assert.ok(!outcome.ok && outcome.error instanceof TransactionLostError);
        assert.equal(
          !outcome.ok && outcome.error.outcome,
          'not-sent',
          'the statement after the loss was never sent',
        );
        assert.deepEqual(await namesLike(bench, 'e-'), []);
        await readsAndWrites(db, 'e-afterwards');
      } finally {
        await close();
      }
    });

    test("(f) a unique-key violation surfaces as mysql2's ER_DUP_ENTRY (Knex passes driver errors through)", async () => {
      const { db, close } = goneawayKnex();
      try {
        await db(TABLE).insert({ name: 'f-dup' });
        const outcome = await outcomeOf(() => db(TABLE).insert({ name: 'f-dup' }));
        assert.ok(!outcome.ok);
        const error = outcome.error as IntegrityError & { code: string; sqlMessage: string };
        assert.equal(error.code, 'ER_DUP_ENTRY');
        assert.equal(error.errno, 1062);
        assert.match(error.sqlMessage, /^Duplicate entry 'f-dup' for key/);
        assert.ok(error instanceof IntegrityError);
      } finally {
        await close();
      }
    });
  });

  describe("goneaway/mysql2 under Knex's own pool (a client class, for Knex before 3.3)", () => {
    test('(b) kill while idle: the next reads and writes succeed, and a lost transaction is refused', async () => {
      const opened = new Set<Mysql2StandaloneConnection>();
      const db = knex({
        client: GoneawayMySql2Client as unknown as typeof Knex.Client,
        connection: proxiedUri(bench),
        pool: {
          afterCreate: (
            connection: Mysql2StandaloneConnection,
            done: (error: Error | null, connection: unknown) => void,
          ) => {
            opened.add(connection);
            done(null, connection);
          },
        },
      });
      try {
        await readsAndWrites(db, 'c-kill-before');
        const live = [...opened]
          .filter((connection) => !connection._closing)
          .map((connection) => connection.goneaway);
        await causeIdleFault(bench, 'kill', () => goneawayLost(live));
        await readsAndWrites(db, 'c-kill-after');
        const outcome = await outcomeOf(() =>
          db.transaction(async (trx) => {
            await trx(TABLE).insert({ name: 'c-tx-1' });
            assert.equal((await bench.server.killConnections()).length, 1);
            await trx(TABLE).insert({ name: 'c-tx-2' });
          }),
        );
        assert.ok(!outcome.ok && outcome.error instanceof TransactionLostError);
        assert.deepEqual(await namesLike(bench, 'c-tx-'), []);
        await readsAndWrites(db, 'c-tx-afterwards');
      } finally {
        await db.destroy();
      }
    });
  });

  describe("plain mysql2 with Knex's own pool (what happens today)", () => {
    // Knex validates a connection when its pool hands it out (mysql2's _fatalError,
    // _protocolError, _closing, stream.destroyed), so once the close was seen, each survives.
    for (const fault of IDLE_FAULTS) {
      test(`(${LETTER[fault]}) ${fault} while idle: survives once mysql2 saw the close`, () =>
        withFaultSettings(bench, fault, async () => {
          const opened = new Set<Mysql2Handle>();
          const db = knex({
            client: 'mysql2',
            connection: proxiedUri(bench),
            pool: {
              afterCreate: (
                connection: Mysql2Handle,
                done: (error: Error | null, connection: unknown) => void,
              ) => {
                opened.add(connection);
                done(null, connection);
              },
            },
          });
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
  });
});
