/**
 * The error classes as data: name, parent, stable code, defaults for the retry fields, and the
 * words used in messages and in docs/errors.md. `error-classes.ts` builds the classes from this
 * table, so adding a class is adding a row, and no class can drift from its documentation.
 *
 * The hierarchy follows PEP 249 (Python's DB-API, which PyMySQL implements) where it fits,
 * and splits `OperationalError` further where retry decisions need it.
 */
import type { Outcome } from './outcome.js';

/** Whether a failed unit of work may run again; `'unless-unknown'` follows the outcome. */
export type RetryableDefault = boolean | 'unless-unknown';

/** Whether the connection can take the next statement; `'if-failed'` follows the outcome. */
export type UsableDefault = boolean | 'if-failed';

/**
 * One row of {@link ERROR_CLASS_SPECS}.
 *
 * @example
 * const spec: ErrorClassSpec = ERROR_CLASS_SPECS.DeadlockError;
 */
export interface ErrorClassSpec {
  readonly parent: string | null;
  /** Stable string code: `GONEAWAY_` + the class name in upper snake case, without `Error`. */
  readonly code: string;
  /** The PEP 249 class this one is, or refines. */
  readonly pep249: string;
  readonly outcome: Outcome;
  readonly retryable: RetryableDefault;
  readonly connectionUsable: UsableDefault;
  /** One sentence: what happened. The message when the thrower gives none. */
  readonly summary: string;
  /** Docs: when it happens. */
  readonly when: string;
  /** Docs: whether goneaway retries it by itself. */
  readonly goneawayRetries: string;
  /** What the user should do. Ends every message goneaway composes for this class. */
  readonly action: string;
}

/**
 * Every error class: parent, code, retry defaults and the words of its messages and docs.
 *
 * @example
 * ERROR_CLASS_SPECS.DeadlockError.code; // 'GONEAWAY_DEADLOCK'
 */
