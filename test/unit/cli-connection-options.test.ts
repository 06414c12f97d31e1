import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../../src/cli/cli-error.js';
import type { CommandInput } from '../../src/cli/command.js';
import {
  describeTarget,
  normalizePasswordFlag,
  registerSecrets,
  resolveConnectionTarget,
} from '../../src/cli/connection-options.js';
import { Redactor } from '../../src/cli/redact.js';

function input(values: CommandInput['values'] = {}, positionals: string[] = []): CommandInput {
  return { values, positionals };
}

describe('resolveConnectionTarget', () => {
  it('takes every field from a URI argument, percent-decoded, and registers its password', () => {
    const redactor = new Redactor();
    const target = resolveConnectionTarget(
      input({}, ['mysql://app:p%40ss@db.internal:3307/shop%20one']),
      {},
      redactor,
    );
    assert.equal(target.host, 'db.internal');
    assert.equal(target.port, 3307);
    assert.equal(target.user, 'app');
    assert.equal(target.password, 'p@ss');
    assert.equal(target.database, 'shop one');
    assert.equal(target.source, 'argument');
    assert.equal(redactor.redact('p@ss'), '***');
    assert.equal(describeTarget(target), 'app@db.internal:3307/shop one');
  });

  it('lets options override the URI, and the argument override the environment', () => {
    const target = resolveConnectionTarget(
      input({ port: '4000', user: 'admin' }, ['mysql://app:x@arg-host/db']),
      { DATABASE_URL: 'mysql://env:y@env-host/envdb' },
      new Redactor(),
    );
    assert.equal(target.host, 'arg-host');
    assert.equal(target.port, 4000);
    assert.equal(target.user, 'admin');
    assert.equal(target.password, 'x');
  });

  it('reads DATABASE_URL, then MYSQL_URL, skipping a URI of another database', () => {
    const redactor = new Redactor();
    const target = resolveConnectionTarget(
      input(),
      { DATABASE_URL: 'postgres://pg:pgpass@pg/db', MYSQL_URL: 'mariadb://m:mpass@maria:3310/x' },
      redactor,
    );
    assert.equal(target.host, 'maria');
    assert.equal(target.source, 'MYSQL_URL');
    // The skipped URI's password is still never printed.
    assert.equal(redactor.redact('pgpass mpass'), '*** ***');
  });

  it('uses MYSQL_PWD when nothing else gives a password, and defaults host and port', () => {
    const target = resolveConnectionTarget(
      input({ user: 'u' }),
      { MYSQL_PWD: 'envpw' },
      new Redactor(),
    );
    assert.equal(target.password, 'envpw');
    assert.equal(target.host, '127.0.0.1');
    assert.equal(target.port, 3306);
    assert.equal(target.source, 'options');
  });

  it('asks for the password instead of using one from the URI when --password has no value', () => {
    const target = resolveConnectionTarget(
      input({ 'password-prompt': true }, ['mysql://app:fromuri@h/db']),
      {},
      new Redactor(),
    );
    assert.equal(target.promptForPassword, true);
    assert.equal(target.password, undefined);
  });

  it('reads the socket and TLS mode from the URI', () => {
    const target = resolveConnectionTarget(
      input({}, ['mysql://app@localhost/db?socket=/run/mysqld/mysqld.sock&ssl-mode=verify_ca']),
      {},
      new Redactor(),
    );
    assert.equal(target.socketPath, '/run/mysqld/mysqld.sock');
    assert.equal(target.sslMode, 'VERIFY_CA');
    assert.equal(describeTarget(target), 'app@localhost/db via /run/mysqld/mysqld.sock');
  });

  it('maps --ssl to full verification and ssl=true in a URI likewise', () => {
    const fromFlag = resolveConnectionTarget(input({ ssl: true }), {}, new Redactor());
    assert.equal(fromFlag.sslMode, 'VERIFY_IDENTITY');
    const fromUri = resolveConnectionTarget(
      input({}, ['mysql://a@h/?ssl=true']),
      {},
      new Redactor(),
    );
    assert.equal(fromUri.sslMode, 'VERIFY_IDENTITY');
  });

  it('rejects bad values with a usage error that names the option', () => {
    const resolve =
      (values: CommandInput['values'], positionals: string[] = []) =>
      () =>
        resolveConnectionTarget(input(values, positionals), {}, new Redactor());
    assert.throws(resolve({ port: 'abc' }), {
      name: 'UsageError',
      message: /--port must be a whole number from 1 to 65535, got "abc"/,
    });
    assert.throws(resolve({ port: '70000' }), /--port/);
    assert.throws(resolve({ 'ssl-mode': 'sometimes' }), /--ssl-mode must be one of DISABLED/);
    assert.throws(resolve({ 'ssl-ca': 'ca.pem' }), /need TLS/);
    assert.throws(resolve({ ssl: true, 'ssl-cert': 'c.pem' }), /go together/);
    assert.throws(
      resolve({ 'connect-timeout-ms': '0' }),
      /--connect-timeout-ms must be a whole number from 1 to 2147483647/,
    );
    // Longer than a Node.js timer can wait: it would fire at once.
    assert.throws(resolve({ 'connect-timeout-ms': '2147483648' }), /--connect-timeout-ms/);
  });

  it('rejects a malformed URI without quoting it', () => {
    for (const uri of [
      'mysql://app:S3cr3t@host:port/db',
      'S3cr3t',
      'http://u:S3cr3t@h/',
      'mysql://a:S3cr3t%zz@h/',
      'mysql://a:S3cr3t@x@h/',
      'mysql://a:S3cr3t#x@h/',
      'mysql://a:S3cr3t/x@h/',
      'mysql://a:S3cr3t@h1,h2/',
    ]) {
      assert.throws(
        () => resolveConnectionTarget(input({}, [uri]), {}, new Redactor()),
        (error: unknown) => {
          assert.ok(error instanceof UsageError, String(error));
          assert.ok(!error.message.includes('S3cr3t'), error.message);
          return true;
        },
        uri,
      );
    }
  });
});

