/**
 * `goneaway top` printed part of a password: it cut a statement to the column's width before
 * redacting it, so `IDENTIFIED BY 'S3cretCre~` lost its closing quote and escaped the pattern
 * (issue 19). Now every statement is redacted whole, with the SQL lexer, before anything cuts
 * it: every literal is blanked by default, and with --show-literals every secret still is.
 * Against a real server, with a statement running in another session.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import mysql from 'mysql2/promise';
import { type Sandbox, testServer } from '../../src/testing/index.js';
import { runCli } from '../support/cli-harness.js';

const LITERAL = 'ShownOnlyOnRequest';
const KEY = 'S3cretKeyMaterial';

describe('goneaway top shows no literal by default, and no secret ever', () => {
  let server: Sandbox;
  let busy: mysql.Connection;
  let running: Promise<unknown>;

  before(async () => {
    server = await testServer();
    busy = await mysql.createConnection({ uri: server.uri });
    busy.on('error', () => {});
    running = busy
      .query(`SELECT '${LITERAL}', AES_ENCRYPT('card', '${KEY}'), SLEEP(60)`)
      .catch(() => undefined);
    // The statement is visible once the server runs it (no event for that: bounded polling).
    const watcher = await mysql.createConnection({ uri: server.uri });
    try {
      for (let i = 0; ; i++) {
        const [rows] = await watcher.query<mysql.RowDataPacket[]>('SHOW FULL PROCESSLIST');
        if (rows.some((row) => String(row.Info ?? '').includes(LITERAL))) break;
        assert.ok(i < 200, 'the statement never showed in the processlist');
        await sleep(25);
      }
    } finally {
      await watcher.end();
    }
  });

  after(async () => {
    busy?.destroy();
    await running;
    await server?.stop();
  });

  it('--once and --json blank every literal', async () => {
    for (const mode of ['--once', '--json']) {
      const result = await runCli(['top', mode, server.uri]);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /SELECT '\*\*\*'/, mode);
      for (const hidden of [LITERAL, KEY, server.password]) {
        assert.ok(!result.stdout.includes(hidden), `${mode} printed ${hidden}`);
      }
    }
  });

  it('--show-literals shows literals but not the key', async () => {
    const result = await runCli(['top', '--json', '--show-literals', server.uri]);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(result.stdout.includes(LITERAL), 'the ordinary literal is shown on request');
    assert.ok(!result.stdout.includes(KEY), 'the key was printed');
    assert.ok(!result.stdout.includes(server.password));
  });
});
