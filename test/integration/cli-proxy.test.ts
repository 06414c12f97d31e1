/**
 * `goneaway proxy`: forwards to a real MariaDB and injects the faults it is told to on stdin,
 * one command per line; the server's password, given in the URI, is never printed.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import mysql from 'mysql2/promise';
import { type Sandbox, testServer } from '../../src/testing/index.js';
import { assertNoSecret, assertOneLineError, runCli, startCli } from '../support/cli-harness.js';

describe('goneaway proxy', () => {
  let server: Sandbox;

  before(async () => {
    server = await testServer();
  });
  after(async () => {
    await server?.stop();
  });

  it('forwards, resets, black-holes, resumes and quits on command', async () => {
    const proxy = startCli(['proxy', server.uri]);
    try {
      const [, port = ''] = await proxy.waitFor(
        /listening on 127\.0\.0\.1:(\d+), forwarding to 127\.0\.0\.1:\d+/,
      );
      const viaProxy = new URL(server.uri);
      viaProxy.port = port;
      await proxy.waitFor(
        new RegExp(`connect to mysql://app:\\*\\*\\*@127\\.0\\.0\\.1:${port}/goneaway`),
      );

      const connection = await mysql.createConnection({ uri: viaProxy.href });
      const lost = once(connection, 'error');
      const [rows] = await connection.query<mysql.RowDataPacket[]>('SELECT 1 AS one');
      assert.equal(rows[0]?.one, 1);

      proxy.send('reset');
      await proxy.waitFor(/reset 1 connection\(s\)/);
      const [error] = (await lost) as [{ code?: string }];
      assert.equal(error.code, 'ECONNRESET');

      proxy.send('stats');
      await proxy.waitFor(/forwarding; open \d+, accepted 1, refused 0, resets 1/);

      proxy.send('blackhole');
      await proxy.waitFor(/black hole: nothing is forwarded/);
      await assert.rejects(mysql.createConnection({ uri: viaProxy.href, connectTimeout: 300 }), {
        code: 'ETIMEDOUT',
      });

      proxy.send('resume');
      await proxy.waitFor(/forwarding again/);
      const again = await mysql.createConnection({ uri: viaProxy.href });
      await again.query('SELECT 1');
      await again.end();

      proxy.send('latency nope');
      await proxy.waitFor(/latency must be a whole number/);

      proxy.send('quit');
      assert.equal(await proxy.exit(), 0, proxy.stderr());
      const output = proxy.stdout() + proxy.stderr();
      assert.match(output, /goneaway proxy: closed\./);
      assert.ok(!output.includes(server.password), `the password was printed:\n${output}`);
    } finally {
      proxy.kill();
    }
  });

  it('needs a target, and rejects a malformed one', async () => {
    const none = await runCli(['proxy']);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /name the server to forward to/);
    const bad = await runCli(['proxy', 'host:notaport']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /the target must be host:port or a mysql:\/\/ URI/);
    const malformed = await runCli(['proxy', `mysql://app:${server.password}@127.0.0.1:x/`]);
    assert.equal(malformed.code, 2);
    assertOneLineError(malformed, /^goneaway proxy: the target URI is malformed/);
    assertNoSecret(malformed, server.password);
    // A raw '#' once made the host 'app' (and the port part of the password): now refused.
    const raw = await runCli(['proxy', 'mysql://app:12#S3cr3t@127.0.0.1:3306/']);
    assert.equal(raw.code, 2);
    assertOneLineError(
      raw,
      /^goneaway proxy: the target URI is malformed because it holds a raw '#'/,
    );
    assertNoSecret(raw, 'S3cr3t');
  });
});
