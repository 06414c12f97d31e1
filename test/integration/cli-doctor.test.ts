/**
 * `goneaway doctor` against a real MariaDB: the JSON report's fields match what was set on the
 * server, recommendations follow the measured values, an account without PROCESS gets a
 * partial report, and bad input ends in one line and the documented exit code, never with the
 * password or a stack trace.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import mysql from 'mysql2/promise';
import { type Sandbox, startFaultProxy, testServer } from '../../src/testing/index.js';
import {
  adminUri,
  assertNoSecret,
  assertOneLineError,
  type CliRun,
  runCli,
} from '../support/cli-harness.js';

interface Report {
  server: { version: string; flavour: string };
  timeouts: Record<string, { session: number | null; global: number | null; unit: string }>;
  limits: Record<string, number | null>;
  status: Record<string, number | null>;
  proxy: { detected: boolean; kind: string | null; evidence: string[] };
  connection: { tls: { encrypted: boolean; serverOffersTls: boolean | null } };
  sessions: {
    visible: string;
    total: number;
    byUser: { name: string; count: number }[];
    idle: { count: number; nearClose: number; closest: { id: number }[] };
  } | null;
  limitations: string[];
  recommendations: {
    id: string;
    level: string;
    message: string;
    settings?: { client: string; setting: string }[];
  }[];
  target: string;
}

function parseReport(run: CliRun): Report {
  assert.equal(run.stderr, '', `doctor --json printed on stderr:\n${run.stderr}`);
  return JSON.parse(run.stdout) as Report;
}

/** doctor exits 1 exactly when a recommendation is a warning. */
function assertExitMatchesWarnings(run: CliRun, report: Report): void {
  const warned = report.recommendations.some((r) => r.level === 'warn');
  assert.equal(run.code, warned ? 1 : 0, `exit ${run.code} with warnings=${warned}`);
}

function recommendation(report: Report, id: string): Report['recommendations'][number] {
  const found = report.recommendations.find((r) => r.id === id);
  assert.ok(
    found,
    `no "${id}" recommendation in ${report.recommendations.map((r) => r.id).join(', ')}`,
  );
  return found;
}

async function appConnection(server: Sandbox): Promise<mysql.Connection> {
  const connection = await mysql.createConnection({ uri: server.uri });
  connection.on('error', () => {});
  return connection;
}

