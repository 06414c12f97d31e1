/**
 * TLS checks whom the certificate names (issue 19, hardening).
 *
 * What went wrong: with `ssl: { ca }`, mysql2 checked that the server's certificate chains to
 * the CA, not whom it was issued to (its `verifyIdentity` is off by default), so any
 * certificate from that CA was accepted for any host. With the check on, an IP host was
 * checked against "localhost": mysql2 sends no servername for an IP, and Node then falls back
 * to the socket's `_host`, which `net.connect` sets for names only.
 * What fixed it: goneaway turns `verifyIdentity` on unless the caller sets it to false, and
 * names the IP on the sockets it owns (the pool's, the watchdog's side connection, the CLI's).
 *
 * One sandbox with TLS, first with a certificate for DNS:localhost only, then (FLUSH SSL)
 * with one for IP:127.0.0.1 and DNS:other.example. The certificates are made at test time.
 */
import assert from 'node:assert/strict';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import mysql from 'mysql2/promise';
import mysqlFacade from '../../src/compat/index.js';
import { checkStalledStatement } from '../../src/connection/liveness.js';
import { ConfigurationError, createPool, type PoolOptions } from '../../src/index.js';
import { type Sandbox, startSandbox } from '../../src/testing/index.js';
import { assertNoSecret, runCli } from '../support/cli-harness.js';
import { makeTestCa, opensslMissing, type ServerCert, type TestCa } from '../support/tls-certs.js';

const skip = opensslMissing();

let ca: TestCa;
let server: Sandbox;
let nameOnly: ServerCert;
let ipOnly: ServerCert;

/** The files mariadbd reads its certificate from; FLUSH SSL reads them again. */
const serverCert = () => join(ca.dir, 'server-current.pem');
const serverKey = () => join(ca.dir, 'server-current.key');

async function useCert(cert: ServerCert): Promise<void> {
  await copyFile(cert.certPath, serverCert());
  await copyFile(cert.keyPath, serverKey());
  if (server) await server.admin('FLUSH SSL');
}

/** Runs `SELECT` of the session's cipher through a new pool; the error if it fails. */
async function cipherVia(options: PoolOptions): Promise<{ cipher?: string; error?: unknown }> {
  const pool = createPool({
    port: server.port,
    user: server.user,
    password: server.password,
    database: server.database,
    acquireTimeoutMs: 5_000,
    ...options,
  });
  try {
    const rows = await pool.query<{ Value: string }[]>("SHOW SESSION STATUS LIKE 'Ssl_cipher'");
    return { cipher: rows[0]?.Value };
  } catch (error) {
    return { error };
  } finally {
    await pool.end();
  }
}