export const ERROR_CLASS_SPECS = {
  GoneAwayError: {
    parent: null,
    code: 'GONEAWAY_ERROR',
    pep249: 'Error',
    outcome: 'unknown',
    retryable: false,
    connectionUsable: false,
    summary: 'A database operation failed.',
    when: 'Base class of every error goneaway throws; never thrown itself by goneaway.',
    goneawayRetries: 'See the subclass.',
    action: 'See the error code and the cause for details.',
  },

  InterfaceError: {
    parent: 'GoneAwayError',
    code: 'GONEAWAY_INTERFACE',
    pep249: 'InterfaceError',
    outcome: 'not-sent',
    retryable: false,
    connectionUsable: true,
    summary: 'goneaway or the driver was used in a way it does not support.',
    when: 'A client-side problem, not one of the database: the driver was misused, or a client library error code that fits no narrower class.',
    goneawayRetries: 'No.',
    action: 'Fix the calling code; the cause says what the driver objected to.',
  },
  ConfigurationError: {
    parent: 'InterfaceError',
    code: 'GONEAWAY_CONFIGURATION',
    pep249: 'InterfaceError',
    outcome: 'not-sent',
    retryable: false,
    connectionUsable: false,
    summary: 'The configuration is invalid or names something that does not exist.',
    when: 'An invalid or unknown option, a database that does not exist at connect time, TLS settings the server or its certificate do not accept, an endpoint that does not speak the MySQL protocol.',
    goneawayRetries: 'No: the same settings fail the same way.',
    action: 'Fix the option named in the message.',
  },
  PoolClosedError: {
    parent: 'InterfaceError',
    code: 'GONEAWAY_POOL_CLOSED',
    pep249: 'InterfaceError',
    outcome: 'not-sent',
    retryable: false,
    connectionUsable: false,
    summary: 'The pool has been ended.',
    when: 'A statement or acquire after `end()` was called (also mysql2\'s "Pool is closed.").',
    goneawayRetries: 'No.',
    action: 'Create a new pool, or stop using this one before ending it.',
  },

  DatabaseError: {
    parent: 'GoneAwayError',
    code: 'GONEAWAY_DATABASE',
    pep249: 'DatabaseError',
    outcome: 'failed',
    retryable: false,
    connectionUsable: true,
    summary: 'The server rejected the statement.',
    when: 'A server error that fits no narrower class (an unlisted error number with the generic SQLSTATE HY000).',
    goneawayRetries: 'No.',
    action: 'Look up the error number and the server message.',
  },
  OperationalError: {
    parent: 'DatabaseError',
    code: 'GONEAWAY_OPERATIONAL',
    pep249: 'OperationalError',
    outcome: 'failed',
    retryable: false,
    connectionUsable: true,
    summary: 'The server could not carry out the statement.',
    when: "A problem of the database's operation rather than of the statement: resources exhausted, an error during COMMIT, packets too large.",
    goneawayRetries: 'No, unless the table entry says the code is transient.',
    action:
      'Read the server message; most of these need a change on the server or a smaller statement.',
  },
  ConnectionLostError: {
    parent: 'OperationalError',
    code: 'GONEAWAY_CONNECTION_LOST',
    pep249: 'OperationalError',
    outcome: 'unknown',
    retryable: 'unless-unknown',
    connectionUsable: false,
    summary: 'The connection to the server was lost.',
    when: 'The server closed the connection (wait_timeout, KILL, restart, crash), a proxy or the network reset it, or a call was made on a handle that was already closed. `outcome` says whether the statement could have run: `not-sent` (it never reached the server), `unknown` (it may or may not have been applied) or `failed` (the server said it aborted it).',
    goneawayRetries:
      'Yes when `outcome` is `not-sent` and no transaction or session state was involved; never when it is `unknown`.',
    action:
      'For outcome unknown: check whether the change was applied before repeating it, or make the statement idempotent and mark it so.',
  },
  TransactionLostError: {
    parent: 'ConnectionLostError',
    code: 'GONEAWAY_TRANSACTION_LOST',
    pep249: 'OperationalError',
    outcome: 'unknown',
    retryable: true,
    connectionUsable: false,
    summary:
      'The connection was lost inside a transaction; the server rolled the transaction back.',
    when: 'A connection loss while a transaction was open, before COMMIT was sent. `retryable` refers to the whole transaction, never to the single statement.',
    goneawayRetries:
      'The transaction helper re-runs the whole transaction function; a single statement is never re-sent inside a transaction.',
    action:
      'Run the whole transaction again from its start (the transaction helper does this for you). Writes to non-transactional tables (MyISAM, Aria) and statements that commit implicitly (DDL) are not rolled back.',
  },
  CommitOutcomeUnknownError: {
    parent: 'ConnectionLostError',
    code: 'GONEAWAY_COMMIT_OUTCOME_UNKNOWN',
    pep249: 'OperationalError',
    outcome: 'unknown',
    retryable: false,
    connectionUsable: false,
    summary:
      'The connection was lost while COMMIT was in flight; the transaction may or may not have been committed.',
    when: 'A connection loss after COMMIT was written and before its reply arrived.',
    goneawayRetries: 'Never: repeating the transaction could apply it twice.',
    action:
      "Check whether the transaction's changes are present (e.g. by an idempotency key written in the transaction) before repeating it.",
  },
  SessionLostError: {
    parent: 'ConnectionLostError',
    code: 'GONEAWAY_SESSION_LOST',
    pep249: 'OperationalError',
    outcome: 'not-sent',
    retryable: false,
    connectionUsable: false,
    summary:
      'The connection was lost, and with it session state that a new connection would not have.',
    when: 'A connection that held session state (temporary tables, user variables, named locks, changed session variables, prepared statements) was lost. `lost` lists what it held.',
    goneawayRetries: 'No: the statement would run on a session without that state.',
    action:
      'Re-create the session state listed in `lost` on a new connection, then repeat the work.',
  },
  ServerUnavailableError: {
    parent: 'OperationalError',
    code: 'GONEAWAY_SERVER_UNAVAILABLE',
    pep249: 'OperationalError',
    outcome: 'not-sent',
    retryable: true,
    connectionUsable: false,
    summary: 'The server could not be reached or refused a new connection.',
    when: 'Connection refused, host unreachable, name not resolved, connect timeout, too many connections (1040) or per-user limits, a server shutting down or in offline mode, a cluster node not ready.',
    goneawayRetries: 'Yes, with jittered exponential backoff, until the acquire timeout.',
    action:
      'Check that the server is running and reachable from this host (address, port, firewall); goneaway keeps trying with backoff until the acquire timeout.',
  },
  AuthenticationError: {
    parent: 'OperationalError',
    code: 'GONEAWAY_AUTHENTICATION',
    pep249: 'OperationalError',
    outcome: 'not-sent',
    retryable: false,
    connectionUsable: false,
    summary: 'The server rejected the credentials.',
    when: 'Wrong user or password (1045), no access to the database named at connect (1044), host not allowed, account locked, password expired, an authentication plugin the client cannot use.',
    goneawayRetries:
      'No: the same credentials fail the same way (and retries could lock the account).',
    action:
      'Check the user name and password, and that the user may connect from this host to this database.',
  },
  PasswordExchangeRefusedError: {
    parent: 'AuthenticationError',
    code: 'GONEAWAY_PASSWORD_EXCHANGE_REFUSED',
    pep249: 'OperationalError',
    outcome: 'not-sent',
    retryable: false,
    connectionUsable: false,
    summary:
      'goneaway refused to send the password: the server asked for it in a form that whoever answers in its place could read.',
    when: "The server asked for full authentication (`caching_sha2_password`, `sha256_password`) over TCP without TLS, which would encrypt the password to an RSA public key of the server's choosing: anyone on the network path, or any host the application was pointed at, can offer a key and decrypt it. Refused by default, as the mysql client and Connector/J do. See docs/security.md.",
    goneawayRetries: 'No: the server would ask the same way again.',
    action:
      "Connect with TLS (the ssl option), pin the server's RSA public key (serverPublicKey), or, only if you trust the network path and the host, allow it with insecureAllowPublicKeyRetrieval: true.",
  },
  ReadOnlyServerError: {
    parent: 'OperationalError',
    code: 'GONEAWAY_READ_ONLY_SERVER',
    pep249: 'OperationalError',
    outcome: 'failed',
    retryable: true,
    connectionUsable: false,
    summary: 'The server refused a write because it is read-only.',
    when: 'A write reached a server running read-only (1290, 1836, 1874) or a read-only transaction (1792): typically a failover left this connection on a replica.',
    goneawayRetries:
      'Yes, on a new connection (after a failover the address leads to the new primary); in a transaction, the whole transaction.',
    action:
      "If this persists, the address points at a replica: use the primary's (or the cluster's writer) address. Inside START TRANSACTION READ ONLY, it is a programming error.",
  },
  TransactionRollbackError: {
    parent: 'OperationalError',
    code: 'GONEAWAY_TRANSACTION_ROLLBACK',
    pep249: 'OperationalError',
    outcome: 'failed',
    retryable: true,
    connectionUsable: true,
    summary: 'The server rolled back the transaction to resolve a conflict.',
    when: 'A transaction was rolled back by the server because it conflicted with another one (SQLSTATE class 40, XA rollbacks, group replication certification failures).',
    goneawayRetries:
      'The transaction helper re-runs the whole transaction; a statement outside a transaction is re-run.',
    action: 'Run the transaction again from its start.',
  },
  DeadlockError: {
    parent: 'TransactionRollbackError',
    code: 'GONEAWAY_DEADLOCK',
    pep249: 'OperationalError',
    outcome: 'failed',
    retryable: true,
    connectionUsable: true,
    summary: 'A deadlock was found; the server rolled back this transaction to break it.',
    when: "Two transactions waited for each other's locks (1213); InnoDB rolled back the whole transaction of this one.",
    goneawayRetries:
      'The transaction helper re-runs the whole transaction; a statement outside a transaction is re-run.',
    action:
      'Run the transaction again from its start; if it recurs, take locks in a consistent order and keep transactions short.',
  },
  LockWaitTimeoutError: {
    parent: 'OperationalError',
    code: 'GONEAWAY_LOCK_WAIT_TIMEOUT',
    pep249: 'OperationalError',
    outcome: 'failed',
    retryable: true,
    connectionUsable: true,
    summary: 'A lock wait timed out (innodb_lock_wait_timeout).',
    when: 'The statement waited longer than innodb_lock_wait_timeout for a row lock held by another transaction (1205). InnoDB rolled back only this statement; the transaction is still open unless innodb_rollback_on_timeout is on.',
    goneawayRetries:
      'The transaction helper rolls back and re-runs the whole transaction; a statement outside a transaction is re-run.',
    action:
      'Roll back and run the transaction again; find the long transaction holding the lock (information_schema.INNODB_TRX).',
  },
  QueryTimeoutError: {
    parent: 'OperationalError',
    code: 'GONEAWAY_QUERY_TIMEOUT',
    pep249: 'OperationalError',
    outcome: 'failed',
    retryable: false,
    connectionUsable: 'if-failed',
    summary: 'The statement ran longer than its time limit.',
    when: "A server-side limit stopped the statement (MariaDB max_statement_time 1969, MySQL max_execution_time 3024: outcome failed, connection usable), or a client-side timeout gave up waiting (goneaway's timeoutMs, mysql2's PROTOCOL_SEQUENCE_TIMEOUT: outcome unknown, connection discarded).",
    goneawayRetries: 'No: it would most likely time out again.',
    action: 'Make the statement faster (indexes, smaller batches) or raise its time limit.',
  },
  QueryInterruptedError: {
    parent: 'OperationalError',
    code: 'GONEAWAY_QUERY_INTERRUPTED',
    pep249: 'OperationalError',
    outcome: 'failed',
    retryable: false,
    connectionUsable: true,
    summary: 'The statement was interrupted (KILL QUERY).',
    when: "Someone ran KILL QUERY on this connection's statement (1317); the statement was rolled back, the connection stays open.",
    goneawayRetries: 'No: someone stopped it on purpose.',
    action:
      'Find out who killed the statement and why (a watchdog, an admin) before running it again.',
  },
  AcquireTimeoutError: {
    parent: 'OperationalError',
    code: 'GONEAWAY_ACQUIRE_TIMEOUT',
    pep249: 'OperationalError',
    outcome: 'not-sent',
    retryable: false,
    connectionUsable: false,
    summary: 'No connection became available within the acquire timeout.',
    when: "Every connection was busy and none was released, or new connections kept failing (the last failure is the `cause`), for longer than acquireTimeoutMs. `counts` holds the pool's counts at that moment, `waitedMs` how long the caller waited.",
    goneawayRetries: 'No: it already waited as long as it was allowed to.',
    action:
      'If all connections were in use, raise max, release connections sooner or shorten transactions; if connects failed, fix what the cause says.',
  },

  IntegrityError: {
    parent: 'DatabaseError',
    code: 'GONEAWAY_INTEGRITY',
    pep249: 'IntegrityError',
    outcome: 'failed',
    retryable: false,
    connectionUsable: true,
    summary: 'The statement would break a constraint.',
    when: 'Duplicate key (1062), foreign key violations (1451, 1452), NOT NULL (1048), CHECK constraints (3819 MySQL, 4025 MariaDB): SQLSTATE class 23.',
    goneawayRetries: 'No.',
    action: 'Fix the data, or handle the conflict (e.g. INSERT ... ON DUPLICATE KEY UPDATE).',
  },
  ProgrammingError: {
    parent: 'DatabaseError',
    code: 'GONEAWAY_PROGRAMMING',
    pep249: 'ProgrammingError',
    outcome: 'failed',
    retryable: false,
    connectionUsable: true,
    summary: 'The statement is wrong.',
    when: 'Syntax errors (1064), unknown tables or columns (1146, 1054), missing privileges for the statement, wrong number of parameters: SQLSTATE classes 42, 21, 3D.',
    goneawayRetries: 'No.',
    action: 'Fix the statement (or grant the privilege it needs).',
  },
  DataError: {
    parent: 'DatabaseError',
    code: 'GONEAWAY_DATA',
    pep249: 'DataError',
    outcome: 'failed',
    retryable: false,
    connectionUsable: true,
    summary: 'A value does not fit its column or is invalid.',
    when: 'Data too long (1406), out of range (1264), invalid values for the type (1366, 1292), division by zero in strict mode: SQLSTATE class 22.',
    goneawayRetries: 'No.',
    action: 'Validate or convert the value before sending it.',
  },
  InternalError: {
    parent: 'DatabaseError',
    code: 'GONEAWAY_INTERNAL',
    pep249: 'InternalError',
    outcome: 'unknown',
    retryable: false,
    connectionUsable: false,
    summary: 'The client and server lost track of the protocol.',
    when: 'A malformed or unexpected packet (mysql2 PROTOCOL_ERROR, PROTOCOL_UNEXPECTED_PACKET), commands out of sync, invalid cursor or transaction state: SQLSTATE classes 24, 25, 2D.',
    goneawayRetries: 'No; the connection is discarded.',
    action: 'Report it with the cause if it recurs: it points at a driver, proxy or server bug.',
  },
  NotSupportedError: {
    parent: 'DatabaseError',
    code: 'GONEAWAY_NOT_SUPPORTED',
    pep249: 'NotSupportedError',
    outcome: 'failed',
    retryable: false,
    connectionUsable: true,
    summary: 'The server does not support what the statement asks for.',
    when: 'A feature the server version, storage engine or configuration does not support (SQLSTATE class 0A, 1235).',
    goneawayRetries: 'No.',
    action: 'Use a supported alternative or a server that supports it.',
  },
} as const satisfies Record<string, ErrorClassSpec>;

/**
 * The name of every error class goneaway defines.
 *
 * @example
 * const name: ErrorClassName = 'ConnectionLostError';
 */
export type ErrorClassName = keyof typeof ERROR_CLASS_SPECS;

/**
 * Every class name, parents before children.
 *
 * @example
 * ERROR_CLASS_NAMES[0]; // 'GoneAwayError'
 */
export const ERROR_CLASS_NAMES = Object.keys(ERROR_CLASS_SPECS) as readonly ErrorClassName[];

/**
 * The class and its ancestors, nearest first.
 *
 * @example
 * classChain('DeadlockError'); // ['DeadlockError', 'TransactionRollbackError', 'OperationalError', 'DatabaseError', 'GoneAwayError']
 */
export function classChain(name: ErrorClassName): readonly ErrorClassName[] {
  const chain: ErrorClassName[] = [];
  for (let at: ErrorClassName | null = name; at; at = ERROR_CLASS_SPECS[at].parent) chain.push(at);
  return chain;
}
