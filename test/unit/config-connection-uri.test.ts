/**
 * The one URI parser (src/config/connection-uri.ts), and the three front ends that use it:
 * the pool's options, the mysql2 facade's and the CLI's. A URI used to be read three times,
 * with WHATWG URL, which takes a raw '#' for a fragment and a raw '/' for the end of the host,
 * so part of a password could be taken for the host and connected to; a bad '%' escape threw
 * a raw URIError. Now each is a ConfigurationError that names the part at fault and never
 * repeats the password.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { inspect } from 'node:util';
import { resolveConnectionTarget } from '../../src/cli/connection-options.js';
import { Redactor } from '../../src/cli/redact.js';
import { resolveFacadeOptions } from '../../src/compat/facade-options.js';
import { parseConnectionUri, passwordsInUri, singleHost } from '../../src/config/connection-uri.js';
import { ConfigurationError } from '../../src/errors/index.js';
import { resolvePoolOptions } from '../../src/pool/pool-options.js';

const SECRET = 'S3cr3t-Pa55';

/** Every printed form of an error, none of which may hold the password. */
function assertNoSecret(error: unknown, ...secrets: string[]): void {
  const forms = [String(error), inspect(error, { depth: 5 }), JSON.stringify(error)];
  for (const form of forms) {
    for (const secret of secrets) assert.ok(!form.includes(secret), `leaked in: ${form}`);
  }
}