describe('the password exchange options', () => {
  it('reads --server-public-key-path and --insecure-allow-public-key-retrieval', () => {
    const target = resolveConnectionTarget(
      input({ 'server-public-key-path': 'key.pem', 'insecure-allow-public-key-retrieval': true }),
      {},
      new Redactor(),
    );
    assert.equal(target.serverPublicKeyPath, 'key.pem');
    assert.equal(target.insecureAllowPublicKeyRetrieval, true);
    const plain = resolveConnectionTarget(input(), {}, new Redactor());
    assert.equal(plain.insecureAllowPublicKeyRetrieval, false);
  });
});

describe('normalizePasswordFlag', () => {
  it('turns a bare --password or -p into a prompt, and leaves values and positionals alone', () => {
    assert.deepEqual(normalizePasswordFlag(['-p', '-u', 'app', '--password']), [
      '--password-prompt',
      '-u',
      'app',
      '--password-prompt',
    ]);
    assert.deepEqual(normalizePasswordFlag(['-psecret', '--password=x', '--', '-p']), [
      '-psecret',
      '--password=x',
      '--',
      '-p',
    ]);
  });
});

describe('registerSecrets', () => {
  it('registers passwords from options, URIs and the environment before parsing', () => {
    const redactor = new Redactor();
    registerSecrets(
      ['--password=one', '-ptwo', 'mysql://u:three@h/', '--bogus'],
      { MYSQL_PWD: 'four', DATABASE_URL: 'mysql://u:five@h/', MYSQL_URL: 'mysql://u:six@h/' },
      redactor,
    );
    assert.equal(redactor.redact('one two three four five six'), '*** *** *** *** *** ***');
  });
});
