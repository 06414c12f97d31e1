/**
 * `goneaway doctor [uri]`: a report on why connections to a server go away, and what to set.
 */
import type { Command } from '../command.js';
import { closeConnection, connectForCommand } from '../connect-for-command.js';
import { CONNECTION_OPTIONS, describeTarget } from '../connection-options.js';
import { toCliError } from '../describe-error.js';
import { buildReport } from '../doctor/build-report.js';
import { collectFacts } from '../doctor/collect-facts.js';
import { renderReport } from '../doctor/render-report.js';
import { ExitCode } from '../exit-code.js';
import { booleanOption } from '../option-values.js';
import { openConnection } from '../sql-connection.js';
import { packageVersion } from '../version.js';

/**
 * The `doctor` command.
 *
 * @example
 * await runCli(['doctor', '--json', 'mysql://root@127.0.0.1:3306/'], io);
 */
export const doctor: Command = {
  name: 'doctor',
  summary: 'Diagnose a server: timeouts, proxies, idle sessions, and the settings to use',
  usage: '[uri] [options]',
  description: `Connects once and reports the server's version and flavour, its timeout
variables (session and global), connection counters, the round-trip time, TLS, whether a
proxy sits in front, and a summary of the sessions (idle ones and how close they are to
wait_timeout). Then recommendations for goneaway and for common pools, derived from what
it measured. Without the PROCESS privilege it reports what it could see and says what it
could not. Exits 1 when a recommendation is a warning.`,
  maxPositionals: 1,
  options: {
    ...CONNECTION_OPTIONS,
    json: { type: 'boolean', description: 'Print the report as JSON' },
  },
  examples: [
    'goneaway doctor mysql://app@db.internal:3306/shop --password',
    'DATABASE_URL=mysql://app:secret@db/shop goneaway doctor --json',
    'goneaway doctor -h 127.0.0.1 -P 3306 -u root',
  ],
  async run(context, input) {
    const { target, connection, connectMs: firstMs } = await connectForCommand(context, input);
    let facts: Awaited<ReturnType<typeof collectFacts>>;
    try {
      // The first connect also pays for the driver's lazy set-up; a second one times the server.
      const again = await openConnection(target).then(
        async (second) => {
          await closeConnection(second.connection);
          return second.connectMs;
        },
        () => firstMs,
      );
      facts = await collectFacts(connection, Math.min(firstMs, again));
    } catch (error) {
      throw toCliError(error, { target: describeTarget(target), phase: 'query' });
    } finally {
      await closeConnection(connection);
    }
    const report = buildReport(facts, target, packageVersion());
    if (booleanOption(input.values, 'json')) {
      context.out.json(report);
    } else {
      const stream = context.out.stream;
      const width = stream.isTTY ? stream.columns : undefined;
      for (const line of renderReport(report, { style: context.out.style, width })) {
        context.out.line(line);
      }
    }
    return report.recommendations.some((r) => r.level === 'warn') ? ExitCode.Problem : ExitCode.Ok;
  },
};
