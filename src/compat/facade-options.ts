/**
 * mysql2's connection and pool options → goneaway's pool options. Every mysql2 option has one
 * row in {@link MYSQL2_OPTIONS}: a driver option (passed on or refused by the one list the core
 * pool uses too, `DRIVER_OPTION_RULES`), mapped to a goneaway option, accepted without effect
 * (goneaway does the same job its own way), or refused with a `NotSupportedError` that says
 * why. Unknown keys are refused like goneaway's own options.
 * ORMs pass many keys set to `undefined` (TypeORM does); those count as absent.
 */
import type mysql from 'mysql2';
import { parseConnectionUri, singleHost } from '../config/connection-uri.js';
import { checkDriverOptions, DRIVER_OPTION_RULES } from '../config/driver-options.js';
import { publicSslOptions, sslModeFromParams, sslOptionsForMode } from '../config/tls-options.js';
import { ConfigurationError } from '../errors/index.js';
import type { DriverOptions, PoolOptions } from '../pool/pool-options.js';
import { notSupported } from './not-supported.js';

/** goneaway's own options, under the `goneaway` key of a mysql2-style config. */
export type GoneawayOptions = Omit<
  PoolOptions,
  | 'host'
  | 'port'
  | 'user'
  | 'password'
  | 'database'
  | 'socketPath'
  | 'ssl'
  | 'max'
  | 'driverOptions'
>;

/**
 * What the facade's `createPool` and `createConnection` take: mysql2's options, plus
 * goneaway's own under `goneaway`.
 *
 * @example
 * const options: FacadeOptions = {
 *   host: '127.0.0.1',
 *   user: 'app',
 *   password: process.env.DB_PASSWORD,
 *   database: 'shop',
 *   connectionLimit: 10,
 *   goneaway: { acquireTimeoutMs: 10_000 },
 * };
 */
export interface FacadeOptions extends mysql.PoolOptions {
  readonly goneaway?: GoneawayOptions;
  /** mysql's (not mysql2's) name for the acquire bound; TypeORM passes it. Maps to `acquireTimeoutMs`. */
  readonly acquireTimeout?: number;
}

/** The options resolved once per pool or connection. */
export interface ResolvedFacadeOptions {
  /** Options for goneaway's `createPool`. */
  readonly pool: PoolOptions;
  /** What `pool.config` / `connection.config` show: mysql2's settings without any password. */
  readonly publicConfig: Readonly<Record<string, unknown>>;
  /** For `format()`: how objects and dates are escaped, as mysql2 would. */
  readonly stringifyObjects: boolean;
  readonly timezone: string;
}

type Row =
  | { readonly kind: 'connection' }
  | { readonly kind: 'driver' }
  | {
      readonly kind: 'map';
      readonly to: 'max' | 'connectTimeoutMs' | 'acquireTimeoutMs' | 'idleTimeoutMs';
    }
  | { readonly kind: 'no-effect'; readonly why: string }
  | { readonly kind: 'refused'; readonly when: (value: unknown) => boolean; readonly why: string };

const driver: Row = { kind: 'driver' };
const connection: Row = { kind: 'connection' };

/** Every option mysql2 accepts (its `validOptions`), and what the facade does with it. */
export const MYSQL2_OPTIONS: Readonly<Record<string, Row>> = {
  host: connection,
  port: connection,
  user: connection,
  password: connection,
  // mysql2's name for the first factor's password.
  password1: connection,
  database: connection,
  socketPath: connection,
  ssl: connection,
  uri: connection,

  // Every driver option, passed on or refused by the one list the core pool uses too.
  ...Object.fromEntries(Object.keys(DRIVER_OPTION_RULES).map((key) => [key, driver])),

  connectionLimit: { kind: 'map', to: 'max' },
  connectTimeout: { kind: 'map', to: 'connectTimeoutMs' },
  acquireTimeout: { kind: 'map', to: 'acquireTimeoutMs' },
  idleTimeout: { kind: 'map', to: 'idleTimeoutMs' },

  maxIdle: {
    kind: 'no-effect',
    why: "goneaway retires idle connections by the server's wait_timeout",
  },
  enableKeepAlive: { kind: 'no-effect', why: 'goneaway turns TCP keepalive on itself' },
  keepAliveInitialDelay: { kind: 'no-effect', why: 'goneaway turns TCP keepalive on itself' },
  resetOnRelease: {
    kind: 'no-effect',
    why: 'goneaway retires a released connection whose session holds state',
  },
  gracefulEnd: { kind: 'no-effect', why: 'a pool connection’s end() releases it' },
  Promise: { kind: 'no-effect', why: 'the promise API uses the built-in Promise' },
  waitForConnections: {
    kind: 'refused',
    when: (value) => value === false,
    why: 'callers always wait for a connection, bounded by goneaway.acquireTimeoutMs; lower that bound instead',
  },
  queueLimit: {
    kind: 'refused',
    when: (value) => value !== 0,
    why: 'the wait for a connection is bounded in time (goneaway.acquireTimeoutMs), not in queue length',
  },
  password2: {
    kind: 'refused',
    when: () => true,
    why: 'multi-factor authentication is not supported',
  },
  password3: {
    kind: 'refused',
    when: () => true,
    why: 'multi-factor authentication is not supported',
  },
};

