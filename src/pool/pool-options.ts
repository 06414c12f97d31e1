import type mysql from 'mysql2';
import type { ConnectionConfig } from '../connection/managed-connection.js';
import { ConfigurationError } from '../errors/index.js';
import { type Clock, systemClock } from './clock.js';

/** mysql2 options passed through untouched (result shaping, charset, time zone, TLS details). */
export type DriverOptions = Pick<
  mysql.ConnectionOptions,
  | 'charset'
  | 'timezone'
  | 'dateStrings'
  | 'typeCast'
  | 'supportBigNumbers'
  | 'bigNumberStrings'
  | 'decimalNumbers'
  | 'namedPlaceholders'
  | 'nestTables'
  | 'rowsAsArray'
  | 'maxPreparedStatements'
  | 'flags'
  | 'jsonStrings'
>;

/**
 * Options for {@link createPool}. Every duration is in milliseconds; none defaults to waiting
 * forever. Unknown keys are rejected with a {@link ConfigurationError} naming the key.
 */
export interface PoolOptions {
  readonly host?: string;
  /** Default 3306. */
  readonly port?: number;
  readonly user?: string;
  /** Never appears in an error, event or log. */
  readonly password?: string;
  readonly database?: string;
  /** Connect over a unix socket instead of TCP. */
  readonly socketPath?: string;
  /** TLS, as mysql2 takes it (an options object or a profile name). */
  readonly ssl?: mysql.ConnectionOptions['ssl'];
  /** Most connections open at once. Default 10. */
  readonly max?: number;
  /** Bound on TCP connect + handshake + authentication. Default 10 000. */
  readonly connectTimeoutMs?: number;
  /** Bound on getting a connection, including riding out a short outage. Default 30 000. */
  readonly acquireTimeoutMs?: number;
  /** Retire idle connections: `'auto'` (default) = the session's `wait_timeout` less a margin. */
  readonly idleTimeoutMs?: 'auto' | number;
  /** Retire connections older than this (less up to 10% jitter). Default 30 min; 0 = never. */
  readonly maxLifetimeMs?: number;
  /** Ping idle connections this often (for NAT and load balancers with short idle limits). Default 0 = off. */
  readonly keepaliveMs?: number;
  /** A connection idle longer than this is pinged before use. Default 1 000. */
  readonly validateAfterIdleMs?: number;
  /** Bound on that ping. Default 2 000. */
  readonly validationTimeoutMs?: number;
  /** A statement that received nothing for this long is checked over a side connection. Default 3 000; 0 = off. */
  readonly stallCheckMs?: number;
  /** Default bound on every statement (per-statement `timeoutMs` overrides). Default 0 = none. */
  readonly queryTimeoutMs?: number;
  /** Report a lease held longer than this, with the stack that took it. Default 60 000; 0 = off. */
  readonly leakWarningMs?: number;
  /** How long `end()` waits for leases to be released. Default 10 000. */
  readonly endTimeoutMs?: number;
  /** Attempts per statement when the failure is provably safe to retry. Default 3. */
  readonly maxAttempts?: number;
  /** Run on every new connection (e.g. `SET time_zone = '+00:00'`); not counted as session state. */
  readonly initSql?: readonly string[];
  /** mysql2 options goneaway passes through untouched. */
  readonly driverOptions?: DriverOptions;
  /** Time source, for tests. */
  readonly clock?: Clock;
  /**
   * The pool's name in telemetry (`db.client.connection.pool.name`) and tracing contexts. Default
   * `host:port/database`, numbered (`#2`, ...) for later pools with the same default.
   */
  readonly name?: string;
}

/** Options after defaults and validation. */
export interface ResolvedPoolOptions {
  readonly connection: ConnectionConfig;
  readonly max: number;
  readonly acquireTimeoutMs: number;
  readonly idleTimeoutMs: 'auto' | number;
  readonly maxLifetimeMs: number;
  readonly keepaliveMs: number;
  readonly validateAfterIdleMs: number;
  readonly validationTimeoutMs: number;
  readonly stallCheckMs: number;
  readonly queryTimeoutMs: number;
  readonly leakWarningMs: number;
  readonly endTimeoutMs: number;
  readonly maxAttempts: number;
  readonly clock: Clock;
  /** `host:port` or the socket path, for messages (never the password). */
  readonly label: string;
  /** The name the caller gave, if any (the pool picks a default). */
  readonly name: string | undefined;
}

const DURATIONS = {
  connectTimeoutMs: 10_000,
  acquireTimeoutMs: 30_000,
  maxLifetimeMs: 30 * 60_000,
  keepaliveMs: 0,
  validateAfterIdleMs: 1_000,
  validationTimeoutMs: 2_000,
  stallCheckMs: 3_000,
  queryTimeoutMs: 0,
  leakWarningMs: 60_000,
  endTimeoutMs: 10_000,
} as const;

const KNOWN_KEYS = new Set<string>([
  'host',
  'port',
  'user',
  'password',
  'database',
  'socketPath',
  'ssl',
  'max',
  'idleTimeoutMs',
  'maxAttempts',
  'initSql',
  'driverOptions',
  'clock',
  'name',
  ...Object.keys(DURATIONS),
]);

