import type { OutputStream, Printer } from './command.js';
import type { Redactor } from './redact.js';
import type { TerminalStyle } from './terminal-style.js';

/**
 * A {@link Printer} over one stream: everything written goes through `redactor` first, except
 * what is written with `writeUnredacted()`.
 *
 * @example
 * const out = createPrinter(process.stdout, redactor, terminalStyle(false));
 * out.line('wait_timeout is 60 s');
 */
export function createPrinter(
  stream: OutputStream,
  redactor: Redactor,
  style: TerminalStyle,
): Printer {
  return {
    stream,
    style,
    write: (text) => {
      stream.write(redactor.redact(text));
    },
    line: (text = '') => {
      stream.write(`${redactor.redact(text)}\n`);
    },
    json: (value) => {
      stream.write(`${redactor.redact(JSON.stringify(value, null, 2))}\n`);
    },
    writeUnredacted: (text) => {
      stream.write(text);
    },
  };
}
