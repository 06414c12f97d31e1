/**
 * What to change, derived from what `doctor` measured. Each rule is one function from the
 * measurements to at most one recommendation with a stable `id` (machines match on it) and a
 * sentence that carries the measured numbers and the consequence.
 *
 * Levels: `warn` is a problem worth fixing (doctor exits 1 when there is one); `info` is a
 * setting to know about or copy.
 */
import { idleLimitMs } from '../../pool/retirement.js';
import { formatBytes, formatSeconds, trimNumber } from '../format.js';
import { NEAR_CLOSE_SHARE } from '../processlist.js';
import type { Measurements } from './build-report.js';

/** One setting for one client library, e.g. `{ client: 'Knex', setting: 'pool: {...}' }`. */
export interface PoolSetting {
  readonly client: string;
  readonly setting: string;
}

/** One recommendation of the report. */
export interface Recommendation {
  /** Stable identifier, e.g. `wait-timeout`. */
  readonly id: string;
  readonly level: 'warn' | 'info';
  readonly message: string;
  /** Settings to copy, for recommendations about pools. */
  readonly settings?: readonly PoolSetting[];
}

/** Above this share of connections, a counter of failures counts as "high". */
export const ABORTED_SHARE_WARN = 0.01;
/** Above this share of max_connections in use, new connections are at risk. */
export const CONNECTIONS_SHARE_WARN = 0.8;

/**
 * How long goneaway lets a connection sit idle before retiring it, for a `wait_timeout` of
 * `waitTimeoutS`: the pool's own `'auto'` rule (10% of margin, at least 0.5 s, at most 30 s).
 *
 * @example
 * retireAfterMs(60); // 54000
 * retireAfterMs(4); // 3500
 */
export function retireAfterMs(waitTimeoutS: number): number {
  // The pool's own rule, so the advice never drifts from what goneaway does.
  return Math.round(idleLimitMs('auto', waitTimeoutS * 1000));
}

/**
 * Settings for common pools that keep idle connections below a server's `wait_timeout`, given
 * the idle bound in ms. Each entry names the option that bounds idle time (or lifetime, where
 * the pool has no idle bound) and what else it needs.
 *
 * @example
 * poolSettings(55_000).find((s) => s.client.startsWith('mysql2'))?.setting;
 */
export function poolSettings(idleMs: number): PoolSetting[] {
  const seconds = trimNumber(idleMs / 1000);
  return [
    {
      client: 'mysql2 createPool',
      // mysql2 only runs its idle reaper when maxIdle < connectionLimit (maxIdle defaults to it).
      setting: `{ idleTimeout: ${idleMs}, maxIdle: <less than connectionLimit> }`,
    },
    { client: 'Knex (tarn)', setting: `pool: { min: 0, idleTimeoutMillis: ${idleMs} }` },
    { client: 'Sequelize', setting: `pool: { min: 0, idle: ${idleMs} }` },
    {
      client: 'TypeORM (mysql2)',
      setting: `extra: { idleTimeout: ${idleMs}, maxIdle: <less than connectionLimit> }`,
    },
    {
      client: 'SQLAlchemy',
      setting: `create_engine(..., pool_recycle=${seconds}, pool_pre_ping=True)`,
    },
    { client: 'Django', setting: `CONN_MAX_AGE = ${seconds}, CONN_HEALTH_CHECKS = True` },
    { client: 'Go database/sql', setting: `db.SetConnMaxIdleTime(${seconds} * time.Second)` },
    { client: 'HikariCP', setting: `maxLifetime=${idleMs}, keepaliveTime below it` },
  ];
}

type Rule = (m: Measurements) => Recommendation | undefined;

const waitTimeout: Rule = (m) => {
  const wait = m.timeouts.wait_timeout;
  if (wait?.global == null) return undefined;
  const retireMs = retireAfterMs(wait.global);
  const session =
    wait.session !== null && wait.session !== wait.global
      ? ` (this session got ${formatSeconds(wait.session)}: a per-account or init_connect setting)`
      : '';
  return {
    id: 'wait-timeout',
    level: 'info',
    message:
      `wait_timeout is ${formatSeconds(wait.global)}${session}: the server closes connections ` +
      `idle longer than that; goneaway retires idle connections after ${formatSeconds(retireMs / 1000)}. ` +
      'Sessions keep the value in force when they connected, so a change reaches only new ones.',
  };
};

const poolsRule: Rule = (m) => {
  const wait = m.timeouts.wait_timeout?.global;
  if (wait == null) return undefined;
  const idleMs = retireAfterMs(wait);
  return {
    id: 'pool-settings',
    level: 'info',
    message: `Other pools: keep idle connections under ${formatSeconds(idleMs / 1000)} (wait_timeout ${formatSeconds(wait)} less a margin):`,
    settings: poolSettings(idleMs),
  };
};

