/**
 * No password to a server that asks for it without TLS (issue 19, vulnerability 1).
 *
 * What went wrong: a server that greets with caching_sha2_password (or sha256_password), asks
 * for full authentication and offers its own RSA public key got the password encrypted to that
 * key, and decrypted it: through the core pool, goneaway/mysql2 and the CLI alike (mysql2's
 * default). Anyone able to answer in the server's place learned the password.
 * What fixed it: on TCP without TLS, goneaway installs guards that refuse to ask for or use a
 * server's key (PasswordExchangeRefusedError), unless the key is pinned (serverPublicKey) or
 * the caller opts in (insecureAllowPublicKeyRetrieval); TLS and unix sockets are left alone.
 *
 * The server here is the test kit's fake one, on 127.0.0.1: it records every password it can
 * read. The opt-in tests prove it really can, so the default tests could fail.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { inspect } from 'node:util';
import mysqlFacade from '../../src/compat/index.js';
import {
  AuthenticationError,
  createPool,
  PasswordExchangeRefusedError,
  type PoolOptions,
} from '../../src/index.js';
import { type FakeMysqlServer, startFakeMysqlServer } from '../../src/testing/index.js';
import { assertNoSecret, runCli } from '../support/cli-harness.js';

const PASSWORD = 'Fake-Target-Passw0rd';
const PLUGINS = ['caching_sha2_password', 'sha256_password'] as const;

/** Every printed form of a value, for secret checks. */
function printed(value: unknown): string[] {
  return [String(value), inspect(value, { depth: 6 }), JSON.stringify(value) ?? ''];
}

function assertNoPassword(value: unknown): void {
  for (const form of printed(value)) assert.ok(!form.includes(PASSWORD), `leaked: ${form}`);
}

/** Runs one statement through a new core pool; resolves the error, or undefined on success. */
async function poolAttempt(options: PoolOptions): Promise<{ error?: unknown; events: unknown[] }> {
  const pool = createPool({ user: 'app', password: PASSWORD, acquireTimeoutMs: 5_000, ...options });
  const events: unknown[] = [];
  pool.on('connect-failed', (payload) => events.push(payload));
  try {
    await pool.query('SELECT 1');
    return { events };
  } catch (error) {
    return { error, events };
  } finally {
    await pool.end();
  }
}

/** The same through goneaway/mysql2's callback API. */
function facadeAttempt(fake: FakeMysqlServer, goneaway: object = {}): Promise<unknown> {
  const pool = mysqlFacade.createPool({
    host: fake.host,
    port: fake.port,
    user: 'app',
    password: PASSWORD,
    goneaway: { acquireTimeoutMs: 5_000, ...goneaway },
  });
  return new Promise((resolve) => {
    pool.query('SELECT 1', (error: unknown) => {
      pool.end(() => resolve(error ?? undefined));
    });
  });
}

function uriOf(fake: FakeMysqlServer): string {
  return `mysql://app:${PASSWORD}@${fake.host}:${fake.port}/db`;
}

