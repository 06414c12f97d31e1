/**
 * Runs the real `goneaway` CLI (src/cli/main.ts through tsx) as a child process, for the
 * cli-*.test.ts integration tests. Every run is bounded in time, and every run's output can
 * be checked for secrets in one call.
 */

import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root: the CLI is run from there so `--import tsx` resolves. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The CLI's entry point, run through tsx. */
export const MAIN = 'src/cli/main.ts';

/** What one run produced. */
export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly elapsedMs: number;
}

/** Options for {@link runCli}. */
export interface RunOptions {
  /** Extra environment variables; NO_COLOR and NODE_DEBUG are cleared unless given. */
  readonly env?: Readonly<Record<string, string>>;
  /** Kill the child and fail after this long. Default 30 000 ms. */
  readonly timeoutMs?: number;
  /** Written to stdin, which is then closed. Default: stdin closed at once. */
  readonly input?: string;
}

/** The environment every child gets: the parent's, without variables that change the CLI's behaviour. */
export function childEnv(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of [
    'DATABASE_URL',
    'MYSQL_URL',
    'MYSQL_PWD',
    'NO_COLOR',
    'NODE_DEBUG',
    'FORCE_COLOR',
  ]) {
    delete env[name];
  }
  return { ...env, ...extra };
}

/**
 * Spawns the CLI with `args`; the caller reads its streams.
 *
 * @example
 * const child = spawnCli(['--version']);
 */
export function spawnCli(
  args: readonly string[],
  options: Pick<RunOptions, 'env'> = {},
): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    cwd: ROOT,
    env: childEnv(options.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** A running CLI whose output is collected from the start. */
export interface CliProcess {
  readonly child: ChildProcess;
  /** Everything printed on stdout so far. */
  readonly stdout: () => string;
  /** Everything printed on stderr so far. */
  readonly stderr: () => string;
  /** Resolves the first match of `pattern` in everything printed on stdout (bounded). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Resolves the exit code once the process exits (bounded; SIGKILL after the bound). */
  exit(timeoutMs?: number): Promise<number | null>;
  /** Writes one line to stdin. */
  send(line: string): void;
  /** SIGKILLs the process if it is still running (for `finally`). */
  kill(): void;
}

/**
 * Starts the CLI with `args` and does not wait: for long-running commands (sandbox, proxy).
 *
 * @example
 * const proxy = startCli(['proxy', '127.0.0.1:3306']);
 * await proxy.waitFor(/listening/);
 */
export function startCli(
  args: readonly string[],
  options: Pick<RunOptions, 'env'> = {},
): CliProcess {
  const child = spawnCli(args, options);
  let stdout = '';
  let stderr = '';
  const changed = new Set<() => void>();
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const listener of changed) listener();
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    waitFor: (pattern, timeoutMs = 30_000) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const match = pattern.exec(stdout);
          if (!match) return;
          cleanup();
          resolve(match);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new Error(
              `no ${pattern} within ${timeoutMs} ms; stdout:\n${stdout}\nstderr:\n${stderr}`,
            ),
          );
        }, timeoutMs);
        const cleanup = (): void => {
          clearTimeout(timer);
          changed.delete(check);
        };
        void exited.then((code) => {
          if (!changed.has(check)) return;
          cleanup();
          reject(
            new Error(
              `exited (${code}) before printing ${pattern}; stdout:\n${stdout}\nstderr:\n${stderr}`,
            ),
          );
        });
        changed.add(check);
        check();
      }),
    exit: async (timeoutMs = 30_000) => {
      let timer: NodeJS.Timeout | undefined;
      try {
        return await Promise.race([
          exited,
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => {
              child.kill('SIGKILL');
              reject(new Error(`did not exit within ${timeoutMs} ms; stderr:\n${stderr}`));
            }, timeoutMs);
          }),
        ]);
      } finally {
        clearTimeout(timer);
      }
    },
    send: (line) => {
      child.stdin?.write(`${line}\n`);
    },
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/**
 * Runs the CLI to completion and collects its output.
 *
 * @example
 * const run = await runCli(['doctor', '--json', server.uri]);
 */
export async function runCli(args: readonly string[], options: RunOptions = {}): Promise<CliRun> {
  const started = performance.now();
  const child = spawnCli(args, options);
  const timeoutMs = options.timeoutMs ?? 30_000;
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  child.stdin?.end(options.input ?? '');
  let timer: NodeJS.Timeout | undefined;
  try {
    const [code, signal] = await Promise.race([
      new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
        child.once('close', (exitCode, exitSignal) => resolve([exitCode, exitSignal]));
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`goneaway ${args[0]} did not finish within ${timeoutMs} ms\n${stderr}`));
        }, timeoutMs);
      }),
    ]);
    return { code, signal, stdout, stderr, elapsedMs: performance.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Asserts that no secret appears in a run's stdout or stderr.
 *
 * @example
 * assertNoSecret(run, server.password);
 */
export function assertNoSecret(run: Pick<CliRun, 'stdout' | 'stderr'>, ...secrets: string[]): void {
  for (const secret of secrets) {
    assert.ok(secret.length > 0, 'an empty secret proves nothing');
    assert.ok(!run.stdout.includes(secret), `the secret appears on stdout:\n${run.stdout}`);
    assert.ok(!run.stderr.includes(secret), `the secret appears on stderr:\n${run.stderr}`);
    const encoded = encodeURIComponent(secret);
    assert.ok(
      !run.stdout.includes(encoded) && !run.stderr.includes(encoded),
      'the encoded secret appears',
    );
  }
}

/**
 * Asserts that a failed run printed exactly one line on stderr, nothing on stdout, and no
 * stack trace.
 *
 * @example
 * assertOneLineError(run, /cannot connect/);
 */
export function assertOneLineError(run: CliRun, pattern: RegExp): void {
  const lines = run.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `expected one line on stderr, got:\n${run.stderr}`);
  assert.match(lines[0] ?? '', pattern);
  assert.doesNotMatch(run.stderr, /\n\s+at /, 'a stack trace was printed');
  assert.equal(run.stdout, '', `nothing on stdout, got:\n${run.stdout}`);
}

/**
 * A URI for an account that sees every session (PROCESS): the sandbox's root, which has no
 * password and is reachable only through the sandbox's unix socket, or
 * `GONEAWAY_TEST_ADMIN_URI` for an existing server.
 *
 * @example
 * const run = await runCli(['doctor', '--json', adminUri(server)]);
 */
export function adminUri(server: {
  readonly canRestart: boolean;
  readonly socketPath: string;
}): string {
  if (server.canRestart) {
    return `mysql://root@localhost/?socketPath=${encodeURIComponent(server.socketPath)}`;
  }
  const uri = process.env.GONEAWAY_TEST_ADMIN_URI;
  assert.ok(
    uri,
    'tests against an existing server need GONEAWAY_TEST_ADMIN_URI for an account with PROCESS',
  );
  return uri;
}