/** Options a URI may carry in its query string, e.g. `?max=20&connectTimeoutMs=5000`. */
const URI_NUMBER_KEYS = new Set(['max', 'maxAttempts', ...Object.keys(DURATIONS)]);

/**
 * Merges a URI (if any) and an options object, applies defaults and validates every value.
 *
 * @example
 * resolvePoolOptions('mysql://app:secret@127.0.0.1:3306/shop', { max: 5 }).max; // 5
 */
export function resolvePoolOptions(
  uriOrOptions: string | PoolOptions,
  extra: PoolOptions = {},
): ResolvedPoolOptions {
  const fromUri = typeof uriOrOptions === 'string' ? parseUri(uriOrOptions) : uriOrOptions;
  rejectUnknownKeys(fromUri);
  rejectUnknownKeys(extra);
  const o: PoolOptions = { ...fromUri, ...extra };

  const durations = Object.fromEntries(
    Object.entries(DURATIONS).map(([key, fallback]) => [
      key,
      nonNegative(key, o[key as keyof typeof DURATIONS] ?? fallback),
    ]),
  ) as Record<keyof typeof DURATIONS, number>;
  if (durations.connectTimeoutMs === 0) invalid('connectTimeoutMs', 0, 'a positive number of ms');
  if (durations.acquireTimeoutMs === 0) invalid('acquireTimeoutMs', 0, 'a positive number of ms');
  if (durations.validationTimeoutMs === 0)
    invalid('validationTimeoutMs', 0, 'a positive number of ms');

  const max = o.max ?? 10;
  if (!Number.isInteger(max) || max < 1) invalid('max', max, 'an integer of at least 1');
  const maxAttempts = o.maxAttempts ?? 3;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1)
    invalid('maxAttempts', maxAttempts, 'an integer of at least 1');
  const idleTimeoutMs = o.idleTimeoutMs ?? 'auto';
  if (idleTimeoutMs !== 'auto') nonNegative('idleTimeoutMs', idleTimeoutMs);
  const port = o.port ?? 3306;
  if (!Number.isInteger(port) || port < 1 || port > 65_535)
    invalid('port', port, 'a TCP port (1-65535)');
  const initSql = o.initSql ?? [];
  if (!Array.isArray(initSql) || initSql.some((s) => typeof s !== 'string')) {
    invalid('initSql', '(value)', 'an array of SQL strings');
  }

  if (o.name !== undefined && (typeof o.name !== 'string' || o.name === '')) {
    invalid('name', o.name, 'a non-empty string');
  }

  const host = o.host ?? 'localhost';
  return {
    connection: {
      host,
      port,
      socketPath: o.socketPath,
      connectTimeoutMs: durations.connectTimeoutMs,
      initSql,
      driver: {
        ...o.driverOptions,
        user: o.user,
        password: o.password,
        database: o.database,
        ...(o.ssl === undefined ? {} : { ssl: o.ssl }),
      },
    },
    max,
    maxAttempts,
    idleTimeoutMs,
    ...durations,
    clock: o.clock ?? systemClock,
    label: o.socketPath ?? `${host}:${port}`,
    name: o.name,
  };
}

function parseUri(uri: string): PoolOptions {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    // The URI may hold a password: say what is wrong without repeating it.
    throw new ConfigurationError(
      'The connection URI could not be parsed. Expected mysql://user:password@host:port/database ' +
        '(percent-encode special characters in the password).',
    );
  }
  if (url.protocol !== 'mysql:' && url.protocol !== 'mariadb:') {
    throw new ConfigurationError(
      `The connection URI has scheme '${url.protocol}'; goneaway takes mysql:// or mariadb:// URIs.`,
    );
  }
  const options: Record<string, unknown> = {
    host: url.hostname.replace(/^\[|\]$/g, '') || 'localhost',
    ...(url.port ? { port: Number(url.port) } : {}),
    ...(url.username ? { user: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(url.pathname.length > 1 ? { database: decodeURIComponent(url.pathname.slice(1)) } : {}),
  };
  for (const [key, value] of url.searchParams) {
    if (key === 'socketPath') options.socketPath = value;
    else if (key === 'idleTimeoutMs')
      options.idleTimeoutMs = value === 'auto' ? 'auto' : Number(value);
    else if (URI_NUMBER_KEYS.has(key)) options[key] = Number(value);
    else {
      throw new ConfigurationError(
        `The connection URI has an unknown parameter '${key}'. Known: socketPath, idleTimeoutMs, ${[...URI_NUMBER_KEYS].join(', ')}.`,
      );
    }
  }
  return options as PoolOptions;
}

function rejectUnknownKeys(options: object): void {
  for (const key of Object.keys(options)) {
    if (!KNOWN_KEYS.has(key)) {
      throw new ConfigurationError(
        `Unknown pool option '${key}'. Known options: ${[...KNOWN_KEYS].sort().join(', ')}. ` +
          'mysql2 options go under driverOptions.',
      );
    }
  }
}

function nonNegative(key: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    invalid(key, value, 'a finite number of ms, 0 or more');
  }
  return value as number;
}

function invalid(key: string, value: unknown, expected: string): never {
  const shown =
    typeof value === 'number' || typeof value === 'string' ? String(value) : typeof value;
  throw new ConfigurationError(`Pool option '${key}' is ${shown}; expected ${expected}.`);
}
