/**
 * The session-hygiene oracle's case table: statements that leave state in a session (the
 * poison), and a few that must not (the controls). The oracle runs each through every way a
 * caller reaches a connection and then checks, from the next caller, that the session it gets
 * is exactly a fresh one. Add a case by adding a line; the oracle test needs no change.
 *
 * Every case is first run on a plain mysql2 connection to check the case itself: a poison that
 * leaves nothing the oracle can see (or a control that does) fails as a broken case, so a
 * green oracle run cannot come from cases that poison nothing.
 */
import type { OracleNames } from '../support/fresh-session.js';

/** One way of leaving (or not leaving) state behind. */
export interface PoisonCase {
  readonly name: string;
  /** Sent in order, one per call, through the path under test; the last one is the poison. */
  readonly statements: readonly string[];
  /** The last statement fails with this server errno after its effect took place. */
  readonly failsWith?: number;
  /** A control: the session must be fresh even on a plain connection (nothing is left). */
  readonly clean?: true;
  /**
   * The statements only make sense on one session (XA START ... XA PREPARE): not sent through
   * a path that may put each statement on another connection (`db.query`, a facade pool's query).
   */
  readonly oneSession?: true;
}

/** Objects the cases create, as the oracle's probes look for them. */
export const ORACLE_NAMES: OracleNames = {
  probeTable: 'oracle_probe',
  // `oracle_probe` too: a temporary table can shadow a real one.
  temporaryTables: ['oracle_tmp', 'oracle_probe'],
  handlers: ['oracle_h', 'oracle_lockme'],
  preparedStatements: ['oracle_ps'],
  namedLocks: ['oracle_lock'],
};

/**
 * What the cases need on the server, run as root before the oracle starts. `{user}` is the
 * application user. RELOAD is granted because FLUSH TABLES ... FOR EXPORT needs it (an
 * application user with it is how issue 12 met that case).
 */
export const ORACLE_SETUP: readonly string[] = [
  'CREATE TABLE goneaway.oracle_probe (id INT PRIMARY KEY, n INT NOT NULL) ENGINE=InnoDB',
  'INSERT INTO goneaway.oracle_probe VALUES (1, 0)',
  'CREATE TABLE goneaway.oracle_two (v INT) ENGINE=InnoDB',
  'INSERT INTO goneaway.oracle_two VALUES (1), (2)',
  'CREATE TABLE goneaway.oracle_lockme (id INT PRIMARY KEY) ENGINE=InnoDB',
  'CREATE TABLE goneaway.oracle_export (id INT PRIMARY KEY) ENGINE=InnoDB',
  'CREATE TABLE goneaway.oracle_rows (id INT AUTO_INCREMENT PRIMARY KEY, tag VARCHAR(40)) ENGINE=InnoDB',
  'CREATE DATABASE IF NOT EXISTS goneaway_other',
  "GRANT RELOAD ON *.* TO '{user}'@'%'",
  'CREATE ROLE IF NOT EXISTS oracle_role',
  "GRANT oracle_role TO '{user}'@'%'",
];

/**
 * Effects a stored procedure can have (MariaDB 10.11 refuses USE, LOCK TABLES and HANDLER in
 * a procedure with 1314, so those are reached directly and through EXECUTE IMMEDIATE only).
 */
const PROCEDURE_EFFECTS: Readonly<Record<string, readonly string[]>> = {
  user_variable: ['SET @oracle_u = 1'],
  session_variable: ["SET SESSION time_zone = '+05:00'"],
  names: ['SET NAMES latin1'],
  autocommit: ['SET autocommit = 0'],
  next_isolation: ['SET TRANSACTION ISOLATION LEVEL SERIALIZABLE'],
  next_read_only: ['SET TRANSACTION READ ONLY'],
  session_isolation: ['SET SESSION TRANSACTION ISOLATION LEVEL READ UNCOMMITTED'],
  prepare: ["PREPARE oracle_ps FROM 'SELECT 1'"],
  export: ['FLUSH TABLES oracle_export FOR EXPORT'],
  temporary_table: ['CREATE TEMPORARY TABLE oracle_tmp (i INT)'],
  named_lock: ["DO GET_LOCK('oracle_lock', 0)"],
  transaction: ['START TRANSACTION', "INSERT INTO oracle_rows (tag) VALUES ('procedure')"],
  xa: ["XA START 'oracle_xa'"],
  role: ['SET ROLE oracle_role'],
};

/** The four shapes of a CALL: with or without a result set, succeeding or failing after the effect. */
const PROCEDURE_SHAPES = {
  '': [],
  _rows: ['SELECT 1 AS after_effect'],
  _fail: ["SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'failed after the effect'"],
  _rows_fail: [
    'SELECT 1 AS after_effect',
    "SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'failed after the effect'",
  ],
} as const;

