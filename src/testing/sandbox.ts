/**
 * A real, throwaway MariaDB server for tests and demos.
 *
 * Each sandbox copies a cached, freshly initialised data dir into its own temp dir, starts
 * `mariadbd` on 127.0.0.1 at a free port (plus its own unix socket), and waits until a real
 * `SELECT 1` answers. Faults are real: `restart()`, `kill()` (SIGKILL, a crash), `freeze()`
 * (SIGSTOP: the kernel still accepts connections but nothing answers).
 *
 * Safe on a shared machine: the TCP port serves only the application user, whose password is
 * random per sandbox and who has no global privileges; root has no password but exists only
 * for the unix socket, whose directory (mode 0700) only the user who started the sandbox can
 * enter. The server reads and writes files only inside the sandbox directory
 * (`--secure-file-priv`) and refuses LOAD DATA LOCAL (`--local-infile=0`).
 *
 * A sandbox never outlives the process that started it: an exit handler kills it, and a tiny
 * guard process kills it and removes its files if the test process itself is SIGKILLed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { debuglog } from 'node:util';
import mysql from 'mysql2/promise';
import { dataDirTemplate, INNODB_ARGS } from './data-dir-template.js';
import { findServerBinaries } from './server-binaries.js';

const debug = debuglog('goneaway');

/** Options for {@link startSandbox}. Every field is optional. */
export interface SandboxOptions {
  /**
   * Extra `mariadbd` arguments, e.g. `['--max-connections=20']`. Arguments that would undo
   * what keeps the sandbox private (its address, port, socket, data dir, file and account
   * limits) are refused: see {@link checkServerArgs}.
   */
  readonly serverArgs?: readonly string[];
  /** Bound on start-up (and on each restart), in ms. Default 30 000. */
  readonly startTimeoutMs?: number;
  /** How long `stop()` waits after SIGTERM before SIGKILL, in ms. Default 10 000. */
  readonly stopTimeoutMs?: number;
  /** Database created for the application user. Default `'goneaway'`. */
  readonly database?: string;
  /** Application user (with a random password) created for tests. Default `'app'`. */
  readonly user?: string;
}

/** Rows of a `SELECT`, or mysql2's header for a write, as returned by {@link Sandbox.admin}. */
export type AdminResult = Record<string, unknown>[] | { affectedRows: number; insertId: number };

/** Which sessions {@link Sandbox.killConnections} kills. */
export interface KillFilter {
  /** Only this user's sessions. Default: the sandbox's application user. */
  readonly user?: string;
  /** Only sessions with this processlist `COMMAND`, e.g. `'Sleep'` for idle ones. */
  readonly command?: string;
}

/** A running throwaway MariaDB. See {@link startSandbox}. */
export interface Sandbox {
  /** `mysql://app:<password>@127.0.0.1:<port>/goneaway`: the application user's URI. */
  readonly uri: string;
  readonly host: string;
  readonly port: number;
  readonly socketPath: string;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  /** Server version string, e.g. `10.11.19-MariaDB-0+deb12u1`. */
  readonly version: string;
  /** How long the last (re)start took, in ms. */
  readonly startupMs: number;
  /** Whether the server process is up (false after `kill()`, during `restart()`, after `stop()`). */
  readonly running: boolean;
  /** Whether `restart()`, `kill()` and `freeze()` work (false for an existing server). */
  readonly canRestart: boolean;
  /** Runs one statement as root (over the unix socket) on a fresh connection and returns its result. */
  admin<T extends AdminResult = Record<string, unknown>[]>(
    sql: string,
    values?: readonly unknown[],
  ): Promise<T>;
  /** Kills matching sessions (`KILL CONNECTION`) and returns their ids. */
  killConnections(filter?: KillFilter): Promise<number[]>;
  /** Stops the server cleanly (or finds it killed), waits `downMs`, starts it on the same port. */
  restart(options?: { readonly downMs?: number }): Promise<void>;
  /** SIGKILLs the server: a crash. It stays down until `restart()`. */
  kill(): Promise<void>;
  /**
   * SIGSTOPs the server and resolves once every one of its threads has stopped: connections
   * and connects then hang, nothing is refused.
   */
  freeze(): Promise<void>;
  /** SIGCONTs a frozen server. */
  thaw(): void;
  /** Stops the server (SIGTERM, then SIGKILL after a bound) and removes its files. */
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Starts a throwaway MariaDB on 127.0.0.1 and resolves once `SELECT 1` answers.
 *
 * @example
 * import { startSandbox } from 'goneaway/testing';
 * const server = await startSandbox();
 * try {
 *   await server.admin('SET GLOBAL max_connections = 50');
 *   // point the code under test at server.uri
 * } finally {
 *   await server.stop();
 * }
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  checkServerArgs(options.serverArgs ?? []);
  const sandbox = new SandboxServer(options);
  try {
    await sandbox.boot();
  } catch (error) {
    await sandbox.stop();
    throw error;
  }
  return sandbox;
}

