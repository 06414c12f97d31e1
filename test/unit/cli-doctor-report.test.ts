import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConnectionTarget } from '../../src/cli/connection-options.js';
import { buildReport } from '../../src/cli/doctor/build-report.js';
import type { DoctorFacts } from '../../src/cli/doctor/collect-facts.js';
import { detectProxy } from '../../src/cli/doctor/detect-proxy.js';
import { poolSettings, retireAfterMs } from '../../src/cli/doctor/recommend.js';
import { renderReport } from '../../src/cli/doctor/render-report.js';
import { summarizeSessions } from '../../src/cli/doctor/summarize-sessions.js';
import type { ProcessRow } from '../../src/cli/processlist.js';
import { terminalStyle } from '../../src/cli/terminal-style.js';

const target: ConnectionTarget = {
  host: '10.0.0.5',
  port: 3306,
  socketPath: undefined,
  user: 'app',
  password: 'not-printed',
  database: 'shop',
  sslMode: 'DISABLED',
  sslCa: undefined,
  sslCert: undefined,
  sslKey: undefined,
  connectTimeoutMs: 5_000,
  promptForPassword: false,
  source: 'argument',
};

function session(id: number, fields: Partial<ProcessRow> = {}): ProcessRow {
  return {
    id,
    user: 'app',
    host: `10.0.0.9:${40_000 + id}`,
    db: 'shop',
    command: 'Sleep',
    timeS: 1,
    state: '',
    info: null,
    ...fields,
  };
}

/** Facts of a healthy MariaDB seen directly, with `overrides` on top. */
function facts(overrides: Partial<DoctorFacts> = {}): DoctorFacts {
  const variables = {
    wait_timeout: '28800',
    interactive_timeout: '28800',
    net_read_timeout: '30',
    net_write_timeout: '60',
    connect_timeout: '10',
    max_statement_time: '0.000000',
    idle_transaction_timeout: '0',
    max_connections: '151',
    max_allowed_packet: '16777216',
    have_ssl: 'YES',
    require_secure_transport: 'OFF',
  };
  return {
    connectMs: 1.234,
    roundTripsMs: [0.4, 0.3, 0.5],
    version: '10.11.19-MariaDB-0+deb12u1',
    versionComment: 'Debian 12',
    hostname: 'db1',
    connectionId: 42,
    account: 'app@%',
    plainVersionComment: 'Debian 12',
    greeting: { version: '5.5.5-10.11.19-MariaDB-0+deb12u1', connectionId: 42 },
    localAddress: '10.0.0.9',
    localPort: 50_000,
    serverSeenHost: '10.0.0.9:50000',
    sessionVariables: variables,
    globalVariables: variables,
    status: {
      Uptime: '86400',
      Connections: '1000',
      Threads_connected: '12',
      Threads_running: '2',
      Max_used_connections: '40',
      Aborted_clients: '3',
      Aborted_connects: '1',
    },
    sslCipher: 'TLS_AES_256_GCM_SHA384',
    sslVersion: 'TLSv1.3',
    seesAllSessions: true,
    processlist: [
      session(42, { command: 'Query' }),
      session(43),
      session(44, { user: 'batch', command: 'Query', timeS: 5 }),
    ],
    limitations: [],
    ...overrides,
  };
}

function ids(report: ReturnType<typeof buildReport>): string[] {
  return report.recommendations.map((r) => `${r.level}:${r.id}`);
}