describe('parseConnectionUri', () => {
  test('reads every part, percent-decoded, with query parameters in order', () => {
    const uri = parseConnectionUri(
      'mariadb://app%40corp:p%40ss%2Fw%23rd@db.internal:3307/shop%20one?ssl-mode=VERIFY_CA&a=1&a=2&b=x+y',
    );
    assert.equal(uri.scheme, 'mariadb');
    assert.equal(uri.user, 'app@corp');
    assert.equal(uri.password, 'p@ss/w#rd');
    assert.deepEqual(uri.hosts, [{ host: 'db.internal', port: 3307 }]);
    assert.equal(uri.database, 'shop one');
    assert.deepEqual(uri.params, [
      ['ssl-mode', 'VERIFY_CA'],
      ['a', '1'],
      ['a', '2'],
      ['b', 'x y'],
    ]);
  });

  test('a user without password, no host, IPv6 hosts, and a list of hosts', () => {
    assert.deepEqual(parseConnectionUri('mysql://app@/db?socket=/run/m.sock').hosts, []);
    assert.equal(parseConnectionUri('mysql://app@h/db').password, undefined);
    assert.equal(parseConnectionUri('mysql://app:@h/db').password, undefined);
    assert.deepEqual(parseConnectionUri('mysql://[::1]:3310').hosts, [{ host: '::1', port: 3310 }]);
    const several = parseConnectionUri('mysql://u:p@h1:3306,h2,[fd00::2]:3307/db?mode=failover');
    assert.deepEqual(several.hosts, [
      { host: 'h1', port: 3306 },
      { host: 'h2', port: undefined },
      { host: 'fd00::2', port: 3307 },
    ]);
    assert.throws(() => singleHost(several), /lists 3 hosts; a pool connects to one server/);
    assert.deepEqual(singleHost(parseConnectionUri('mysql://h:1/')), { host: 'h', port: 1 });
  });

  const malformed: [string, RegExp][] = [
    [`mysql://app:${SECRET}%zz@h/db`, /its password has a broken %-escape/],
    [`mysql://app%:${SECRET}@h/db`, /its user name has a broken %-escape/],
    [`mysql://app:${SECRET}@h/d%b`, /its database name has a broken %-escape/],
    [`mysql://app:${SECRET}@h/db?x=%`, /its query parameter 'x' has a broken %-escape/],
    [`mysql://app:${SECRET}@evil@h/db`, /more than one '@'; percent-encode .* as %40/],
    [`mysql://app:${SECRET}#x@h/db`, /raw '#'; percent-encode it as %23/],
    [`mysql://app:${SECRET.slice(0, 4)}/${SECRET.slice(4)}@h/db`, /an '@' comes after the host/],
    [`mysql://app:${SECRET.slice(0, 4)}?${SECRET.slice(4)}@h/db`, /an '@' comes after the host/],
    [`mysql://app:${SECRET}@h:99999/db`, /a port is not a number from 1 to 65535/],
    [`mysql://app:${SECRET}@h:port/db`, /a port is not a number/],
    [`mysql://app:${SECRET}@[::1/db`, /no closing '\]'/],
    [`mysql://app:${SECRET}@h o/db`, /white space/],
    [`mysql://app:${SECRET}@h"x/db`, /characters a host name cannot have/],
    [SECRET, /does not start with mysql:\/\/ or mariadb:\/\//],
  ];
  for (const [uri, problem] of malformed) {
    test(`refuses ${problem.source.slice(0, 40)} without repeating the password`, () => {
      assert.throws(
        () => parseConnectionUri(uri),
        (error: unknown) => {
          assert.ok(error instanceof ConfigurationError, String(error));
          assert.match(error.message, /^The connection URI is malformed because /);
          assert.match(error.message, problem);
          assertNoSecret(error, SECRET, SECRET.slice(4));
          return true;
        },
      );
    });
  }

  test('another scheme is named, the rest of the URI is not', () => {
    assert.throws(
      () => parseConnectionUri(`postgres://u:${SECRET}@h/db`),
      (error: unknown) =>
        error instanceof ConfigurationError &&
        /scheme 'postgres:'/.test(error.message) &&
        !error.message.includes(SECRET),
    );
  });

  test('passwordsInUri finds a password even in a URI too broken to parse', () => {
    assert.deepEqual(passwordsInUri('mysql://app:p%40ss@h/db'), ['p%40ss', 'p@ss']);
    assert.deepEqual(passwordsInUri(`mysql://app:${SECRET}#x@h/db`), [`${SECRET}#x`]);
    assert.deepEqual(passwordsInUri('mysql://app:50%zz@h/'), ['50%zz']);
    assert.deepEqual(passwordsInUri('mysql://app@h/'), []);
  });
});

describe('the three front ends read a URI the same way', () => {
  const uri = `mysql://app:${encodeURIComponent(`${SECRET}@/#`)}@db.internal:3307/shop`;

  test('pool, facade and CLI agree on every part', () => {
    const pool = resolvePoolOptions(uri).connection;
    const facade = resolveFacadeOptions(uri).pool;
    const cli = resolveConnectionTarget({ values: {}, positionals: [uri] }, {}, new Redactor());
    for (const seen of [
      [pool.host, pool.port, pool.driver.user, pool.driver.password, pool.driver.database],
      [facade.host, facade.port, facade.user, facade.password, facade.database],
      [cli.host, cli.port, cli.user, cli.password, cli.database],
    ]) {
      assert.deepEqual(seen, ['db.internal', 3307, 'app', `${SECRET}@/#`, 'shop']);
    }
  });

  test('each refuses a raw "#" with a typed error that names it and not the password', () => {
    const bad = `mysql://app:${SECRET}#1@db/shop`;
    for (const parse of [
      () => resolvePoolOptions(bad),
      () => resolveFacadeOptions(bad),
      () => resolveFacadeOptions({ uri: bad }),
    ]) {
      assert.throws(parse, (error: unknown) => {
        assert.ok(error instanceof ConfigurationError, String(error));
        assert.match(error.message, /raw '#'/);
        assertNoSecret(error, SECRET);
        return true;
      });
    }
    assert.throws(
      () => resolveConnectionTarget({ values: {}, positionals: [bad] }, {}, new Redactor()),
      (error: unknown) =>
        error instanceof Error &&
        error.name === 'UsageError' &&
        /^the URI argument is malformed because it holds a raw '#'/.test(error.message) &&
        !error.message.includes(SECRET),
    );
  });

  test('ssl=true and ssl-mode in a URI mean the same TLS settings everywhere', () => {
    const base = 'mysql://app@127.0.0.1/db';
    assert.deepEqual(resolvePoolOptions(`${base}?ssl=true`).connection.driver.ssl, {
      verifyIdentity: true,
    });
    assert.deepEqual(resolveFacadeOptions(`${base}?ssl=true`).pool.ssl, { verifyIdentity: true });
    assert.deepEqual(resolvePoolOptions(`${base}?ssl-mode=VERIFY_CA`).connection.driver.ssl, {
      verifyIdentity: false,
    });
    assert.deepEqual(resolveFacadeOptions(`${base}?sslmode=required`).pool.ssl, {
      rejectUnauthorized: false,
      verifyIdentity: false,
    });
    assert.equal(resolvePoolOptions(`${base}?ssl=false`).connection.driver.ssl, undefined);
    // mysql2's own form, TLS options as JSON, still reaches the facade.
    assert.deepEqual(resolveFacadeOptions(`${base}?ssl={"rejectUnauthorized":true}`).pool.ssl, {
      rejectUnauthorized: true,
    });
    assert.throws(
      () => resolvePoolOptions(`${base}?ssl-mode=sometimes`),
      /ssl-mode in the connection URI must be one of/,
    );
  });

  test('several hosts are refused by the pool and the facade until topology reads them', () => {
    for (const parse of [
      () => resolvePoolOptions('mysql://u@h1,h2/db'),
      () => resolveFacadeOptions('mysql://u@h1,h2/db'),
    ]) {
      assert.throws(parse, /lists 2 hosts/);
    }
  });
});
