/**
 * goneaway/mysql2 itself, without an ORM: the mysql2 shapes ORMs rely on, what it refuses, and
 * the transaction and session rules it adds on top of a lease, each against a real server and
 * real faults.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import mysql2 from 'mysql2';
import goneawayMysql2, { type Mysql2PoolConnection } from '../../src/compat/index.js';
import goneawayPromise from '../../src/compat/promise.js';
import {
  CommitOutcomeUnknownError,
  NotSupportedError,
  SessionLostError,
  TransactionLostError,
} from '../../src/index.js';
import {
  type FaultProxy,
  type Sandbox,
  startFaultProxy,
  testServer,
} from '../../src/testing/index.js';
import { nextEvent, viaPort } from '../support/events.js';

type Row = Record<string, unknown>;

function getConnection(
  pool: ReturnType<typeof goneawayMysql2.createPool>,
): Promise<Mysql2PoolConnection> {
  return new Promise((resolve, reject) =>
    pool.getConnection((error, connection) => (error ? reject(error) : resolve(connection))),
  );
}

describe('goneaway/mysql2', () => {
  let server: Sandbox;
  let proxy: FaultProxy;
  before(async () => {
    server = await testServer();
    proxy = await startFaultProxy({ target: { host: server.host, port: server.port } });
    await server.admin(
      'CREATE TABLE goneaway.compat_facade (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(64) NOT NULL UNIQUE) ENGINE=InnoDB',
    );
  });
  after(async () => {
    await proxy?.close();
    await server?.stop();
  });

  async function names(prefix: string): Promise<string[]> {
    const rows = await server.admin(
      'SELECT name FROM goneaway.compat_facade WHERE name LIKE ? ORDER BY name',
      [`${prefix}%`],
    );
    return rows.map((row) => String(row.name));
  }

  test("results keep mysql2's shapes: rows, a ResultSetHeader for writes, [result, fields] from the promise API", async () => {
    const pool = goneawayMysql2.createPool(server.uri);
    try {
      const rows = await new Promise<unknown>((resolve, reject) =>
        pool.query('SELECT ? AS n', [7], (error, result) =>
          error ? reject(error) : resolve(result),
        ),
      );
      assert.deepEqual(rows, [{ n: 7 }]);
      const header = await new Promise<unknown>((resolve, reject) =>
        pool.execute('INSERT INTO compat_facade (name) VALUES (?)', ['shape-1'], (error, result) =>
          error ? reject(error) : resolve(result),
        ),
      );
      assert.equal(
        (header as object).constructor.name,
        'ResultSetHeader',
        'Sequelize tells inserts apart by this name',
      );
      assert.equal((header as { affectedRows: number }).affectedRows, 1);
      const [result] = await pool
        .promise()
        .query({ sql: 'SELECT name FROM compat_facade WHERE name = ?', values: ['shape-1'] });
      assert.deepEqual(result, [{ name: 'shape-1' }]);
      assert.equal(
        pool.format('SELECT ?, ??', ["it's", 'col']),
        mysql2.format('SELECT ?, ??', ["it's", 'col']),
      );
      assert.equal(pool.escape(new Date(0)), mysql2.escape(new Date(0)));
    } finally {
      await pool.goneaway.end();
    }
  });

  test("a connection's statements run one after another, on one server connection, as mysql2 queues them", async () => {
    const pool = goneawayMysql2.createPool(server.uri).promise();
    const connection = await pool.getConnection();
    try {
      const [[[first]], [[second]]] = await Promise.all([
        connection.query<Row[]>('SELECT SLEEP(0.05) AS s, CONNECTION_ID() AS id'),
        connection.query<Row[]>('SELECT CONNECTION_ID() AS id'),
      ]);
      assert.equal(first?.id, second?.id);
      assert.equal(first?.id, connection.threadId);
    } finally {
      connection.release();
      await pool.end();
    }
  });

  test('stream() is refused before anything is sent', async () => {
    const pool = goneawayMysql2.createPool(server.uri);
    const connection = await getConnection(pool);
    try {
      const command = connection.query("INSERT INTO compat_facade (name) VALUES ('stream-1')");
      assert.throws(() => command.stream(), NotSupportedError);
      const [rows] = await connection.promise().query('SELECT 1 AS still_usable');
      assert.deepEqual(rows, [{ still_usable: 1 }]);
      assert.deepEqual(await names('stream-'), []);
    } finally {
      connection.release();
      await pool.goneaway.end();
    }
  });

  test('unsupported parts of the API are refused with NotSupportedError', () => {
    assert.throws(() => goneawayMysql2.createPoolCluster(), NotSupportedError);
    assert.throws(() => goneawayPromise.createPoolCluster(), NotSupportedError);
    assert.throws(
      () => goneawayMysql2.createPool({ uri: server.uri, multipleStatements: true }),
      NotSupportedError,
    );
  });

  test('after a loss inside a transaction: statements are refused unsent, ROLLBACK is answered, then the connection works again', async () => {
    const pool = goneawayMysql2.createPool(viaPort(server.uri, proxy.port)).promise();
    const connection = await pool.getConnection();
    try {
      await connection.beginTransaction();
      await connection.query("INSERT INTO compat_facade (name) VALUES ('tx-1')");
      const lostThread = connection.threadId;
      const lost = nextEvent(pool.goneaway, 'loss');
      assert.equal(proxy.resetAll(), 1);
      await lost;
      await assert.rejects(
        connection.query("INSERT INTO compat_facade (name) VALUES ('tx-2')"),
        TransactionLostError,
      );
      await assert.rejects(
        connection.query('SELECT 1'),
        (error: unknown) =>
          error instanceof TransactionLostError &&
          error.outcome === 'not-sent' &&
          /was not sent/.test(error.message),
      );
      await assert.rejects(
        connection.commit(),
        TransactionLostError,
        'COMMIT is refused too: nothing to commit',
      );
      await connection.rollback();
      const [rows] = await connection.query("INSERT INTO compat_facade (name) VALUES ('tx-after')");
      assert.equal((rows as { affectedRows: number }).affectedRows, 1);
      assert.notEqual(connection.threadId, lostThread);
      assert.deepEqual(await names('tx-'), ['tx-after']);
    } finally {
      connection.release();
      await pool.end();
    }
  });

  test('SET TRANSACTION, then the connection is replaced: START TRANSACTION is undone and SessionLostError says why', async () => {
    const pool = goneawayMysql2.createPool(viaPort(server.uri, proxy.port)).promise();
    const connection = await pool.getConnection();
    try {
      await connection.query('SET TRANSACTION ISOLATION LEVEL SERIALIZABLE');
      const lost = nextEvent(pool.goneaway, 'loss');
      assert.equal(proxy.resetAll(), 1);
      await lost;
      // The lease itself now knows SET TRANSACTION left state the server does not report (the
      // classifier says so), so it refuses START TRANSACTION before sending it; the facade's
      // own check (which rolls back) is the second line.
      await assert.rejects(
        connection.beginTransaction(),
        (error: unknown) =>
          error instanceof SessionLostError &&
          error.lost.some((what) => what.startsWith('transaction characteristics')),
      );
      // The lease was poisoned before START TRANSACTION went out, and the handle is fatal, as
      // mysql2 marks a connection whose session is gone: nothing runs on it any more.
      await assert.rejects(connection.query('SELECT 1'), SessionLostError);
    } finally {
      connection.release();
      await pool.end();
    }
  });

  test('a loss while COMMIT is in flight is CommitOutcomeUnknownError, never "rolled back"', async () => {
    const pool = goneawayMysql2
      .createPool({
        uri: viaPort(server.uri, proxy.port),
        goneaway: { stallCheckMs: 300, validationTimeoutMs: 300 },
      })
      .promise();
    const connection = await pool.getConnection();
    try {
      await connection.beginTransaction();
      await connection.query("INSERT INTO compat_facade (name) VALUES ('commit-1')");
      proxy.blackhole();
      await assert.rejects(
        connection.commit(),
        (error: unknown) =>
          error instanceof CommitOutcomeUnknownError && error.outcome === 'unknown',
      );
    } finally {
      proxy.resume();
      connection.release();
      await pool.end();
    }
  });

  describe('createConnection', () => {
    test('session settings sent first survive a new server connection; other session state is reported lost and the handle becomes fatal', async () => {
      const connection = await goneawayPromise.createConnection(viaPort(server.uri, proxy.port));
      try {
        await connection.query("SET time_zone = '+03:00'");
        const [[before]] = await connection.query<Row[]>(
          'SELECT @@session.time_zone AS tz, CONNECTION_ID() AS id',
        );
        let lost = nextEvent(connection.connection.goneaway, 'loss');
        assert.equal(proxy.resetAll(), 1);
        await lost;
        const [[after]] = await connection.query<Row[]>(
          'SELECT @@session.time_zone AS tz, CONNECTION_ID() AS id',
        );
        assert.equal(after?.tz, '+03:00');
        assert.notEqual(after?.id, before?.id);

        await connection.query('SET @total = 1');
        lost = nextEvent(connection.connection.goneaway, 'loss');
        assert.equal(proxy.resetAll(), 1);
        await lost;
        await assert.rejects(connection.query('SELECT @total AS total'), SessionLostError);
        assert.ok(
          connection.connection._fatalError instanceof SessionLostError,
          'validators (Sequelize, Knex) drop the handle',
        );
      } finally {
        await connection.end();
      }
    });

    test("a failed connect is reported like mysql2's: 'error' and connect(), with mysql2's code and no password", async () => {
      const url = new URL(server.uri);
      url.password = 'not-the-password';
      const connection = goneawayMysql2.createConnection(url.href);
      const [error] = await Promise.all([
        new Promise<Error & { code?: string }>((resolve) => connection.once('error', resolve)),
        new Promise((resolve) => connection.connect(resolve)),
      ]);
      assert.equal(error.code, 'ER_ACCESS_DENIED_ERROR');
      assert.equal(error.message.includes('not-the-password'), false);
      assert.equal(connection._fatalError, error);
      await assert.rejects(
        new Promise((resolve, reject) =>
          connection.query('SELECT 1', (failure) =>
            failure ? reject(failure) : resolve(undefined),
          ),
        ),
        (failure: unknown) => failure === error,
        'later statements get the same error',
      );
      await new Promise((resolve) => connection.end(resolve));
    });
  });
});
