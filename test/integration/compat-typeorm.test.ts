/**
 * TypeORM through goneaway/mysql2. TypeORM loads its MySQL driver from the `driver` option
 * when given: `new DataSource({ type: 'mariadb', driver: mysql2, ... })` with `mysql2` being
 * goneaway/mysql2's module object is the only change. The same tests on plain mysql2 record
 * what happens today.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import mysql2 from 'mysql2';
import { DataSource, EntitySchema, QueryFailedError } from 'typeorm';
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
  proxiedOptions,
  startFaultBench,
  stopFaultBench,
  withFaultSettings,
} from '../support/compat-faults.js';
import { nextEvent } from '../support/events.js';

const LETTER = { wait_timeout: 'a', kill: 'b', restart: 'c', 'proxy-reset': 'd' } as const;

interface Item {
  id: number;
  name: string;
}

const ItemSchema = new EntitySchema<Item>({
  name: 'Item',
  tableName: 'compat_typeorm',
  columns: {
    id: { type: Number, primary: true, generated: 'increment' },
    name: { type: String, length: 64, unique: true },
  },
});

/** Anything with TypeORM's query methods: a DataSource's manager or a transaction's. */
interface Queries {
  insert(target: typeof ItemSchema, values: Partial<Item>): Promise<unknown>;
  findOneBy(target: typeof ItemSchema, where: Partial<Item>): Promise<Item | null>;
}

async function readsAndWrites(manager: Queries, name: string): Promise<void> {
  await manager.insert(ItemSchema, { name });
  const row = await manager.findOneBy(ItemSchema, { name });
  assert.equal(row?.name, name);
}