/** 1644: an unhandled user SIGNAL. */
const SIGNALLED = 1644;

/** `CREATE PROCEDURE` statements for the CALL cases, run by the application user. */
export const ORACLE_PROCEDURES: readonly string[] = Object.entries(PROCEDURE_EFFECTS).flatMap(
  ([effect, body]) =>
    Object.entries(PROCEDURE_SHAPES).map(
      ([shape, tail]) =>
        `CREATE PROCEDURE oracle_p_${effect}${shape}() BEGIN ${[...body, ...tail].join('; ')}; END`,
    ),
);

/** Statements run directly; each also goes through EXECUTE IMMEDIATE where MariaDB allows. */
const DIRECT: readonly {
  readonly name: string;
  readonly sql: string;
  readonly viaExecute?: false;
}[] = [
  // User variables.
  { name: 'SET @v', sql: 'SET @oracle_u = 1' },
  { name: 'SET @v := , @w =', sql: "SET @oracle_u := 'x', @oracle_w = 2" },
  { name: 'SELECT @v := (rows)', sql: 'SELECT @oracle_u := 5 AS v' },
  { name: 'SELECT ... INTO @v', sql: 'SELECT 1 INTO @oracle_u' },
  // Session variables, every form of SET.
  { name: 'SET sql_mode (no scope)', sql: "SET sql_mode = 'ANSI_QUOTES'" },
  { name: 'SET SESSION sql_mode', sql: "SET SESSION sql_mode = 'ANSI'" },
  { name: 'SET LOCAL foreign_key_checks', sql: 'SET LOCAL foreign_key_checks = 0' },
  { name: 'SET @@session.time_zone', sql: "SET @@session.time_zone = '+05:00'" },
  { name: 'SET @@time_zone', sql: "SET @@time_zone = '+05:00'" },
  { name: 'SET two variables', sql: "SET unique_checks = 0, sql_mode = ''" },
  { name: 'SET innodb_lock_wait_timeout', sql: 'SET SESSION innodb_lock_wait_timeout = 1' },
  { name: 'SET wait_timeout', sql: 'SET SESSION wait_timeout = 3600' },
  { name: 'SET sql_select_limit', sql: 'SET @@session.sql_select_limit = 1' },
  { name: 'SET insert_id (one-shot)', sql: 'SET insert_id = 100' },
  { name: 'SET NAMES', sql: 'SET NAMES latin1' },
  { name: 'SET NAMES ... COLLATE', sql: 'SET NAMES utf8mb4 COLLATE utf8mb4_bin' },
  { name: 'SET CHARACTER SET', sql: 'SET CHARACTER SET latin1' },
  { name: 'SET ROLE', sql: 'SET ROLE oracle_role' },
  // Transactions and their characteristics.
  { name: 'SET autocommit = 0', sql: 'SET autocommit = 0' },
  { name: 'SET @@autocommit = OFF', sql: 'SET @@autocommit = OFF' },
  {
    name: 'SET TRANSACTION ISOLATION LEVEL (one-shot)',
    sql: 'SET TRANSACTION ISOLATION LEVEL SERIALIZABLE',
  },
  { name: 'SET TRANSACTION READ ONLY (one-shot)', sql: 'SET TRANSACTION READ ONLY' },
  {
    name: 'SET SESSION TRANSACTION ISOLATION LEVEL',
    sql: 'SET SESSION TRANSACTION ISOLATION LEVEL READ UNCOMMITTED',
  },
  { name: 'SET SESSION TRANSACTION READ ONLY', sql: 'SET SESSION TRANSACTION READ ONLY' },
  { name: 'SET tx_isolation', sql: "SET tx_isolation = 'READ-COMMITTED'" },
  { name: 'START TRANSACTION', sql: 'START TRANSACTION' },
  { name: 'BEGIN', sql: 'BEGIN' },
  { name: 'XA START', sql: "XA START 'oracle_xa'" },
  // The default database.
  { name: 'USE', sql: 'USE goneaway_other' },
  // Prepared statements (not through EXECUTE IMMEDIATE: 1295).
  { name: 'PREPARE', sql: "PREPARE oracle_ps FROM 'SELECT 1'", viaExecute: false },
  // Table locks, FLUSH ... FOR EXPORT, handlers.
  { name: 'LOCK TABLES READ', sql: 'LOCK TABLES oracle_lockme READ' },
  { name: 'LOCK TABLES WRITE', sql: 'LOCK TABLES oracle_lockme WRITE' },
  { name: 'FLUSH TABLES t FOR EXPORT', sql: 'FLUSH TABLES oracle_export FOR EXPORT' },
  { name: 'FLUSH TABLES t WITH READ LOCK', sql: 'FLUSH TABLES oracle_export WITH READ LOCK' },
  { name: 'HANDLER t OPEN AS h', sql: 'HANDLER oracle_lockme OPEN AS oracle_h' },
  { name: 'HANDLER t OPEN', sql: 'HANDLER oracle_lockme OPEN' },
  // Temporary tables.
  { name: 'CREATE TEMPORARY TABLE', sql: 'CREATE TEMPORARY TABLE oracle_tmp (i INT)' },
  {
    name: 'CREATE TEMPORARY TABLE ... SELECT',
    sql: 'CREATE TEMPORARY TABLE oracle_tmp SELECT 1 AS i',
  },
  {
    name: 'CREATE TEMPORARY TABLE shadowing a table',
    sql: 'CREATE TEMPORARY TABLE oracle_probe (id INT PRIMARY KEY, n INT)',
  },
  {
    name: 'CREATE OR REPLACE TEMPORARY TABLE',
    sql: 'CREATE OR REPLACE TEMPORARY TABLE oracle_tmp (i INT)',
  },
  // Named locks.
  { name: 'SELECT GET_LOCK (rows)', sql: "SELECT GET_LOCK('oracle_lock', 0) AS locked" },
  { name: 'DO GET_LOCK', sql: "DO GET_LOCK('oracle_lock', 0)" },
];

