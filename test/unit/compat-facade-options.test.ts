import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type FacadeOptions, resolveFacadeOptions } from '../../src/compat/facade-options.js';
import { ConfigurationError, NotSupportedError } from '../../src/index.js';

describe("mysql2's options → goneaway's", () => {
  test('connection options, mapped pool options, driver options and goneaway options each land in their place', () => {
    const typeCast = (_field: unknown, next: () => unknown) => next();
    const { pool } = resolveFacadeOptions({
      host: 'db.internal',
      port: 3307,
      user: 'app',
      password: 'secret',
      database: 'shop',
      connectionLimit: 4,
      connectTimeout: 5_000,
      idleTimeout: 20_000,
      timezone: 'Z',
      typeCast,
      flags: ['-FOUND_ROWS'],
      stringifyObjects: true,
      goneaway: { acquireTimeoutMs: 7_000, initSql: ['SET SESSION sql_mode = DEFAULT'] },
    });
    assert.equal(pool.host, 'db.internal');
    assert.equal(pool.port, 3307);
    assert.equal(pool.user, 'app');
    assert.equal(pool.password, 'secret');
    assert.equal(pool.database, 'shop');
    assert.equal(pool.max, 4);
    assert.equal(pool.connectTimeoutMs, 5_000);
    assert.equal(pool.idleTimeoutMs, 20_000);
    assert.equal(pool.acquireTimeoutMs, 7_000);
    assert.deepEqual(pool.initSql, ['SET SESSION sql_mode = DEFAULT']);
    assert.deepEqual(pool.driverOptions, {
      timezone: 'Z',
      typeCast,
      flags: ['-FOUND_ROWS'],
      stringifyObjects: true,
    });
  });

  test("mysql's acquireTimeout (which TypeORM passes) becomes acquireTimeoutMs", () => {
    assert.equal(resolveFacadeOptions({ acquireTimeout: 1_234 }).pool.acquireTimeoutMs, 1_234);
  });

  test('options set to undefined count as absent (TypeORM passes many)', () => {
    const { pool } = resolveFacadeOptions({
      host: 'h',
      multipleStatements: undefined,
      debug: undefined,
      charset: undefined,
    });
    assert.deepEqual(pool.driverOptions, {});
  });

  test("a URI is read as mysql2 reads it; explicit options win over the URI's", () => {
    const { pool } = resolveFacadeOptions({
      uri: 'mysql://app:p%40ss@127.0.0.1:3310/shop?dateStrings=true&charset=utf8mb4&connectionLimit=3',
      database: 'other',
    });
    assert.equal(pool.host, '127.0.0.1');
    assert.equal(pool.port, 3310);
    assert.equal(pool.password, 'p@ss');
    assert.equal(pool.database, 'other');
    assert.equal(pool.max, 3);
    assert.deepEqual(pool.driverOptions, { dateStrings: true, charset: 'utf8mb4' });
    assert.equal(resolveFacadeOptions('mysql://app@localhost/shop').pool.database, 'shop');
  });

  test('options goneaway does its own way are accepted without effect', () => {
    const { pool } = resolveFacadeOptions({
      maxIdle: 2,
      enableKeepAlive: true,
      keepAliveInitialDelay: 10,
      waitForConnections: true,
      queueLimit: 0,
    });
    assert.equal(pool.max, undefined);
    assert.deepEqual(pool.driverOptions, {});
  });

  test('options that would change behaviour goneaway relies on are refused with NotSupportedError', () => {
    const refused: FacadeOptions[] = [
      { multipleStatements: true },
      { waitForConnections: false },
      { queueLimit: 10 },
      { debug: true },
      { password2: 'x' },
      { infileStreamFactory: (() => undefined) as never },
    ];
    for (const options of refused) {
      assert.throws(
        () => resolveFacadeOptions(options),
        NotSupportedError,
        JSON.stringify(Object.keys(options)),
      );
    }
  });

  test('an unknown option is refused with its name', () => {
    assert.throws(
      () => resolveFacadeOptions({ hots: 'typo' } as never),
      (error: unknown) => error instanceof ConfigurationError && /'hots'/.test(error.message),
    );
  });

  test('the public config never shows the password, and a bad URI is not repeated in the error', () => {
    const { publicConfig } = resolveFacadeOptions({ uri: 'mysql://app:hunter2@127.0.0.1/shop' });
    assert.equal(JSON.stringify(publicConfig).includes('hunter2'), false);
    assert.equal(publicConfig.user, 'app');
    assert.throws(
      () => resolveFacadeOptions({ uri: 'mysql://app:hunter2@[bad' }),
      (error: unknown) => error instanceof ConfigurationError && !error.message.includes('hunter2'),
    );
  });

  test('escaping follows stringifyObjects and timezone as in mysql2', () => {
    const resolved = resolveFacadeOptions({ stringifyObjects: true, timezone: 'Z' });
    assert.equal(resolved.stringifyObjects, true);
    assert.equal(resolved.timezone, 'Z');
    assert.equal(resolveFacadeOptions({}).timezone, 'local');
  });

  test('a password hidden from loggers (non-enumerable, as Knex passes it) is still read', () => {
    const options = { host: '127.0.0.1', user: 'app' };
    Object.defineProperty(options, 'password', { value: 'hidden', enumerable: false });
    assert.equal(resolveFacadeOptions(options).pool.password, 'hidden');
  });
});
