/**
 * The problem goneaway exists for, reproduced with plain mysql2 (no goneaway): a connection
 * idles past the server's wait_timeout, the server closes it, and the application uses it
 * again. These assertions pin down exactly what mysql2 reports, so the rest of goneaway
 * (and its docs) rest on observed codes, not remembered ones.
 */
import assert from 'node:assert/strict';
import { constants } from 'node:os';
import { after, before, describe, test } from 'node:test';
import {
  type ExperimentStep,
  runSeedExperiment,
  type ScenarioRecord,
  type SeedExperimentRecord,
} from '../../src/cli/reproduce/seed-experiment.js';
import { type Sandbox, testServer } from '../../src/testing/index.js';

const CLOSED_STATE = "Can't add new command when connection is in closed state";
const WAIT_TIMEOUT_S = 2;

/** What mysql2 emitted when MariaDB closed an idle connection on wait_timeout (measured). */
const closedByServer = {
  code: 'ECONNRESET',
  errno: -constants.errno.ECONNRESET,
  fatal: true,
  message: 'read ECONNRESET',
};

let server: Sandbox;
let record: SeedExperimentRecord;

before(async () => {
  server = await testServer();
  record = await runSeedExperiment({ uri: server.uri, waitTimeoutS: WAIT_TIMEOUT_S });
});

after(async () => {
  await server?.stop();
});

function steps(scenario: ScenarioRecord, action: string): ExperimentStep[] {
  return scenario.steps.filter((step) => step.action === action);
}

function only(scenario: ScenarioRecord, action: string): ExperimentStep {
  const found = steps(scenario, action);
  assert.equal(found.length, 1, `one step '${action}' in ${scenario.title}`);
  return found[0] as ExperimentStep;
}

function report(t: { diagnostic(message: string): void }, scenario: ScenarioRecord): void {
  t.diagnostic(`${scenario.title} (${record.serverVersion}, mysql2 ${record.mysql2Version})`);
  for (const step of scenario.steps) {
    const error = step.error
      ? ` ${step.error.code ?? '(no code)'} errno=${step.error.errno ?? '-'} fatal=${step.error.fatal} "${step.error.message}"`
      : '';
    t.diagnostic(
      `  +${step.atMs} ms ${step.action}: ${step.outcome}${step.result ? ` (${step.result})` : ''}${error} [${step.tookMs} ms]`,
    );
  }
}

/** How long the server let a connection idle before closing it: wait_timeout, not less. */
function assertClosedAfterWaitTimeout(step: ExperimentStep): void {
  assert.ok(step.tookMs >= WAIT_TIMEOUT_S * 1_000 - 100, `closed after ${step.tookMs} ms idle`);
  assert.ok(step.tookMs < WAIT_TIMEOUT_S * 1_000 + 10_000, `closed after ${step.tookMs} ms idle`);
}

describe('reproducing "server has gone away" with plain mysql2', () => {
  test('one connection: an error event at wait_timeout, then every call fails "closed state"', (t) => {
    const scenario = record.connection;
    report(t, scenario);
    assert.deepEqual(
      scenario.steps.slice(0, 4).map((step) => step.outcome),
      ['ok', 'ok', 'ok', 'ok'],
      'connect, version, SET wait_timeout and SELECT 1 worked',
    );

    // The server closes the idle connection with a RST; nobody asked, so mysql2 emits it.
    const closed = only(scenario, 'server closed the idle connection');
    assert.equal(closed.outcome, 'event');
    assert.equal(closed.result, "mysql2 emitted 'error'");
    assert.deepEqual(closed.error, closedByServer);
    assertClosedAfterWaitTimeout(closed);

    // The first call after that, and every later one, gets the same code-less error.
    const later = scenario.steps.slice(scenario.steps.indexOf(closed) + 1, -1);
    assert.deepEqual(
      later.map((step) => step.action),
      [
        'query: SELECT 1',
        'query: SELECT 1 (again)',
        'execute: SELECT ?',
        'ping()',
        'beginTransaction()',
      ],
    );
    for (const step of later) {
      assert.equal(step.outcome, 'failed', step.action);
      assert.deepEqual(step.error, { fatal: true, message: CLOSED_STATE }, step.action);
    }
    // end() on the dead connection does not complain.
    assert.equal(scenario.steps.at(-1)?.action, 'end()');
    assert.equal(scenario.steps.at(-1)?.outcome, 'ok');
  });

  test('a pool drops a connection that died idle in it, but not one the application holds', (t) => {
    const scenario = record.pool;
    report(t, scenario);

    for (const action of [
      'server closed the connection idle in the pool',
      'server closed the connection held by the application',
    ]) {
      const closed = only(scenario, action);
      assert.equal(closed.result, "mysql2 emitted 'error'", action);
      assert.deepEqual(closed.error, closedByServer, action);
      assertClosedAfterWaitTimeout(closed);
    }

    // mysql2's pool removes a connection when it emits 'error', so the next query gets a new one.
    const [first, second] = steps(scenario, 'pool.query: SELECT CONNECTION_ID()');
    assert.equal(first?.outcome, 'ok');
    assert.match(String(first?.result), /a new connection$/);
    assert.equal(second?.outcome, 'ok');
    assert.match(String(second?.result), /a new connection$/);

    // The connection the application still holds is dead all the same.
    const held = only(scenario, 'held connection query: SELECT 1');
    assert.equal(held.outcome, 'failed');
    assert.deepEqual(held.error, { fatal: true, message: CLOSED_STATE });
  });

  test('the record carries no password', () => {
    assert.ok(server.password.length > 0);
    assert.equal(JSON.stringify(record).includes(server.password), false);
  });
});
