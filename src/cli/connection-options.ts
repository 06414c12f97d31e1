/**
 * Where a command connects, from the command line and the environment, in one place.
 *
 * Sources, strongest first (a field set by a stronger source wins):
 *
 * 1. options: `--host -h`, `--port -P`, `--user -u`, `--password -p`, `--socket -S`,
 *    `--database -D`, `--ssl`, `--ssl-mode`, `--ssl-ca`, `--ssl-cert`, `--ssl-key`,
 *    `--server-public-key-path`, `--insecure-allow-public-key-retrieval`;
 * 2. a URI: the command's argument, else `DATABASE_URL`, else `MYSQL_URL` (an environment
 *    URI with another scheme, such as `postgres://`, is not ours and is skipped);
 * 3. `MYSQL_PWD` for the password (the variable the mysql client reads);
 * 4. defaults: 127.0.0.1, port 3306, the login name as user.
 *
 * As with the mysql client, a bare `--password` or `-p` asks for the password on the
 * terminal; `--password=VALUE` and `-pVALUE` give it. Every password is registered with the
 * redactor the moment it is read, before anything can print it.
 */
import { userInfo } from 'node:os';
import {
  type ConnectionUri,
  parseConnectionUri,
  passwordsInUri,
} from '../config/connection-uri.js';
import { MAX_DURATION_MS } from '../config/duration.js';
import {
  parseSslMode as parseMode,
  type SslMode,
  sslModeFromParams,
} from '../config/tls-options.js';
import { ConfigurationError } from '../errors/index.js';
import { UsageError } from './cli-error.js';
import type { CommandInput, OptionSpecs } from './command.js';
import { booleanOption, integerOption, parseInteger, stringOption } from './option-values.js';
import type { Redactor } from './redact.js';

export type { SslMode } from '../config/tls-options.js';

/** The option that a bare `--password` / `-p` is rewritten to (see {@link normalizePasswordFlag}). */
export const PASSWORD_PROMPT_OPTION = 'password-prompt';

/** Connection options shared by every command that talks to a server. */
export const CONNECTION_OPTIONS: OptionSpecs = {
  host: { type: 'string', short: 'h', valueName: 'host', description: 'Server host name or IP' },
  port: { type: 'string', short: 'P', valueName: 'port', description: 'Server TCP port (3306)' },
  user: { type: 'string', short: 'u', valueName: 'user', description: 'User name' },
  password: {
    type: 'string',
    short: 'p',
    valueName: 'password',
    optionalValue: true,
    description: 'Password; a bare --password or -p asks for it on the terminal',
  },
  [PASSWORD_PROMPT_OPTION]: { type: 'boolean', hidden: true, description: 'Ask for the password' },
  socket: { type: 'string', short: 'S', valueName: 'path', description: 'Unix socket file' },
  database: { type: 'string', short: 'D', valueName: 'name', description: 'Default database' },
  ssl: { type: 'boolean', description: 'Require TLS and verify the certificate and host name' },
  'ssl-mode': {
    type: 'string',
    valueName: 'mode',
    description: 'DISABLED, REQUIRED (encrypt only), VERIFY_CA or VERIFY_IDENTITY',
  },
  'ssl-ca': { type: 'string', valueName: 'file', description: 'CA certificate file (PEM)' },
  'ssl-cert': { type: 'string', valueName: 'file', description: 'Client certificate file (PEM)' },
  'ssl-key': { type: 'string', valueName: 'file', description: 'Client private key file (PEM)' },
  'server-public-key-path': {
    type: 'string',
    valueName: 'file',
    description: "The server's RSA public key (PEM), to encrypt the password to without TLS",
  },
  'insecure-allow-public-key-retrieval': {
    type: 'boolean',
    description: 'Without TLS, encrypt the password to whatever key the server offers (unsafe)',
  },
  'connect-timeout-ms': {
    type: 'string',
    valueName: 'ms',
    description: 'Give up connecting after this long (5000)',
  },
};

/** Where the connection settings came from, for messages ("the URI in DATABASE_URL"). */
export type TargetSource = 'argument' | 'DATABASE_URL' | 'MYSQL_URL' | 'options';