describe('TypeORM on goneaway/mysql2 and on plain mysql2', () => {
  let bench: FaultBench;
  before(async () => {
    bench = await startFaultBench('compat_typeorm');
  });
  after(() => stopFaultBench(bench));

  /** A DataSource on `driver`; TypeORM creates its pool through `driver.createPool()`. */
  async function dataSource(driver: object): Promise<DataSource> {
    const { host, port, user, password, database } = proxiedOptions(bench);
    const source = new DataSource({
      type: 'mariadb',
      driver,
      host,
      port,
      username: user,
      password,
      database,
      entities: [ItemSchema],
    });
    return source.initialize();
  }

  /** goneaway/mysql2, remembering the pool TypeORM creates, to watch it in tests. */
  function goneawayDriver(): { driver: object; pools: Mysql2Pool[] } {
    const pools: Mysql2Pool[] = [];
    const driver = {
      ...goneawayMysql2,
      createPool: (options: Parameters<typeof goneawayMysql2.createPool>[0]) => {
        const pool = goneawayMysql2.createPool(options);
        pools.push(pool);
        return pool;
      },
    };
    return { driver, pools };
  }

  /** Plain mysql2, remembering every connection its pool opens. */
  function plainDriver(): { driver: object; opened: Set<Mysql2Handle> } {
    const opened = new Set<Mysql2Handle>();
    const driver = {
      ...mysql2,
      createPool: (options: mysql2.PoolOptions) => {
        const pool = mysql2.createPool(options);
        pool.on('connection', (connection) => opened.add(connection as unknown as Mysql2Handle));
        return pool;
      },
    };
    return { driver, opened };
  }

  describe('goneaway/mysql2', () => {
    for (const fault of IDLE_FAULTS) {
      test(`(${LETTER[fault]}) ${fault} while idle: the next reads and writes succeed`, () =>
        withFaultSettings(bench, fault, async () => {
          const { driver, pools } = goneawayDriver();
          const source = await dataSource(driver);
          try {
            await readsAndWrites(source.manager, `g-${fault}-before`);
            await causeIdleFault(bench, fault, () =>
              goneawayDrained(pools.map((pool) => pool.goneaway)),
            );
            await readsAndWrites(source.manager, `g-${fault}-after`);
          } finally {
            await source.destroy();
          }
        }));
    }

    test('(e) KILL inside a transaction: the transaction fails with TransactionLostError and nothing is committed', async () => {
      const source = await dataSource(goneawayMysql2);
      let swallowed: unknown;
      try {
        const outcome = await outcomeOf(() =>
          source.transaction(async (manager) => {
            await manager.insert(ItemSchema, { name: 'e-1' });
            assert.equal((await bench.server.killConnections()).length, 1);
            await manager.insert(ItemSchema, { name: 'e-2' }).catch((error: unknown) => {
              swallowed = error;
            });
            await manager.insert(ItemSchema, { name: 'e-3' });
          }),
        );
        assert.ok(swallowed instanceof QueryFailedError);
        assert.ok(
          swallowed.driverError instanceof TransactionLostError,
          `the statement after the KILL failed with ${String(swallowed)}`,
        );
        assert.ok(!outcome.ok && outcome.error instanceof QueryFailedError);
        const cause = (outcome.error as QueryFailedError).driverError;
        assert.ok(cause instanceof TransactionLostError);
        assert.equal(cause.outcome, 'not-sent', 'the statement after the loss was never sent');
        assert.deepEqual(await namesLike(bench, 'e-'), []);
        await readsAndWrites(source.manager, 'e-afterwards');
      } finally {
        await source.destroy();
      }
    });

    test("(f) a unique-key violation surfaces as TypeORM's QueryFailedError with code ER_DUP_ENTRY", async () => {
      const source = await dataSource(goneawayMysql2);
      try {
        await source.manager.insert(ItemSchema, { name: 'f-dup' });
        const outcome = await outcomeOf(() => source.manager.insert(ItemSchema, { name: 'f-dup' }));
        assert.ok(!outcome.ok && outcome.error instanceof QueryFailedError);
        const error = outcome.error as QueryFailedError & { code: string; errno: number };
        // TypeORM copies the driver error's fields onto its own error.
        assert.equal(error.code, 'ER_DUP_ENTRY');
        assert.equal(error.errno, 1062);
        assert.match(error.message, /Duplicate entry 'f-dup' for key/);
        assert.ok(error.driverError instanceof IntegrityError);
      } finally {
        await source.destroy();
      }
    });

    test('(g) a query runner held across a KILL: its next query succeeds', async () => {
      const { driver, pools } = goneawayDriver();
      const source = await dataSource(driver);
      const runner = source.createQueryRunner();
      try {
        await readsAndWrites(runner.manager, 'g-held-before');
        const [pool] = pools;
        assert.ok(pool);
        await causeIdleFault(bench, 'kill', () =>
          nextEvent(pool.goneaway, 'loss').then(() => undefined),
        );
        await readsAndWrites(runner.manager, 'g-held-after');
      } finally {
        await runner.release();
        await source.destroy();
      }
    });
  });

  describe('plain mysql2 (what happens today)', () => {
    // TypeORM creates a mysql2 pool, which drops a connection whose socket closed while idle.
    for (const fault of IDLE_FAULTS) {
      test(`(${LETTER[fault]}) ${fault} while idle: survives once mysql2 saw the close`, () =>
        withFaultSettings(bench, fault, async () => {
          const { driver, opened } = plainDriver();
          const source = await dataSource(driver);
          try {
            await readsAndWrites(source.manager, `m-${fault}-before`);
            await causeIdleFault(bench, fault, () => mysql2Closed(opened));
            const outcome = await outcomeOf(() =>
              readsAndWrites(source.manager, `m-${fault}-after`),
            );
            assert.equal(outcome.ok, true);
          } finally {
            await source.destroy();
          }
        }));
    }

    test('(g) a query runner held across a KILL: its next query fails', async () => {
      const { driver, opened } = plainDriver();
      const source = await dataSource(driver);
      const runner = source.createQueryRunner();
      try {
        await readsAndWrites(runner.manager, 'm-held-before');
        await causeIdleFault(bench, 'kill', () => mysql2Closed(opened));
        const outcome = await outcomeOf(() => readsAndWrites(runner.manager, 'm-held-after'));
        assert.ok(!outcome.ok && outcome.error instanceof QueryFailedError);
        assert.match(
          outcome.error.message,
          /Can't add new command when connection is in closed state/,
        );
      } finally {
        await runner.release();
        await source.destroy();
      }
    });
  });
});
