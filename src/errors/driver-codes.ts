/**
 * What mysql2 (3.x) raises itself, by its string `code`, and the few errors it raises with a
 * message only. Read from mysql2's source (lib/base/connection.js, lib/commands/*.js,
 * lib/base/pool.js); the integration tests check the ones a real server can produce.
 */
import type { CodeRule } from './code-rule.js';

const NOT_SENT = ['not-sent'] as const;

/**
 * mysql2's own string codes (its server-error codes `ER_*` are classified by number instead).
 *
 * @example
 * DRIVER_CODE_RULES.PROTOCOL_CONNECTION_LOST?.kind; // 'loss'
 */
export const DRIVER_CODE_RULES: Readonly<Record<string, CodeRule>> = {
  PROTOCOL_CONNECTION_LOST: {
    kind: 'loss',
    note: 'The server closed the connection (a FIN, no error packet): KILL CONNECTION, restart, crash, or a proxy closing it. Raised when the socket closes (lib/base/connection.js), to the command in flight or as an "error" event.',
  },
  GONEAWAY_STATEMENT_STALLED: {
    kind: 'loss',
    note: "goneaway's in-flight watchdog gave up on a silent statement: a side connection found the server unreachable, or no longer running it. goneaway closed the connection (src/connection/liveness.ts).",
  },
  PROTOCOL_SEQUENCE_TIMEOUT: {
    kind: 'QueryTimeoutError',
    outcome: 'unknown',
    connectionUsable: false,
    note: "mysql2's per-query `timeout` expired (lib/commands/query.js). The statement may still be running on the server, and the connection stays busy until it ends: discard it.",
    advice:
      'mysql2 gave up waiting, but the server may still be running the statement (outcome unknown): discard the connection, and check whether it was applied before repeating it.',
  },
  PROTOCOL_ERROR: {
    kind: 'InternalError',
    note: 'A protocol error mysql2 cannot recover from (lib/base/connection.js protocolError); the connection is closed.',
  },
  PROTOCOL_UNEXPECTED_PACKET: {
    kind: 'InternalError',
    note: 'A packet arrived while no command was waiting for one; mysql2 closes the connection.',
  },
  PROTOCOL_ENQUEUE_AFTER_QUIT: {
    kind: 'loss',
    signals: NOT_SENT,
    note: 'The `mysql` package (not mysql2): a command after end(); nothing was sent.',
  },
  PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR: {
    kind: 'loss',
    signals: NOT_SENT,
    note: 'The `mysql` package (not mysql2): a command after a fatal error; nothing was sent.',
  },
  HANDSHAKE_NO_SSL_SUPPORT: {
    kind: 'ConfigurationError',
    note: 'TLS was requested but the server does not offer it.',
    advice: 'Enable TLS on the server, or connect without ssl.',
  },
  HANDSHAKE_SSL_ERROR: {
    kind: 'ConfigurationError',
    note: "The TLS handshake failed. mysql2 overwrites Node's TLS code (e.g. DEPTH_ZERO_SELF_SIGNED_CERT) with this one; the reason survives only in the message.",
    advice:
      'Check the ssl options (ca, certificate host name) against the server certificate; the message names the TLS failure.',
  },
  HANDSHAKE_UNKNOWN_ERROR: {
    kind: 'ConfigurationError',
    note: 'An unexpected packet during the handshake: the endpoint does not speak the MySQL protocol as expected (wrong port?).',
    advice: 'Check that host and port lead to a MySQL or MariaDB server.',
  },
  AUTH_SWITCH_PLUGIN_ERROR: {
    kind: 'AuthenticationError',
    note: 'The authentication plugin the server asked for failed or is not supported by mysql2.',
  },
  MYSQL_CLEAR_PASSWORD_NOT_ENABLED: {
    kind: 'ConfigurationError',
    note: 'The server asked for mysql_clear_password, which mysql2 sends only when enableCleartextPlugin is set.',
  },
  POOL_NONEONLINE: {
    kind: 'ServerUnavailableError',
    note: 'mysql2 PoolCluster: no node of the pattern is online.',
  },
  POOL_NOEXIST: {
    kind: 'ConfigurationError',
    note: 'mysql2 PoolCluster: no pool with that name.',
  },
};

/**
 * An error mysql2 raises with a message and no code.
 *
 * @example
 * const rule: DriverMessageRule | undefined = driverMessageRule('Pool is closed.');
 */
export interface DriverMessageRule extends CodeRule {
  readonly message: string;
  /** Where mysql2 raises it. */
  readonly source: string;
}

/**
 * THE ONE PLACE goneaway matches error messages: mysql2 raises these with no `code`, so the
 * exact message is all there is. Matched whole, case-sensitively, and only on errors that
 * carry no code.
 *
 * @example
 * DRIVER_MESSAGE_RULES.map((rule) => rule.message); // the five messages goneaway matches
 */
export const DRIVER_MESSAGE_RULES: readonly DriverMessageRule[] = [
  {
    message: "Can't add new command when connection is in closed state",
    source:
      'mysql2 lib/base/connection.js _addCommandClosedState (every command after a fatal error, close() or end(); err.fatal = true)',
    kind: 'loss',
    signals: NOT_SENT,
    note: 'A call on a handle that was already closed: the command was refused before anything was written. Every call after the first loss on a handle gets this.',
  },
  {
    message: "Can't write in closed state",
    source:
      "mysql2 lib/base/connection.js _handleFatalError (an 'error' event on a write after a fatal error)",
    kind: 'loss',
    signals: NOT_SENT,
    note: 'A write after a fatal error was refused; nothing was written.',
  },
  {
    message: 'Pool is closed.',
    source: 'mysql2 lib/base/pool.js getConnection after end()',
    kind: 'PoolClosedError',
    note: "mysql2's pool was ended.",
  },
  {
    message: 'No connections available.',
    source: 'mysql2 lib/base/pool.js getConnection with waitForConnections: false',
    kind: 'AcquireTimeoutError',
    note: "mysql2's pool was exhausted and was told not to wait.",
  },
  {
    message: 'Queue limit reached.',
    source: 'mysql2 lib/base/pool.js getConnection with queueLimit',
    kind: 'AcquireTimeoutError',
    note: "mysql2's pool was exhausted and its wait queue full.",
  },
];

/**
 * The rule for an error that has no code, by its exact message.
 *
 * @example
 * driverMessageRule("Can't add new command when connection is in closed state")?.kind; // 'loss'
 */
export function driverMessageRule(message: string): DriverMessageRule | undefined {
  return BY_MESSAGE.get(message);
}

const BY_MESSAGE = new Map(DRIVER_MESSAGE_RULES.map((rule) => [rule.message, rule]));