/**
 * Resolves mysql2-style options (or a `mysql://` URI, with options in its query string as
 * mysql2 reads them) into goneaway pool options.
 *
 * @example
 * resolveFacadeOptions({ uri: 'mysql://app:secret@127.0.0.1:3306/shop', connectionLimit: 5 }).pool.max; // 5
 */
export function resolveFacadeOptions(input: string | FacadeOptions): ResolvedFacadeOptions {
  const given: Record<string, unknown> =
    typeof input === 'string' ? { uri: input } : everyOwnOption(input);
  const { goneaway, uri, ...rest } = given;
  // As in mysql2, options given explicitly win over the URI's.
  const merged: Record<string, unknown> = {
    ...(typeof uri === 'string' ? parseUri(uri) : {}),
    ...defined(rest),
  };
  if (uri !== undefined && typeof uri !== 'string') {
    throw new ConfigurationError(
      'The mysql2 option uri must be a string (mysql://user:password@host:port/database).',
    );
  }

  const connectionOptions: Record<string, unknown> = {};
  const driverOptions: Record<string, unknown> = {};
  const mapped: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(merged)) {
    const row = MYSQL2_OPTIONS[key];
    if (!row) {
      throw new ConfigurationError(
        `Unknown mysql2 option '${key}'. goneaway's own options go under the 'goneaway' key; ` +
          'see docs/orms.md for the mysql2 options the facade takes.',
      );
    }
    if (row.kind === 'connection')
      connectionOptions[key === 'password1' ? 'password' : key] = value;
    else if (row.kind === 'driver') driverOptions[key] = value;
    else if (row.kind === 'map') mapped[row.to] = value;
    else if (row.kind === 'refused' && row.when(value))
      throw notSupported(`the mysql2 option ${key}`, `${capitalize(row.why)}.`);
  }
  if (connectionOptions.port !== undefined) connectionOptions.port = Number(connectionOptions.port);
  const passed = checkDriverOptions(driverOptions, 'the mysql2 options');

  const ownOptions = (goneaway ?? {}) as GoneawayOptions;
  if (typeof ownOptions !== 'object' || ownOptions === null) {
    throw new ConfigurationError(
      "The 'goneaway' option must be an object of goneaway pool options.",
    );
  }
  const pool: PoolOptions = {
    ...connectionOptions,
    ...mapped,
    ...ownOptions,
    // The core's DriverOptions names the options it documents; mysql2 takes more, and they
    // reach mysql2's createConnection untouched.
    driverOptions: passed as DriverOptions,
  };
  // Secrets stay out of what `config` shows: the password, its SHA-1 (enough to log in with
  // mysql_native_password), and the TLS private key with its passphrase.
  const { password: _password, ...shown } = connectionOptions;
  const { passwordSha1: _passwordSha1, ...shownDriver } = passed;
  return {
    pool,
    publicConfig: Object.freeze({
      ...shown,
      ...(shown.ssl === undefined ? {} : { ssl: publicSslOptions(shown.ssl) }),
      ...shownDriver,
      ...mapped,
    }),
    stringifyObjects: passed.stringifyObjects === true,
    timezone: typeof passed.timezone === 'string' ? passed.timezone : 'local',
  };
}

/**
 * mysql2's URI form: `mysql://user:password@host:port/database?option=value`, option values
 * read as JSON when they parse (as mysql2 does). `ssl=true|false` and `ssl-mode=...` read as
 * for the core pool.
 */
function parseUri(text: string): Record<string, unknown> {
  const uri = parseConnectionUri(text);
  const server = singleHost(uri);
  const options: Record<string, unknown> = {
    host: server?.host || undefined,
    port: server?.port,
    user: uri.user,
    password: uri.password,
    database: uri.database,
  };
  const sslMode = sslModeFromParams(
    uri.params.filter(([key, value]) => key !== 'ssl' || !value.startsWith('{')),
    'the connection URI',
  );
  if (sslMode !== undefined) options.ssl = sslOptionsForMode(sslMode);
  for (const [key, value] of uri.params) {
    if (key in options || TLS_MODE_PARAMS.has(key)) continue;
    options[key] = parseValue(value);
  }
  return defined(options);
}

/** Query parameters that name a TLS mode rather than a mysql2 option. */
const TLS_MODE_PARAMS = new Set(['ssl-mode', 'sslmode', 'sslMode']);

/**
 * Every own option, enumerable or not: Knex hides the password from loggers by making it
 * non-enumerable, and mysql2 reads it all the same.
 */
function everyOwnOption(input: FacadeOptions): Record<string, unknown> {
  const source = input as Record<string, unknown>;
  return Object.fromEntries(Object.getOwnPropertyNames(source).map((key) => [key, source[key]]));
}

function parseValue(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function defined(options: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
