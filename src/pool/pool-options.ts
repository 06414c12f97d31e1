import type mysql from 'mysql2';
import { parseConnectionUri, singleHost } from '../config/connection-uri.js';
import { checkDriverOptions, type DriverOptionName } from '../config/driver-options.js';
import { checkCount, checkDurationMs } from '../config/duration.js';
import { passwordExchangePlugins } from '../config/password-exchange.js';
import { resolveSsl, sslModeFromParams, sslOptionsForMode } from '../config/tls-options.js';
import type { ConnectionConfig } from '../connection/managed-connection.js';
import { ConfigurationError } from '../errors/index.js';
import { type Clock, systemClock } from './clock.js';

/**
 * mysql2 options passed through untouched (result shaping, charset, time zone, ...): the
 * options that `DRIVER_OPTION_RULES` lets through, checked again at run time.
 */
export type DriverOptions = Pick<mysql.ConnectionOptions, DriverOptionName>;

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
  /**
   * TLS, as mysql2 takes it (an options object or a profile name). The certificate must chain
   * to a trusted CA (`ca`, or the system's) and name the host (or its IP address); set
   * `verifyIdentity: false` to skip the name check. See docs/security.md.
   */
  readonly ssl?: mysql.ConnectionOptions['ssl'];
  /**
   * The server's RSA public key (PEM), for `caching_sha2_password` / `sha256_password` full
   * authentication without TLS: the password is encrypted to this key, never to one the
   * server offers.
   */
  readonly serverPublicKey?: string | Buffer;
  /**
   * Without TLS, let the server send its own RSA public key and encrypt the password to it.
   * Anyone who can answer in the server's place can then read the password. Default false.
   */
  readonly insecureAllowPublicKeyRetrieval?: boolean;
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

/** Bounds that 0 would make useless: every connect, acquire or validation would fail at once. */
const NEVER_ZERO = new Set(['connectTimeoutMs', 'acquireTimeoutMs', 'validationTimeoutMs']);

const KNOWN_KEYS = new Set<string>([
  'host',
  'port',
  'user',
  'password',
  'database',
  'socketPath',
  'ssl',
  'serverPublicKey',
  'insecureAllowPublicKeyRetrieval',
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
      checkDurationMs(`Pool option '${key}'`, o[key as keyof typeof DURATIONS] ?? fallback, {
        zero: !NEVER_ZERO.has(key),
      }),
    ]),
  ) as Record<keyof typeof DURATIONS, number>;

  const max = checkCount("Pool option 'max'", o.max ?? 10, 1, 100_000, "MySQL's max_connections");
  const maxAttempts = checkCount(
    "Pool option 'maxAttempts'",
    o.maxAttempts ?? 3,
    1,
    100,
    'more attempts only hide a failing server',
  );
  const idleTimeoutMs = o.idleTimeoutMs ?? 'auto';
  if (idleTimeoutMs !== 'auto') checkDurationMs("Pool option 'idleTimeoutMs'", idleTimeoutMs);
  const port = checkCount("Pool option 'port'", o.port ?? 3306, 1, 65_535, 'a TCP port');
  const initSql = o.initSql ?? [];
  if (!Array.isArray(initSql) || initSql.some((s) => typeof s !== 'string')) {
    invalid('initSql', '(value)', 'an array of SQL strings');
  }
  if (
    o.insecureAllowPublicKeyRetrieval !== undefined &&
    typeof o.insecureAllowPublicKeyRetrieval !== 'boolean'
  ) {
    invalid('insecureAllowPublicKeyRetrieval', o.insecureAllowPublicKeyRetrieval, 'true or false');
  }

  if (o.name !== undefined && (typeof o.name !== 'string' || o.name === '')) {
    invalid('name', o.name, 'a non-empty string');
  }

  const host = o.host ?? 'localhost';
  const label = o.socketPath ?? `${host}:${port}`;
  const ssl = resolveSsl(o.ssl, "Pool option 'ssl'");
  const driverOptions = checkDriverOptions(o.driverOptions ?? {}, "the pool's driverOptions");
  const authPlugins = passwordExchangePlugins({
    tls: ssl !== undefined,
    socket: o.socketPath !== undefined,
    serverPublicKey: o.serverPublicKey,
    insecureAllowPublicKeyRetrieval: o.insecureAllowPublicKeyRetrieval,
    label,
  });
  return {
    connection: {
      host,
      port,
      socketPath: o.socketPath,
      connectTimeoutMs: durations.connectTimeoutMs,
      initSql,
      driver: {
        ...driverOptions,
        user: o.user,
        password: o.password,
        database: o.database,
        ...(ssl === undefined ? {} : { ssl }),
        // mysql2 sends the password as it is over a socket it knows of (see password-exchange.ts).
        ...(o.socketPath === undefined ? {} : { socketPath: o.socketPath }),
        ...(authPlugins === undefined
          ? {}
          : {
              authPlugins: {
                ...(driverOptions.authPlugins as mysql.ConnectionOptions['authPlugins']),
                ...authPlugins,
              },
            }),
      },
    },
    max,
    maxAttempts,
    idleTimeoutMs,
    ...durations,
    clock: o.clock ?? systemClock,
    label,
    name: o.name,
  };
}

/** Query parameters a URI may carry besides the numbers: `?socketPath=...&ssl-mode=VERIFY_CA`. */
const URI_OTHER_KEYS = [
  'socketPath',
  'socket',
  'idleTimeoutMs',
  'ssl',
  'ssl-mode',
  'sslmode',
  'sslMode',
  'insecureAllowPublicKeyRetrieval',
];

function parseUri(text: string): PoolOptions {
  const uri = parseConnectionUri(text);
  const server = singleHost(uri);
  const options: Record<string, unknown> = {
    host: server?.host || 'localhost',
    ...(server?.port === undefined ? {} : { port: server.port }),
    ...(uri.user === undefined ? {} : { user: uri.user }),
    ...(uri.password === undefined ? {} : { password: uri.password }),
    ...(uri.database === undefined ? {} : { database: uri.database }),
  };
  const sslMode = sslModeFromParams(uri.params, 'the connection URI');
  if (sslMode !== undefined) options.ssl = sslOptionsForMode(sslMode);
  for (const [key, value] of uri.params) {
    if (key === 'socketPath' || key === 'socket') options.socketPath = value;
    else if (key === 'idleTimeoutMs')
      options.idleTimeoutMs = value === 'auto' ? 'auto' : Number(value);
    else if (key === 'insecureAllowPublicKeyRetrieval')
      options.insecureAllowPublicKeyRetrieval = /^(1|true|on|yes)$/i.test(value);
    else if (URI_NUMBER_KEYS.has(key)) options[key] = Number(value);
    else if (!URI_OTHER_KEYS.includes(key)) {
      throw new ConfigurationError(
        `The connection URI has an unknown parameter '${key}'. Known: ${[...URI_OTHER_KEYS, ...URI_NUMBER_KEYS].join(', ')}.`,
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

function invalid(key: string, value: unknown, expected: string): never {
  const shown =
    typeof value === 'number' || typeof value === 'string' ? String(value) : typeof value;
  throw new ConfigurationError(`Pool option '${key}' is ${shown}; expected ${expected}.`);
}