const interactiveTimeout: Rule = (m) => {
  const interactive = m.timeouts.interactive_timeout?.global;
  const wait = m.timeouts.wait_timeout?.global;
  if (interactive == null || wait == null || interactive === wait) return undefined;
  return {
    id: 'interactive-timeout',
    level: 'info',
    message:
      `interactive_timeout is ${formatSeconds(interactive)} and applies instead of wait_timeout to ` +
      'clients that connect as interactive (the mysql command line, some GUI tools); ' +
      'applications and goneaway are not interactive.',
  };
};

const abortedClients: Rule = (m) => {
  const aborted = m.status.Aborted_clients;
  const connections = m.status.Connections;
  if (aborted == null || connections == null || connections === 0) return undefined;
  const share = aborted / connections;
  if (share < ABORTED_SHARE_WARN) return undefined;
  const idleNote =
    m.sessions && m.sessions.idle.pastHalf > 0
      ? ` ${m.sessions.idle.pastHalf} session(s) are idle past half of wait_timeout right now.`
      : '';
  return {
    id: 'aborted-clients',
    level: 'warn',
    message:
      `Aborted_clients is high: ${aborted} of ${connections} connections (${percent(share)}) ` +
      `since start-up ${m.server.uptimeS == null ? '' : `${formatSeconds(m.server.uptimeS)} ago `}` +
      'ended without a proper close. Clients are being dropped: likely idle connections killed by ' +
      'wait_timeout, net_read_timeout/net_write_timeout cutting slow clients, or clients that close ' +
      `the socket without saying goodbye (mysql2's destroy()).${idleNote}`,
  };
};

const abortedConnects: Rule = (m) => {
  const aborted = m.status.Aborted_connects;
  const connections = m.status.Connections;
  if (aborted == null || connections == null || connections === 0) return undefined;
  // Connections counts every attempt, successful or not.
  const share = aborted / connections;
  if (share < ABORTED_SHARE_WARN) return undefined;
  const connectTimeout = m.timeouts.connect_timeout?.global;
  return {
    id: 'aborted-connects',
    level: 'warn',
    message:
      `Aborted_connects is high: ${aborted} of ${connections} connection attempts (${percent(share)}) ` +
      'failed: wrong passwords, health checks that open and drop the port, handshakes slower than ' +
      `connect_timeout${connectTimeout == null ? '' : ` (${formatSeconds(connectTimeout)})`}, or max_connections reached.`,
  };
};

const maxConnections: Rule = (m) => {
  const max = m.limits.max_connections;
  const connected = m.status.Threads_connected;
  if (max == null || max === 0 || connected == null) return undefined;
  const share = connected / max;
  const maxUsed = m.status.Max_used_connections;
  if (share >= CONNECTIONS_SHARE_WARN) {
    return {
      id: 'max-connections',
      level: 'warn',
      message:
        `${connected} of max_connections ${max} are in use (${percent(share)}): new connections ` +
        'will soon fail with 1040 Too many connections. Lower pool sizes, or raise max_connections.',
    };
  }
  if (maxUsed != null && maxUsed >= max) {
    return {
      id: 'max-connections',
      level: 'warn',
      message:
        `Max_used_connections reached max_connections (${max}) since start-up: clients have been ` +
        'refused with 1040 Too many connections at some point.',
    };
  }
  return undefined;
};

const idleNearClose: Rule = (m) => {
  const idle = m.sessions?.idle;
  if (!idle || idle.nearClose === 0 || idle.waitTimeoutS == null) return undefined;
  const first = idle.closest[0];
  const example = first
    ? ` Closest: session ${first.id} (${first.user}@${first.host}), idle ${formatSeconds(first.idleS)}, closed in ${formatSeconds(first.closesInS)}.`
    : '';
  return {
    id: 'idle-near-close',
    level: 'warn',
    message:
      `${idle.nearClose} idle session(s) are past ${Math.round(NEAR_CLOSE_SHARE * 100)}% of ` +
      `wait_timeout (${formatSeconds(idle.waitTimeoutS)}): unless their pool retires them first, ` +
      `their next statement gets "server has gone away".${example}`,
  };
};

const statementTime: Rule = (m) => {
  const mariadb = m.timeouts.max_statement_time?.global;
  const mysql = m.timeouts.max_execution_time?.global;
  const limit = mariadb ? formatSeconds(mariadb) : mysql ? `${mysql} ms` : undefined;
  if (!limit) return undefined;
  return {
    id: 'statement-time-limit',
    level: 'info',
    message:
      `Statements are cut off after ${limit} (${mariadb ? 'max_statement_time, error 1969' : 'max_execution_time, SELECT only, error 3024'}): ` +
      'the connection stays up, nothing is lost, and goneaway does not retry such a statement.',
  };
};

