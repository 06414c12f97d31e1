/**
 * `--help` text, drawn from the same command table the parser uses, so the two cannot drift.
 */
import type { Command, OptionSpec, OptionSpecs } from './command.js';

/** Options every command accepts, added by the dispatcher. */
export const COMMON_OPTIONS: OptionSpecs = {
  help: { type: 'boolean', description: 'Show this help' },
  'no-color': { type: 'boolean', description: 'No colours (also: NO_COLOR=1, or not a terminal)' },
};

const EXIT_CODES =
  'Exit codes: 0 ok, 1 problem found or command failed, 2 usage error, 3 cannot connect, ' +
  '4 access denied, 130 interrupted.';

/**
 * The help for `goneaway` without a command.
 *
 * @example
 * process.stdout.write(formatMainHelp(commands, '0.1.0'));
 */
export function formatMainHelp(commands: readonly Command[], version: string): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  return [
    `goneaway ${version}: MySQL and MariaDB connections that survive the server going away`,
    '',
    'Usage: goneaway <command> [options]',
    '',
    'Commands:',
    ...commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    '',
    'Options:',
    "  --help, -h      Show this help; goneaway <command> --help shows a command's options",
    '  --version, -V   Show the version',
    '',
    'A server is named by a URI argument (mysql://user:password@host:port/database), by',
    'DATABASE_URL or MYSQL_URL, or by --host/--port/--user/--password/--socket options.',
    EXIT_CODES,
    '',
  ].join('\n');
}

/**
 * The help for one command.
 *
 * @example
 * process.stdout.write(formatCommandHelp(doctor));
 */
export function formatCommandHelp(command: Command): string {
  const options = { ...command.options, ...COMMON_OPTIONS };
  const rows = Object.entries(options)
    .filter(([, spec]) => !spec.hidden)
    .map(([name, spec]) => [optionLabel(name, spec), spec.description] as const);
  const width = Math.min(30, Math.max(...rows.map(([label]) => label.length)));
  const lines = [`Usage: goneaway ${command.name} ${command.usage}`.trimEnd(), ''];
  lines.push(`${command.summary}.`, '');
  if (command.description) lines.push(command.description.trim(), '');
  lines.push('Options:');
  for (const [label, description] of rows) {
    lines.push(
      label.length > width
        ? `  ${label}\n  ${''.padEnd(width)}  ${description}`
        : `  ${label.padEnd(width)}  ${description}`,
    );
  }
  if (command.examples?.length) {
    lines.push('', 'Examples:', ...command.examples.map((example) => `  ${example}`));
  }
  lines.push('', EXIT_CODES, '');
  return lines.join('\n');
}

function optionLabel(name: string, spec: OptionSpec): string {
  const short = spec.short ? `-${spec.short}, ` : '    ';
  const placeholder = `<${spec.valueName ?? 'value'}>`;
  const value =
    spec.type === 'boolean' ? '' : spec.optionalValue ? `[=${placeholder}]` : ` ${placeholder}`;
  return `${short}--${name}${value}`;
}
