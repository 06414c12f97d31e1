/**
 * `goneaway top` and the password prompt in a real terminal: tmux runs the CLI in an 80x24
 * pane, sends keys, and the test reads the screen as a person would see it.
 *
 * Needs tmux (Debian package `tmux`: `apt-get install -y tmux`). Without it the suite fails
 * with that message rather than skipping, so a missing tool cannot pass for a working view.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { type Sandbox, testServer } from '../../src/testing/index.js';
import {
  adminUri,
  assertNoSecret,
  assertOneLineError,
  MAIN,
  ROOT,
  runCli,
} from '../support/cli-harness.js';

const run = promisify(execFile);

/** One tmux server (own socket, in its own temp dir) with one pane running one command. */
class Terminal {
  readonly #dir = mkdtempSync(join(tmpdir(), 'goneaway-tmux-'));
  readonly #socket = join(this.#dir, 'socket');

  async start(args: readonly string[], size = { width: 80, height: 24 }): Promise<void> {
    // NO_COLOR and friends are unset so the CLI behaves as in a user's terminal; the pane
    // stays open after the CLI exits and shows its exit code.
    const command =
      `env -u NO_COLOR -u NODE_DEBUG -u DATABASE_URL -u MYSQL_URL -u MYSQL_PWD ` +
      `${shellQuote(process.execPath)} --import tsx ${MAIN} ${args.map(shellQuote).join(' ')}; ` +
      'echo "[exited $?]"; exec sleep 600';
    await this.tmux(
      'new-session',
      '-d',
      '-s',
      'main',
      '-c',
      ROOT,
      '-x',
      String(size.width),
      '-y',
      String(size.height),
      command,
    );
  }

  /** The visible screen (or the whole history with `history`), without colours. */
  async screen(history = false): Promise<string> {
    const { stdout } = await this.tmux(
      'capture-pane',
      '-p',
      '-t',
      'main',
      ...(history ? ['-S', '-'] : []),
    );
    return stdout;
  }

