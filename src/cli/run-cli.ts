/**
 * The dispatcher: finds the command, parses its options, answers `--help` and `--version`,
 * runs it, and turns whatever it throws into one line on stderr and an exit code.
 *
 * Secrets are registered with the redactor before the command line is even parsed, and every
 * byte written goes through it, so no path (a usage error, a driver message, a stack trace
 * under NODE_DEBUG) can print a password.
 */
import { debuglog, parseArgs } from 'node:util';
import { UsageError } from './cli-error.js';
import type { CliIo, Command, CommandContext, CommandInput, OptionSpecs } from './command.js';
import { COMMANDS } from './commands/index.js';
import { normalizePasswordFlag, registerSecrets } from './connection-options.js';
import { describeError } from './describe-error.js';
import { ExitCode } from './exit-code.js';
import { COMMON_OPTIONS, formatCommandHelp, formatMainHelp } from './help.js';
import { createPrinter } from './printer.js';
import { Redactor } from './redact.js';
import { shouldUseColor, terminalStyle } from './terminal-style.js';
import { packageVersion } from './version.js';

const debug = debuglog('goneaway');

/** Options for {@link runCli}; tests and `main.ts` use them, defaults suit everyone else. */
export interface RunCliOptions {
  /** The command table. Default: every goneaway command. */
  readonly commands?: readonly Command[];
  /** Shared with the caller, so a last-resort handler redacts what the commands learnt. */
  readonly redactor?: Redactor;
}

/**
 * Runs `goneaway` with `argv` (without the node and script paths) and resolves the exit code.
 * Never throws and never prints a stack trace (unless NODE_DEBUG=goneaway asks for one).
 *
 * @example
 * process.exitCode = await runCli(process.argv.slice(2), {
 *   stdout: process.stdout,
 *   stderr: process.stderr,
 *   stdin: process.stdin,
 *   env: process.env,
 * });
 */
export async function runCli(
  argv: readonly string[],
  io: CliIo,
  options: RunCliOptions = {},
): Promise<number> {
  const commands = options.commands ?? COMMANDS;
  const redactor = options.redactor ?? new Redactor();
  registerSecrets(argv, io.env, redactor);
  const noColor = argv.includes('--no-color');
  const out = createPrinter(io.stdout, redactor, terminalStyle(colorFor(io.stdout, io, noColor)));
  const err = createPrinter(io.stderr, redactor, terminalStyle(colorFor(io.stderr, io, noColor)));

  const [first, ...rest] = argv;
  if (first === undefined) {
    err.write(formatMainHelp(commands, packageVersion()));
    return ExitCode.Usage;
  }
  if (first === '--help' || first === '-h' || first === 'help') {
    const command = commands.find((candidate) => candidate.name === rest[0]);
    out.write(command ? formatCommandHelp(command) : formatMainHelp(commands, packageVersion()));
    return ExitCode.Ok;
  }
  if (first === '--version' || first === '-V') {
    out.line(packageVersion());
    return ExitCode.Ok;
  }
  const command = commands.find((candidate) => candidate.name === first);
  if (!command) {
    const what = first.startsWith('-') ? `option ${first} before a command` : `command "${first}"`;
    err.line(
      `goneaway: unknown ${what}; commands: ${commands.map((c) => c.name).join(', ')} ` +
        '(see goneaway --help)',
    );
    return ExitCode.Usage;
  }

  const name = `goneaway ${command.name}`;
  const controller = new AbortController();
  const untrap = command.trapsSignals
    ? io.trapSignals?.((signal) => controller.abort(signal))
    : undefined;
  try {
    const input = parseInput(command, rest);
    if (input.values.help === true) {
      out.write(formatCommandHelp(command));
      return ExitCode.Ok;
    }
    const context: CommandContext = {
      commandName: name,
      io,
      out,
      err,
      redactor,
      signal: controller.signal,
    };
    return await command.run(context, input);
  } catch (error) {
    const { message, exitCode } = describeError(error);
    const help = exitCode === ExitCode.Usage ? ` (see ${name} --help)` : '';
    err.line(`${name}: ${message}${help}`);
    if (debug.enabled && error instanceof Error && error.stack) err.line(error.stack);
    return exitCode;
  } finally {
    untrap?.();
  }
}

function parseInput(command: Command, argv: readonly string[]): CommandInput {
  const options: OptionSpecs = { ...command.options, ...COMMON_OPTIONS };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: normalizePasswordFlag(argv),
      options: toParseArgsOptions(options),
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    // Node's messages go on to explain `--` at length; the first sentence says what is wrong.
    const text = error instanceof Error ? error.message : String(error);
    const sentence = (text.split(/\.\s|\n/)[0] ?? text).replace(/\.$/, '');
    throw new UsageError(sentence.charAt(0).toLowerCase() + sentence.slice(1));
  }
  if (parsed.positionals.length > command.maxPositionals) {
    const expected =
      command.maxPositionals === 0
        ? 'no arguments'
        : `at most ${command.maxPositionals} argument${command.maxPositionals === 1 ? '' : 's'}`;
    // The arguments themselves are not quoted: one of them may be a password typed in the wrong place.
    throw new UsageError(`expected ${expected}, got ${parsed.positionals.length}`);
  }
  return { values: parsed.values, positionals: parsed.positionals };
}

type ParseArgsOptions = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

function toParseArgsOptions(options: OptionSpecs): ParseArgsOptions {
  const result: NonNullable<ParseArgsOptions> = {};
  for (const [name, spec] of Object.entries(options)) {
    result[name] = {
      type: spec.type,
      ...(spec.short ? { short: spec.short } : {}),
      ...(spec.multiple ? { multiple: true } : {}),
    };
  }
  return result;
}

function colorFor(stream: { readonly isTTY?: boolean }, io: CliIo, noColorFlag: boolean): boolean {
  return shouldUseColor({ isTTY: stream.isTTY, env: io.env, noColorFlag });
}