/** Statements that fail with an error after their effect took place. */
const FAILING: readonly { readonly name: string; readonly sql: string; readonly errno: number }[] =
  [
    {
      name: 'GET_LOCK, then a subquery error',
      sql: "SELECT GET_LOCK('oracle_lock', 0), (SELECT v FROM oracle_two) AS v",
      errno: 1242,
    },
    {
      name: '@v :=, then a subquery error',
      sql: 'SELECT @oracle_f := 5, (SELECT 1 UNION SELECT 2) AS v',
      errno: 1242,
    },
  ];

/** Statements (or pairs) that leave the session as they found it. */
const CONTROLS: readonly PoisonCase[] = [
  { name: 'control: SELECT 1', statements: ['SELECT 1 AS one'], clean: true },
  {
    name: 'control: SET STATEMENT ... FOR',
    statements: ['SET STATEMENT max_statement_time = 5 FOR SELECT 1 AS one'],
    clean: true,
  },
  {
    name: 'control: GET_LOCK then RELEASE_LOCK',
    statements: [
      "SELECT GET_LOCK('oracle_lock', 0) AS l",
      "SELECT RELEASE_LOCK('oracle_lock') AS r",
    ],
    clean: true,
  },
  {
    name: 'control: START TRANSACTION then COMMIT',
    statements: ['START TRANSACTION', "INSERT INTO oracle_rows (tag) VALUES ('control')", 'COMMIT'],
    clean: true,
  },
];

const quote = (sql: string): string => `'${sql.replaceAll("'", "''")}'`;

/** Every case, in a fixed order. */
export const POISON_CASES: readonly PoisonCase[] = [
  ...CONTROLS,
  ...DIRECT.map(({ name, sql }) => ({ name, statements: [sql] })),
  {
    name: 'START TRANSACTION, INSERT',
    statements: ['START TRANSACTION', "INSERT INTO oracle_rows (tag) VALUES ('direct')"],
  },
  {
    name: 'XA START ... XA PREPARE',
    statements: [
      "XA START 'oracle_xa'",
      "INSERT INTO oracle_rows (tag) VALUES ('xa')",
      "XA END 'oracle_xa'",
      "XA PREPARE 'oracle_xa'",
    ],
    oneSession: true,
  },
  ...FAILING.map(({ name, sql, errno }) => ({ name, statements: [sql], failsWith: errno })),
  ...DIRECT.filter((d) => d.viaExecute !== false).map(({ name, sql }) => ({
    name: `EXECUTE IMMEDIATE ${name}`,
    statements: [`EXECUTE IMMEDIATE ${quote(sql)}`],
  })),
  ...FAILING.map(({ name, sql, errno }) => ({
    name: `EXECUTE IMMEDIATE ${name}`,
    statements: [`EXECUTE IMMEDIATE ${quote(sql)}`],
    failsWith: errno,
  })),
  ...Object.keys(PROCEDURE_EFFECTS).flatMap((effect) =>
    Object.keys(PROCEDURE_SHAPES).map((shape) => ({
      name: `CALL ${effect}${shape.replaceAll('_', ' ')}`,
      statements: [`CALL oracle_p_${effect}${shape}()`],
      ...(shape.endsWith('fail') ? { failsWith: SIGNALLED } : {}),
    })),
  ),
];
