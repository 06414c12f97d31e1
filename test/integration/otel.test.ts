/**
 * goneaway/otel against a real server, read back through the real OpenTelemetry SDK (in-memory
 * metric exporter and span exporter): what an operator's dashboard would show for a KILL, a
 * killed read, a restart and an exhausted pool, and that nothing secret reaches an attribute.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Attributes } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createPool, isGoneAwayError, type Pool } from '../../src/index.js';
import { instrument } from '../../src/otel/index.js';
import { type Sandbox, testServer } from '../../src/testing/index.js';
import { nextEvent } from '../support/events.js';
import {
  EXPECTED_CONVENTION_METRICS,
  EXPECTED_GONEAWAY_METRICS,
} from '../support/otel-expected.js';
import { counted, histogramPoints, type TestSdk, testSdk } from '../support/otel-sdk.js';
import { sessionRunning } from '../support/session-running.js';

const DURATION = 'db.client.operation.duration';
const SPAN_KIND_CLIENT = 2;

describe('goneaway/otel', () => {
  let server: Sandbox;
  before(async () => {
    server = await testServer();
    await server.admin(
      'CREATE TABLE goneaway.otel_token (id INT PRIMARY KEY, token VARCHAR(64) UNIQUE)',
    );
  });
  after(() => server?.stop());

  /** A pool instrumented on a fresh SDK; everything is shut down after `work`. */
  async function withTelemetry(
    options: Parameters<typeof createPool>[1],
    work: (db: Pool, sdk: TestSdk) => Promise<void>,
    captureQueryText = false,
  ): Promise<void> {
    const sdk = testSdk();
    const db = createPool(server.uri, options);
    const telemetry = instrument(db, { ...sdk, captureQueryText });
    try {
      await work(db, sdk);
    } finally {
      telemetry.stop();
      await db.end();
      await sdk.shutdown();
    }
  }

  test('a KILL of an idle connection: one reconnect, zero failed operations', async () => {
    await withTelemetry({ max: 1 }, async (db, sdk) => {
      await db.query('SELECT 1');
      const closed = nextEvent(db, 'close', (event) => event.reason === 'server-closed');
      assert.equal((await server.killConnections({ command: 'Sleep' })).length, 1);
      await closed;
      await db.query('SELECT 2');

      const metrics = await sdk.metrics();
      assert.equal(counted(metrics, 'goneaway.connection.reconnects'), 1);
      assert.equal(
        counted(metrics, 'goneaway.connection.losses', { 'goneaway.loss.while': 'idle' }),
        1,
      );
      assert.equal(
        counted(metrics, 'goneaway.connection.closes', {
          'goneaway.close.reason': 'server-closed',
        }),
        1,
      );
      const operations = histogramPoints(metrics, DURATION);
      assert.equal(
        operations.reduce((sum, point) => sum + point.count, 0),
        2,
        'two operations measured',
      );
      const failed = (metrics.get(DURATION)?.points ?? []).filter(
        (point) => point.attributes['error.type'] !== undefined,
      );
      assert.deepEqual(failed, [], 'no operation failed');
      assert.equal(histogramPoints(metrics, 'db.client.connection.create_time')[0]?.count, 2);
    });
  });

  test('a read killed mid-flight: one span, two attempts, a retry event with its reason', async () => {
    await withTelemetry({}, async (db, sdk) => {
      const pending = db.query('SELECT SLEEP(1) AS s, 7 AS otel_answer');
      await server.admin('KILL CONNECTION ?', [await sessionRunning(server, 'otel_answer')]);
      assert.deepEqual(await pending, [{ s: 0, otel_answer: 7 }]);

      const spans = sdk.spans();
      assert.equal(spans.length, 1, 'one span for the statement and its retry');
      const [span] = spans as [ReadableSpan];
      assert.equal(span.name, `SELECT ${server.database}`);
      assert.equal(span.kind, SPAN_KIND_CLIENT);
      assert.equal(span.attributes['db.system.name'], 'mariadb');
      assert.equal(span.attributes['db.operation.name'], 'SELECT');
      assert.equal(span.attributes['db.namespace'], server.database);
      assert.equal(span.attributes['server.address'], server.host);
      assert.equal(span.attributes['server.port'], server.port);
      assert.equal(span.attributes['goneaway.attempts'], 2);
      assert.equal(span.attributes['error.type'], undefined, 'the operation succeeded');
      assert.equal(span.status.code, 0);
      assert.deepEqual(
        span.events.map((event) => event.name),
        ['attempt', 'retry', 'attempt'],
      );
      const [first, retry, second] = span.events;
      assert.equal(first?.attributes?.['error.type'], 'GONEAWAY_CONNECTION_LOST');
      assert.match(String(retry?.attributes?.['goneaway.reason']), /^retried: read-only SELECT/);
      assert.notEqual(
        first?.attributes?.['goneaway.connection.id'],
        second?.attributes?.['goneaway.connection.id'],
      );
      assert.equal(second?.attributes?.['error.type'], undefined);
      // Events in the order they happened: the second attempt began at the retry decision.
      assert.ok(timeOf(first) <= timeOf(retry) && timeOf(retry) <= timeOf(second));

      const metrics = await sdk.metrics();
      assert.equal(
        counted(metrics, 'goneaway.retries', {
          'goneaway.retry.kind': 'statement',
          'error.type': 'GONEAWAY_CONNECTION_LOST',
        }),
        1,
      );
      const [duration] = histogramPoints(metrics, DURATION, { 'db.operation.name': 'SELECT' });
      assert.equal(duration?.count, 1, 'one operation, retries included');
    });
  });

  test('a transaction killed before COMMIT: one TRANSACTION span, two runs, a re-run event; the lost statement is not retried', async () => {
    await withTelemetry({}, async (db, sdk) => {
      const result = await db.transaction(
        async (tx) => {
          await tx.query('SELECT 1 AS in_tx');
          if (tx.attempt === 1) {
            const lost = nextEvent(db, 'loss');
            await server.admin('KILL CONNECTION ?', [tx.threadId]);
            await lost;
            await tx.query('SELECT 2 AS after_kill');
          }
          return 'committed';
        },
        { attempts: 2, isolationLevel: 'READ COMMITTED' },
      );
      assert.equal(result, 'committed');

      const spans = sdk.spans();
      const transactions = spans.filter((span) => span.name === `TRANSACTION ${server.database}`);
      assert.equal(transactions.length, 1);
      const [transaction] = transactions as [ReadableSpan];
      assert.equal(transaction.attributes['goneaway.attempts'], 2);
      assert.equal(
        transaction.attributes['goneaway.transaction.isolation_level'],
        'READ COMMITTED',
      );
      assert.equal(transaction.status.code, 0);
      assert.deepEqual(
        transaction.events.map((event) => event.name),
        ['attempt', 'retry', 'attempt'],
      );
      assert.match(
        String(transaction.events[1]?.attributes?.['goneaway.reason']),
        /^re-run: connection lost inside the transaction/,
      );
      // The statement that met the dead connection failed on its own span: not retried, and why.
      const lost = spans.find((span) => span.attributes['error.type'] !== undefined);
      assert.equal(lost?.attributes['error.type'], 'GONEAWAY_TRANSACTION_LOST');
      assert.deepEqual(
        lost?.events.map((event) => event.name),
        ['attempt', 'no-retry'],
      );
      assert.match(
        String(lost?.events[1]?.attributes?.['goneaway.reason']),
        /inside a transaction/,
      );

      const metrics = await sdk.metrics();
      assert.equal(
        counted(metrics, 'goneaway.retries', { 'goneaway.retry.kind': 'transaction' }),
        1,
      );
      assert.equal(counted(metrics, 'goneaway.retries', { 'goneaway.retry.kind': 'statement' }), 0);
      assert.equal(
        counted(metrics, 'goneaway.retries.refused', { 'goneaway.retry.kind': 'statement' }),
        1,
      );
    });
  });

  test('a long statement on a healthy server: the watchdog asks, and leaves it running', async () => {
    await withTelemetry({ stallCheckMs: 200 }, async (db, sdk) => {
      const checked = nextEvent(db, 'watchdog');
      const pending = db.query('SELECT SLEEP(1) AS slept');
      assert.equal((await checked).verdict, 'running');
      assert.deepEqual(await pending, [{ slept: 0 }]);
      const metrics = await sdk.metrics();
      assert.ok(
        counted(metrics, 'goneaway.watchdog.checks', { 'goneaway.watchdog.verdict': 'running' }) >=
          1,
      );
      assert.equal(
        counted(metrics, 'goneaway.watchdog.checks', { 'goneaway.watchdog.verdict': 'stalled' }),
        0,
      );
    });
  });

  test('a restart: the callers that waited for the server show in db.client.connection.wait_time', async () => {
    await withTelemetry({ max: 2 }, async (db, sdk) => {
      await Promise.all([db.query('SELECT SLEEP(0.05)'), db.query('SELECT SLEEP(0.05)')]);
      // Both idle connections seen dead first: the callers below go straight to a checkout.
      let closes = 0;
      const bothClosed = nextEvent(db, 'close', () => ++closes === 2);
      await server.kill();
      await bothClosed;
      const refused = nextEvent(db, 'connect-failed');
      const outage = [db.query('SELECT 1 AS a'), db.query('SELECT 2 AS b')];
      // Both have started their checkout (synchronously, inside query()) before this reading.
      const issuedAt = performance.now();
      await refused;
      const restartAt = performance.now();
      await server.restart();
      await Promise.all(outage);

      const metrics = await sdk.metrics();
      const [waits] = histogramPoints(metrics, 'db.client.connection.wait_time', {
        'db.client.connection.pool.name': db.name,
      });
      assert.ok(waits, 'waits were measured');
      // No caller could get a connection before the server was started again.
      const boundS = (restartAt - issuedAt) / 1000;
      assert.ok(
        (waits.max ?? 0) >= boundS,
        `the longest wait (${waits.max} s) covers the outage (at least ${boundS} s)`,
      );
      assert.ok(counted(metrics, 'goneaway.connection.connect_failures') >= 1);
      assert.ok(counted(metrics, 'goneaway.epochs') >= 1);
      const failed = (metrics.get(DURATION)?.points ?? []).filter(
        (point) => point.attributes['error.type'] !== undefined,
      );
      assert.deepEqual(failed, [], 'no operation failed');
    });
  });

  test('an exhausted pool: a timeout, pending requests, the pool gauges; every name, instrument and unit as the conventions have them', async () => {
    await withTelemetry({ max: 1, acquireTimeoutMs: 300 }, async (db, sdk) => {
      const lease = await db.acquire();
      const waiting = db.query('SELECT 1').catch((error: unknown) => error);
      let metrics = await sdk.metrics();
      const pool = { 'db.client.connection.pool.name': db.name };
      assert.equal(counted(metrics, 'db.client.connection.pending_requests', pool), 1);
      assert.equal(
        counted(metrics, 'db.client.connection.count', {
          ...pool,
          'db.client.connection.state': 'used',
        }),
        1,
      );
      assert.equal(counted(metrics, 'db.client.connection.limit', pool), 1);
      assert.equal(counted(metrics, 'db.client.connection.idle.max', pool), 1);
      assert.equal(counted(metrics, 'db.client.connection.idle.min', pool), 0);
      const error = await waiting;
      assert.ok(isGoneAwayError(error) && error.code === 'GONEAWAY_ACQUIRE_TIMEOUT');
      const released = nextEvent(db, 'release');
      lease.release();
      await released;

      metrics = await sdk.metrics();
      assert.equal(counted(metrics, 'db.client.connection.timeouts', pool), 1);
      assert.equal(histogramPoints(metrics, 'db.client.connection.use_time', pool)[0]?.count, 1);
      assert.equal(
        counted(metrics, 'db.client.connection.count', {
          ...pool,
          'db.client.connection.state': 'idle',
        }),
        1,
      );
      const [failed] = histogramPoints(metrics, DURATION, {
        'error.type': 'GONEAWAY_ACQUIRE_TIMEOUT',
      });
      assert.equal(failed?.count, 1);

      // What the SDK exported: each metric as the table of expected names has it.
      for (const [name, { descriptor, instrument }] of metrics) {
        const expected = EXPECTED_CONVENTION_METRICS[name] ?? {
          instrument: 'counter',
          unit: EXPECTED_GONEAWAY_METRICS[name],
        };
        assert.deepEqual({ instrument, unit: descriptor.unit }, expected, name);
      }
      assert.deepEqual(
        Object.keys(EXPECTED_CONVENTION_METRICS).filter((name) => !metrics.has(name)),
        [],
        'every convention metric was reported',
      );
    });
  });

  test('no password, URI secret or statement value in any attribute; text only when asked, with literals masked', async () => {
    const value = 'tok-3b1f-value-in-parameter';
    const inline = 'tok-99c2-value-written-inline';
    const text: string[] = [];
    const queryTexts: unknown[][] = [[], []];
    for (const captureQueryText of [false, true]) {
      await withTelemetry(
        {},
        async (db, sdk) => {
          await db.query('DELETE FROM otel_token');
          await db.query('INSERT INTO otel_token (id, token) VALUES (?, ?)', [1, value]);
          const duplicate = await db
            .query('INSERT INTO otel_token (id, token) VALUES (?, ?)', [2, value])
            .catch((error: unknown) => error);
          assert.ok(isGoneAwayError(duplicate) && duplicate.message.includes(value));
          await db.query(`SELECT id FROM otel_token WHERE token = '${inline}' AND id > 0`);
          await db.transaction((tx) => tx.query('SELECT token FROM otel_token WHERE id = ?', [1]));

          const spans = sdk.spans();
          const failed = spans.find((span) => span.attributes['error.type'] !== undefined);
          assert.equal(failed?.attributes['db.response.status_code'], '1062');
          for (const span of spans) {
            text.push(span.name, span.status.message ?? '', ...strings(span.attributes));
            for (const event of span.events) text.push(...strings(event.attributes));
            queryTexts[Number(captureQueryText)]?.push(span.attributes['db.query.text']);
          }
          for (const metric of (await sdk.metrics()).values()) {
            for (const point of metric.points) text.push(...strings(point.attributes));
          }
        },
        captureQueryText,
      );
    }
    const all = text.join('\n');
    for (const secret of [server.password, encodeURIComponent(server.password), value, inline]) {
      assert.ok(!all.includes(secret), `'${secret}' appears in an attribute`);
    }
    assert.ok(!all.includes(server.uri));
    // Not asked for: no span carries text. Asked for: every statement's, literals masked.
    assert.deepEqual(
      queryTexts[0]?.filter((t) => t !== undefined),
      [],
    );
    const texts = queryTexts[1]?.filter((t) => t !== undefined) ?? [];
    assert.ok(texts.length > 0, 'db.query.text was recorded once asked for');
    assert.ok(
      texts.includes('SELECT id FROM otel_token WHERE token = ? AND id > ?'),
      `literals masked: ${JSON.stringify(texts)}`,
    );
    assert.ok(texts.includes('INSERT INTO otel_token (id, token) VALUES (?, ?)'));
  });

  test('the channels are process-wide: an instrumented pool reports its own operations only', async () => {
    const other = createPool(server.uri);
    try {
      await withTelemetry({}, async (db, sdk) => {
        await Promise.all([other.query('SELECT 1'), other.query('SELECT 2'), db.query('SELECT 3')]);
        await other.transaction((tx) => tx.query('SELECT 4'));
        assert.equal(sdk.spans().length, 1);
        const metrics = await sdk.metrics();
        assert.equal(histogramPoints(metrics, DURATION)[0]?.count, 1);
        assert.notEqual(db.name, other.name, 'two pools to one database get distinct names');
      });
    } finally {
      await other.end();
    }
    const first = createPool(server.uri, { name: 'orders' });
    const second = createPool(server.uri, { name: 'orders' });
    const sdk = testSdk();
    const telemetry = instrument(first, sdk);
    try {
      assert.throws(() => instrument(second, sdk), /Another pool named 'orders'/);
    } finally {
      telemetry.stop();
      await Promise.all([first.end(), second.end(), sdk.shutdown()]);
    }
  });
});

function timeOf(event: ReadableSpan['events'][number] | undefined): number {
  const [seconds, nanos] = event?.time ?? [0, 0];
  return seconds * 1e9 + nanos;
}

function strings(attributes: Attributes | undefined): string[] {
  return Object.entries(attributes ?? {}).map(([key, value]) => `${key}=${String(value)}`);
}
