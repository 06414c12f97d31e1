/**
 * `goneaway sandbox`: starts a real MariaDB in the foreground, prints how to reach it, and on
 * Ctrl-C (SIGINT) or SIGTERM stops it and deletes its files, exiting 0.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, it } from 'node:test';
import mysql from 'mysql2/promise';
import { runCli, startCli } from '../support/cli-harness.js';

interface Details {
  uri: string;
  adminUri: string;
  port: number;
  socketPath: string;
  password: string;
  version: string;
}

async function query(uri: string, sql: string): Promise<mysql.RowDataPacket[]> {
  const connection = await mysql.createConnection({ uri, connectTimeout: 2_000 });
  try {
    const [rows] = await connection.query<mysql.RowDataPacket[]>(sql);
    return rows;
  } finally {
    await connection.end();
  }
}

describe('goneaway sandbox', () => {
  it('--json: prints connection details that work, and Ctrl-C removes the server', async () => {
    const sandbox = startCli(['sandbox', '--json']);
    try {
      const [json = ''] = await sandbox.waitFor(/^\{[\s\S]*\n\}\n/);
      const details = JSON.parse(json) as Details;
      assert.match(
        details.uri,
        new RegExp(`^mysql://app:${details.password}@127\\.0\\.0\\.1:${details.port}/goneaway$`),
      );
      const [row] = await query(
        details.uri,
        'SELECT VERSION() AS version, CURRENT_USER() AS account',
      );
      assert.equal(row?.version, details.version);
      assert.equal(row?.account, 'app@%');
      // root is reachable only through the socket: the admin URI names it, in a form that
      // goneaway and mysql2 both read.
      assert.equal(
        details.adminUri,
        `mysql://root@localhost/?socketPath=${encodeURIComponent(details.socketPath)}`,
      );
      const [rootRow] = await query(details.adminUri, 'SELECT CURRENT_USER() AS account');
      assert.equal(rootRow?.account, 'root@localhost');
      assert.ok(existsSync(details.socketPath));

      sandbox.child.kill('SIGINT');
      assert.equal(await sandbox.exit(), 0, sandbox.stderr());
      assert.match(sandbox.stderr(), /goneaway sandbox: stopped, removed /);
      assert.equal(
        existsSync(dirname(details.socketPath)),
        false,
        'the data directory is left behind',
      );
      await assert.rejects(query(details.uri, 'SELECT 1'), { code: 'ECONNREFUSED' });
    } finally {
      sandbox.kill();
    }
  });

  it('prints the URI with its password on purpose, and stops on SIGTERM', async () => {
    const sandbox = startCli(['sandbox', '--server-arg=--wait-timeout=42']);
    try {
      const [, uri = '', password = ''] = await sandbox.waitFor(
        /^ {2}uri {5}(mysql:\/\/app:([^@]+)@127\.0\.0\.1:\d+\/goneaway)$/m,
      );
      assert.ok(
        password.length >= 12 && password !== '***',
        'the password is printed, not redacted',
      );
      await sandbox.waitFor(/Press Ctrl-C to stop the server and delete its data\./);
      const [row] = await query(uri, 'SELECT @@GLOBAL.wait_timeout AS wait');
      assert.equal(Number(row?.wait), 42, '--server-arg reaches mariadbd');
      sandbox.child.kill('SIGTERM');
      assert.equal(await sandbox.exit(), 0, sandbox.stderr());
    } finally {
      sandbox.kill();
    }
  });

  it('refuses a server argument that would open it to other hosts: exit 2, nothing started', async () => {
    for (const arg of [
      '--bind-address=0.0.0.0',
      '--bind=0.0.0.0',
      '--skip-grant-tables',
      '-P3307',
    ]) {
      const run = await runCli(['sandbox', `--server-arg=${arg}`]);
      assert.equal(run.code, 2, `${arg}: ${run.stderr}`);
      assert.match(run.stderr, /^goneaway sandbox: refusing server argument /, arg);
      assert.equal(run.stdout, '', 'no URI printed');
    }
  });

  it('takes no arguments', async () => {
    const run = await runCli(['sandbox', 'extra']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^goneaway sandbox: expected no arguments, got 1/);
  });
});
