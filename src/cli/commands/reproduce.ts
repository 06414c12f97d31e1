/**
 * `goneaway reproduce`: the seed experiment, side by side. First plain mysql2: a connection
 * idles past its session `wait_timeout`, the server closes it, and every later call fails.
 * Then goneaway doing the same work: no error, and the events that say why. It never touches
 * global settings: the short `wait_timeout` is set per session. Without a URI it starts a
 * throwaway MariaDB and removes it at the end. This is what `npm run demo` runs.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createPool, type PoolEventMap } from '../../index.js';
import { type Sandbox, startSandbox } from '../../testing/index.js';
import { CliError, UsageError } from '../cli-error.js';
import type { Command, CommandContext, Printer } from '../command.js';
import { ExitCode } from '../exit-code.js';
import { booleanOption, stringOption } from '../option-values.js';
import {
  type ExperimentStep,
  runSeedExperiment,
  type SeedExperimentRecord,
} from '../reproduce/seed-experiment.js';

/** What goneaway did in one "after" scenario. */
interface AfterScenario {
  readonly title: string;
  readonly statements: { readonly sql: string; readonly ok: boolean; readonly detail: string }[];
  readonly events: string[];
}

/**
 * The `reproduce` command.
 *
 * @example
 * await runCli(['reproduce'], io); // starts a sandbox, prints both halves, exits 0
 */
export const reproduce: Command = {
  name: 'reproduce',
  summary: 'Reproduce "server has gone away" with plain mysql2, then show goneaway surviving it',
  usage: '[uri] [options]',
  description: `Runs the experiment from goneaway's origin story: a connection idles longer than the
server's wait_timeout, the server closes it, and the application uses it again. First with
plain mysql2 (what your application sees today: the first error, then every later call),
then with goneaway (no error, and the events that explain the recovery). The short
wait_timeout is set on each session only; global settings are never changed. Without a URI
(argument, DATABASE_URL or MYSQL_URL) a throwaway MariaDB is started and removed afterwards.`,
  maxPositionals: 1,
  trapsSignals: true,
  options: {
    'wait-timeout-s': {
      type: 'string',
      valueName: 's',
      description: 'Session wait_timeout for the experiment, in seconds (2)',
    },
    json: { type: 'boolean', description: 'Print what happened as JSON' },
  },
  examples: [
    'goneaway reproduce',
    'goneaway reproduce mysql://app:secret@127.0.0.1:3306/shop --wait-timeout-s 3',
  ],
  async run(context, input) {
    const waitTimeoutS = Number(stringOption(input.values, 'wait-timeout-s') ?? 2);
    if (!Number.isInteger(waitTimeoutS) || waitTimeoutS < 1 || waitTimeoutS > 60) {
      throw new UsageError('--wait-timeout-s must be a whole number of seconds from 1 to 60');
    }
    const json = booleanOption(input.values, 'json');
    const { out } = context;
    let uri = input.positionals[0] ?? context.io.env.DATABASE_URL ?? context.io.env.MYSQL_URL;
    let sandbox: Sandbox | undefined;
    if (!uri) {
      if (!json)
        out.line(out.style.dim('No server given: starting a throwaway MariaDB on 127.0.0.1 …'));
      sandbox = await startSandbox().catch((error: unknown) => {
        const first = (error instanceof Error ? error.message : String(error)).split('\n')[0];
        throw new CliError(`could not start MariaDB: ${first}`, ExitCode.Problem, { cause: error });
      });
      context.redactor.add(sandbox.password);
      uri = sandbox.uri;
      if (!json)
        out.line(
          out.style.dim(`MariaDB ${sandbox.version} is up on ${sandbox.host}:${sandbox.port}.\n`),
        );
    }
    try {
      if (!json)
        header(
          out,
          `1. Plain mysql2: SET SESSION wait_timeout = ${waitTimeoutS}, query, idle, query again`,
        );
      const before = await runSeedExperiment({ uri, waitTimeoutS });
      if (!json) printBefore(out, before);

      if (!json) header(out, '2. goneaway: the same work, through createPool()');
      const after = [
        await afterScenario(context, uri, waitTimeoutS, 'server', json),
        await afterScenario(context, uri, waitTimeoutS, 'auto', json),
      ];
      const failures = after.flatMap((s) => s.statements.filter((statement) => !statement.ok));
      if (json) {
        out.json({ waitTimeoutS, before, after, goneawayErrors: failures.length });
      } else {
        printSummary(out, before, failures.length);
      }
      return failures.length === 0 ? ExitCode.Ok : ExitCode.Problem;
    } finally {
      await sandbox?.stop();
    }
  },
};

/**
 * One goneaway run. `'server'`: goneaway's own idle retirement is set far above the session's
 * wait_timeout, so the server closes the connection and goneaway must notice and replace it.
 * `'auto'`: the default, where goneaway retires the connection just before the server would.
 */
