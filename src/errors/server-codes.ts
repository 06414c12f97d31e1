/**
 * Server error numbers that need more than their SQLSTATE to classify: the ones that decide a
 * connection's fate or a retry. Numbers not listed here are classified by their SQLSTATE class
 * (`sqlstate-classes.ts`). Entries whose number means different things on MySQL and MariaDB
 * carry a `flavor`; the others apply to both.
 *
 * Sources: names and numbers from the generated tables (`server-error-names.generated.ts`);
 * behaviour from the MySQL and MariaDB manuals, MySQL WL#12999 (the 4031 packet), and what the
 * real MariaDB 10.11 sends (test/integration/errors.test.ts).
 */
import type { NumberedRule } from './code-rule.js';
import type { Flavor } from './flavor.js';

/**
 * A server rule; without `flavor` it applies to MySQL and MariaDB alike.
 *
 * @example
 * const rule: ServerCodeRule | undefined = serverCodeRule(1213);
 */
export interface ServerCodeRule extends NumberedRule {
  readonly flavor?: Flavor;
}

const RESTART = ['server-restart'] as const;

/**
 * The server error numbers classified one by one, with why.
 *
 * @example
 * SERVER_CODE_RULES.filter((rule) => rule.flavor === 'mariadb').map((rule) => rule.errno);
 */