describe('buildReport', () => {
  it('turns variables and counters into numbers and a healthy server into no warnings', () => {
    const report = buildReport(facts(), target, '1.2.3');
    assert.equal(report.goneaway, '1.2.3');
    assert.equal(report.target, 'app@10.0.0.5:3306/shop');
    assert.equal(report.server.flavour, 'mariadb');
    assert.deepEqual(report.timeouts.wait_timeout, { session: 28800, global: 28800, unit: 's' });
    assert.equal(report.timeouts.max_statement_time?.global, 0);
    assert.equal(
      report.timeouts.max_execution_time,
      undefined,
      'a variable the server lacks is left out',
    );
    assert.equal(report.limits.max_connections, 151);
    assert.equal(report.status.Aborted_clients, 3);
    assert.deepEqual(report.connection.roundTrip, {
      samples: 3,
      minMs: 0.3,
      medianMs: 0.4,
      maxMs: 0.5,
    });
    assert.equal(report.connection.tls.encrypted, true);
    assert.equal(report.proxy.detected, false);
    assert.equal(report.sessions?.total, 2, 'its own session is not counted');
    assert.deepEqual(ids(report), [
      'info:wait-timeout',
      'info:pool-settings',
      'info:max-allowed-packet',
    ]);
    assert.ok(!JSON.stringify(report).includes('not-printed'));
  });

  it("derives goneaway's retire time and every pool setting from wait_timeout", () => {
    const variables = { ...facts().globalVariables, wait_timeout: '60' };
    const report = buildReport(
      facts({ globalVariables: variables, sessionVariables: variables }),
      target,
      '0',
    );
    const wait = report.recommendations.find((r) => r.id === 'wait-timeout');
    assert.match(
      wait?.message ?? '',
      /^wait_timeout is 60 s: .* goneaway retires idle connections after 54 s\./,
    );
    const pools = report.recommendations.find((r) => r.id === 'pool-settings');
    assert.deepEqual(pools?.settings, poolSettings(54_000));
    assert.match(
      pools?.settings?.find((s) => s.client === 'SQLAlchemy')?.setting ?? '',
      /pool_recycle=54,/,
    );
  });

  it('notices a session whose wait_timeout differs from the global one', () => {
    const session = { ...facts().sessionVariables, wait_timeout: '600' };
    const report = buildReport(facts({ sessionVariables: session }), target, '0');
    assert.match(
      report.recommendations.find((r) => r.id === 'wait-timeout')?.message ?? '',
      /this session got 600 s \(10 min\)/,
    );
  });

  it('warns when Aborted_clients or Aborted_connects pass 1% of connections', () => {
    const status = { ...facts().status, Aborted_clients: '10', Aborted_connects: '10' };
    const report = buildReport(facts({ status }), target, '0');
    assert.deepEqual(ids(report).slice(0, 2), ['warn:aborted-clients', 'warn:aborted-connects']);
    assert.match(
      report.recommendations[0]?.message ?? '',
      /^Aborted_clients is high: 10 of 1000 connections \(1%\) since start-up 86400 s \(1 d\) ago/,
    );
  });

  it('warns near max_connections, and when it was reached before', () => {
    const near = buildReport(
      facts({ status: { ...facts().status, Threads_connected: '130' } }),
      target,
      '0',
    );
    assert.match(
      near.recommendations[0]?.message ?? '',
      /^130 of max_connections 151 are in use \(86\.1%\)/,
    );
    const reached = buildReport(
      facts({ status: { ...facts().status, Max_used_connections: '151' } }),
      target,
      '0',
    );
    assert.match(
      reached.recommendations[0]?.message ?? '',
      /^Max_used_connections reached max_connections \(151\)/,
    );
  });

  it('warns about idle sessions past 90% of wait_timeout, naming the closest', () => {
    const variables = { ...facts().globalVariables, wait_timeout: '100' };
    const processlist = [
      session(42, { command: 'Query' }),
      session(50, { timeS: 95 }),
      session(51, { timeS: 91 }),
      session(52, { timeS: 89 }),
    ];
    const report = buildReport(facts({ globalVariables: variables, processlist }), target, '0');
    assert.equal(report.sessions?.idle.nearClose, 2);
    assert.equal(report.sessions?.idle.pastHalf, 3);
    assert.deepEqual(
      report.sessions?.idle.closest.map((s) => [s.id, s.closesInS]),
      [
        [50, 5],
        [51, 9],
        [52, 11],
      ],
    );
    const warning = report.recommendations.find((r) => r.id === 'idle-near-close');
    assert.equal(warning?.level, 'warn');
    assert.match(
      warning?.message ?? '',
      /^2 idle session\(s\) are past 90% of wait_timeout \(100 s\).* Closest: session 50 \(app@10\.0\.0\.9:40050\), idle 95 s, closed in 5 s\./,
    );
  });

  it('says when only the own account was visible', () => {
    const report = buildReport(
      facts({ seesAllSessions: false, limitations: ["other accounts' sessions: no PROCESS"] }),
      target,
      '0',
    );
    assert.equal(report.sessions?.visible, 'own');
    assert.ok(ids(report).includes('info:partial-processlist'));
    assert.deepEqual(report.limitations, ["other accounts' sessions: no PROCESS"]);
  });

  it('warns about a plain connection over the network to a server that offers TLS', () => {
    const report = buildReport(facts({ sslCipher: '', sslVersion: '' }), target, '0');
    assert.equal(report.recommendations[0]?.id, 'tls');
    assert.equal(report.recommendations[0]?.level, 'warn');
    const local = buildReport(facts({ sslCipher: '' }), { ...target, host: '127.0.0.1' }, '0');
    assert.ok(!ids(local).some((id) => id.endsWith(':tls')), 'loopback needs no TLS warning');
  });

  it('explains statement time limits and idle-transaction timeouts', () => {
    const variables = {
      ...facts().globalVariables,
      max_statement_time: '30.000000',
      idle_transaction_timeout: '20',
    };
    const report = buildReport(facts({ globalVariables: variables }), target, '0');
    assert.match(
      report.recommendations.find((r) => r.id === 'statement-time-limit')?.message ?? '',
      /cut off after 30 s \(max_statement_time, error 1969\)/,
    );
    assert.match(
      report.recommendations.find((r) => r.id === 'idle-transaction-timeout')?.message ?? '',
      /idle_transaction_timeout 20 s/,
    );
  });
});