for (const plugin of PLUGINS) {
  describe(`a fake server that greets with ${plugin} and offers its own RSA key`, () => {
    let fake: FakeMysqlServer;
    before(async () => {
      fake = await startFakeMysqlServer({ authPlugin: plugin });
    });
    after(() => fake?.close());

    test('core pool: refused by default, with a typed error that says what to do', async () => {
      const { error, events } = await poolAttempt({ host: fake.host, port: fake.port });
      assert.ok(error instanceof PasswordExchangeRefusedError, String(error));
      assert.ok(error instanceof AuthenticationError, 'catchable as an authentication error');
      assert.equal(error.code, 'GONEAWAY_PASSWORD_EXCHANGE_REFUSED');
      assert.equal(error.retryable, false);
      assert.equal(error.outcome, 'not-sent');
      assert.match(error.message, new RegExp(`\\(${plugin}\\) over a connection without TLS`));
      assert.match(error.message, /ssl option.*serverPublicKey.*insecureAllowPublicKeyRetrieval/);
      assertNoPassword(error);
      assert.equal(events.length, 1, 'one connect-failed event, not retried');
      assertNoPassword(events);
      assert.deepEqual(fake.passwords, [], 'the fake server read no password');
      assert.equal(fake.keyRequests, 0, 'goneaway did not even ask for the key');
    });

    test('goneaway/mysql2: refused alike', async () => {
      const error = await facadeAttempt(fake);
      assert.ok(error instanceof PasswordExchangeRefusedError, String(error));
      assert.equal((error as { goneawayCode?: string }).goneawayCode, error.code);
      assertNoPassword(error);
      assert.deepEqual(fake.passwords, []);
      assert.equal(fake.keyRequests, 0);
    });

    test('the CLI: refused, exit 4, names its options, prints no password', async () => {
      const run = await runCli(['doctor', uriOf(fake), '--connect-timeout-ms', '5000']);
      assert.equal(run.code, 4, run.stderr);
      assert.match(
        run.stderr,
        /refused to send the password.*--ssl.*--server-public-key-path.*--insecure-allow-public-key-retrieval/,
      );
      assertNoSecret(run, PASSWORD);
      assert.deepEqual(fake.passwords, []);
      assert.equal(fake.keyRequests, 0);
    });

    test('with the opt-in, the fake server does read the password (the refusal is what stops it)', async () => {
      const before = fake.passwords.length;
      const { error } = await poolAttempt({
        host: fake.host,
        port: fake.port,
        insecureAllowPublicKeyRetrieval: true,
      });
      assert.equal(error, undefined, String(error));
      assert.deepEqual(fake.passwords.slice(before), [PASSWORD]);

      assert.equal(await facadeAttempt(fake, { insecureAllowPublicKeyRetrieval: true }), undefined);
      assert.deepEqual(fake.passwords.slice(before), [PASSWORD, PASSWORD]);

      const run = await runCli([
        'doctor',
        uriOf(fake),
        '--insecure-allow-public-key-retrieval',
        '--connect-timeout-ms',
        '5000',
      ]);
      // The doctor may connect more than once; every connection gave the password away.
      const read = fake.passwords.slice(before);
      assert.ok(read.length >= 3, run.stderr);
      assert.ok(read.every((password) => password === PASSWORD));
      assert.ok(fake.keyRequests >= 3, 'each one asked for the key');
    });

    test('a pinned key: nothing is asked, and only the holder of that key can read the password', async () => {
      const requestsBefore = fake.keyRequests;
      const before = fake.passwords.length;
      // Pinned to the key of the server we meant (here: this fake's own key).
      const pinned = await poolAttempt({
        host: fake.host,
        port: fake.port,
        serverPublicKey: fake.publicKey,
      });
      assert.equal(pinned.error, undefined, String(pinned.error));
      assert.deepEqual(fake.passwords.slice(before), [PASSWORD]);
      // Pinned to another server's key: whoever answers here cannot read it.
      const { publicKey: otherKey } = generateKeyPairSync('rsa', {
        modulusLength: 2048,
        publicKeyEncoding: { type: 'spki', format: 'pem' },
        privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      });
      await poolAttempt({ host: fake.host, port: fake.port, serverPublicKey: otherKey });
      assert.deepEqual(fake.passwords.slice(before), [PASSWORD], 'nothing readable was sent');
      assert.equal(fake.keyRequests, requestsBefore, 'no key was asked for');
    });
  });
}

describe('a unix socket counts as a secure transport (as for the MySQL server and client)', () => {
  let dir: string;
  let fake: FakeMysqlServer;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'goneaway-fake-socket-'));
    fake = await startFakeMysqlServer({ socketPath: join(dir, 'fake.sock') });
  });
  after(async () => {
    await fake?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('the password goes to whoever owns the socket, as mysql2 sends it: no key involved', async () => {
    const { error } = await poolAttempt({ socketPath: fake.socketPath });
    assert.equal(error, undefined, String(error));
    assert.deepEqual(fake.passwords, [PASSWORD]);
    assert.equal(fake.keyRequests, 0);
  });
});
