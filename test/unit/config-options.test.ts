/**
 * Option checks shared by the pool and the mysql2 facade: one list of driver options, checked
 * at run time; durations a Node.js timer can wait; TLS that verifies the host name unless told
 * not to; and secrets kept out of what the facade's `config` shows.
 *
 * Before: the pool's driverOptions were passed to mysql2 unchecked (a JavaScript caller could
 * turn on multipleStatements, infileStreamFactory or debug, which the facade refused), a
 * timeout above 2^31-1 ms fired after 1 ms, `ssl: true` threw mysql2's raw TypeError, and the
 * facade's config showed passwordSha1, ssl.key and ssl.passphrase.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, test } from 'node:test';
import { inspect } from 'node:util';
import { type FacadeOptions, resolveFacadeOptions } from '../../src/compat/facade-options.js';
import { checkDriverOptions, DRIVER_OPTION_RULES } from '../../src/config/driver-options.js';
import { MAX_DURATION_MS } from '../../src/config/duration.js';
import { resolveSsl } from '../../src/config/tls-options.js';
import { ConfigurationError, NotSupportedError } from '../../src/errors/index.js';
import { type PoolOptions, resolvePoolOptions } from '../../src/pool/pool-options.js';

describe('one list of driver options, checked at run time for the pool and the facade', () => {
  const refused: Record<string, unknown>[] = [
    { multipleStatements: true },
    { infileStreamFactory: () => undefined },
    { debug: true },
    { debug: ['ComQueryPacket'] },
    { flags: 'MULTI_STATEMENTS' },
    { flags: '-FOUND_ROWS,+multi_statements' },
    { flags: ['LOCAL_FILES'] },
    { authSwitchHandler: () => undefined },
    { authPlugins: { caching_sha2_password: () => () => null } },
    { authPlugins: { sha256_password: () => () => null } },
    { stream: () => undefined },
  ];
  for (const options of refused) {
    const name = inspect(options, { breakLength: Number.POSITIVE_INFINITY });
    test(`refuses ${name} in both`, () => {
      assert.throws(
        () => resolvePoolOptions({ driverOptions: options as PoolOptions['driverOptions'] }),
        NotSupportedError,
      );
      assert.throws(() => resolveFacadeOptions(options as FacadeOptions), NotSupportedError);
    });
  }

  test('passes the options it lists, and flags that turn things off', () => {
    const options = {
      dateStrings: true,
      flags: '-FOUND_ROWS,-LOCAL_FILES',
      multipleStatements: false,
      debug: false,
      authPlugins: { mysql_clear_password: () => () => null },
    };
    const driver = resolvePoolOptions({ driverOptions: options as never }).connection.driver;
    assert.equal(driver.dateStrings, true);
    assert.equal(driver.flags, '-FOUND_ROWS,-LOCAL_FILES');
    assert.equal('multipleStatements' in driver, false);
    assert.ok(driver.authPlugins?.mysql_clear_password, "the caller's plugin is kept");
    assert.ok(driver.authPlugins?.caching_sha2_password, "goneaway's guard is added");
  });

  test('an unknown driver option is named', () => {
    assert.throws(
      () => checkDriverOptions({ typcast: true }, "the pool's driverOptions"),
      (error: unknown) =>
        error instanceof ConfigurationError &&
        /Unknown mysql2 option 'typcast' in the pool's driverOptions/.test(error.message),
    );
  });

  test('every driver row of the facade comes from the shared list', async () => {
    const { MYSQL2_OPTIONS } = await import('../../src/compat/facade-options.js');
    for (const key of Object.keys(DRIVER_OPTION_RULES)) {
      assert.equal(MYSQL2_OPTIONS[key]?.kind, 'driver', key);
    }
  });
});

describe('numbers', () => {
  const rejected: [Partial<PoolOptions>, RegExp][] = [
    [
      { queryTimeoutMs: MAX_DURATION_MS + 1 },
      /'queryTimeoutMs' is 2147483648; expected .* to 2147483647/,
    ],
    [{ acquireTimeoutMs: 2 ** 40 }, /'acquireTimeoutMs'.*longest a Node\.js timer can wait/],
    [{ connectTimeoutMs: 0 }, /'connectTimeoutMs' is 0; expected a number of ms from 1/],
    [{ maxLifetimeMs: -1 }, /'maxLifetimeMs' is -1/],
    [{ keepaliveMs: Number.NaN }, /'keepaliveMs' is NaN/],
    [{ idleTimeoutMs: Number.POSITIVE_INFINITY }, /'idleTimeoutMs' is Infinity/],
    [{ max: 1.5 }, /'max' is 1\.5; expected a whole number from 1 to 100000/],
    [{ max: 1e9 }, /'max' is 1000000000/],
    [{ maxAttempts: 1_000 }, /'maxAttempts' is 1000; expected a whole number from 1 to 100/],
    [{ port: 0 }, /'port' is 0/],
  ];
  for (const [options, message] of rejected) {
    test(`rejects ${inspect(options)}`, () => {
      assert.throws(
        () => resolvePoolOptions(options as PoolOptions),
        (error: unknown) => {
          assert.ok(error instanceof ConfigurationError, String(error));
          assert.match(error.message, message);
          return true;
        },
      );
    });
  }

  test('accepts the largest timer and 0 where 0 means off', () => {
    const resolved = resolvePoolOptions({ queryTimeoutMs: MAX_DURATION_MS, keepaliveMs: 0 });
    assert.equal(resolved.queryTimeoutMs, MAX_DURATION_MS);
    assert.equal(resolved.keepaliveMs, 0);
  });

  test('the facade maps mysql2 names onto the same checks', async () => {
    const { createPool } = await import('../../src/compat/index.js');
    assert.throws(
      () => createPool({ connectTimeout: 2 ** 31 }),
      /'connectTimeoutMs' is 2147483648/,
    );
  });
});

describe('TLS options', () => {
  test('verify the host name unless the caller says verifyIdentity: false', () => {
    assert.deepEqual(resolveSsl({ ca: 'CA' }), { ca: 'CA', verifyIdentity: true });
    assert.deepEqual(resolveSsl({ ca: 'CA', verifyIdentity: false }), {
      ca: 'CA',
      verifyIdentity: false,
    });
    const given = { ca: 'CA' };
    resolveSsl(given);
    assert.deepEqual(given, { ca: 'CA' }, "the caller's object is not changed");
    assert.equal(resolveSsl(undefined), undefined);
  });

  test('a profile name is resolved and verified the same way', () => {
    const ssl = resolveSsl('Amazon RDS');
    assert.ok(ssl?.ca, 'the profile brings its CA');
    assert.equal(ssl?.verifyIdentity, true);
    assert.throws(() => resolveSsl('No Such Profile'), /TLS profile "No Such Profile"/);
  });

  test('ssl: true is a ConfigurationError that says what to write instead', () => {
    for (const options of [{ ssl: true }, { ssl: 1 }]) {
      assert.throws(
        () => resolvePoolOptions(options as never),
        (error: unknown) =>
          error instanceof ConfigurationError &&
          /Pool option 'ssl' is (true|a number); it takes TLS options: \{\} verifies/.test(
            error.message,
          ),
      );
    }
  });

  test('the facade gives ssl: true the same ConfigurationError (mysql2 threw a raw TypeError)', async () => {
    const { createPool } = await import('../../src/compat/index.js');
    assert.throws(() => createPool({ ssl: true } as never), ConfigurationError);
  });
});

describe('password exchange options', () => {
  const { publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 1024,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });

  test('plain TCP gets guards; TLS, a socket and the opt-in get mysql2 as it is', () => {
    const plugins = (options: PoolOptions) =>
      Object.keys(resolvePoolOptions(options).connection.driver.authPlugins ?? {}).sort();
    assert.deepEqual(plugins({ host: 'db' }), ['caching_sha2_password', 'sha256_password']);
    assert.deepEqual(plugins({ host: 'db', ssl: {} }), []);
    assert.deepEqual(plugins({ socketPath: '/run/mysqld/mysqld.sock' }), []);
    assert.deepEqual(plugins({ host: 'db', insecureAllowPublicKeyRetrieval: true }), []);
    assert.deepEqual(plugins({ host: 'db', serverPublicKey: publicKey }), [
      'caching_sha2_password',
      'sha256_password',
    ]);
    // mysql2 treats a connection it knows to be a socket as secure.
    assert.equal(
      resolvePoolOptions({ socketPath: '/run/mysqld/mysqld.sock' }).connection.driver.socketPath,
      '/run/mysqld/mysqld.sock',
    );
  });

  test('a serverPublicKey that is not an RSA public key is refused', () => {
    assert.throws(
      () => resolvePoolOptions({ serverPublicKey: 'not a key' }),
      /'serverPublicKey' is not an RSA public key in PEM form/,
    );
    assert.throws(
      () => resolvePoolOptions({ insecureAllowPublicKeyRetrieval: 'yes' as never }),
      /'insecureAllowPublicKeyRetrieval' is yes; expected true or false/,
    );
  });

  test('the facade takes both under goneaway, and a URI takes the opt-in', () => {
    const { pool } = resolveFacadeOptions({
      host: 'db',
      goneaway: { serverPublicKey: publicKey, insecureAllowPublicKeyRetrieval: false },
    });
    assert.equal(pool.serverPublicKey, publicKey);
    assert.equal(
      resolvePoolOptions('mysql://app@db/x?insecureAllowPublicKeyRetrieval=true').connection.driver
        .authPlugins,
      undefined,
    );
  });
});

describe("the facade's config shows no secret", () => {
  test('no password, passwordSha1, TLS key, passphrase or PFX', () => {
    const { publicConfig } = resolveFacadeOptions({
      uri: 'mysql://app:Uri-Secret-1@127.0.0.1/shop',
      password: 'Option-Secret-2',
      passwordSha1: 'Sha1-Secret-3',
      ssl: {
        ca: 'PUBLIC-CA',
        key: 'Key-Secret-4',
        passphrase: 'Pass-Secret-5',
        pfx: 'Pfx-Secret-6',
      },
    });
    const shown = JSON.stringify(publicConfig) + inspect(publicConfig, { depth: 5 });
    for (const secret of [
      'Uri-Secret-1',
      'Option-Secret-2',
      'Sha1-Secret-3',
      'Key-Secret-4',
      'Pass-Secret-5',
      'Pfx-Secret-6',
    ]) {
      assert.ok(!shown.includes(secret), `${secret} shown in ${shown}`);
    }
    assert.deepEqual(publicConfig.ssl, { ca: 'PUBLIC-CA' });
    assert.equal(publicConfig.user, 'app');
  });
});