describe('detectProxy', () => {
  const direct = {
    port: 3306,
    viaSocket: false,
    plainVersionComment: 'MySQL Community Server - GPL',
    version: '8.0.36',
    connectionId: 7,
    greeting: { version: '8.0.36', connectionId: 7 },
    localAddress: '::ffff:10.0.0.9',
    localPort: 50_000,
    serverSeenHost: '10.0.0.9:50000',
  };

  it('finds nothing on a direct connection', () => {
    assert.deepEqual(detectProxy(direct), { detected: false, kind: null, evidence: [] });
  });

  it('recognises ProxySQL by its answer to the verbatim version_comment query', () => {
    const finding = detectProxy({
      ...direct,
      port: 6033,
      plainVersionComment: '(ProxySQL)',
      greeting: { version: '8.0.11', connectionId: 3 },
      serverSeenHost: '10.0.0.2:41000',
    });
    assert.equal(finding.kind, 'proxysql');
    assert.equal(finding.evidence.length, 5);
    assert.match(finding.evidence[0] ?? '', /answered with "\(ProxySQL\)"/);
  });

  it('recognises a protocol proxy by its greeting, and MySQL Router by its port', () => {
    assert.equal(
      detectProxy({ ...direct, greeting: { version: '8.0.36', connectionId: 99 } }).kind,
      'protocol-proxy',
    );
    assert.equal(
      detectProxy({ ...direct, port: 6446, greeting: { version: '8.0.36', connectionId: 99 } })
        .kind,
      'mysql-router',
    );
    const portOnly = detectProxy({ ...direct, port: 6446 });
    assert.equal(portOnly.detected, false, 'a port alone proves nothing');
    assert.deepEqual(portOnly.evidence, ['port 6446 is a MySQL Router default port']);
  });

  it('recognises a TCP forwarder by the address the server sees, not on a socket', () => {
    const forwarded = { ...direct, serverSeenHost: '10.0.0.2:41000' };
    const finding = detectProxy(forwarded);
    assert.equal(finding.kind, 'tcp-forwarder');
    assert.match(
      finding.evidence[0] ?? '',
      /coming from 10\.0\.0\.2:41000, but it leaves this client from 10\.0\.0\.9:50000/,
    );
    assert.equal(
      detectProxy({ ...forwarded, viaSocket: true, serverSeenHost: 'localhost' }).detected,
      false,
    );
  });
});

describe('summarizeSessions', () => {
  it('tallies users, hosts without ports, commands and states, most frequent first', () => {
    const rows = [
      session(1, { user: 'b' }),
      session(2, { user: 'a', host: '10.0.0.1:1' }),
      session(3, { user: 'a', host: '10.0.0.1:2', command: 'Query', state: 'Sending data' }),
      session(4, { command: 'Daemon', user: 'system user' }),
    ];
    const summary = summarizeSessions(rows, { waitTimeoutS: null, visible: 'all' });
    assert.equal(summary.total, 3, 'server threads are not clients');
    assert.deepEqual(summary.byUser, [
      { name: 'a', count: 2 },
      { name: 'b', count: 1 },
    ]);
    assert.deepEqual(summary.byHost[0], { name: '10.0.0.1', count: 2 });
    assert.deepEqual(summary.byState, [{ name: 'Sending data', count: 1 }]);
    assert.deepEqual(summary.idle.closest, [], 'no countdown without wait_timeout');
  });
});

describe('retireAfterMs', () => {
  it("follows the pool's 'auto' rule: 10% of margin, at least 0.5 s, at most 30 s", () => {
    assert.equal(retireAfterMs(60), 54_000);
    assert.equal(retireAfterMs(28_800), 28_770_000);
    assert.equal(retireAfterMs(4), 3_500);
    assert.equal(retireAfterMs(1), 500);
  });
});

describe('renderReport', () => {
  it('prints every section, the timeouts aligned, and marks warnings with !', () => {
    const status = { ...facts().status, Aborted_clients: '50' };
    const lines = renderReport(buildReport(facts({ status }), target, '0'), {
      style: terminalStyle(false),
    });
    const text = lines.join('\n');
    for (const heading of [
      'Server',
      'Connection',
      'Timeouts',
      'Limits and counters',
      'Sessions',
      'Recommendations',
    ]) {
      assert.ok(
        lines.some((line) => line.startsWith(heading)),
        heading,
      );
    }
    assert.match(
      text,
      /^ {2}wait_timeout {22} +28800 s +28800 s {2}idle connection closed after$/m,
    );
    assert.match(text, /^ {2}! Aborted_clients is high: 50 of 1000/m);
    assert.match(text, /^ {2}- wait_timeout is 28800 s/m);
    assert.match(
      text,
      /^ {6}mysql2 createPool +\{ idleTimeout: 28770000, maxIdle: <less than connectionLimit> \}$/m,
    );
    assert.ok(!text.includes('\x1b'));
  });

  it('wraps long recommendations to the terminal width', () => {
    const lines = renderReport(buildReport(facts(), target, '0'), {
      style: terminalStyle(false),
      width: 60,
    });
    const recommendations = lines.slice(lines.indexOf('Recommendations')).join('\n').split('\n');
    for (const line of recommendations.filter((l) => !l.startsWith('      ')))
      assert.ok(line.length <= 60, line);
  });
});