async function afterScenario(
  context: CommandContext,
  uri: string,
  waitTimeoutS: number,
  mode: 'server' | 'auto',
  quiet: boolean,
): Promise<AfterScenario> {
  const { out } = context;
  const title =
    mode === 'server'
      ? `the server closes the idle connection (idleTimeoutMs set above wait_timeout)`
      : `default settings: goneaway retires the connection before the server's wait_timeout`;
  const db = createPool(uri, {
    max: 2,
    initSql: [`SET SESSION wait_timeout = ${waitTimeoutS}`],
    ...(mode === 'server' ? { idleTimeoutMs: 3_600_000 } : {}),
  });
  const scenario: AfterScenario = { title, statements: [], events: [] };
  const note = (text: string): void => {
    scenario.events.push(text);
    if (!quiet) out.line(`    ${out.style.cyan('event')} ${text}`);
  };
  db.on('connect', (e) =>
    note(
      `connect: connection ${e.connectionId}, server wait_timeout ${describeMs(e.waitTimeoutMs)}`,
    ),
  );
  db.on('close', (e) =>
    note(`close: connection ${e.connectionId} (${e.reason}) after ${describeMs(e.idleMs)} idle`),
  );
  db.on('loss', (e: PoolEventMap['loss']) =>
    note(
      `loss: connection ${e.connectionId} died while ${e.while} (${e.error.systemCode ?? e.error.driverCode ?? e.error.code})`,
    ),
  );
  db.on('retry', (e) => note(`retry: ${e.reason}`));
  if (!quiet) out.line(`\n  ${out.style.bold(title)}`);
  const run = async (sql: string): Promise<void> => {
    try {
      const rows = await db.query<{ id: number }[]>(sql);
      const detail = `ok, connection ${rows[0]?.id}`;
      scenario.statements.push({ sql, ok: true, detail });
      if (!quiet) out.line(`    ${out.style.green('✔')} ${sql}  ${out.style.dim(detail)}`);
    } catch (error) {
      const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      scenario.statements.push({ sql, ok: false, detail });
      if (!quiet) out.line(`    ${out.style.red('✘')} ${sql}  ${detail}`);
    }
  };
  try {
    await run('SELECT CONNECTION_ID() AS id');
    await countdown(context, waitTimeoutS + 1, quiet);
    await run('SELECT CONNECTION_ID() AS id');
    await run('SELECT CONNECTION_ID() AS id');
  } finally {
    await db.end();
  }
  return scenario;
}

/** Waits `seconds`, showing a countdown on a terminal; bounded and abortable by Ctrl-C. */
async function countdown(context: CommandContext, seconds: number, quiet: boolean): Promise<void> {
  const { out, signal } = context;
  const live = !quiet && out.stream.isTTY === true;
  for (let left = seconds; left > 0; left--) {
    if (signal.aborted) throw new CliError('interrupted', ExitCode.Interrupted);
    if (live) out.write(`\r    … idle, ${left} s left `);
    await sleep(1_000, undefined, { signal }).catch(() => undefined);
  }
  if (live) out.write('\r\x1b[K');
  else if (!quiet) out.line(`    … idle for ${seconds} s (longer than wait_timeout)`);
}

function header(out: Printer, text: string): void {
  out.line(`\n${out.style.bold(text)}`);
}

function printBefore(out: Printer, record: SeedExperimentRecord): void {
  out.line(out.style.dim(`  server ${record.serverVersion}, mysql2 ${record.mysql2Version}`));
  for (const scenario of [record.connection, record.pool]) {
    out.line(`\n  ${out.style.bold(scenario.title)}`);
    for (const step of scenario.steps) out.line(`    ${describeStep(out, step)}`);
  }
}

function describeStep(out: Printer, step: ExperimentStep): string {
  const mark =
    step.outcome === 'ok'
      ? out.style.green('✔')
      : step.outcome === 'event'
        ? out.style.yellow('!')
        : out.style.red('✘');
  const error = step.error
    ? ` ${out.style.red([step.error.code, step.error.errno].filter((v) => v !== undefined).join(' ') || '(no code)')} ${step.error.message}`
    : '';
  const result = step.result ? ` ${out.style.dim(step.result)}` : '';
  return `${mark} ${step.action}${error}${result}`;
}

function printSummary(out: Printer, before: SeedExperimentRecord, goneawayErrors: number): void {
  const failed = [...before.connection.steps, ...before.pool.steps].filter(
    (step) => step.outcome === 'failed',
  );
  const codes = [...new Set(failed.map((step) => step.error?.code ?? step.error?.message ?? '?'))];
  header(out, 'Summary');
  out.line(
    `  plain mysql2: ${failed.length} failed calls after the idle period (${codes.join('; ')})`,
  );
  out.line(
    goneawayErrors === 0
      ? `  goneaway:     ${out.style.green('0 errors')}; the events above show how each dead connection was noticed and replaced`
      : `  goneaway:     ${out.style.red(`${goneawayErrors} errors`)} — please report this`,
  );
}

function describeMs(ms: number | undefined): string {
  if (ms === undefined) return 'unknown';
  return ms >= 1_000 ? `${(ms / 1_000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}