/** A resolved connection target. It holds the password: never print it, print `describeTarget()`. */
export interface ConnectionTarget {
  readonly host: string;
  readonly port: number;
  readonly socketPath: string | undefined;
  readonly user: string;
  readonly password: string | undefined;
  readonly database: string | undefined;
  readonly sslMode: SslMode;
  readonly sslCa: string | undefined;
  readonly sslCert: string | undefined;
  readonly sslKey: string | undefined;
  readonly connectTimeoutMs: number;
  /** File with the server's RSA public key (PEM), pinned for the password exchange. */
  readonly serverPublicKeyPath?: string | undefined;
  /** Without TLS, let the server supply the key the password is encrypted to. */
  readonly insecureAllowPublicKeyRetrieval?: boolean;
  /** Whether the password must still be asked for on the terminal. */
  readonly promptForPassword: boolean;
  readonly source: TargetSource;
}

/** The parts of a `mysql://` URI the CLI understands. */
interface UriParts {
  readonly host?: string;
  readonly port?: number;
  readonly user?: string;
  readonly password?: string;
  readonly database?: string;
  readonly socketPath?: string;
  readonly sslMode?: SslMode;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
const URI_SCHEMES = new Set(['mysql', 'mariadb']);

/**
 * Rewrites a bare `--password` / `-p` to `--password-prompt`, so that the option that takes
 * a value can also be given without one (parseArgs cannot express that). Tokens after `--`
 * are positional and left alone.
 *
 * @example
 * normalizePasswordFlag(['-p', '-u', 'app']); // ['--password-prompt', '-u', 'app']
 */
export function normalizePasswordFlag(argv: readonly string[]): string[] {
  const end = argv.indexOf('--');
  return argv.map((token, index) =>
    (end === -1 || index < end) && (token === '--password' || token === '-p')
      ? `--${PASSWORD_PROMPT_OPTION}`
      : token,
  );
}

/**
 * Registers every secret the command line and the environment may hold before anything is
 * parsed, so that even a usage error about a malformed option cannot print one: values of
 * `--password=`/`-p`, passwords inside URIs anywhere in `argv`, `MYSQL_PWD`, and the
 * passwords in `DATABASE_URL` and `MYSQL_URL`.
 *
 * @example
 * registerSecrets(process.argv.slice(2), process.env, redactor);
 */
export function registerSecrets(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  redactor: Redactor,
): void {
  for (const token of argv) {
    if (token.startsWith('--password=')) redactor.add(token.slice('--password='.length));
    else if (/^-p./.test(token)) redactor.add(token.slice(2));
    registerUriPassword(token, redactor);
  }
  redactor.add(env.MYSQL_PWD);
  for (const name of ['DATABASE_URL', 'MYSQL_URL']) {
    const value = env[name];
    if (value) registerUriPassword(value, redactor);
  }
}

/**
 * Resolves the connection target of a command from its input and the environment, and
 * registers every password it finds with `redactor`. Throws a {@link UsageError} for a
 * malformed URI or option, without quoting the URI (it may hold a password).
 *
 * @example
 * const target = resolveConnectionTarget(input, process.env, redactor);
 * console.log(describeTarget(target)); // 'app@127.0.0.1:3306/shop'
 */
export function resolveConnectionTarget(
  input: CommandInput,
  env: Readonly<Record<string, string | undefined>>,
  redactor: Redactor,
): ConnectionTarget {
  const { values } = input;
  const optionPassword = stringOption(values, 'password');
  redactor.add(optionPassword);
  redactor.add(env.MYSQL_PWD);

  const [uri, source] = pickUri(input, env, redactor);
  const parts = uri === undefined ? {} : parseConnectionUriParts(uri, source, redactor);

  const portOption = stringOption(values, 'port');
  const port =
    portOption === undefined
      ? (parts.port ?? 3306)
      : parseInteger(portOption, '--port', { min: 1, max: 65535 });
  const sslModeOption = stringOption(values, 'ssl-mode');
  const sslMode = booleanOption(values, 'ssl')
    ? 'VERIFY_IDENTITY'
    : sslModeOption !== undefined
      ? usage(() => parseMode(sslModeOption, '--ssl-mode'))
      : (parts.sslMode ?? 'DISABLED');
  const sslCa = stringOption(values, 'ssl-ca');
  const sslCert = stringOption(values, 'ssl-cert');
  const sslKey = stringOption(values, 'ssl-key');
  if ((sslCa || sslCert || sslKey) && sslMode === 'DISABLED') {
    throw new UsageError(
      '--ssl-ca, --ssl-cert and --ssl-key need TLS: add --ssl or --ssl-mode=VERIFY_CA',
    );
  }
  if ((sslCert === undefined) !== (sslKey === undefined)) {
    throw new UsageError('--ssl-cert and --ssl-key go together: give both or neither');
  }

  const promptForPassword = booleanOption(values, PASSWORD_PROMPT_OPTION);
  return {
    host: stringOption(values, 'host') ?? parts.host ?? '127.0.0.1',
    port,
    socketPath: stringOption(values, 'socket') ?? parts.socketPath,
    user: stringOption(values, 'user') ?? parts.user ?? loginName(),
    password: promptForPassword ? undefined : (optionPassword ?? parts.password ?? env.MYSQL_PWD),
    database: stringOption(values, 'database') ?? parts.database,
    sslMode,
    sslCa,
    sslCert,
    sslKey,
    connectTimeoutMs: integerOption(values, 'connect-timeout-ms', DEFAULT_CONNECT_TIMEOUT_MS, {
      min: 1,
      max: MAX_DURATION_MS,
    }),
    serverPublicKeyPath: stringOption(values, 'server-public-key-path'),
    insecureAllowPublicKeyRetrieval: booleanOption(values, 'insecure-allow-public-key-retrieval'),
    promptForPassword,
    source: uri === undefined ? 'options' : source,
  };
}

/**
 * `user@host:port/database` (or `user@localhost/database via <socket>`): how the CLI names a target in
 * output. Never includes the password.
 *
 * @example
 * describeTarget(target); // 'app@127.0.0.1:3306/goneaway'
 */
export function describeTarget(target: ConnectionTarget): string {
  const where = target.socketPath
    ? 'localhost'
    : `${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`;
  const database = target.database ? `/${target.database}` : '';
  const socket = target.socketPath ? ` via ${target.socketPath}` : '';
  return `${target.user}@${where}${database}${socket}`;
}

/**
 * The target with the password filled in (after a prompt).
 *
 * @example
 * const ready = withPassword(target, await promptPassword(process.stdin, process.stderr));
 */
export function withPassword(target: ConnectionTarget, password: string): ConnectionTarget {
  return { ...target, password, promptForPassword: false };
}

function pickUri(
  input: CommandInput,
  env: Readonly<Record<string, string | undefined>>,
  redactor: Redactor,
): [string | undefined, TargetSource] {
  const argument = input.positionals[0];
  if (argument !== undefined) return [argument, 'argument'];
  for (const name of ['DATABASE_URL', 'MYSQL_URL'] as const) {
    const value = env[name];
    if (!value) continue;
    registerUriPassword(value, redactor);
    if (isOurScheme(value)) return [value, name];
  }
  return [undefined, 'options'];
}

function isOurScheme(uri: string): boolean {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(uri)?.[1]?.toLowerCase();
  return scheme !== undefined && URI_SCHEMES.has(scheme);
}

/**
 * Registers the password of a URI as a secret, found leniently before the URI is parsed: a
 * malformed URI must not leak its password either.
 */
function registerUriPassword(uri: string, redactor: Redactor): void {
  for (const password of passwordsInUri(uri)) redactor.add(password);
}

/**
 * Parses a `mysql://` or `mariadb://` URI with the library's one parser. Understood query
 * parameters: `socket` (also `socketPath`), `ssl=true|false`, `ssl-mode` (also `sslmode`,
 * `sslMode`); others are ignored, since an application's URI often carries driver options the
 * CLI has no use for.
 */
function parseConnectionUriParts(uri: string, source: TargetSource, redactor: Redactor): UriParts {
  registerUriPassword(uri, redactor);
  const where = source === 'argument' ? 'the URI argument' : `the URI in ${source}`;
  if (!isOurScheme(uri)) {
    const hint = uri.includes('://')
      ? 'its scheme is not mysql:// or mariadb://'
      : 'expected mysql://user@host:port/database';
    throw new UsageError(`${where} is not a MySQL URI: ${hint}`);
  }
  const parsed: ConnectionUri = usage(() => parseConnectionUri(uri, where));
  redactor.add(parsed.password);
  if (parsed.hosts.length > 1) {
    throw new UsageError(`${where} lists ${parsed.hosts.length} hosts; give one server`);
  }
  const server = parsed.hosts[0];
  const param = (name: string) => parsed.params.find(([key]) => key === name)?.[1];
  return {
    host: server?.host || undefined,
    port: server?.port,
    user: parsed.user,
    password: parsed.password,
    database: parsed.database,
    socketPath: param('socket') ?? param('socketPath'),
    sslMode: usage(() => sslModeFromParams(parsed.params, where)),
  };
}

/** Runs `read`, turning the library's ConfigurationError into the CLI's usage error. */
function usage<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof ConfigurationError) {
      throw new UsageError(lowerFirst(error.message.replace(/\.$/, '')));
    }
    throw error;
  }
}

function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text.charAt(0).toLowerCase() + text.slice(1) : text;
}

function loginName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'root';
  }
}
