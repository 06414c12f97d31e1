/**
 * `goneaway reproduce` (what `npm run demo` runs): the seed experiment with plain mysql2, then
 * with goneaway, against a real server. The "before" half must show the errors mysql2 really
 * reports; the "after" half must show none.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Sandbox, testServer } from '../../src/testing/index.js';
import { assertNoSecret, runCli } from '../support/cli-harness.js';

interface ReproduceJson {
  readonly before: {
    readonly connection: {
      readonly steps: readonly {
        readonly outcome: string;
        readonly error?: { readonly code?: string; readonly message: string };
      }[];
    };
  };
  readonly after: readonly {
    readonly statements: readonly { readonly ok: boolean }[];
    readonly events: readonly string[];
  }[];
  readonly goneawayErrors: number;
}

describe('goneaway reproduce', () => {
  let server: Sandbox;
  before(async () => {
    server = await testServer();
  });
  after(() => server?.stop());

  test('--json: mysql2 fails after the idle period, goneaway does not', async () => {
    const run = await runCli(['reproduce', '--json', server.uri], { timeoutMs: 60_000 });
    assert.equal(run.code, 0, run.stderr);
    assertNoSecret(run, server.password);
    const report = JSON.parse(run.stdout) as ReproduceJson;
    const steps = report.before.connection.steps;
    const closed = steps.find((step) => step.outcome === 'event');
    assert.ok(
      closed?.error?.code === 'ECONNRESET' || closed?.error?.code === 'PROTOCOL_CONNECTION_LOST',
      JSON.stringify(closed),
    );
    const failures = steps.filter((step) => step.outcome === 'failed');
    assert.ok(failures.length >= 3);
    for (const failure of failures) assert.match(failure.error?.message ?? '', /closed state/);
    assert.equal(report.goneawayErrors, 0);
    for (const scenario of report.after)
      assert.ok(scenario.statements.every((statement) => statement.ok));
    assert.ok(
      report.after[0]?.events.some((event) => /server-closed/.test(event)),
      'the server closed it and goneaway noticed',
    );
    assert.ok(
      report.after[1]?.events.some((event) => /idle-timeout/.test(event)),
      'goneaway retired it before the server did',
    );
  });

  test('human output names the real error codes and the recovery, without a password', async () => {
    const run = await runCli(['reproduce', server.uri], {
      timeoutMs: 60_000,
      env: { NO_COLOR: '1' },
    });
    assert.equal(run.code, 0, run.stderr);
    assertNoSecret(run, server.password);
    assert.match(run.stdout, /Can't add new command when connection is in closed state/);
    assert.match(run.stdout, /ECONNRESET|PROTOCOL_CONNECTION_LOST/);
    assert.match(run.stdout, /goneaway: +0 errors/);
  });

  test('bad input: a one-line usage error', async () => {
    const run = await runCli(['reproduce', '--wait-timeout-s', 'soon', server.uri]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /wait-timeout-s/);
  });
});