export const SERVER_CODE_RULES: readonly ServerCodeRule[] = [
  // --- connecting: refused, limits, credentials ---------------------------------------------
  {
    errno: 1040,
    symbol: 'ER_CON_COUNT_ERROR',
    kind: 'ServerUnavailableError',
    note: 'Too many connections: max_connections is reached. Sent instead of the handshake; waiting it out with backoff works, hammering it does not.',
    advice:
      "The server's max_connections is reached: lower the pool's max (across all app instances) or raise max_connections; goneaway backs off and retries.",
  },
  {
    errno: 1203,
    symbol: 'ER_TOO_MANY_USER_CONNECTIONS',
    kind: 'ServerUnavailableError',
    note: "The user's max_user_connections is reached; clears when another of its connections closes.",
    advice: "The user's max_user_connections is reached: lower the pool's max or raise the limit.",
  },
  {
    errno: 1226,
    symbol: 'ER_USER_LIMIT_REACHED',
    kind: 'ServerUnavailableError',
    note: 'A per-account resource limit (MAX_USER_CONNECTIONS, MAX_QUERIES_PER_HOUR, ...) is reached. SQLSTATE 42000 would say ProgrammingError, but it clears with time.',
    advice:
      "The account's resource limit named in the message is reached: raise it (ALTER USER ... WITH ...) or lower the load.",
  },
  {
    errno: 1129,
    symbol: 'ER_HOST_IS_BLOCKED',
    kind: 'ServerUnavailableError',
    retryable: false,
    note: 'This host made too many failed connects (max_connect_errors) and is blocked until an admin flushes the host cache.',
    advice:
      'Run FLUSH HOSTS (or mariadb-admin flush-hosts) on the server, and raise max_connect_errors if a health check causes it.',
  },
  {
    errno: 1043,
    symbol: 'ER_HANDSHAKE_ERROR',
    kind: 'ServerUnavailableError',
    note: 'Bad handshake: the server could not parse the handshake, e.g. it timed out (connect_timeout) under load or a proxy garbled it. Persistent means client and server settings do not match.',
  },
  {
    errno: 1047,
    symbol: 'ER_UNKNOWN_COM_ERROR',
    kind: 'ServerUnavailableError',
    connectionUsable: false,
    note: 'Unknown command. In practice sent by a Galera node that is not ready ("WSREP has not yet prepared node for application use"): reconnecting reaches a ready node.',
  },
  {
    errno: 3032,
    symbol: 'ER_SERVER_OFFLINE_MODE',
    kind: 'ServerUnavailableError',
    signals: RESTART,
    note: 'The server is in offline_mode: it disconnects ordinary users and accepts none (maintenance, failover).',
  },
  {
    errno: 3168,
    symbol: 'ER_SERVER_ISNT_AVAILABLE',
    flavor: 'mysql',
    kind: 'ServerUnavailableError',
    note: 'MySQL: the server is not available (e.g. still starting up, or a group replication member that left the group).',
  },
  {
    errno: 1045,
    symbol: 'ER_ACCESS_DENIED_ERROR',
    kind: 'AuthenticationError',
    note: 'Wrong user name or password, or the user does not exist for this host. The message says whether a password was sent, never the password.',
  },
  {
    errno: 1698,
    symbol: 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR',
    kind: 'AuthenticationError',
    note: 'Access denied for an account that authenticates another way (e.g. unix_socket for root).',
  },
  {
    errno: 1044,
    symbol: 'ER_DBACCESS_DENIED_ERROR',
    kind: 'ProgrammingError',
    whenConnecting: 'AuthenticationError',
    note: 'No access to the database. At connect it is the database named in the configuration (also what a user without global privileges gets for a database that does not exist); later, a USE or a qualified name in a statement.',
    advice:
      'Grant the user access to the database, or fix the database name (the server says "access denied" for databases the user cannot see, even when they do not exist).',
  },
  {
    errno: 1130,
    symbol: 'ER_HOST_NOT_PRIVILEGED',
    kind: 'AuthenticationError',
    note: 'No account matches this client host. Sent instead of the handshake.',
    advice: "Create the account for this client's host (user@'host' or user@'%').",
  },
  {
    errno: 1251,
    symbol: 'ER_NOT_SUPPORTED_AUTH_MODE',
    kind: 'AuthenticationError',
    note: "The account's authentication plugin is not one the client offered.",
  },
  {
    errno: 1820,
    symbol: 'ER_MUST_CHANGE_PASSWORD',
    kind: 'AuthenticationError',
    connectionUsable: false,
    note: 'The password has expired; the session refuses everything but SET PASSWORD.',
    advice: "The account's password has expired: set a new one (ALTER USER ... IDENTIFIED BY ...).",
  },
  {
    errno: 1862,
    symbol: 'ER_MUST_CHANGE_PASSWORD_LOGIN',
    kind: 'AuthenticationError',
    note: 'The password has expired and the server refuses the login.',
    advice: "The account's password has expired: set a new one (ALTER USER ... IDENTIFIED BY ...).",
  },
  {
    errno: 3118,
    symbol: 'ER_ACCOUNT_HAS_BEEN_LOCKED',
    flavor: 'mysql',
    kind: 'AuthenticationError',
    note: 'MySQL: the account is locked (ACCOUNT LOCK).',
  },
  {
    errno: 4151,
    symbol: 'ER_ACCOUNT_HAS_BEEN_LOCKED',
    flavor: 'mariadb',
    kind: 'AuthenticationError',
    note: 'MariaDB: the account is locked (ACCOUNT LOCK). MySQL uses 3118; its 4151 is an unrelated bulk-load parser error.',
  },
  {
    errno: 3159,
    symbol: 'ER_SECURE_TRANSPORT_REQUIRED',
    flavor: 'mysql',
    kind: 'ConfigurationError',
    note: 'MySQL: require_secure_transport is on and the connection is not TLS.',
    advice: 'The server requires TLS: enable ssl in the connection options.',
  },
  {
    errno: 1049,
    symbol: 'ER_BAD_DB_ERROR',
    kind: 'ProgrammingError',
    whenConnecting: 'ConfigurationError',
    note: 'Unknown database. At connect it is the database named in the configuration; later, a USE or qualified name. Users without privileges on a missing database get 1044 instead.',
    advice: 'Create the database or fix its name.',
  },

  // --- the server closes the connection ------------------------------------------------------
  {
    errno: 4031,
    symbol: 'ER_CLIENT_INTERACTION_TIMEOUT',
    flavor: 'mysql',
    kind: 'loss',
    outcome: 'not-sent',
    signals: ['idle-timeout', 'server-restart'],
    note: 'MySQL 8.0.24+: sent just before closing a connection idle past wait_timeout (WL#12999). The server closed before reading anything after it, so a statement answered by it never ran. Other connections idle as long are gone too.',
    advice:
      "The server closed the connection after wait_timeout: keep connections idle for less than the server's wait_timeout (goneaway retires them before it when it knows it).",
  },
  {
    errno: 4031,
    symbol: 'ER_REFERENCED_TRG_DOES_NOT_EXIST',
    flavor: 'mariadb',
    kind: 'ProgrammingError',
    note: "MariaDB: a trigger's FOLLOWS/PRECEDES names a trigger that does not exist. Nothing to do with timeouts; MariaDB 10.11 sends nothing before an idle close (measured: the socket is reset).",
  },
  {
    errno: 1927,
    symbol: 'ER_CONNECTION_KILLED',
    flavor: 'mariadb',
    kind: 'loss',
    outcome: 'failed',
    signals: RESTART,
    note: 'MariaDB: "Connection was killed" (KILL CONNECTION, KILL USER, shutdown), sent when the kill lands while the server is answering. The statement was aborted. A kill is often one of many (failover tools kill every session).',
  },
  {
    errno: 3169,
    symbol: 'ER_SESSION_WAS_KILLED',
    flavor: 'mysql',
    kind: 'loss',
    outcome: 'failed',
    signals: RESTART,
    note: 'MySQL: "Session was killed" (KILL CONNECTION). The statement was aborted.',
  },
  {
    errno: 1053,
    symbol: 'ER_SERVER_SHUTDOWN',
    kind: 'loss',
    outcome: 'failed',
    signals: RESTART,
    note: 'Server shutdown in progress: the statement was aborted and the connection is about to close; while connecting, the server is going down.',
  },
  {
    errno: 1077,
    symbol: 'ER_NORMAL_SHUTDOWN',
    kind: 'loss',
    signals: RESTART,
    note: 'Normal shutdown (a server log message; a client sees it only relayed by a proxy). The server is going down.',
  },
  {
    errno: 1078,
    symbol: 'ER_GOT_SIGNAL',
    kind: 'loss',
    signals: RESTART,
    note: 'Got signal, aborting (a server log message). The server is going down.',
  },
  {
    errno: 1079,
    symbol: 'ER_SHUTDOWN_COMPLETE',
    kind: 'loss',
    signals: RESTART,
    note: 'Shutdown complete (a server log message). The server is down.',
  },
  {
    errno: 1080,
    symbol: 'ER_FORCING_CLOSE',
    kind: 'loss',
    signals: RESTART,
    note: 'Forcing close of thread: shutdown is closing this connection.',
  },
  {
    errno: 1152,
    symbol: 'ER_ABORTING_CONNECTION',
    kind: 'loss',
    note: 'Aborted connection: the server dropped it (a network error or timeout on its side).',
  },
  {
    errno: 1184,
    symbol: 'ER_NEW_ABORTING_CONNECTION',
    kind: 'loss',
    note: 'Aborted connection (during init_connect or authentication): the server dropped it.',
  },
  {
    errno: 1153,
    symbol: 'ER_NET_PACKET_TOO_LARGE',
    kind: 'OperationalError',
    outcome: 'failed',
    retryable: false,
    connectionUsable: false,
    note: 'A packet exceeded max_allowed_packet; the server rejected it unread and closes the connection. Repeating it fails the same way.',
    advice: 'Send smaller statements (split the batch) or raise max_allowed_packet on the server.',
  },
  {
    errno: 1154,
    symbol: 'ER_NET_READ_ERROR_FROM_PIPE',
    kind: 'loss',
    note: 'Read error from the connection pipe: the server lost the connection.',
  },
  {
    errno: 1155,
    symbol: 'ER_NET_FCNTL_ERROR',
    kind: 'loss',
    note: 'fcntl() failed on the socket: the server lost the connection.',
  },
  {
    errno: 1156,
    symbol: 'ER_NET_PACKETS_OUT_OF_ORDER',
    kind: 'loss',
    note: 'Packets out of order: the stream is corrupt, the server drops the connection.',
  },
  {
    errno: 1157,
    symbol: 'ER_NET_UNCOMPRESS_ERROR',
    kind: 'loss',
    note: 'Could not uncompress a packet: the stream is corrupt, the server drops the connection.',
  },
  {
    errno: 1158,
    symbol: 'ER_NET_READ_ERROR',
    kind: 'loss',
    note: 'Error reading communication packets: the server lost the connection.',
  },
  {
    errno: 1159,
    symbol: 'ER_NET_READ_INTERRUPTED',
    kind: 'loss',
    note: 'Timeout reading communication packets (net_read_timeout, or wait_timeout on older servers).',
  },
  {
    errno: 1160,
    symbol: 'ER_NET_ERROR_ON_WRITE',
    kind: 'loss',
    note: 'Error writing communication packets: the server lost the connection.',
  },
  {
    errno: 1161,
    symbol: 'ER_NET_WRITE_INTERRUPTED',
    kind: 'loss',
    note: 'Timeout writing communication packets (net_write_timeout): the client did not read fast enough.',
  },

  // --- failover: read-only ----------------------------------------------------------------------
  {
    errno: 1290,
    symbol: 'ER_OPTION_PREVENTS_STATEMENT',
    kind: 'ReadOnlyServerError',
    note: 'The server runs with an option that forbids the statement: almost always --read-only / --super-read-only on a replica after failover. The option is named only in the message (goneaway does not parse it), so the rarer --secure-file-priv and --skip-grant-tables cases are classed the same.',
  },
  {
    errno: 1836,
    symbol: 'ER_READ_ONLY_MODE',
    kind: 'ReadOnlyServerError',
    note: 'Running in read-only mode.',
  },
  {
    errno: 1874,
    symbol: 'ER_INNODB_READ_ONLY',
    kind: 'ReadOnlyServerError',
    note: 'InnoDB is read-only (innodb_read_only, e.g. an Aurora reader).',
  },
  {
    errno: 1792,
    symbol: 'ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION',
    kind: 'ReadOnlyServerError',
    note: "A write in a read-only transaction. Seen after failover when the session now sits on a reader (transaction_read_only); inside START TRANSACTION READ ONLY it is the caller's mistake, which goneaway cannot tell apart.",
  },

  // --- transaction conflicts ----------------------------------------------------------------------
  {
    errno: 1213,
    symbol: 'ER_LOCK_DEADLOCK',
    kind: 'DeadlockError',
    note: 'Deadlock: InnoDB rolled back this whole transaction (also Galera certification conflicts).',
  },
  {
    errno: 1614,
    symbol: 'ER_XA_RBDEADLOCK',
    kind: 'DeadlockError',
    note: 'XA transaction branch rolled back because of a deadlock.',
  },
  {
    errno: 3058,
    symbol: 'ER_USER_LOCK_DEADLOCK',
    kind: 'DeadlockError',
    note: 'Deadlock between user-level locks (GET_LOCK). The transaction is not rolled back: release the locks and start over.',
  },
  {
    errno: 1402,
    symbol: 'ER_XA_RBROLLBACK',
    kind: 'TransactionRollbackError',
    note: 'XA transaction branch rolled back (SQLSTATE XA100, which the XA class would misfile).',
  },
  {
    errno: 1613,
    symbol: 'ER_XA_RBTIMEOUT',
    kind: 'TransactionRollbackError',
    note: 'XA transaction branch rolled back because it took too long.',
  },
  {
    errno: 3101,
    symbol: 'ER_TRANSACTION_ROLLBACK_DURING_COMMIT',
    flavor: 'mysql',
    kind: 'TransactionRollbackError',
    note: 'MySQL: a plugin (group replication certification) rolled the transaction back at COMMIT: it conflicted with one on another member.',
  },
  {
    errno: 1205,
    symbol: 'ER_LOCK_WAIT_TIMEOUT',
    kind: 'LockWaitTimeoutError',
    note: 'Waited longer than innodb_lock_wait_timeout for a row lock. Only the statement is rolled back (unless innodb_rollback_on_timeout). MariaDB also uses it for NOWAIT / WAIT n.',
  },
  {
    errno: 3572,
    symbol: 'ER_LOCK_NOWAIT',
    flavor: 'mysql',
    kind: 'LockWaitTimeoutError',
    note: 'MySQL: a locking read with NOWAIT found the row locked.',
  },

  // --- interrupted, timed out ----------------------------------------------------------------------
  {
    errno: 1317,
    symbol: 'ER_QUERY_INTERRUPTED',
    kind: 'QueryInterruptedError',
    signals: ['stops-midway'],
    note: 'KILL QUERY stopped the statement (measured on MariaDB 10.11, also for SELECT SLEEP()); the connection stays open. InnoDB rolled the statement back; a write to a MyISAM/Aria table keeps the rows it already changed (measured), so a write is outcome unknown.',
  },
  {
    errno: 1969,
    symbol: 'ER_STATEMENT_TIMEOUT',
    flavor: 'mariadb',
    kind: 'QueryTimeoutError',
    signals: ['stops-midway'],
    note: "MariaDB: max_statement_time exceeded; the statement was aborted, the connection stays open (a write to a non-transactional table may be partly applied). mysql2 gives it no code (its table is MySQL's).",
  },
  {
    errno: 3024,
    symbol: 'ER_QUERY_TIMEOUT',
    flavor: 'mysql',
    kind: 'QueryTimeoutError',
    note: 'MySQL: max_execution_time exceeded (SELECT only); aborted, the connection stays open. 3024 is unused on MariaDB.',
  },

  // --- statements the server rejects but SQLSTATE misfiles -----------------------------------------
  {
    errno: 1180,
    symbol: 'ER_ERROR_DURING_COMMIT',
    kind: 'OperationalError',
    note: 'The storage engine failed the COMMIT; the transaction was not committed.',
  },
  {
    errno: 1637,
    symbol: 'ER_TOO_MANY_CONCURRENT_TRXS',
    kind: 'OperationalError',
    retryable: true,
    note: 'InnoDB ran out of undo slots for concurrent transactions; clears as others finish.',
  },
  {
    errno: 1364,
    symbol: 'ER_NO_DEFAULT_FOR_FIELD',
    kind: 'DataError',
    note: 'A NOT NULL column without a default got no value (strict mode). SQLSTATE HY000.',
  },
  {
    errno: 3819,
    symbol: 'ER_CHECK_CONSTRAINT_VIOLATED',
    flavor: 'mysql',
    kind: 'IntegrityError',
    note: 'MySQL: a CHECK constraint failed. SQLSTATE HY000.',
  },
  {
    errno: 4025,
    symbol: 'ER_CONSTRAINT_FAILED',
    flavor: 'mariadb',
    kind: 'IntegrityError',
    note: "MariaDB: a CHECK constraint failed. (MySQL's 4025 is an InnoDB autoextend_size error.)",
  },
  {
    errno: 1235,
    symbol: 'ER_NOT_SUPPORTED_YET',
    kind: 'NotSupportedError',
    note: 'This version does not yet support the feature named in the message. SQLSTATE 42000.',
  },
];

/**
 * The rule for `errno` on a server of `flavor`. With the flavour unknown, a rule for both
 * wins, then MySQL's (mysql2 names errors the MySQL way), then MariaDB's.
 *
 * @example
 * serverCodeRule(4031, 'mysql')?.kind;   // 'loss'
 * serverCodeRule(4031, 'mariadb')?.kind; // 'ProgrammingError'
 */
export function serverCodeRule(errno: number, flavor?: Flavor): ServerCodeRule | undefined {
  const candidates = BY_ERRNO.get(errno);
  if (!candidates) return undefined;
  if (flavor) return candidates.find((rule) => rule.flavor === undefined || rule.flavor === flavor);
  return (
    candidates.find((rule) => rule.flavor === undefined) ??
    candidates.find((rule) => rule.flavor === 'mysql') ??
    candidates[0]
  );
}

const BY_ERRNO = new Map<number, ServerCodeRule[]>();
for (const rule of SERVER_CODE_RULES) {
  const list = BY_ERRNO.get(rule.errno) ?? [];
  list.push(rule);
  BY_ERRNO.set(rule.errno, list);
}
