/**
 * The sandbox on a shared machine (issue 19, vulnerabilities 2 and 3).
 *
 * What went wrong: root had no password over TCP on 127.0.0.1 and held FILE, file import and
 * export were unrestricted and mariadbd ran as the invoking user (root in CI), so any local
 * user could LOAD_FILE('/etc/passwd') or write a root-owned file; and the data-dir template
 * was trusted from a predictable path in /tmp whenever a marker file existed, so a local user
 * could plant accounts in every sandbox started after.
 * What fixed it: root exists only for the unix socket (in a 0700 directory), the server reads
 * and writes files only in the sandbox directory and refuses LOAD DATA LOCAL, the template
 * lives in a per-user 0700 cache checked on every use, and server arguments that would undo
 * this are refused. The database name is escaped where it goes into SQL.
 *
 * "Another user" is a second OS user id (setpriv, which needs root: CI runs as root). Without
 * root those tests are skipped, with the reason.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { checkPrivateDir, templateCacheDir } from '../../src/testing/data-dir-template.js';
import { type Sandbox, startSandbox } from '../../src/testing/index.js';
import { checkServerArgs } from '../../src/testing/sandbox.js';

const run = promisify(execFile);

/** A user id no account on this machine uses. */
const OTHER_UID = 54_321;

function otherUserSkip(): string | undefined {
  if (process.getuid?.() !== 0) return 'acting as a second OS user needs root (CI runs as root)';
  return undefined;
}

/** Runs a Node.js script as the other user; resolves what it printed. */
async function asOtherUser(script: string, ...args: string[]): Promise<string> {
  const { stdout } = await run(
    'setpriv',
    [
      `--reuid=${OTHER_UID}`,
      `--regid=${OTHER_UID}`,
      '--clear-groups',
      process.execPath,
      '-e',
      script,
      ...args,
    ],
    { timeout: 10_000 },
  );
  return stdout.trim();
}

let server: Sandbox;

before(async () => {
  server = await startSandbox();
  // A diagnostic, not an assertion: start-up stays around half a second on an idle machine.
  console.log(`sandbox started in ${server.startupMs} ms`);
});

after(async () => {
  await server?.stop();
});

describe('root', () => {
  test('has no account over TCP: a login as root on 127.0.0.1 is refused', async () => {
    // Over TCP the server cannot tell OS users apart: this is what any local user gets.
    await assert.rejects(
      mysql.createConnection({
        host: server.host,
        port: server.port,
        user: 'root',
        connectTimeout: 5_000,
      }),
      (error: { errno?: number }) => {
        // 1130: host not allowed for any root account; 1045: access denied.
        assert.ok(error.errno === 1130 || error.errno === 1045, String(error));
        return true;
      },
    );
    const [accounts] = await Promise.all([
      server.admin("SELECT Host AS host FROM mysql.global_priv WHERE User = 'root'"),
    ]);
    assert.deepEqual(
      accounts.map((row) => row.host),
      ['localhost'],
    );
  });

  test('is reachable through the socket, whose directory only the owner may enter', async () => {
    const [row] = await server.admin('SELECT CURRENT_USER() AS account');
    assert.equal(row?.account, 'root@localhost');
    const mode = (await stat(dirname(server.socketPath))).mode & 0o777;
    assert.equal(mode, 0o700, `sandbox dir mode ${mode.toString(8)}`);
  });

  test('another OS user cannot reach the socket', { skip: otherUserSkip() }, async () => {
    const outcome = await asOtherUser(
      `require('node:net').connect(process.argv[1]).on('connect', () => { console.log('connected'); process.exit(0); }).on('error', (e) => { console.log(e.code); process.exit(0); });`,
      server.socketPath,
    );
    assert.equal(outcome, 'EACCES');
  });
});

describe('files', () => {
  test('the server reads and writes files only inside the sandbox directory; no LOAD DATA LOCAL', async () => {
    const [vars] = await server.admin(
      'SELECT @@secure_file_priv AS priv, @@local_infile AS local_files',
    );
    assert.equal(vars?.priv, `${dirname(server.socketPath)}/`);
    assert.equal(Number(vars?.local_files), 0);
    // Even root: LOAD_FILE outside that directory reads nothing, INTO OUTFILE is refused.
    const [file] = await server.admin("SELECT LOAD_FILE('/etc/passwd') AS content");
    assert.equal(file?.content, null);
    await assert.rejects(server.admin("SELECT 1 INTO OUTFILE '/tmp/goneaway-outfile-test'"), {
      errno: 1290, // ER_OPTION_PREVENTS_STATEMENT: --secure-file-priv
    });
  });

  test('the application user has no FILE privilege at all', async () => {
    const app = await mysql.createConnection({ uri: server.uri });
    try {
      const [rows] = await app.query<mysql.RowDataPacket[]>(
        "SELECT LOAD_FILE('/etc/passwd') AS content",
      );
      assert.equal(rows[0]?.content, null);
      // 1227 ER_SPECIFIC_ACCESS_DENIED_ERROR: FILE is needed.
      await assert.rejects(app.query("SELECT 1 INTO OUTFILE 'x'"), { errno: 1227 });
    } finally {
      await app.end();
    }
  });
});

