import { ExitCode } from './exit-code.js';

/**
 * An expected failure of a command, with a one-line message that is safe to print (it never
 * holds a secret) and the exit code it maps to. The CLI prints `goneaway <command>: <message>`
 * and exits; no stack trace, since the message is the whole story.
 *
 * @example
 * throw new CliError('cannot read --ssl-ca file ca.pem: no such file', ExitCode.Usage);
 */
export class CliError extends Error {
  override readonly name: string = 'CliError';
  readonly exitCode: ExitCode;

  constructor(message: string, exitCode: ExitCode = ExitCode.Problem, options?: ErrorOptions) {
    super(message, options);
    this.exitCode = exitCode;
  }
}

/**
 * A malformed command line or URI: exit code 2, and the CLI adds a pointer to `--help`.
 *
 * @example
 * throw new UsageError('--port must be a whole number from 1 to 65535, got "abc"');
 */
export class UsageError extends CliError {
  override readonly name = 'UsageError';

  constructor(message: string) {
    super(message, ExitCode.Usage);
  }
}
