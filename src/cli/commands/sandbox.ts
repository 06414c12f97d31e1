/**
 * `goneaway sandbox`: a throwaway MariaDB in the foreground, for trying goneaway, `doctor`
 * and `top` without touching a real server. Ctrl-C stops it and deletes its data.
 */
import { dirname } from 'node:path';
import { type Sandbox, startSandbox } from '../../testing/index.js';
import { checkServerArgs } from '../../testing/sandbox.js';
import { CliError, UsageError } from '../cli-error.js';
import type { Command } from '../command.js';
import { ExitCode } from '../exit-code.js';
import { booleanOption, stringListOption, stringOption } from '../option-values.js';

/** How often the foreground loop checks that the server is still up. */
const WATCH_INTERVAL_MS = 1_000;

/**
 * The `sandbox` command.
 *
 * @example
 * await runCli(['sandbox', '--json'], io); // runs until SIGINT
 */
export const sandbox: Command = {
  name: 'sandbox',
  summary: 'Start a throwaway MariaDB in the foreground and print its URI (Ctrl-C removes it)',
  usage: '[options]',
  description: `Starts MariaDB (the mariadbd binary installed on this machine) on 127.0.0.1 at a
free port, with a fresh data directory, an application user with a random password and all
privileges on one database, and root without a password, reachable only through the
sandbox's unix socket (in a directory only you can enter). The server reads and writes files
only inside that directory. Prints the URIs and waits. Ctrl-C (or SIGTERM) stops the server and deletes its
files. The application URI includes the generated password on purpose: this is the one
place goneaway prints a password, because you need it to connect, and it is worthless once
the sandbox is gone.`,
  maxPositionals: 0,
  trapsSignals: true,
  options: {
    json: { type: 'boolean', description: 'Print the connection details as JSON' },
    database: { type: 'string', valueName: 'name', description: 'Database to create (goneaway)' },
    user: { type: 'string', valueName: 'name', description: 'Application user to create (app)' },
    'server-arg': {
      type: 'string',
      multiple: true,
      valueName: 'arg',
      description: 'Extra mariadbd argument, e.g. --server-arg=--wait-timeout=30 (repeatable)',
    },
  },
  examples: ['goneaway sandbox', 'goneaway sandbox --server-arg=--wait-timeout=10 --json'],
  async run(context, input) {
    const { out, err, signal } = context;
    const database = stringOption(input.values, 'database');
    const user = stringOption(input.values, 'user');
    const serverArgs = stringListOption(input.values, 'server-arg');
    try {
      checkServerArgs(serverArgs);
    } catch (error) {
      throw new UsageError(String((error as Error).message).replace(/^goneaway sandbox: /, ''));
    }
    let server: Sandbox;
    try {
      server = await startSandbox({
        serverArgs,
        ...(database ? { database } : {}),
        ...(user ? { user } : {}),
      });
    } catch (error) {
      const first = (error instanceof Error ? error.message : String(error)).split('\n')[0];
      throw new CliError(`could not start MariaDB: ${first}`, ExitCode.Problem, { cause: error });
    }
    try {
      if (signal.aborted) return ExitCode.Ok;
      // socketPath: a query parameter that goneaway and mysql2 both read.
      const adminUri = `mysql://root@localhost/?socketPath=${encodeURIComponent(server.socketPath)}`;
      if (booleanOption(input.values, 'json')) {
        const details = {
          uri: server.uri,
          adminUri,
          host: server.host,
          port: server.port,
          socketPath: server.socketPath,
          user: server.user,
          password: server.password,
          database: server.database,
          version: server.version,
          pid: process.pid,
        };
        // Deliberately unredacted: the caller asked for the throwaway server's credentials.
        out.writeUnredacted(`${JSON.stringify(details, null, 2)}\n`);
      } else {
        out.line(
          `goneaway sandbox: MariaDB ${server.version} on ${server.host}:${server.port}, up in ${server.startupMs} ms`,
        );
        out.line('');
        out.writeUnredacted(`  uri     ${server.uri}\n`);
        out.line(`  admin   ${adminUri}   (root, no password, this socket only)`);
        out.line(`  socket  ${server.socketPath}`);
        out.line('');
        out.line('The uri line shows the generated password of this throwaway server, on purpose.');
        out.line(`Try: goneaway doctor '<uri>'   or   goneaway top '${adminUri}'`);
        out.line('Press Ctrl-C to stop the server and delete its data.');
      }
      const reason = await untilStopped(server, signal);
      if (reason === 'crashed') {
        throw new CliError('the sandbox server stopped by itself', ExitCode.Problem);
      }
      return ExitCode.Ok;
    } finally {
      await server.stop();
      if (signal.aborted)
        err.line(`goneaway sandbox: stopped, removed ${dirname(server.socketPath)}`);
    }
  },
};

/** Resolves when a signal arrives, or when the server is found down on its own. */
function untilStopped(server: Sandbox, signal: AbortSignal): Promise<'signal' | 'crashed'> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve('signal');
      return;
    }
    const timer = setInterval(() => {
      if (server.running) return;
      clearInterval(timer);
      signal.removeEventListener('abort', onAbort);
      resolve('crashed');
    }, WATCH_INTERVAL_MS);
    const onAbort = (): void => {
      clearInterval(timer);
      resolve('signal');
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