const live = new Set<SandboxServer>();

class SandboxServer implements Sandbox {
  readonly host = '127.0.0.1';
  readonly user: string;
  readonly password = randomBytes(12).toString('base64url');
  readonly database: string;
  readonly canRestart = true;
  port = 0;
  socketPath = '';
  version = '';
  startupMs = 0;

  readonly #options: SandboxOptions;
  #dir = '';
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  #stopped = false;

  constructor(options: SandboxOptions) {
    this.#options = options;
    this.user = options.user ?? 'app';
    this.database = options.database ?? 'goneaway';
  }

  get uri(): string {
    return `mysql://${this.user}:${encodeURIComponent(this.password)}@${this.host}:${this.port}/${this.database}`;
  }

  get running(): boolean {
    return this.#child !== undefined;
  }

  async boot(): Promise<void> {
    const binaries = findServerBinaries();
    const template = await dataDirTemplate(binaries);
    this.#dir = await mkdtemp(join(tmpdir(), 'goneaway-sandbox-'));
    this.socketPath = join(this.#dir, 'mariadbd.sock');
    live.add(this);
    installExitHandlers();
    startGuard(this.#dir);
    await cp(template, join(this.#dir, 'data'), { recursive: true });

    // A free port found now can be taken by another process before mariadbd binds it.
    for (let attempt = 1; ; attempt++) {
      this.port = await freePort();
      try {
        await this.#startServer(binaries.server);
        break;
      } catch (error) {
        if (attempt >= 5 || !String(error).includes('Address already in use')) throw error;
      }
    }
    await this.admin(`CREATE DATABASE IF NOT EXISTS ${quoteName(this.database)}`);
    await this.admin(`CREATE USER IF NOT EXISTS ?@'%' IDENTIFIED BY ?`, [this.user, this.password]);
    // An ordinary application user: no SUPER (which would bypass read_only), no PROCESS, no
    // FILE. In a GRANT, '_' and '%' in a database name are wildcards: escaped, they are not.
    const grantName = this.database.replace(/[\\_%]/g, '\\$&');
    await this.admin(`GRANT ALL PRIVILEGES ON ${quoteName(grantName)}.* TO ?@'%'`, [this.user]);
    await this.admin(`GRANT ALL PRIVILEGES ON ${quoteName(`${grantName}\\_%`)}.* TO ?@'%'`, [
      this.user,
    ]);
  }

  async #startServer(serverPath = findServerBinaries().server): Promise<void> {
    const started = performance.now();
    const logPath = join(this.#dir, 'error.log');
    const child = spawn(
      serverPath,
      [
        '--no-defaults',
        `--datadir=${join(this.#dir, 'data')}`,
        `--socket=${this.socketPath}`,
        `--pid-file=${join(this.#dir, 'mariadbd.pid')}`,
        `--log-error=${logPath}`,
        `--port=${this.port}`,
        '--bind-address=127.0.0.1',
        '--skip-name-resolve',
        // Files in and out (LOAD_FILE, INTO OUTFILE, LOAD DATA) only inside the sandbox dir.
        `--secure-file-priv=${this.#dir}`,
        '--local-infile=0',
        '--performance-schema=OFF',
        // Commits reach the OS at once but are not fsynced: a process crash (kill()) loses
        // nothing, only a machine crash would, and tests run several times faster.
        '--innodb-flush-log-at-trx-commit=2',
        '--innodb-doublewrite=0',
        ...INNODB_ARGS,
        ...(process.getuid?.() === 0 ? ['--user=root'] : []),
        ...(this.#options.serverArgs ?? []),
      ],
      { stdio: 'ignore' },
    );
    // The exit handler, not this reference, keeps the server from outliving the process.
    child.unref();
    this.#child = child;
    let exitCode: number | null | undefined;
    this.#exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        exitCode = code ?? (signal ? -1 : 0);
        if (this.#child === child) this.#child = undefined;
        resolve();
      });
    });

    const deadline = Date.now() + (this.#options.startTimeoutMs ?? 30_000);
    for (;;) {
      if (exitCode !== undefined) {
        throw new Error(
          `goneaway sandbox: mariadbd exited (code ${exitCode}) while starting on port ${this.port}. ` +
            `Last lines of its log:\n${await tail(logPath)}`,
        );
      }
      const version = await this.#probe();
      if (version) {
        this.version = version;
        break;
      }
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        await this.#waitForExit();
        throw new Error(
          `goneaway sandbox: mariadbd did not answer SELECT 1 within ${this.#options.startTimeoutMs ?? 30_000} ms. ` +
            `Last lines of its log:\n${await tail(logPath)}`,
        );
      }
      await sleep(25);
    }
    this.startupMs = Math.round(performance.now() - started);
    debug(
      'sandbox: mariadbd %s up on %s:%d in %d ms',
      this.version,
      this.host,
      this.port,
      this.startupMs,
    );
  }

  /** One real round trip as root; resolves the server version, or undefined if not up yet. */
  async #probe(): Promise<string | undefined> {
    let connection: mysql.Connection | undefined;
    try {
      connection = await mysql.createConnection({
        socketPath: this.socketPath,
        user: 'root',
        connectTimeout: 1_000,
      });
      const [rows] = await connection.query<mysql.RowDataPacket[]>(
        'SELECT 1 AS ok, VERSION() AS v',
      );
      return String(rows[0]?.v);
    } catch {
      return undefined;
    } finally {
      connection?.destroy();
    }
  }

  async admin<T extends AdminResult = Record<string, unknown>[]>(
    sql: string,
    values?: readonly unknown[],
  ): Promise<T> {
    if (!this.#child)
      throw new Error('goneaway sandbox: admin() needs a running server; call restart() first.');
    // root exists only for the unix socket (see data-dir-template.ts).
    const connection = await mysql.createConnection({
      socketPath: this.socketPath,
      user: 'root',
      connectTimeout: 5_000,
      supportBigNumbers: true,
    });
    try {
      const [result] = await connection.query(sql, values as unknown[] | undefined);
      return result as unknown as T;
    } finally {
      // A clean COM_QUIT: a dropped connection would count in the server's Aborted_clients,
      // which tests read to tell clean goodbyes from dropped connections.
      await connection.end().catch(() => connection.destroy());
    }
  }

  killConnections(filter: KillFilter = {}): Promise<number[]> {
    return killSessions(this, filter);
  }

  async restart(options: { readonly downMs?: number } = {}): Promise<void> {
    if (this.#stopped)
      throw new Error('goneaway sandbox: restart() after stop(); start a new sandbox.');
    await this.#stopServer();
    if (options.downMs) await sleep(options.downMs);
    await this.#startServer();
  }

  async kill(): Promise<void> {
    this.#child?.kill('SIGKILL');
    await this.#waitForExit();
  }

  /** The child is unref'd so it cannot hold the process open; ref it while we wait on it. */
  async #waitForExit(): Promise<void> {
    const child = this.#child;
    child?.ref();
    await this.#exited;
    child?.unref();
  }

  async freeze(): Promise<void> {
    const pid = this.#child?.pid;
    if (!pid) return;
    this.#child?.kill('SIGSTOP');
    await untilStopped(pid);
  }

  thaw(): void {
    this.#child?.kill('SIGCONT');
  }

  async #stopServer(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    child.kill('SIGCONT'); // a frozen server cannot act on SIGTERM
    child.kill('SIGTERM');
    const bound = this.#options.stopTimeoutMs ?? 10_000;
    const timer = setTimeout(() => child.kill('SIGKILL'), bound);
    await this.#waitForExit();
    clearTimeout(timer);
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    await this.#stopServer();
    live.delete(this);
    if (this.#dir) await rm(this.#dir, { recursive: true, force: true });
    uninstallExitHandlersIfIdle();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  /** Synchronous last resort for exit and signal handlers. */
  killNow(): void {
    try {
      this.#child?.kill('SIGKILL');
    } catch {
      // already gone
    }
    if (this.#dir) rmSync(this.#dir, { recursive: true, force: true });
  }
}

/**
 * `mariadbd` options the sandbox sets itself to keep the server private: where it listens,
 * where its files are, which files it may touch, and who may log in.
 */
const OWNED_SERVER_OPTIONS = [
  'bind-address',
  'port',
  'socket',
  'datadir',
  'pid-file',
  'log-error',
  'secure-file-priv',
  'local-infile',
  'grant-tables',
  'networking',
  'user',
  'defaults-file',
  'defaults-extra-file',
  'init-file',
];

/**
 * Throws if a `mariadbd` argument would change what the sandbox sets itself (its address,
 * port, socket, data dir, file and account limits, option files). mariadbd accepts any
 * unambiguous prefix of an option name and `_` for `-`, with `--loose-`, `--skip-`,
 * `--enable-`, `--disable-` and `--maximum-` in front; all of those are caught. Short options
 * (`-P 3307`) are refused as a whole: use the long form.
 *
 * @throws Error naming the argument.
 * @example
 * checkServerArgs(['--max-connections=20']); // fine
 * checkServerArgs(['--bind-address=0.0.0.0']); // throws
 */
export function checkServerArgs(args: readonly string[]): void {
  for (const arg of args) {
    if (!arg.startsWith('--')) {
      throw new Error(
        `goneaway sandbox: refusing server argument "${arg}": give mariadbd options in their long form (--name=value).`,
      );
    }
    const name = arg
      .slice(2)
      .split('=')[0]
      ?.toLowerCase()
      .replace(/_/g, '-')
      .replace(/^(loose-|maximum-)/, '')
      .replace(/^(skip-|enable-|disable-)/, '');
    const owned = OWNED_SERVER_OPTIONS.find((option) => name && option.startsWith(name));
    if (owned) {
      throw new Error(
        `goneaway sandbox: refusing server argument "${arg}": the sandbox sets --${owned} itself, so that it ` +
          'listens on 127.0.0.1 only, keeps root to its unix socket and files to its own directory.',
      );
    }
  }
}

function quoteName(name: string): string {
  return `\`${name.replaceAll('`', '``')}\``;
}

/**
 * Kills the sessions matching `filter` (default: the server's application user) and returns
 * their ids. Shared by the sandbox and by an existing test server.
 */
export async function killSessions(
  server: Pick<Sandbox, 'admin' | 'user'>,
  filter: KillFilter,
): Promise<number[]> {
  const conditions = ['USER = ?'];
  const values: unknown[] = [filter.user ?? server.user];
  if (filter.command) {
    conditions.push('COMMAND = ?');
    values.push(filter.command);
  }
  const rows = await server.admin(
    `SELECT ID AS id FROM information_schema.PROCESSLIST WHERE ${conditions.join(' AND ')}`,
    values,
  );
  const killed: number[] = [];
  for (const row of rows) {
    const id = Number(row.id);
    try {
      await server.admin('KILL CONNECTION ?', [id]);
      killed.push(id);
    } catch (error) {
      // 1094 Unknown thread id: it ended on its own between the SELECT and the KILL.
      if ((error as { errno?: number }).errno !== 1094) throw error;
    }
  }
  return killed;
}

/**
 * A detached `sh` that outlives a SIGKILLed test process: once the parent is gone it kills the
 * server recorded in the pid file and removes the sandbox dir. It also ends once the dir is
 * removed by a clean `stop()`.
 */
function startGuard(dir: string): void {
  const script = `while kill -0 ${process.pid} 2>/dev/null && [ -d "$1" ]; do sleep 1; done
[ -f "$1/mariadbd.pid" ] && kill -9 "$(cat "$1/mariadbd.pid")" 2>/dev/null
rm -rf "$1"`;
  spawn('sh', ['-c', script, 'goneaway-sandbox-guard', dir], {
    detached: true,
    stdio: 'ignore',
  }).unref();
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
let handlersInstalled = false;

function killAll(): void {
  for (const sandbox of live) sandbox.killNow();
  live.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  killAll();
  uninstallExitHandlersIfIdle();
  // Re-raise so the process ends the way it would have without us.
  process.kill(process.pid, signal);
}

function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', killAll);
  for (const signal of SIGNALS) process.once(signal, onSignal);
}

function uninstallExitHandlersIfIdle(): void {
  if (!handlersInstalled || live.size > 0) return;
  handlersInstalled = false;
  process.off('exit', killAll);
  for (const signal of SIGNALS) process.off(signal, onSignal);
}

/**
 * SIGSTOP is asynchronous: the kernel stops the threads a moment later (measured: 3 of 20
 * statements sent right after it were still answered). Wait until /proc shows every thread
 * stopped ('T'); bounded at 2 s. Elsewhere than Linux, /proc is absent and this returns at once.
 */
async function untilStopped(pid: number): Promise<void> {
  const deadline = performance.now() + 2_000;
  const running = (): boolean => {
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {
      return false;
    }
    return tasks.some((task) => {
      try {
        const stat = readFileSync(`/proc/${pid}/task/${task}/stat`, 'utf8');
        return stat.charAt(stat.lastIndexOf(')') + 2) !== 'T';
      } catch {
        return false; // the thread ended
      }
    });
  };
  while (running()) {
    if (performance.now() > deadline)
      throw new Error(`goneaway sandbox: mariadbd ${pid} not stopped 2 s after SIGSTOP`);
    await sleep(2);
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no TCP port assigned');
  return address.port;
}

async function tail(path: string, lines = 15): Promise<string> {
  const text = await readFile(path, 'utf8').catch(() => '(no log written)');
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