describe('server arguments', () => {
  test('those that would open the sandbox are refused, in every spelling mariadbd takes', () => {
    for (const arg of [
      '--bind-address=0.0.0.0',
      '--bind_address=::',
      '--loose-bind-address=0.0.0.0',
      '--bind=0.0.0.0',
      '--port=3306',
      '--skip-grant-tables',
      '--secure-file-priv=',
      '--local-infile=1',
      '--socket=/tmp/other.sock',
      '--init-file=/tmp/x.sql',
      '-P3306',
    ]) {
      assert.throws(() => checkServerArgs([arg]), /refusing server argument/, arg);
    }
    checkServerArgs(['--max-connections=20', '--wait-timeout=5', '--performance-schema=ON']);
  });

  test('startSandbox refuses them before starting anything', async () => {
    await assert.rejects(
      startSandbox({ serverArgs: ['--bind-address=0.0.0.0'] }),
      /sets --bind-address itself/,
    );
  });
});

describe('the database name', () => {
  test('is escaped, and its _ is not a wildcard in the grant', async () => {
    const odd = await startSandbox({ database: 'we`ird_db' });
    try {
      const app = await mysql.createConnection({
        host: odd.host,
        port: odd.port,
        user: odd.user,
        password: odd.password,
        database: odd.database,
      });
      try {
        await app.query('CREATE TABLE t (id INT)');
        await app.query('CREATE DATABASE `we``ird_db_more`'); // the documented prefix grant
        // Had the grant's '_' stayed a wildcard, this name would match it too.
        await assert.rejects(app.query('CREATE DATABASE `we``irdXdb`'), { errno: 1044 });
      } finally {
        await app.end();
      }
    } finally {
      await odd.stop();
    }
  });
});

describe('the template cache', () => {
  let scratch: string;
  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'goneaway-cache-test-'));
  });
  after(() => rm(scratch, { recursive: true, force: true }));

  test('is created private under XDG_CACHE_HOME', async () => {
    const dir = await templateCacheDir({ XDG_CACHE_HOME: join(scratch, 'xdg') });
    assert.equal(dir, join(scratch, 'xdg', 'goneaway'));
    assert.equal((await stat(dir)).mode & 0o777, 0o700);
  });

  test('a directory others may use is refused, with what is wrong and what to do', async () => {
    const open = join(scratch, 'open', 'goneaway');
    await mkdir(open, { recursive: true });
    await chmod(open, 0o777);
    await assert.rejects(
      templateCacheDir({ XDG_CACHE_HOME: join(scratch, 'open') }),
      (error: Error) => {
        assert.match(error.message, /has mode 777: other users may use it/);
        assert.match(error.message, /set XDG_CACHE_HOME to a directory of your own/);
        return true;
      },
    );
    const linked = join(scratch, 'linked');
    await mkdir(linked);
    await symlink(open, join(linked, 'goneaway'));
    await assert.rejects(
      checkPrivateDir(join(linked, 'goneaway')),
      /is not a directory \(a symbolic link/,
    );
  });

  test('a directory another user owns is refused', { skip: otherUserSkip() }, async () => {
    const planted = join(scratch, 'planted', 'goneaway');
    await mkdir(planted, { recursive: true, mode: 0o700 });
    await chown(planted, OTHER_UID, OTHER_UID);
    await assert.rejects(
      templateCacheDir({ XDG_CACHE_HOME: join(scratch, 'planted') }),
      new RegExp(`is owned by user id ${OTHER_UID}, not by this user`),
    );
  });

  test('another OS user can neither read nor plant anything in the real one', {
    skip: otherUserSkip(),
  }, async () => {
    const cache = await templateCacheDir();
    const outcome = await asOtherUser(
      `const fs = require('node:fs'); const out = [];
       for (const act of [() => fs.readdirSync(process.argv[1]), () => fs.mkdirSync(process.argv[1] + '/template-planted')]) {
         try { act(); out.push('ok'); } catch (e) { out.push(e.code); }
       }
       console.log(out.join(' '));`,
      cache,
    );
    assert.equal(outcome, 'EACCES EACCES');
  });
});
