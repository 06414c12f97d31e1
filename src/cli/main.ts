#!/usr/bin/env node
/**
 * The `goneaway` executable: wires the process's streams, environment and signals to
 * {@link runCli} and exits with its code.
 *
 * @packageDocumentation
 */
import { registerSecrets } from './connection-options.js';
import { describeError } from './describe-error.js';
import { Redactor } from './redact.js';
import { runCli } from './run-cli.js';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function trapSignals(listener: (signal: NodeJS.Signals) => void): () => void {
  for (const signal of SIGNALS) process.on(signal, listener);
  return () => {
    for (const signal of SIGNALS) process.off(signal, listener);
  };
}

const argv = process.argv.slice(2);
const redactor = new Redactor();
registerSecrets(argv, process.env, redactor);

// A last resort: a bug that escapes a command still ends with one redacted line.
function lastResort(error: unknown): never {
  process.stderr.write(redactor.redact(`goneaway: ${describeError(error).message}\n`));
  process.exit(1);
}
process.on('uncaughtException', lastResort);
process.on('unhandledRejection', lastResort);

// A reader that went away (`goneaway top --once | head -3`) is not worth a message.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE')
    process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  throw error;
});

const code = await runCli(
  argv,
  {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    trapSignals,
  },
  { redactor },
);
process.exitCode = code;
// Commands close what they open, so the process ends by itself; should a handle be left
// behind anyway, the user still gets their prompt back. unref(): this timer alone keeps
// nothing alive.
setTimeout(() => process.exit(code), 1_000).unref();
