/**
 * Colours for terminal output, or none: colour is used only when the stream is a terminal,
 * `NO_COLOR` is unset or empty (https://no-color.org), `TERM` is not `dumb`, and the user did
 * not pass `--no-color`. Every colour has a plain-text meaning next to it (a word, a `!`), so
 * nothing is lost without it.
 */

/** A function that wraps text in one SGR attribute, or returns it unchanged. */
export type Paint = (text: string) => string;

/** The attributes the CLI uses; all identity functions when colour is off. */
export interface TerminalStyle {
  readonly enabled: boolean;
  readonly bold: Paint;
  readonly dim: Paint;
  readonly red: Paint;
  readonly yellow: Paint;
  readonly green: Paint;
  readonly cyan: Paint;
  readonly inverse: Paint;
}

/** The facts {@link shouldUseColor} decides on. */
export interface ColorContext {
  readonly isTTY: boolean | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly noColorFlag?: boolean;
}

/**
 * Whether to colour a stream.
 *
 * @example
 * shouldUseColor({ isTTY: process.stdout.isTTY, env: process.env }); // false when piped
 */
export function shouldUseColor(context: ColorContext): boolean {
  if (context.noColorFlag) return false;
  if (!context.isTTY) return false;
  const noColor = context.env.NO_COLOR;
  if (noColor !== undefined && noColor !== '') return false;
  return context.env.TERM !== 'dumb';
}

const sgr =
  (open: number, close: number): Paint =>
  (text) =>
    text === '' ? text : `\x1b[${open}m${text}\x1b[${close}m`;
const plain: Paint = (text) => text;

/**
 * The style for a stream: real SGR sequences when `enabled`, identity functions otherwise.
 *
 * @example
 * const style = terminalStyle(shouldUseColor({ isTTY: process.stdout.isTTY, env: process.env }));
 * console.log(style.red('wait_timeout is 5 s'));
 */
export function terminalStyle(enabled: boolean): TerminalStyle {
  if (!enabled) {
    return {
      enabled,
      bold: plain,
      dim: plain,
      red: plain,
      yellow: plain,
      green: plain,
      cyan: plain,
      inverse: plain,
    };
  }
  return {
    enabled,
    bold: sgr(1, 22),
    dim: sgr(2, 22),
    red: sgr(31, 39),
    yellow: sgr(33, 39),
    green: sgr(32, 39),
    cyan: sgr(36, 39),
    inverse: sgr(7, 27),
  };
}

// Built from a code point so the pattern itself holds no control character.
const ANSI_SEQUENCE = new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[A-Za-z]`, 'g');

/**
 * The text without ANSI escape sequences: for measuring how wide it is on screen.
 *
 * @example
 * stripAnsi('\x1b[31mred\x1b[39m'); // 'red'
 */
export function stripAnsi(text: string): string {
  return text.replace(ANSI_SEQUENCE, '');
}
