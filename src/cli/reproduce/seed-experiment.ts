/**
 * The experiment behind goneaway, run with plain mysql2: let the server close an idle
 * connection (a short `wait_timeout`), then use it again, and record exactly what mysql2
 * reports at each step. The CLI prints it as the "before" half of its demo; the test kit's
 * own tests assert on it.
 *
 * Two scenarios:
 * - a single connection (`mysql.createConnection`) that idles past its `wait_timeout`;
 * - a pool (`mysql.createPool`) with one connection idle in the pool and one held by the
 *   application, both idling past their `wait_timeout`.
 */
import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import mysql from 'mysql2/promise';

/** Options for {@link runSeedExperiment}. */
export interface SeedExperimentOptions {
  /** `mysql://user:password@host:port/database` of the server to run against. */
  readonly uri: string;
  /** The session `wait_timeout` set on each connection, in seconds. Default 2. */
  readonly waitTimeoutS?: number;
  /**
   * How long to wait, beyond `waitTimeoutS`, for the server to close an idle connection
   * before giving up, in ms. Default 10 000.
   */
  readonly closeGraceMs?: number;
}

/** The fields of an error mysql2 reported, as they were (no field is invented). */
export interface ObservedError {
  /** mysql2's or Node's code, e.g. `'ECONNRESET'`; absent when mysql2 sets none. */
  readonly code?: string;
  readonly errno?: number;
  readonly sqlState?: string;
  readonly fatal?: boolean;
  readonly message: string;
}

/** One thing done (or seen) during a scenario. */
export interface ExperimentStep {
  /** What was done, e.g. `'query: SELECT 1'`, or what was seen, e.g. `'server closed idle connection'`. */
  readonly action: string;
  /** `'event'` is something mysql2 emitted on its own, not the answer to a call. */
  readonly outcome: 'ok' | 'failed' | 'event';
  /** When the step ended, in ms since the scenario began. */
  readonly atMs: number;
  /** How long the call took (for an event: how long the connection had been idle), in ms. */
  readonly tookMs: number;
  /** The server's connection id the step ran on or was about, when known. */
  readonly connectionId?: number;
  /** A short description of a successful result. */
  readonly result?: string;
  /** What mysql2 reported, for `'failed'` steps and error events. */
  readonly error?: ObservedError;
}

/** The steps of one scenario, in order. */
export interface ScenarioRecord {
  readonly title: string;
  readonly steps: readonly ExperimentStep[];
}

/** Everything {@link runSeedExperiment} observed. */
export interface SeedExperimentRecord {
  readonly serverVersion: string;
  readonly mysql2Version: string;
  readonly waitTimeoutS: number;
  readonly connection: ScenarioRecord;
  readonly pool: ScenarioRecord;
}

/**
 * Runs the wait_timeout experiment with plain mysql2 and returns what happened at each step.
 * Takes a little more than `waitTimeoutS` per scenario. Never logs; the caller prints.
 *
 * @throws Error when the server does not close an idle connection within
 *   `waitTimeoutS * 1000 + closeGraceMs`, or when a step that must work (connecting, the
 *   first statements) fails.
 * @example
 * import { testServer } from 'goneaway/testing';
 * import { runSeedExperiment } from './seed-experiment.js'; // internal: the CLI's import
 * const server = await testServer();
 * const record = await runSeedExperiment({ uri: server.uri, waitTimeoutS: 2 });
 * for (const step of record.connection.steps) {
 *   console.log(step.action, step.outcome, step.error?.code ?? '', step.error?.message ?? '');
 * }
 * await server.stop();
 */
export async function runSeedExperiment(
  options: SeedExperimentOptions,
): Promise<SeedExperimentRecord> {
  const waitTimeoutS = options.waitTimeoutS ?? 2;
  if (!Number.isInteger(waitTimeoutS) || waitTimeoutS < 1) {
    throw new RangeError(
      `runSeedExperiment: waitTimeoutS must be an integer >= 1, got ${waitTimeoutS}.`,
    );
  }
  const closeBoundMs = waitTimeoutS * 1_000 + (options.closeGraceMs ?? 10_000);
  const connection = await connectionScenario(options.uri, waitTimeoutS, closeBoundMs);
  const pool = await poolScenario(options.uri, waitTimeoutS, closeBoundMs);
  return {
    serverVersion: connection.serverVersion,
    mysql2Version: mysql2Version(),
    waitTimeoutS,
    connection: connection.record,
    pool,
  };
}

