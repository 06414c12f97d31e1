/**
 * The session-hygiene oracle: is the session a caller gets exactly a fresh one?
 *
 * A snapshot reads everything a session can carry from one caller to the next, each from where
 * the server keeps it: session variables, the transaction state and the characteristics the
 * next transaction would start with, user variables, temporary tables, named locks, table
 * locks (and FLUSH ... FOR EXPORT), HANDLER tables, prepared statements, the default database
 * and the active role. Two snapshots are compared entry by entry; the test compares the next
 * caller's session with a brand-new connection's.
 *
 * Order matters. `SET TRANSACTION ...` (no SESSION) is visible in no variable and is used up by
 * the next statement that touches a transactional table, and `START TRANSACTION` would release
 * table locks; so locks are read from the server first, then variables (neither touches a
 * table), then one write and one read with autocommit off, whose transaction the admin session
 * reads from performance_schema (its isolation level and access mode), then the rest. (Not from
 * INNODB_TRX: InnoDB refreshes that table only when it was not read for 100 ms, so an oracle
 * that reads it often sees a stale copy.)
 */
import type { AdminSession } from './admin-session.js';

/** The session being looked at: a goneaway lease, or a plain connection wrapped alike. */
export interface SessionUnderTest {
  /** The server's id for the session (`CONNECTION_ID()`). */
  readonly threadId: number;
  /** Runs one statement on the session; resolves rows for a SELECT. */
  query(sql: string): Promise<unknown>;
}

/** Names the probes look for: objects a session can hold that no server table lists. */
export interface OracleNames {
  /** An InnoDB table `(id INT PRIMARY KEY, n INT)` with at least one row; written with no effect. */
  readonly probeTable: string;
  /** Temporary tables (MariaDB 10.11 lists them nowhere); a name may shadow a real table. */
  readonly temporaryTables: readonly string[];
  readonly handlers: readonly string[];
  readonly preparedStatements: readonly string[];
  /** Also found generically through METADATA_LOCK_INFO; asked by name as the brief asks. */
  readonly namedLocks: readonly string[];
}

/** What a session carries: one entry per fact, e.g. `'session variable SQL_MODE' → 'ANSI'`. */
export type SessionSnapshot = ReadonlyMap<string, string>;

/**
 * `mariadbd` arguments the snapshot needs: performance_schema with transaction events, where
 * the server reports each session's current transaction with its isolation level and access
 * mode. Pass them to `testServer({ serverArgs })`.
 */
export const ORACLE_SERVER_ARGS: readonly string[] = [
  '--performance-schema=ON',
  '--performance-schema-instrument=transaction=ON',
  '--performance-schema-consumer-events-transactions-current=ON',
];

/**
 * Session variables that differ between any two brand-new sessions, or that record the last
 * statement's own result rather than state a caller set (measured on MariaDB 10.11):
 * - `PSEUDO_THREAD_ID` is the connection id, `TIMESTAMP` the clock, `RAND_SEED1/2` random;
 * - `LAST_INSERT_ID` and `IDENTITY` hold the previous INSERT's generated id. Every pool hands
 *   them on, and goneaway already treats a statement that reads them as session-dependent.
 */
const VOLATILE_VARIABLES = new Set([
  'PSEUDO_THREAD_ID',
  'TIMESTAMP',
  'RAND_SEED1',
  'RAND_SEED2',
  'LAST_INSERT_ID',
  'IDENTITY',
]);

/**
 * A left-over `sql_select_limit` would cut the lists the oracle reads (and hide the rest of a
 * dirty session); it is read on its own, and lifted for these statements only.
 */
const ALL_ROWS = 'SET STATEMENT sql_select_limit = DEFAULT FOR';

/**
 * Reads everything `session` carries. Needs a server started with {@link ORACLE_SERVER_ARGS}
 * and the plugins of {@link installOraclePlugins}. Leaves the session with autocommit on and no transaction.
 *
 * @example
 * const lease = await db.acquire();
 * const snapshot = await snapshotSession(lease, admin, names);
 * lease.release();
 */
