/**
 * The shape of one `goneaway` command. Each command lives in `commands/<name>.ts` and exports
 * one {@link Command}; `commands/index.ts` lists them. The dispatcher (`run-cli.ts`) parses
 * the command line against `options`, answers `--help` from the same table, builds the
 * {@link CommandContext} and maps whatever `run()` throws to a one-line message and an exit
 * code, so a command only does its own work.
 */
import type { Redactor } from './redact.js';
import type { TerminalStyle } from './terminal-style.js';

/** One command-line option, as `node:util` parseArgs takes it, plus what `--help` shows. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly multiple?: boolean;
  /** One line for `--help`. */
  readonly description: string;
  /** Placeholder for the value in `--help`, e.g. `ms` in `--connect-timeout-ms <ms>`. */
  readonly valueName?: string;
  /** Shown as `--name[=<value>]`: the option also works without a value. */
  readonly optionalValue?: boolean;
  /** Left out of `--help` (internal flags). */
  readonly hidden?: boolean;
}

/** Options by long name (without `--`). */
export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/** Parsed option values by long name. */
export type OptionValues = Readonly<
  Record<string, string | boolean | readonly (string | boolean)[] | undefined>
>;

/** What a command's `run()` receives from the command line. */
export interface CommandInput {
  readonly values: OptionValues;
  readonly positionals: readonly string[];
}

/** A writable terminal or pipe, as much of `process.stdout` as the CLI uses. */
export interface OutputStream {
  write(chunk: string): boolean;
  readonly isTTY?: boolean;
  readonly columns?: number;
  readonly rows?: number;
  on(event: 'resize', listener: () => void): unknown;
  off(event: 'resize', listener: () => void): unknown;
}

/** A readable terminal or pipe, as much of `process.stdin` as the CLI uses. */
export interface InputStream {
  readonly isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
  setEncoding(encoding: BufferEncoding): unknown;
  on(event: 'data', listener: (chunk: string) => void): unknown;
  off(event: 'data', listener: (chunk: string) => void): unknown;
  resume(): unknown;
  pause(): unknown;
}

/** The process's streams and environment; tests pass their own. */
export interface CliIo {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly stdin: InputStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * Calls `listener` on SIGINT, SIGTERM and SIGHUP instead of the default (dying at once),
   * until the returned function is called. Only commands with `trapsSignals` get this.
   */
  trapSignals?(listener: (signal: NodeJS.Signals) => void): () => void;
}

/** Line-oriented, redacting output to one stream. */
export interface Printer {
  /** Writes text as is, after redaction. */
  write(text: string): void;
  /** Writes text and a newline, after redaction. */
  line(text?: string): void;
  /** Writes a value as indented JSON and a newline, after redaction. */
  json(value: unknown): void;
  /**
   * Writes text WITHOUT redaction. Only for a secret the user asked to see (the throwaway
   * sandbox's password in the URI `goneaway sandbox` prints); never for anything else.
   */
  writeUnredacted(text: string): void;
  /** Colours for this stream (identity functions when colour is off). */
  readonly style: TerminalStyle;
  /** The underlying stream, for size and resize events. */
  readonly stream: OutputStream;
}

/** Everything a command may use besides its parsed input. */
export interface CommandContext {
  /** `goneaway <name>`: the prefix of every error message. */
  readonly commandName: string;
  readonly io: CliIo;
  readonly out: Printer;
  readonly err: Printer;
  readonly redactor: Redactor;
  /** Aborted on SIGINT/SIGTERM/SIGHUP when the command `trapsSignals`; never aborted otherwise. */
  readonly signal: AbortSignal;
}

/**
 * One `goneaway` command.
 *
 * @example
 * import type { Command } from './command.js';
 * export const hello: Command = {
 *   name: 'hello',
 *   summary: 'Say hello',
 *   usage: '[name]',
 *   maxPositionals: 1,
 *   options: {},
 *   async run(context, input) {
 *     context.out.line(`hello ${input.positionals[0] ?? 'world'}`);
 *     return 0;
 *   },
 * };
 */
export interface Command {
  readonly name: string;
  /** One line for `goneaway --help`. */
  readonly summary: string;
  /** What follows `goneaway <name>` in the usage line, e.g. `[uri] [options]`. */
  readonly usage: string;
  /** Paragraphs for `goneaway <name> --help`. */
  readonly description?: string;
  readonly options: OptionSpecs;
  /** How many positional arguments the command takes at most. */
  readonly maxPositionals: number;
  /**
   * Whether the command cleans up on SIGINT/SIGTERM/SIGHUP (through `context.signal`); other
   * commands just die, which is right for a command that holds nothing worth cleaning up.
   */
  readonly trapsSignals?: boolean;
  /** Lines of examples for `--help`, each a full command line. */
  readonly examples?: readonly string[];
  /** Does the work; resolves the exit code. Throws a `CliError` for an expected failure. */
  run(context: CommandContext, input: CommandInput): Promise<number>;
}