const idleTransaction: Rule = (m) => {
  const limits = (
    [
      'idle_transaction_timeout',
      'idle_write_transaction_timeout',
      'idle_readonly_transaction_timeout',
    ] as const
  )
    .map((name) => [name, m.timeouts[name]?.global] as const)
    .filter(([, value]) => value != null && value > 0);
  if (limits.length === 0) return undefined;
  const list = limits.map(([name, value]) => `${name} ${formatSeconds(value ?? 0)}`).join(', ');
  return {
    id: 'idle-transaction-timeout',
    level: 'info',
    message:
      `A session idle inside a transaction is closed (${list}): the transaction is rolled back, ` +
      'and goneaway reports it as a lost transaction rather than retrying half of it.',
  };
};

const packetSize: Rule = (m) => {
  const packet = m.limits.max_allowed_packet;
  if (packet == null) return undefined;
  return {
    id: 'max-allowed-packet',
    level: 'info',
    message:
      `max_allowed_packet is ${formatBytes(packet)}: a statement or row larger than that makes the ` +
      'server close the connection (1153, then 2006/2013 on the client). That is not an idle ' +
      'death and a retry fails the same way.',
  };
};

const netTimeouts: Rule = (m) => {
  const read = m.timeouts.net_read_timeout?.global;
  const write = m.timeouts.net_write_timeout?.global;
  if ((read == null || read >= 30) && (write == null || write >= 60)) return undefined;
  return {
    id: 'net-timeouts',
    level: 'info',
    message:
      `net_read_timeout ${read == null ? '?' : formatSeconds(read)} / net_write_timeout ` +
      `${write == null ? '?' : formatSeconds(write)} are below the defaults (30 s / 60 s): a client ` +
      'that reads a large result slowly, or sends a large statement slowly, is disconnected mid-statement.',
  };
};

const proxyRule: Rule = (m) => {
  if (!m.proxy.detected) return undefined;
  const name =
    m.proxy.kind === 'proxysql'
      ? 'ProxySQL'
      : m.proxy.kind === 'mysql-router'
        ? 'MySQL Router'
        : m.proxy.kind === 'tcp-forwarder'
          ? 'a TCP forwarder (proxy, load balancer or NAT)'
          : 'a MySQL-protocol proxy';
  const extra =
    m.proxy.kind === 'proxysql'
      ? ' ProxySQL closes idle client connections after its own mysql-wait_timeout and answers pings itself, so a ping does not prove the server is there.'
      : m.proxy.kind === 'tcp-forwarder'
        ? ' Forwarders and NAT often drop idle flows silently; the next statement then hangs rather than fails, so keep connect and query timeouts bounded.'
        : '';
  return {
    id: 'proxy',
    level: 'info',
    message:
      `${name} sits between this client and the server: its idle timeout applies too, and the ` +
      `connection to it can break while the server is fine. Retire idle connections below the smaller of the two timeouts.${extra}`,
  };
};

const tlsRule: Rule = (m) => {
  const tls = m.connection.tls;
  if (tls.encrypted || m.local) return undefined;
  return {
    id: 'tls',
    level: tls.serverOffersTls ? 'warn' : 'info',
    message: tls.serverOffersTls
      ? 'This connection is not encrypted although the server offers TLS: connect with --ssl (and use TLS in the application).'
      : 'This connection is not encrypted and the server offers no TLS: passwords and data cross the network in the clear.',
  };
};

const partialView: Rule = (m) => {
  if (!m.sessions || m.sessions.visible === 'all') return undefined;
  return {
    id: 'partial-processlist',
    level: 'info',
    message:
      "Only this account's sessions were visible (no PROCESS privilege): the session counts and " +
      'the idle analysis cover them alone. Run doctor as an account with PROCESS to see every client.',
  };
};

const RULES: readonly Rule[] = [
  abortedClients,
  abortedConnects,
  maxConnections,
  idleNearClose,
  tlsRule,
  waitTimeout,
  poolsRule,
  interactiveTimeout,
  proxyRule,
  idleTransaction,
  statementTime,
  netTimeouts,
  packetSize,
  partialView,
];

/**
 * The recommendations for a set of measurements: warnings first, then information.
 *
 * @example
 * const warnings = recommend(measurements).filter((r) => r.level === 'warn');
 */
export function recommend(measurements: Measurements): Recommendation[] {
  const found = RULES.map((rule) => rule(measurements)).filter(
    (recommendation): recommendation is Recommendation => recommendation !== undefined,
  );
  return [...found.filter((r) => r.level === 'warn'), ...found.filter((r) => r.level === 'info')];
}

function percent(share: number): string {
  return `${trimNumber(share * 100)}%`;
}