  /** Polls the screen until `pattern` matches (bounded); returns the screen. */
  async waitFor(pattern: RegExp, timeoutMs = 15_000, history = false): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      last = await this.screen(history);
      if (pattern.test(last)) return last;
      await sleep(100);
    }
    assert.fail(`the screen did not show ${pattern} within ${timeoutMs} ms; it shows:\n${last}`);
  }

  async keys(...keys: string[]): Promise<void> {
    await this.tmux('send-keys', '-t', 'main', ...keys);
  }

  async type(text: string): Promise<void> {
    await this.tmux('send-keys', '-t', 'main', '-l', text);
  }

  async resize(width: number, height: number): Promise<void> {
    await this.tmux('resize-window', '-t', 'main', '-x', String(width), '-y', String(height));
  }

  async close(): Promise<void> {
    await this.tmux('kill-server').catch(() => {});
    rmSync(this.#dir, { recursive: true, force: true });
  }

  tmux(...args: string[]): Promise<{ stdout: string }> {
    return run('tmux', ['-S', this.#socket, '-f', '/dev/null', ...args], { timeout: 10_000 });
  }
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The session rows of a `top` screen: lines that start with a marker and an id. */
function sessionLines(screen: string): string[] {
  return screen.split('\n').filter((line) => /^[ !] +\d+ /.test(line));
}

describe('goneaway top and the password prompt, in a terminal', () => {
  let server: Sandbox;
  let root: string;
  const idle: mysql.Connection[] = [];

  before(async () => {
    try {
      execFileSync('tmux', ['-V']);
    } catch {
      throw new Error('this test needs tmux (Debian package "tmux": apt-get install -y tmux)');
    }
    server = await testServer();
    root = adminUri(server);
    for (let i = 0; i < 3; i++) {
      const connection = await mysql.createConnection({ uri: server.uri });
      connection.on('error', () => {});
      // A long timeout of their own: the server keeps them while `top` judges them against
      // the short global value set below, which is what a new session would get.
      await connection.query('SET SESSION wait_timeout = 28800');
      idle.push(connection);
    }
    await server.admin('SET GLOBAL wait_timeout = 3');
  });

  after(async () => {
    for (const connection of idle) connection.destroy();
    await server?.stop();
  });

  it('shows the sessions in 80x24, marks those past 90% of wait_timeout, and takes keys', async () => {
    const terminal = new Terminal();
    try {
      await terminal.start(['top', root]);
      let screen = await terminal.waitFor(/wait_timeout 3s/);
      // The sandbox's root is reachable only through its unix socket.
      assert.match(screen, /^goneaway top {2}root@localhost via \//m);
      assert.match(screen, /^ +ID USER +HOST +COMMAND +TIME IDLE\/WAIT +INFO/m);
      for (const line of screen.split('\n')) assert.ok(line.length <= 80, `too wide: ${line}`);
      assert.ok(screen.split('\n').length <= 25);

      // After 3 s of idle time (the server's clock) the app sessions are marked.
      const ids = idle.map((c) => String(c.threadId));
      screen = await terminal.waitFor(new RegExp(`^! +${ids[0]} app `, 'm'));
      const marked = sessionLines(screen).filter((line) => line.startsWith('!'));
      for (const id of ids) {
        assert.ok(
          marked.some((line) =>
            new RegExp(`^! +${id} app +127\\.0\\.0\\.1:\\d+ +Sleep`).test(line),
          ),
          `session ${id} not marked:\n${screen}`,
        );
      }
      assert.match(screen, /3 closing/);

      await terminal.keys('s');
      await terminal.waitFor(/^sort id/m);
      await terminal.keys('u');
      await terminal.waitFor(/show user \(Enter applies, empty shows all\): _/);
      await terminal.type('nobody');
      await terminal.keys('Enter');
      screen = await terminal.waitFor(/filter user=nobody/);
      await terminal.waitFor(/\(no sessions match\)/);
      await terminal.keys('u', 'BSpace', 'BSpace', 'BSpace', 'BSpace', 'BSpace', 'BSpace', 'Enter');
      screen = await terminal.waitFor(new RegExp(`^! +${ids[0]} app `, 'm'));
      assert.doesNotMatch(screen, /filter user=/);

      await terminal.keys('?');
      await terminal.waitFor(/IDLE\/WAIT: idle time against the global wait_timeout/);
      await terminal.keys('x');
      await terminal.waitFor(/^ +ID USER/m);

      // Wider: the DB and STATE columns come back.
      await terminal.resize(120, 30);
      await terminal.waitFor(/^ +ID USER +HOST +DB +COMMAND +TIME STATE +IDLE\/WAIT +INFO/m);

      await terminal.keys('q');
      screen = await terminal.waitFor(/\[exited \d+\]/);
      assert.match(screen, /\[exited 0\]/);
      assert.doesNotMatch(screen, /IDLE\/WAIT/, 'the alternate screen was not left');
    } finally {
      await terminal.close();
    }
  });

  it('survives its own connection being killed, and Ctrl-C quits', async () => {
    const terminal = new Terminal();
    try {
      await terminal.start(['top', root, '--interval-ms', '200']);
      await terminal.waitFor(/wait_timeout 3s/);
      const topSessions = async (): Promise<number[]> =>
        (
          await server.admin(
            "SELECT ID AS id FROM information_schema.PROCESSLIST WHERE USER = 'root' AND ID <> CONNECTION_ID()",
          )
        ).map((row) => Number(row.id));
      const [first] = await topSessions();
      assert.ok(first, 'top has no session on the server');
      await server.admin('KILL CONNECTION ?', [first]);
      // It reconnects: a new session of its own appears, and the screen keeps refreshing.
      const deadline = Date.now() + 10_000;
      let sessions = await topSessions();
      while (!sessions.some((id) => id !== first)) {
        assert.ok(Date.now() < deadline, 'top did not reconnect');
        await sleep(100);
        sessions = await topSessions();
      }
      await terminal.waitFor(/wait_timeout 3s/);
      await terminal.keys('C-c');
      assert.match(await terminal.waitFor(/\[exited \d+\]/), /\[exited 0\]/);
    } finally {
      await terminal.close();
    }
  });

  it('gives the terminal back on SIGTERM', async () => {
    const terminal = new Terminal();
    try {
      await terminal.start(['top', root]);
      await terminal.waitFor(/IDLE\/WAIT/);
      const { stdout: panePid } = await terminal.tmux(
        'list-panes',
        '-t',
        'main',
        '-F',
        '#{pane_pid}',
      );
      // The pane runs sh, whose child is the CLI (env execs node).
      const { stdout: cliPid } = await run('pgrep', ['-P', panePid.trim()]);
      process.kill(Number(cliPid.trim().split('\n')[0]), 'SIGTERM');
      const screen = await terminal.waitFor(/\[exited \d+\]/);
      assert.match(screen, /\[exited 0\]/);
      assert.doesNotMatch(screen, /IDLE\/WAIT/, 'the alternate screen was not left');
    } finally {
      await terminal.close();
    }
  });

  it('asks for the password without echoing it', async () => {
    const terminal = new Terminal();
    try {
      await terminal.start([
        'doctor',
        '-h',
        server.host,
        '-P',
        String(server.port),
        '-u',
        server.user,
        '--password',
      ]);
      await terminal.waitFor(/Enter password:/);
      await terminal.type(server.password);
      assert.ok(!(await terminal.screen()).includes(server.password), 'the password was echoed');
      await terminal.keys('Enter');
      const screen = await terminal.waitFor(/\[exited \d+\]/, 30_000, true);
      assert.match(screen, /^goneaway doctor {2}app@127\.0\.0\.1:\d+/m);
      assert.match(screen, /\[exited [01]\]/);
      assert.ok(!screen.includes(server.password), 'the password appears on the screen');
    } finally {
      await terminal.close();
    }
  });

  it('prints one screen with --once, and says when only the own account is visible', async () => {
    const result = await runCli(['top', '--once', server.uri]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /sessions 3 \(own account only: no PROCESS\)/);
    assert.equal(sessionLines(result.stdout).length, 3);
    assert.ok(!result.stdout.includes(server.password));
    assert.ok(!result.stdout.includes('\x1b'), 'escape codes in piped output');
  });

  it('bad input: a wrong password exits 4, a malformed URI exits 2, neither printed', async () => {
    const wrong = new URL(server.uri);
    wrong.password = 'N0t-The-Passw0rd';
    const denied = await runCli(['top', '--once', wrong.href]);
    assert.equal(denied.code, 4);
    assertOneLineError(denied, /^goneaway top: cannot connect to app@127\.0\.0\.1:\d+\/goneaway: /);
    assertNoSecret(denied, 'N0t-The-Passw0rd', server.password);
    const malformed = await runCli([
      'top',
      '--once',
      `mysql://app:${server.password}@127.0.0.1:port/`,
    ]);
    assert.equal(malformed.code, 2);
    assertOneLineError(malformed, /the URI argument is malformed/);
    assertNoSecret(malformed, server.password);
  });

  it('refuses the live view without a terminal', async () => {
    const result = await runCli(['top', root]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /needs a terminal; use --once or --json/);
  });
});
