/**
 * Sequelize through goneaway/mysql2. Sequelize pools connections itself and opens each with
 * `dialectModule.createConnection()`; `new Sequelize({ dialect: 'mysql', dialectModule: mysql2 })`
 * with `mysql2` being goneaway/mysql2's module object is the only change. Each connection is
 * then a session that survives its server connection (the `SET time_zone` Sequelize sends
 * after connecting is replayed on every new server connection). The same tests on plain
 * mysql2 record what happens today.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  DatabaseError,
  DataTypes,
  type Model,
  type ModelStatic,
  type Options,
  Sequelize,
  UniqueConstraintError,
} from 'sequelize';
import goneawayMysql2, { type Mysql2StandaloneConnection } from '../../src/compat/index.js';
import { IntegrityError, TransactionLostError } from '../../src/index.js';
import {
  causeIdleFault,
  type FaultBench,
  goneawayLost,
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

const LETTER = { wait_timeout: 'a', kill: 'b', restart: 'c', 'proxy-reset': 'd' } as const;

interface ItemAttributes {
  id?: number;
  name: string;
}
type Item = Model<ItemAttributes, ItemAttributes>;

/** A Sequelize instance, its model, and every raw connection it opened (from `afterConnect`). */
interface Orm<C> {
  readonly sequelize: Sequelize;
  readonly Item: ModelStatic<Item>;
  readonly opened: Set<C>;
}

function orm<C>(bench: FaultBench, extra: Partial<Options>): Orm<C> {
  const { host, port, user, password, database } = proxiedOptions(bench);
  const opened = new Set<C>();
  const sequelize = new Sequelize({
    dialect: 'mysql',
    host,
    port,
    username: user,
    password,
    database,
    logging: false,
    hooks: {
      afterConnect: (connection: unknown) => {
        opened.add(connection as C);
      },
    },
    ...extra,
  });
  const Item = sequelize.define<Item>(
    'Item',
    {
      id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
      name: { type: DataTypes.STRING(64), allowNull: false, unique: true },
    },
    { tableName: 'compat_sequelize', timestamps: false },
  );
  return { sequelize, Item, opened };
}

async function readsAndWrites(Item: ModelStatic<Item>, name: string): Promise<void> {
  await Item.create({ name });
  const row = await Item.findOne({ where: { name } });
  assert.equal(row?.get('name'), name);
}

describe('Sequelize on goneaway/mysql2 and on plain mysql2', () => {
  let bench: FaultBench;
  before(async () => {
    bench = await startFaultBench('compat_sequelize');
  });
  after(() => stopFaultBench(bench));

  describe('goneaway/mysql2', () => {
    const goneaway = (): Orm<Mysql2StandaloneConnection> =>
      orm(bench, { dialectModule: goneawayMysql2 });

    for (const fault of IDLE_FAULTS) {
      test(`(${LETTER[fault]}) ${fault} while idle: the next reads and writes succeed`, () =>
        withFaultSettings(bench, fault, async () => {
          const { sequelize, Item, opened } = goneaway();
          try {
            await readsAndWrites(Item, `g-${fault}-before`);
            // Sequelize's first connection only reads the server version and is ended.
            const pools = [...opened]
              .filter((connection) => !connection._closing)
              .map((connection) => connection.goneaway);
            await causeIdleFault(bench, fault, () => goneawayLost(pools));
            await readsAndWrites(Item, `g-${fault}-after`);
            const [row] = await sequelize.query('SELECT @@session.time_zone AS tz', {
              plain: false,
              raw: true,
              type: 'SELECT',
            });
            assert.deepEqual(
              row,
              { tz: '+00:00' },
              "Sequelize's session time zone survived the new server connection",
            );
          } finally {
            await sequelize.close();
          }
        }));
    }

    test('(e) KILL inside a transaction: the transaction fails with TransactionLostError and nothing is committed', async () => {
      const { sequelize, Item } = goneaway();
      let swallowed: unknown;
      try {
        const outcome = await outcomeOf(() =>
          sequelize.transaction(async (transaction) => {
            await Item.create({ name: 'e-1' }, { transaction });
            assert.equal((await bench.server.killConnections()).length, 1);
            await Item.create({ name: 'e-2' }, { transaction }).catch((error: unknown) => {
              swallowed = error;
            });
            await Item.create({ name: 'e-3' }, { transaction });
          }),
        );
        assert.ok(swallowed instanceof DatabaseError);
        assert.ok(
          swallowed.parent instanceof TransactionLostError,
          `the statement after the KILL failed with ${String(swallowed)}`,
        );
        assert.ok(!outcome.ok && outcome.error instanceof DatabaseError);
        const cause = (outcome.error as DatabaseError).parent;
        assert.ok(cause instanceof TransactionLostError);
        assert.equal(cause.outcome, 'not-sent', 'the statement after the loss was never sent');
        assert.deepEqual(await namesLike(bench, 'e-'), []);
        await readsAndWrites(Item, 'e-afterwards');
      } finally {
        await sequelize.close();
      }
    });

    test("(f) a unique-key violation surfaces as Sequelize's UniqueConstraintError", async () => {
      const { sequelize, Item } = goneaway();
      try {
        await Item.create({ name: 'f-dup' });
        const outcome = await outcomeOf(() => Item.create({ name: 'f-dup' }));
        assert.ok(!outcome.ok && outcome.error instanceof UniqueConstraintError);
        const error = outcome.error as UniqueConstraintError;
        assert.deepEqual(error.fields, { name: 'f-dup' });
        assert.equal(error.errors[0]?.type, 'unique violation');
        assert.ok(error.parent instanceof IntegrityError);
      } finally {
        await sequelize.close();
      }
    });
  });

  describe("plain mysql2 with Sequelize's own pool (what happens today)", () => {
    // Sequelize validates a connection when its pool hands it out (mysql2's _fatalError,
    // _protocolError, _closing, stream.destroyed), so once the close was seen, each survives.
    for (const fault of IDLE_FAULTS) {
      test(`(${LETTER[fault]}) ${fault} while idle: survives once mysql2 saw the close`, () =>
        withFaultSettings(bench, fault, async () => {
          const { sequelize, Item, opened } = orm<Mysql2Handle>(bench, {});
          try {
            await readsAndWrites(Item, `m-${fault}-before`);
            await causeIdleFault(bench, fault, () => mysql2Closed(opened));
            const outcome = await outcomeOf(() => readsAndWrites(Item, `m-${fault}-after`));
            assert.equal(outcome.ok, true);
          } finally {
            await sequelize.close();
          }
        }));
    }
  });
});