async function connectionScenario(
  uri: string,
  waitTimeoutS: number,
  closeBoundMs: number,
): Promise<{ record: ScenarioRecord; serverVersion: string }> {
  const log = new StepLog();
  const connection = await log.must('connect (mysql.createConnection)', () =>
    mysql.createConnection({ uri }),
  );
  const id = connection.threadId ?? undefined;
  try {
    const closed = closeEvent(connection, closeBoundMs);
    const [rows] = await log.must(
      'query: SELECT VERSION()',
      () => connection.query<mysql.RowDataPacket[]>('SELECT VERSION() AS v'),
      id,
    );
    const serverVersion = String(rows[0]?.v);
    await log.must(
      `query: SET SESSION wait_timeout = ${waitTimeoutS}`,
      () => connection.query(`SET SESSION wait_timeout = ${waitTimeoutS}`),
      id,
    );
    await log.must('query: SELECT 1', () => connection.query('SELECT 1'), id);
    const idleSince = performance.now();
    log.event('server closed the idle connection', await closed, idleSince, id);
    await log.attempt('query: SELECT 1', () => connection.query('SELECT 1'), id);
    await log.attempt('query: SELECT 1 (again)', () => connection.query('SELECT 1'), id);
    await log.attempt('execute: SELECT ?', () => connection.execute('SELECT ?', [1]), id);
    await log.attempt('ping()', () => connection.ping(), id);
    await log.attempt('beginTransaction()', () => connection.beginTransaction(), id);
    await log.attempt('end()', () => connection.end(), id);
    return {
      record: { title: 'one connection (mysql.createConnection)', steps: log.steps },
      serverVersion,
    };
  } finally {
    connection.destroy();
  }
}

async function poolScenario(
  uri: string,
  waitTimeoutS: number,
  closeBoundMs: number,
): Promise<ScenarioRecord> {
  const log = new StepLog();
  // Two connections at most: one goes back to the pool, the application keeps the other.
  const pool = mysql.createPool({ uri, connectionLimit: 2, maxIdle: 2 });
  try {
    const returned = await log.must('pool.getConnection() (to be released)', () =>
      pool.getConnection(),
    );
    const held = await log.must('pool.getConnection() (to be held)', () => pool.getConnection());
    const returnedId = returned.threadId ?? undefined;
    const heldId = held.threadId ?? undefined;
    // Each promise wrapper forwards its core connection's events once someone listens.
    const returnedClosed = closeEvent(returned, closeBoundMs);
    const heldClosed = closeEvent(held, closeBoundMs);
    for (const [connection, id] of [
      [returned, returnedId],
      [held, heldId],
    ] as const) {
      await log.must(
        `query: SET SESSION wait_timeout = ${waitTimeoutS}`,
        () => connection.query(`SET SESSION wait_timeout = ${waitTimeoutS}`),
        id,
      );
    }
    const idleSince = performance.now();
    returned.release();
    log.ok('release() the first connection (idle in the pool)', 0, returnedId);
    log.event(
      'server closed the connection idle in the pool',
      await returnedClosed,
      idleSince,
      returnedId,
    );
    log.event(
      'server closed the connection held by the application',
      await heldClosed,
      idleSince,
      heldId,
    );
    await log.attempt(
      'pool.query: SELECT CONNECTION_ID()',
      async () => describeId(await pool.query<mysql.RowDataPacket[]>(idSql), [returnedId, heldId]),
      undefined,
    );
    await log.attempt('held connection query: SELECT 1', () => held.query('SELECT 1'), heldId);
    held.release();
    log.ok('release() the held connection', 0, heldId);
    await log.attempt(
      'pool.query: SELECT CONNECTION_ID()',
      async () => describeId(await pool.query<mysql.RowDataPacket[]>(idSql), [returnedId, heldId]),
      undefined,
    );
    return { title: 'a pool (mysql.createPool, connectionLimit 2)', steps: log.steps };
  } finally {
    await pool.end().catch(() => {});
  }
}

const idSql = 'SELECT CONNECTION_ID() AS id';

/** Says whether the pool answered on one of the dead connections or on a new one. */
function describeId(
  [rows]: [mysql.RowDataPacket[], unknown],
  dead: (number | undefined)[],
): string {
  const id = Number(rows[0]?.id);
  return dead.includes(id)
    ? `answered on connection ${id}: a connection the server had closed`
    : `answered on connection ${id}: a new connection`;
}

