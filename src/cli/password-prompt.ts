/**
 * Asks for a password on the terminal without echoing it (the answer is never written
 * anywhere, not even as asterisks, as the mysql client does).
 */
import { CliError, UsageError } from './cli-error.js';
import type { InputStream, OutputStream } from './command.js';
import { ExitCode } from './exit-code.js';

const ENTER = new Set(['\r', '\n']);
const BACKSPACE = new Set(['\x7f', '\b']);
const CTRL_C = '\x03';
const CTRL_D = '\x04';
const CTRL_U = '\x15';

/**
 * Writes `prompt` to `output` (stderr, so stdout stays clean for `--json`), reads one line
 * from the terminal in raw mode with echo off, and resolves it. Ctrl-C or Ctrl-D on an empty
 * line cancels (exit code 130). Throws a usage error when `input` is not a terminal.
 *
 * @example
 * const password = await promptPassword(process.stdin, process.stderr, 'Enter password: ');
 */
export async function promptPassword(
  input: InputStream,
  output: OutputStream,
  prompt = 'Enter password: ',
): Promise<string> {
  if (!input.isTTY || !input.setRawMode) {
    throw new UsageError(
      'a bare --password asks on the terminal, but stdin is not a terminal; ' +
        'give the password in the URI, as --password=VALUE, or in MYSQL_PWD',
    );
  }
  output.write(prompt);
  input.setRawMode(true);
  input.setEncoding('utf8');
  input.resume();
  // Code points, so a backspace removes a whole character.
  const typed: string[] = [];
  try {
    return await new Promise<string>((resolve, reject) => {
      const onData = (chunk: string): void => {
        for (const char of chunk) {
          if (ENTER.has(char)) {
            input.off('data', onData);
            resolve(typed.join(''));
            return;
          }
          if (char === CTRL_C || (char === CTRL_D && typed.length === 0)) {
            input.off('data', onData);
            reject(new CliError('password prompt cancelled', ExitCode.Interrupted));
            return;
          }
          if (BACKSPACE.has(char)) typed.pop();
          else if (char === CTRL_U) typed.length = 0;
          else if (char >= ' ') typed.push(char);
        }
      };
      input.on('data', onData);
    });
  } finally {
    input.setRawMode(false);
    input.pause();
    output.write('\n');
  }
}