export async function snapshotSession(
  session: SessionUnderTest,
  admin: AdminSession,
  names: OracleNames,
): Promise<SessionSnapshot> {
  const facts = new Map<string, string>();
  const threadId = session.threadId;

  // 1. Locks, from the server's side, before the session runs anything.
  const locks = await admin.query(
    'SELECT LOCK_TYPE AS type, LOCK_MODE AS mode, TABLE_SCHEMA AS db, TABLE_NAME AS name ' +
      'FROM information_schema.METADATA_LOCK_INFO WHERE THREAD_ID = ?',
    [threadId],
  );
  for (const lock of locks) {
    facts.set(`metadata lock ${lock.type} ${lock.db}.${lock.name}`, String(lock.mode));
  }
  for (const name of names.namedLocks) {
    const [row] = await admin.query('SELECT IS_USED_LOCK(?) AS holder', [name]);
    // Only this session's hold counts: a retired session's lock lives until the server has
    // read its COM_QUIT, which may be a moment after the next caller got its connection.
    const held = Number(row?.holder ?? 0) === threadId;
    facts.set(`named lock ${name}`, held ? 'held by this session' : 'not held by this session');
  }

  // 2. Variables and transaction state: nothing here touches a table.
  const record = async (key: string, sql: string, read: (rows: Row[]) => string) => {
    facts.set(key, await attempt(session, sql, read));
  };
  await session.query('DO 0');
  const [state] = await rowsOf(
    session,
    'SELECT @@in_transaction AS inTransaction, @@autocommit AS autocommit, DATABASE() AS db, ' +
      'CURRENT_ROLE() AS role, @@sql_select_limit AS selectLimit',
  );
  facts.set('in transaction', String(state?.inTransaction));
  facts.set('autocommit', String(state?.autocommit));
  facts.set('default database', String(state?.db));
  facts.set('active role', String(state?.role));
  facts.set('sql_select_limit', String(state?.selectLimit));
  const variables = await rowsOf(
    session,
    `${ALL_ROWS} SELECT VARIABLE_NAME AS name, VARIABLE_VALUE AS value FROM information_schema.SESSION_VARIABLES`,
  );
  for (const { name, value } of variables) {
    if (!VOLATILE_VARIABLES.has(String(name))) {
      facts.set(`session variable ${name}`, String(value));
    }
  }
  const userVariables = await rowsOf(
    session,
    `${ALL_ROWS} SELECT VARIABLE_NAME AS name, VARIABLE_VALUE AS value FROM information_schema.USER_VARIABLES`,
  );
  for (const { name, value } of userVariables) facts.set(`user variable @${name}`, String(value));

  // 3. The next transaction: a write (refused under table locks, FOR EXPORT or a pending READ
  //    ONLY) and a read, with autocommit off so that they share one transaction, whose
  //    isolation level the server reports in INNODB_TRX.
  await record('set autocommit = 0', 'SET autocommit = 0', () => 'ok');
  await record(
    'a write from the next caller',
    `UPDATE ${names.probeTable} SET n = n WHERE id = -1`,
    () => 'ok',
  );
  await record(
    'a read from the next caller',
    `SELECT COUNT(*) AS n FROM ${names.probeTable}`,
    () => 'ok',
  );
  const [trx] = await admin.query(
    'SELECT t.ISOLATION_LEVEL AS level, t.ACCESS_MODE AS mode FROM performance_schema.events_transactions_current t ' +
      "JOIN performance_schema.threads th USING (THREAD_ID) WHERE th.PROCESSLIST_ID = ? AND t.STATE = 'ACTIVE'",
    [threadId],
  );
  facts.set(
    'next transaction characteristics',
    trx ? `${String(trx.level)}, ${String(trx.mode)}` : 'no transaction',
  );
  await record('rollback', 'ROLLBACK', () => 'ok');
  await record('set autocommit = 1', 'SET autocommit = 1', () => 'ok');

  // 4. Objects found by name.
  for (const table of names.temporaryTables) {
    await record(`table ${table}`, `SHOW CREATE TABLE ${table}`, (rows) =>
      /^CREATE TEMPORARY TABLE/.test(String(rows[0]?.['Create Table'])) ? 'temporary' : 'table',
    );
  }
  for (const handler of names.handlers) {
    await record(`handler ${handler}`, `HANDLER ${handler} READ FIRST`, () => 'open');
  }
  for (const statement of names.preparedStatements) {
    await record(`prepared statement ${statement}`, `EXECUTE ${statement}`, () => 'prepared');
  }
  return facts;
}

/**
 * The entries in which `actual` differs from `expected`, as readable lines
 * (`'session variable SQL_MODE: "STRICT..." → "ANSI"'`). Empty: the sessions are alike.
 *
 * @example
 * assert.deepEqual(diffSessions(fresh, await snapshotSession(lease, admin, names)), []);
 */
export function diffSessions(expected: SessionSnapshot, actual: SessionSnapshot): string[] {
  const differences: string[] = [];
  for (const key of new Set([...expected.keys(), ...actual.keys()])) {
    const want = expected.get(key);
    const got = actual.get(key);
    if (want !== got) {
      differences.push(`${key}: ${show(want)} → ${show(got)}`);
    }
  }
  return differences.sort();
}

/**
 * Installs what the snapshot reads through plugins. `user_variables` is built into Debian's
 * MariaDB 10.11 (its INSTALL fails with 1126: no library, and the table is there anyway);
 * `metadata_lock_info` is a library. Throws if either table is still missing.
 *
 * @example
 * await installOraclePlugins(admin);
 */
export async function installOraclePlugins(admin: AdminSession): Promise<void> {
  for (const plugin of ['metadata_lock_info', 'user_variables']) {
    await admin.query(`INSTALL SONAME '${plugin}'`).catch(() => undefined);
  }
  const tables = await admin.query(
    "SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'information_schema' " +
      "AND TABLE_NAME IN ('METADATA_LOCK_INFO', 'USER_VARIABLES')",
  );
  if (tables.length !== 2) {
    throw new Error(
      `the oracle needs information_schema.METADATA_LOCK_INFO and USER_VARIABLES; found ${JSON.stringify(tables)}`,
    );
  }
}

type Row = Record<string, unknown>;

async function rowsOf(session: SessionUnderTest, sql: string): Promise<Row[]> {
  const rows = await session.query(sql);
  if (!Array.isArray(rows)) throw new Error(`expected rows from ${sql}`);
  return rows as Row[];
}

/** Runs a probe; a server error is a fact too (`'error 1099'`), any other failure is not. */
async function attempt(
  session: SessionUnderTest,
  sql: string,
  read: (rows: Row[]) => string,
): Promise<string> {
  try {
    const result = await session.query(sql);
    return read(Array.isArray(result) ? (result as Row[]) : []);
  } catch (error) {
    const errno = (error as { errno?: unknown }).errno;
    if (typeof errno === 'number' && errno >= 1000 && errno < 2000) return `error ${errno}`;
    throw error;
  }
}

function show(value: string | undefined): string {
  return value === undefined ? '(absent)' : JSON.stringify(value);
}