function assertNameRefused(error: unknown, host: string): void {
  assert.ok(error instanceof ConfigurationError, String(error));
  // mysql2 reports Node's ERR_TLS_CERT_ALTNAME_INVALID under its own code.
  const cause = error.cause as { code?: string; message?: string } | undefined;
  assert.equal(cause?.code, 'HANDSHAKE_SSL_ERROR');
  assert.match(String(cause?.message), /^Hostname\/IP does not match certificate's altnames/);
  assert.ok(String(cause?.message).includes(host), String(cause?.message));
  assert.ok(!error.message.includes(server.password));
}

describe('TLS verifies the host name by default', { skip }, () => {
  before(async () => {
    ca = await makeTestCa();
    nameOnly = await ca.issue('name-only', ['DNS:localhost']);
    ipOnly = await ca.issue('ip-only', ['IP:127.0.0.1', 'DNS:other.example']);
    await useCert(nameOnly);
    server = await startSandbox({
      serverArgs: [
        `--ssl-ca=${ca.caPath}`,
        `--ssl-cert=${serverCert()}`,
        `--ssl-key=${serverKey()}`,
      ],
    });
  });
  after(async () => {
    await server?.stop();
    await ca?.remove();
  });

  describe('a certificate for DNS:localhost only', () => {
    test('connecting to localhost: accepted, encrypted', async () => {
      const { cipher, error } = await cipherVia({ host: 'localhost', ssl: { ca: ca.ca } });
      assert.equal(error, undefined, String(error));
      assert.ok(cipher, 'the session is encrypted');
    });

    test('connecting to 127.0.0.1: refused, the certificate does not name that address', async () => {
      const { error } = await cipherVia({ host: '127.0.0.1', ssl: { ca: ca.ca } });
      assertNameRefused(error, 'IP: 127.0.0.1');
    });

    test('verifyIdentity: false skips the name check (the documented way to relax it)', async () => {
      const { cipher, error } = await cipherVia({
        host: '127.0.0.1',
        ssl: { ca: ca.ca, verifyIdentity: false },
      });
      assert.equal(error, undefined, String(error));
      assert.ok(cipher);
    });

    test('goneaway/mysql2 refuses alike', async () => {
      const pool = mysqlFacade.createPool({
        host: '127.0.0.1',
        port: server.port,
        user: server.user,
        password: server.password,
        ssl: { ca: ca.ca },
        goneaway: { acquireTimeoutMs: 5_000 },
      });
      const error = await new Promise((resolve) => {
        pool.query('SELECT 1', (e: unknown) => pool.end(() => resolve(e)));
      });
      assertNameRefused(error, 'IP: 127.0.0.1');
    });

    test('the CLI: --ssl refuses 127.0.0.1 (exit 3); the doctor says which checks ran', async () => {
      const uri = `mysql://${server.user}:${server.password}@127.0.0.1:${server.port}/${server.database}`;
      const refused = await runCli(['doctor', uri, '--ssl', '--ssl-ca', ca.caPath]);
      assert.equal(refused.code, 3, refused.stderr);
      assert.match(refused.stderr, /does not name this host \(ERR_TLS_CERT_ALTNAME_INVALID\)/);
      assertNoSecret(refused, server.password);

      const caOnly = await runCli([
        'doctor',
        '--json',
        uri,
        '--ssl-mode=VERIFY_CA',
        '--ssl-ca',
        ca.caPath,
      ]);
      assert.ok(caOnly.code === 0 || caOnly.code === 1, caOnly.stderr);
      assert.equal(JSON.parse(caOnly.stdout).connection.tls.verified, 'certificate');

      const byName = await runCli([
        'doctor',
        uri.replace('127.0.0.1', 'localhost'),
        '--ssl',
        '--ssl-ca',
        ca.caPath,
      ]);
      assert.ok(byName.code === 0 || byName.code === 1, byName.stderr);
      assert.match(byName.stdout, /TLS +yes, TLSv1\.\d \S+, verified: certificate and host name/);
      assertNoSecret(byName, server.password);
    });
  });

  describe('a certificate for IP:127.0.0.1 (and DNS:other.example)', () => {
    before(() => useCert(ipOnly));

    test('connecting to 127.0.0.1: accepted; to localhost: refused', async () => {
      const byIp = await cipherVia({ host: '127.0.0.1', ssl: { ca: ca.ca } });
      assert.equal(byIp.error, undefined, String(byIp.error));
      assert.ok(byIp.cipher);
      const byName = await cipherVia({ host: 'localhost', ssl: { ca: ca.ca } });
      assertNameRefused(byName.error, 'localhost');
    });

    test("the watchdog's side connection checks the certificate against the IP too", async () => {
      // The side check asks the server whether a stalled statement is still running. Had its
      // connection checked the certificate against "localhost", it would fail, and the watchdog
      // would judge the server unreachable and fail a healthy statement. (Inside a pool the
      // side connection usually resumes the TLS session of the pool's own, which skips the
      // check; a fresh ssl object here has no session to resume.)
      // The statement to ask about (plain mysql2 would check this IP against "localhost").
      const busy = await mysql.createConnection({
        host: '127.0.0.1',
        port: server.port,
        user: server.user,
        password: server.password,
        ssl: { ca: ca.ca, verifyIdentity: false },
      });
      try {
        const sleeping = busy.query('SELECT SLEEP(3)');
        const verdict = await checkStalledStatement(
          busy.threadId,
          {
            host: '127.0.0.1',
            port: server.port,
            socketPath: undefined,
            driver: {
              user: server.user,
              password: server.password,
              ssl: { ca: ca.ca, verifyIdentity: true },
            },
            timeoutMs: 3_000,
            label: `127.0.0.1:${server.port}`,
          },
          1_000,
        );
        assert.equal(verdict, undefined, `the statement was judged stalled: ${verdict?.message}`);
        await sleeping;
      } finally {
        busy.destroy();
      }
    });

    test('the CLI with --ssl accepts 127.0.0.1 and reports the host name checked', async () => {
      const uri = `mysql://${server.user}:${server.password}@127.0.0.1:${server.port}/${server.database}`;
      const run = await runCli(['doctor', '--json', uri, '--ssl', '--ssl-ca', ca.caPath]);
      assert.ok(run.code === 0 || run.code === 1, run.stderr);
      const report = JSON.parse(run.stdout);
      assert.equal(report.connection.tls.encrypted, true);
      assert.equal(report.connection.tls.verified, 'certificate and host name');
      assertNoSecret(run, server.password);
    });
  });
});