/** How mysql2 announced that the server closed an idle connection. */
interface CloseEvent {
  readonly event: 'error' | 'end';
  readonly error?: ObservedError;
  /** `performance.now()` when it was emitted. */
  readonly at: number;
}

/**
 * Resolves with the first 'error' or 'end' mysql2 emits on `emitter`. Listening also keeps
 * an 'error' from being thrown as an uncaught exception.
 */
function closeEvent(emitter: EventEmitter, boundMs: number): Promise<CloseEvent> {
  return new Promise((resolve, reject) => {
    const done = (event: CloseEvent): void => {
      clearTimeout(timer);
      emitter.off('error', onError);
      emitter.off('end', onEnd);
      // Stay subscribed: a later 'error' with nobody listening would crash the process.
      emitter.on('error', () => {});
      resolve(event);
    };
    const onError = (error: unknown): void =>
      done({ event: 'error', error: observe(error), at: performance.now() });
    const onEnd = (): void => done({ event: 'end', at: performance.now() });
    const timer = setTimeout(() => {
      emitter.off('error', onError);
      emitter.off('end', onEnd);
      reject(
        new Error(
          `runSeedExperiment: the server did not close the idle connection within ${boundMs} ms.`,
        ),
      );
    }, boundMs);
    emitter.once('error', onError);
    emitter.once('end', onEnd);
  });
}

/** Records steps with their timing. */
class StepLog {
  readonly steps: ExperimentStep[] = [];
  readonly #start = performance.now();

  /** Runs a step that has to work for the experiment to mean anything. */
  async must<T>(action: string, run: () => Promise<T>, connectionId?: number): Promise<T> {
    const started = performance.now();
    try {
      const value = await run();
      this.#push({ action, outcome: 'ok', tookMs: performance.now() - started, connectionId });
      return value;
    } catch (error) {
      throw new Error(`runSeedExperiment: '${action}' failed: ${observe(error).message}`, {
        cause: error,
      });
    }
  }

  /** Runs a step whose failure is the observation. */
  async attempt(action: string, run: () => Promise<unknown>, connectionId?: number): Promise<void> {
    const started = performance.now();
    try {
      const value = await run();
      this.#push({
        action,
        outcome: 'ok',
        tookMs: performance.now() - started,
        connectionId,
        result: typeof value === 'string' ? value : undefined,
      });
    } catch (error) {
      this.#push({
        action,
        outcome: 'failed',
        tookMs: performance.now() - started,
        connectionId,
        error: observe(error),
      });
    }
  }

  ok(action: string, tookMs: number, connectionId?: number): void {
    this.#push({ action, outcome: 'ok', tookMs, connectionId });
  }

  /** Records an event seen at `seen.at` on a connection idle since `idleSince`. */
  event(action: string, seen: CloseEvent, idleSince: number, connectionId?: number): void {
    this.#push(
      {
        action,
        outcome: 'event',
        tookMs: seen.at - idleSince,
        connectionId,
        result: `mysql2 emitted '${seen.event}'`,
        error: seen.error,
      },
      seen.at,
    );
  }

  #push(step: Omit<ExperimentStep, 'atMs'>, endedAt = performance.now()): void {
    const entry: ExperimentStep = {
      ...step,
      atMs: Math.round(endedAt - this.#start),
      tookMs: Math.round(step.tookMs),
    };
    // Leave optional fields out rather than present-but-undefined, so records compare cleanly.
    this.steps.push(
      Object.fromEntries(
        Object.entries(entry).filter(([, value]) => value !== undefined),
      ) as unknown as ExperimentStep,
    );
  }
}

/** Copies the fields mysql2 and Node put on an error; never the SQL or parameters. */
function observe(error: unknown): ObservedError {
  if (!(error instanceof Error)) return { message: String(error) };
  const fields = error as Error & {
    code?: unknown;
    errno?: unknown;
    sqlState?: unknown;
    fatal?: unknown;
  };
  return {
    ...(typeof fields.code === 'string' ? { code: fields.code } : {}),
    ...(typeof fields.errno === 'number' ? { errno: fields.errno } : {}),
    ...(typeof fields.sqlState === 'string' ? { sqlState: fields.sqlState } : {}),
    ...(typeof fields.fatal === 'boolean' ? { fatal: fields.fatal } : {}),
    message: error.message,
  };
}

function mysql2Version(): string {
  const require = createRequire(import.meta.url);
  try {
    return String((require('mysql2/package.json') as { version?: unknown }).version);
  } catch {
    return 'unknown';
  }
}