describe('goneaway doctor', () => {
  let server: Sandbox;
  let root: string;

  before(async () => {
    server = await testServer();
    root = adminUri(server);
  });
  after(async () => {
    await server?.stop();
  });

  it('reports the server version, timeouts and limits as the server has them', async () => {
    await server.admin('SET GLOBAL net_read_timeout = 45');
    const run = await runCli(['doctor', '--json', root]);
    const report = parseReport(run);
    assertExitMatchesWarnings(run, report);
    const [variables] = [
      await server.admin(
        "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('version','wait_timeout','max_connections','max_allowed_packet')",
      ),
    ];
    const value = (name: string): string =>
      String(variables.find((row) => row.Variable_name === name)?.Value);
    assert.equal(report.server.version, value('version'));
    assert.equal(report.server.flavour, 'mariadb');
    assert.equal(report.timeouts.net_read_timeout?.global, 45);
    assert.equal(report.timeouts.wait_timeout?.global, Number(value('wait_timeout')));
    assert.equal(report.timeouts.max_statement_time?.unit, 's');
    assert.equal(report.limits.max_connections, Number(value('max_connections')));
    assert.equal(report.limits.max_allowed_packet, Number(value('max_allowed_packet')));
    assert.ok((report.status.Threads_connected ?? 0) >= 1);
    assert.equal(report.sessions?.visible, 'all');
    assert.equal(report.proxy.detected, false, report.proxy.evidence.join('; '));
    assert.equal(report.connection.tls.encrypted, false);
    assert.deepEqual(report.limitations, []);
  });

  it('derives the retire time and pool settings from wait_timeout, and follows a change', async () => {
    try {
      await server.admin('SET GLOBAL wait_timeout = 60');
      const at60 = parseReport(await runCli(['doctor', '--json', root]));
      assert.equal(at60.timeouts.wait_timeout?.global, 60);
      assert.match(
        recommendation(at60, 'wait-timeout').message,
        /wait_timeout is 60 s: .*after 54 s/,
      );
      const mysql2At60 = recommendation(at60, 'pool-settings').settings?.find((s) =>
        s.client.startsWith('mysql2'),
      );
      assert.match(mysql2At60?.setting ?? '', /idleTimeout: 54000/);

      await server.admin('SET GLOBAL wait_timeout = 20');
      const at20 = parseReport(await runCli(['doctor', '--json', root]));
      assert.match(
        recommendation(at20, 'wait-timeout').message,
        /wait_timeout is 20 s: .*after 18 s/,
      );
      assert.match(
        recommendation(at20, 'pool-settings').settings?.find((s) => s.client.startsWith('Knex'))
          ?.setting ?? '',
        /idleTimeoutMillis: 18000/,
      );
    } finally {
      await server.admin('SET GLOBAL wait_timeout = 28800');
    }
  });

  it('counts idle sessions about to reach wait_timeout and warns about them', async () => {
    const idle = await Promise.all([appConnection(server), appConnection(server)]);
    try {
      // The sessions keep a long timeout of their own, so the server does not really close
      // them: doctor judges against the global value, which new sessions would get.
      await Promise.all(idle.map((c) => c.query('SET SESSION wait_timeout = 28800')));
      await server.admin('SET GLOBAL wait_timeout = 2');
      const ids = idle.map((c) => c.threadId);
      // Idle time is the server's clock: wait until it reads at least 2 s for both (bounded).
      const deadline = Date.now() + 15_000;
      for (;;) {
        const [row] = await server.admin(
          `SELECT MIN(TIME) AS idle FROM information_schema.PROCESSLIST WHERE ID IN (${ids.join(',')})`,
        );
        if (Number(row?.idle) >= 2) break;
        assert.ok(Date.now() < deadline, 'sessions did not reach 2 s of idle time');
        await sleep(100);
      }
      const run = await runCli(['doctor', '--json', root]);
      const report = parseReport(run);
      assert.equal(run.code, 1);
      assert.ok((report.sessions?.idle.nearClose ?? 0) >= 2);
      const closest = report.sessions?.idle.closest.map((s) => s.id) ?? [];
      for (const id of ids) assert.ok(closest.includes(id), `session ${id} not among ${closest}`);
      const warning = recommendation(report, 'idle-near-close');
      assert.equal(warning.level, 'warn');
      assert.match(warning.message, /past 90% of wait_timeout \(2 s\)/);
    } finally {
      await server.admin('SET GLOBAL wait_timeout = 28800');
      await Promise.all(idle.map((c) => c.end()));
    }
  });

  it('sees Aborted_clients grow when wait_timeout kills an idle client, and warns', async () => {
    const before = parseReport(await runCli(['doctor', '--json', root]));
    let victim: mysql.Connection | undefined;
    try {
      await server.admin('SET GLOBAL wait_timeout = 1');
      victim = await appConnection(server);
      // The server closes it after 1 s idle; mysql2 reports that as an 'error' event, with
      // PROTOCOL_CONNECTION_LOST (a FIN) or ECONNRESET (measured: both happen on MariaDB 10.11).
      const [error] = (await Promise.race([
        once(victim, 'error'),
        sleep(10_000).then(() => assert.fail('the server did not close the idle connection')),
      ])) as [{ code?: string }];
      assert.ok(
        error.code === 'PROTOCOL_CONNECTION_LOST' || error.code === 'ECONNRESET',
        `unexpected ${error.code}`,
      );
    } finally {
      await server.admin('SET GLOBAL wait_timeout = 28800');
      victim?.destroy();
    }
    const run = await runCli(['doctor', '--json', root]);
    const report = parseReport(run);
    assert.ok(
      (report.status.Aborted_clients ?? 0) > (before.status.Aborted_clients ?? 0),
      `Aborted_clients ${before.status.Aborted_clients} -> ${report.status.Aborted_clients}`,
    );
    const warning = recommendation(report, 'aborted-clients');
    assert.equal(warning.level, 'warn');
    assert.match(
      warning.message,
      new RegExp(`Aborted_clients is high: ${report.status.Aborted_clients} of`),
    );
    assert.equal(run.code, 1);
  });

  it('gives an account without PROCESS a partial report that says what it could not see', async () => {
    const other = await appConnection(server);
    const admin = await mysql.createConnection({ uri: root });
    try {
      const run = await runCli(['doctor', '--json', server.uri]);
      const report = parseReport(run);
      assertExitMatchesWarnings(run, report);
      assertNoSecret(run, server.password);
      assert.equal(report.sessions?.visible, 'own');
      // The app's other session is visible, root's is not.
      assert.deepEqual(
        report.sessions?.byUser.map((u) => u.name),
        [server.user],
      );
      assert.ok(
        report.limitations.some((l) => /PROCESS privilege/.test(l)),
        report.limitations.join('\n'),
      );
      assert.equal(recommendation(report, 'partial-processlist').level, 'info');
      assert.ok(report.timeouts.wait_timeout?.global, 'timeouts need no privilege');
      assert.doesNotMatch(report.target, new RegExp(server.password));
    } finally {
      await other.end();
      await admin.end();
    }
  });

  it('prints a readable text report without colour when not on a terminal', async () => {
    const run = await runCli(['doctor', server.uri]);
    assert.ok(run.code === 0 || run.code === 1, `exit ${run.code}: ${run.stderr}`);
    assert.equal(run.stderr, '');
    for (const heading of ['Server', 'Connection', 'Timeouts', 'Sessions', 'Recommendations']) {
      assert.match(run.stdout, new RegExp(`^${heading}`, 'm'));
    }
    assert.match(run.stdout, /^ {2}wait_timeout +\d+ s +\d+ s/m);
    assert.ok(!run.stdout.includes('\x1b'), 'ANSI escapes in piped output');
    assertNoSecret(run, server.password);
  });

  it('detects a TCP forwarder between client and server', async () => {
    const proxy = await startFaultProxy({ target: { host: server.host, port: server.port } });
    try {
      const viaProxy = new URL(server.uri);
      viaProxy.port = String(proxy.port);
      const run = await runCli(['doctor', '--json', viaProxy.href]);
      const report = parseReport(run);
      assert.equal(report.proxy.detected, true);
      assert.equal(report.proxy.kind, 'tcp-forwarder');
      assert.match(
        report.proxy.evidence.join('\n'),
        /the server sees this session coming from 127\.0\.0\.1:\d+/,
      );
      assert.equal(recommendation(report, 'proxy').level, 'info');
      assertNoSecret(run, server.password);
    } finally {
      await proxy.close();
    }
  });

  it('connects over the unix socket with options instead of a URI', async () => {
    const run = await runCli(
      [
        'doctor',
        '--json',
        '-S',
        server.socketPath,
        '-u',
        server.user,
        `--password=${server.password}`,
      ],
      {},
    );
    const report = parseReport(run);
    assert.match(report.target, /via .*mariadbd\.sock/);
    assertNoSecret(run, server.password);
  });

  it('reads the URI from DATABASE_URL and the password from MYSQL_PWD', async () => {
    const url = new URL(server.uri);
    url.password = '';
    const run = await runCli(['doctor', '--json'], {
      env: { DATABASE_URL: url.href, MYSQL_PWD: server.password },
    });
    const report = parseReport(run);
    assert.match(report.target, new RegExp(`^${server.user}@127\\.0\\.0\\.1:${server.port}/`));
    assertNoSecret(run, server.password);
  });

  describe('bad input', () => {
    it('a wrong password: one line, exit 4, neither password printed', async () => {
      const wrong = new URL(server.uri);
      wrong.password = 'Wr0ng-Passw0rd';
      const run = await runCli(['doctor', wrong.href]);
      assert.equal(run.code, 4);
      assertOneLineError(
        run,
        /^goneaway doctor: cannot connect to app@127\.0\.0\.1:\d+\/goneaway: the server refused the connection \(ER_ACCESS_DENIED_ERROR 1045.*Access denied for user 'app'/,
      );
      assertNoSecret(run, 'Wr0ng-Passw0rd', server.password);
    });

    it('an unreachable port: one line, exit 3', async () => {
      const closed = await unusedPort();
      const run = await runCli([
        'doctor',
        `mysql://app:${server.password}@127.0.0.1:${closed}/goneaway`,
      ]);
      assert.equal(run.code, 3);
      assertOneLineError(run, /connection refused \(ECONNREFUSED\)/);
      assertNoSecret(run, server.password);
    });

    it('a server that never answers: exit 3 within the connect timeout', async () => {
      const silent = await silentServer();
      try {
        const run = await runCli([
          'doctor',
          `mysql://app:${server.password}@127.0.0.1:${silent.port}/goneaway`,
          '--connect-timeout-ms',
          '300',
        ]);
        assert.equal(run.code, 3);
        assertOneLineError(run, /no answer within 300 ms \(ETIMEDOUT\)/);
        assertNoSecret(run, server.password);
      } finally {
        await silent.close();
      }
    });

    it('a malformed URI: exit 2, the URI is not echoed', async () => {
      const secret = 'S3cret@With@Ats';
      const run = await runCli(['doctor', `mysql://app:${secret}@127.0.0.1:notaport/goneaway`]);
      assert.equal(run.code, 2);
      assertOneLineError(run, /the URI argument is malformed .*see goneaway doctor --help/);
      assertNoSecret(run, secret, 'With@Ats', 'Ats');
    });

    it('a URI of another database: exit 2', async () => {
      const run = await runCli(['doctor', 'postgres://u:PgSecret99@127.0.0.1/db']);
      assert.equal(run.code, 2);
      assertOneLineError(run, /not a MySQL URI/);
      assertNoSecret(run, 'PgSecret99');
    });

    it('an unknown option with a password on the line: exit 2, no password', async () => {
      const run = await runCli(['doctor', `--password=${server.password}`, '--colour']);
      assert.equal(run.code, 2);
      assertOneLineError(run, /unknown option '--colour'/);
      assertNoSecret(run, server.password);
    });

    it('TLS required by a server without TLS: exit 3', async () => {
      const run = await runCli(['doctor', server.uri, '--ssl']);
      assert.equal(run.code, 3);
      assertOneLineError(run, /the server does not offer TLS/);
      assertNoSecret(run, server.password);
    });

    it('a bare --password without a terminal: exit 2 before connecting', async () => {
      const run = await runCli(['doctor', '-u', 'app', '-P', String(server.port), '--password']);
      assert.equal(run.code, 2);
      assertOneLineError(run, /stdin is not a terminal/);
    });
  });
});

async function unusedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  assert.ok(address && typeof address === 'object');
  return address.port;
}

/** A TCP server that accepts connections and never sends a byte: a greeting that never comes. */
async function silentServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(address && typeof address === 'object');
  return {
    port: address.port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
