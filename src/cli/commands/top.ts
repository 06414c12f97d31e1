/**
 * `goneaway top [uri]`: a live view of the server's sessions and how close idle ones are to
 * wait_timeout, refreshed every second, like mytop or innotop.
 */
import { UsageError } from '../cli-error.js';
import type { Command } from '../command.js';
import { closeConnection, connectForCommand } from '../connect-for-command.js';
import { CONNECTION_OPTIONS, describeTarget } from '../connection-options.js';
import { toCliError } from '../describe-error.js';
import { ExitCode } from '../exit-code.js';
import { booleanOption, integerOption, stringOption } from '../option-values.js';
import { seesAllSessions } from '../processlist.js';
import { redactStatementText } from '../redact.js';
import { openConnection } from '../sql-connection.js';
import { renderTop } from '../top/render-top.js';
import { runTop } from '../top/run-top.js';
import { readTopSnapshot, redactSnapshot } from '../top/top-snapshot.js';
import { INITIAL_TOP_STATE, type TopState } from '../top/top-state.js';

/**
 * The `top` command.
 *
 * @example
 * await runCli(['top', '--once', 'mysql://root@127.0.0.1:3306/'], io);
 */
export const top: Command = {
  name: 'top',
  summary: "Live view of the server's sessions and how close idle ones are to wait_timeout",
  usage: '[uri] [options]',
  description: `Shows every session (id, user, host, db, command, time, state, statement) and,
for idle ones, a bar of idle time against wait_timeout with the time left; sessions past 90%
of it are marked ! (and red). Keys: q quit, s sort, r reverse, u filter by user, i hide
idle, p pause, ? help. Needs a terminal; --once prints one screen and exits, --json prints
one snapshot. Statements show no literal ('***' for every string, hex or bit literal, and
comment text): --show-literals shows them, except passwords and keys. Without the PROCESS
privilege it shows only the account's own sessions.`,
  maxPositionals: 1,
  trapsSignals: true,
  options: {
    ...CONNECTION_OPTIONS,
    'interval-ms': { type: 'string', valueName: 'ms', description: 'Refresh every ms (1000)' },
    'filter-user': {
      type: 'string',
      valueName: 'user',
      description: 'Start filtered to this user',
    },
    once: { type: 'boolean', description: 'Print one screen without taking over the terminal' },
    json: { type: 'boolean', description: 'Print one snapshot as JSON' },
    'show-literals': {
      type: 'boolean',
      description: 'Show the literals in statements (passwords and keys stay hidden)',
    },
  },
  examples: [
    'goneaway top mysql://root@127.0.0.1:3306/ --password',
    'goneaway top --once --filter-user app',
    'goneaway top --once --show-literals',
  ],
  async run(context, input) {
    const intervalMs = integerOption(input.values, 'interval-ms', 1_000, { min: 100 });
    const once = booleanOption(input.values, 'once');
    const json = booleanOption(input.values, 'json');
    const interactive = !once && !json;
    if (interactive && (!context.io.stdout.isTTY || !context.io.stdin.isTTY)) {
      throw new UsageError('the live view needs a terminal; use --once or --json for one snapshot');
    }
    const state: TopState = {
      ...INITIAL_TOP_STATE,
      userFilter: stringOption(input.values, 'filter-user') ?? null,
    };
    const showLiterals = booleanOption(input.values, 'show-literals');
    const redact = (sql: string): string =>
      redactStatementText(sql, { showLiterals, redactor: context.redactor });
    const { target, connection } = await connectForCommand(context, input);
    const label = describeTarget(target);

    if (!interactive) {
      try {
        const seesAll = await seesAllSessions(connection).catch(() => null);
        const snapshot = redactSnapshot(await readTopSnapshot(connection), redact);
        if (json) {
          context.out.json({ ...snapshot, seesAllSessions: seesAll });
        } else {
          const lines = renderTop({
            snapshot,
            state,
            target: label,
            columns: context.out.stream.columns ?? 80,
            rows: Number.POSITIVE_INFINITY,
            style: context.out.style,
            seesAllSessions: seesAll,
          });
          for (const line of lines) context.out.line(line);
        }
        return ExitCode.Ok;
      } catch (error) {
        throw toCliError(error, { target: label, phase: 'query' });
      } finally {
        await closeConnection(connection);
      }
    }
    return runTop({
      connection,
      reconnect: async () => (await openConnection(target)).connection,
      target: label,
      out: context.out,
      stdin: context.io.stdin,
      intervalMs,
      signal: context.signal,
      initialState: state,
      redactStatement: redact,
    });
  },
};
