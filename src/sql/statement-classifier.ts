/**
 * The conservative statement classifier: may a statement whose connection was lost mid-flight
 * ("outcome unknown") be run again on a new connection, what session state does it leave
 * behind that a new connection would not have, and what does it do to a transaction?
 *
 * A wrong "read-only" answer can run a write twice, and a missed session effect can hand one
 * caller's session to the next, so every doubt answers "not safe" and "dirty". The classifier
 * runs once per statement on the hot path, so it is one linear scan over the tokens of the one
 * SQL lexer (`sql-lexer.ts`): no regular expressions, no token array, no string built per word.
 *
 * Stored code is the one thing the text cannot show: a call of anything that is not a known
 * built-in function (see `builtin-names.ts`) may run a stored function or a loadable (UDF)
 * function that writes or changes the session, so it counts as a write with the effect
 * `'state set by stored code'`, like `CALL`, `EXECUTE` and `EXECUTE IMMEDIATE`. The places
 * where a name followed by `(` is not a call (`IN (...)`, `OVER (...)`, CTE column lists,
 * `CAST(x AS CHAR(10))`, `INSERT INTO t (a)`, `FROM JSON_TABLE(...)`, derived-table column
 * lists, `PROCEDURE ANALYSE()`, ...) are recognised; anything else is not safe.
 */
import type { Flavor } from '../errors/flavor.js';
import { BUILTIN_NAMES, type BuiltinName, isBuiltinOn } from './builtin-names.js';
import {
  Char,
  DEFAULT_QUOTING,
  OTHER_QUOTINGS,
  type Quoting,
  SqlLexer,
  type TokenKind,
  Vocabulary,
} from './sql-lexer.js';
import { asKeyword } from './statement-keyword.js';
import type { TransactionControl } from './transaction-control.js';

export type { TransactionControl } from './transaction-control.js';

/**
 * What a statement is, as far as re-running it is concerned.
 *
 * - `'read'`: reads only, with nothing unsafe in it; the only category that is retry-safe.
 * - `'write'`: changes data, schema or server state, may run stored code, or is not understood.
 * - `'transaction'`: opens, ends or configures a transaction.
 * - `'session'`: depends on or changes the state of this one session (variables, locks, ...).
 *
 * @example
 * const category: StatementCategory = classifyStatement('COMMIT').category; // 'transaction'
 */
export type StatementCategory = 'read' | 'write' | 'transaction' | 'session';

/**
 * Session state a statement creates that a new connection would not have. The ones the server
 * does not report (named locks, transaction characteristics, XA, state set by stored code) can
 * only be known from the text.
 *
 * @example
 * const effects: readonly SessionEffect[] = classifyStatement('SET @a = 1').sessionEffects; // ['user variables']
 */
export type SessionEffect =
  | 'named locks'
  | 'user variables'
  | 'temporary tables'
  | 'session variables'
  | 'prepared statements'
  | 'table locks'
  | 'table handlers'
  | 'active roles'
  | 'default database'
  | 'transaction characteristics'
  | 'XA transaction'
  | 'state set by stored code';

/**
 * One use of a named lock: `GET_LOCK()` acquires (as do MySQL's `service_get_*_locks()`),
 * `RELEASE_LOCK()` releases one (`service_release_locks()` those of a namespace),
 * `RELEASE_ALL_LOCKS()` releases every lock the session holds.
 *
 * @example
 * classifyStatement("SELECT RELEASE_LOCK('a'), GET_LOCK('b', 0)").namedLocks; // ['release', 'acquire']
 */
export type NamedLockAction = 'acquire' | 'release' | 'release-all';

/**
 * The classifier's answer about one SQL text.
 *
 * @example
 * const info: StatementInfo = classifyStatement('SELECT GET_LOCK("job", 0)');
 * // { category: 'session', keyword: 'SELECT', retrySafe: false, sessionEffects: ['named locks'],
 * //   reason: 'GET_LOCK() takes a named lock held by the session', transaction: 'none',
 * //   namedLocks: ['acquire'], statementCount: 1 }
 */
export interface StatementInfo {
  /** What the statement is for the retry decision; the worst of all statements in the text. */
  readonly category: StatementCategory;
  /** The first statement's leading keyword, upper-case (`'SELECT'`, `'WITH'`); `''` when there is none. */
  readonly keyword: string;
  /** True only for `'read'`: the statement may be run again on a new connection. */
  readonly retrySafe: boolean;
  /** Session state it creates that a new connection would not have, in a fixed order. */
  readonly sessionEffects: readonly SessionEffect[];
  /** One short phrase: why it is or is not retry-safe. Names no value from the text. */
  readonly reason: string;
  /** What the first statement does to a transaction (see {@link TransactionControl}). */
  readonly transaction: TransactionControl;
  /** Named-lock functions called, in text order (acquired or released as the calls succeed). */
  readonly namedLocks: readonly NamedLockAction[];
  /** How many statements the text holds (0 for an empty text or a comment). */
  readonly statementCount: number;
}

/**
 * Classifies one SQL text (which may hold several statements) for the retry decision, for
 * session tracking and for transaction control.
 *
 * A statement is retry-safe only if it starts with a read-only keyword (`SELECT`, `WITH`,
 * `VALUES`, `TABLE`, `SHOW`, `DESCRIBE`/`DESC`/`EXPLAIN`, `ANALYZE <query>`, `HELP`, `DO`,
 * `CHECKSUM TABLE`) and contains none of: a call of anything but a known built-in function
 * (a stored function or UDF may write), a locking read (`FOR UPDATE`, `FOR SHARE`,
 * `LOCK IN SHARE MODE`), `INTO`, an executable comment, a second statement, sequence access
 * (`NEXTVAL`, `NEXT VALUE FOR`, `SETVAL`, `LASTVAL`, `PREVIOUS VALUE FOR`), named-lock functions,
 * session-dependent functions (`LAST_INSERT_ID()`, `FOUND_ROWS()`, `ROW_COUNT()`,
 * `CONNECTION_ID()`, `SQL_CALC_FOUND_ROWS`), user variables, or session system variables
 * (`@@x`, `@@session.x`; `@@global.x` and a few global-only names such as `@@version` are fine).
 *
 * `flavor` names the server when it is known: a function that only one of MariaDB and MySQL
 * has built in (`NVL`, `ANY_VALUE`) is a built-in only there; without it, only functions both
 * have count as built-ins.
 *
 * Limits, all erring towards "not safe" except the first:
 * - A view or a trigger can call stored code that the text does not name; `SELECT * FROM v`
 *   counts as a read. Views that call writing functions must not be read through goneaway's
 *   retries (mark nothing `idempotent` that reads them).
 * - Quoting and comments follow the server's default lexer; `sql_mode=ORACLE` syntax is not
 *   modelled beyond `seq.nextval`/`seq.currval`.
 * - `EXPLAIN UPDATE ...` (a plan only) counts as a write, like `EXPLAIN ANALYZE UPDATE ...`.
 * - `@@global . x` (spaces around the dot), `SHOW GRANTS FOR 'u'@'h'` (the `@` reads as a user
 *   variable), columns named `nextval`/`lastval`, a call of a built-in with a space before its
 *   parenthesis where MySQL would read a stored function (`COUNT (x)`), and names followed by
 *   `(` in rarer places (a `DATETIME(6)` column of `JSON_TABLE`) are reported as not safe.
 *
 * @example
 * classifyStatement('SELECT * FROM users WHERE id = ?').retrySafe; // true
 * classifyStatement('SELECT * FROM users WHERE id = ? FOR UPDATE').retrySafe; // false
 * classifyStatement("SELECT ';' AS x").retrySafe; // true: the ; is inside a string
 * classifyStatement('SELECT my_function(1)').retrySafe; // false: may be stored code
 * classifyStatement('WITH c AS (SELECT 1) DELETE FROM t').category; // 'write'
 * classifyStatement('SET @a := 1').sessionEffects; // ['user variables']
 */
export function classifyStatement(sql: string, flavor?: Flavor): StatementInfo {
  // Applications send the same texts again and again (placeholders, not values): a text seen
  // before is answered from a small cache. A text is remembered on its first sight and its
  // answer kept (frozen, so sharing it is safe) on its second: a text that is never repeated
  // costs no more than its scan.
  const cache = flavor === 'mariadb' ? MARIADB_CACHE : flavor === 'mysql' ? MYSQL_CACHE : ANY_CACHE;
  const slot = cacheSlot(sql);
  if (cache.texts[slot] !== sql) {
    cache.texts[slot] = sql;
    cache.infos[slot] = undefined;
    return classifyText(sql, flavor);
  }
  const known = cache.infos[slot];
  if (known !== undefined) return known;
  const info = classifyText(sql, flavor);
  Object.freeze(info.namedLocks);
  cache.infos[slot] = Object.freeze(info);
  return info;
}

/**
 * A direct-mapped cache: each text has one slot, chosen from its length and two of its
 * characters, and a miss overwrites it. No map to grow, no eviction to run: a miss costs a
 * few comparisons, and what the cache holds stays small.
 */
interface ResultCache {
  readonly texts: (string | undefined)[];
  readonly infos: (StatementInfo | undefined)[];
}

const CACHE_SLOTS = 128;
const newCache = (): ResultCache => ({
  texts: new Array<string | undefined>(CACHE_SLOTS).fill(undefined),
  infos: new Array<StatementInfo | undefined>(CACHE_SLOTS).fill(undefined),
});
const ANY_CACHE = newCache();
const MARIADB_CACHE = newCache();
const MYSQL_CACHE = newCache();

function cacheSlot(sql: string): number {
  const length = sql.length;
  if (length === 0) return 0;
  return (
    (Math.imul(length, 31) +
      Math.imul(sql.charCodeAt(length >> 1), 7) +
      sql.charCodeAt(length - 1)) &
    (CACHE_SLOTS - 1)
  );
}

function classifyText(sql: string, flavor: Flavor | undefined): StatementInfo {
  const primary = new StatementScan(sql, DEFAULT_QUOTING, flavor);
  let { category, reason, effects } = primary;
  if (primary.backslashInQuote) {
    for (const quoting of OTHER_QUOTINGS) {
      const other = new StatementScan(sql, quoting, flavor);
      effects |= other.effects;
      if (RANK[other.category] > RANK[category]) {
        category = other.category;
        reason = `${other.reason} ${quoting.note}`;
      }
    }
  }
  return {
    category,
    keyword: primary.keyword,
    retrySafe: category === 'read',
    sessionEffects: effectList(effects),
    reason,
    transaction: primary.transaction,
    namedLocks: primary.namedLocks ?? NO_LOCKS,
    statementCount: primary.statementCount,
  };
}

// ---------------------------------------------------------------------------------------------
// Tables: what words mean. Each entry says why it is classed so.

interface Verdict {
  readonly category: StatementCategory;
  readonly reason: string;
  readonly effect?: SessionEffect;
}

/** How a statement's leading keyword classes it, refined by the words right after it. */
interface StatementRule extends Verdict {
  readonly next?: ReadonlyMap<string, StatementRule>;
  /** What it does to a transaction. */
  readonly transaction?: TransactionControl;
  /** `SET`: the assignments decide, item by item. */
  readonly assignments?: true;
  /** `CALL p(@out)`, `LOAD DATA ... (@col)`, `GET DIAGNOSTICS @n = ...` write the variables they name. */
  readonly assignsUserVariables?: true;
  /** `INSERT`, `REPLACE`: the table name comes next (`INSERT t (a) ...` needs no INTO). */
  readonly tableNameNext?: true;
  /**
   * DDL: function calls only run after a `SELECT` (`CREATE TABLE t AS SELECT f()`); before it,
   * `name (` is a column list, a type length or an index definition.
   */
  readonly callsAfterSelect?: true;
}

const words = <T>(entries: Record<string, T>): ReadonlyMap<string, T> =>
  new Map(Object.entries(entries));

const read = (keyword: string): StatementRule => ({
  category: 'read',
  reason: `read-only ${keyword}`,
});

const ddl = (keyword: string, reason: string): StatementRule => ({
  category: 'write',
  reason: `${keyword} ${reason}`,
  callsAfterSelect: true,
});

const STORED_CODE: SessionEffect = 'state set by stored code';

/** SET's verdict when no assignment decides it (a bare SET, or SET STATEMENT without FOR). */
const SET_RULE: StatementRule = {
  category: 'session',
  reason: 'SET changes session state',
  assignments: true,
};
const CREATE = ddl('CREATE', 'changes the schema');
const CREATE_TEMPORARY: StatementRule = {
  category: 'session',
  reason: 'CREATE TEMPORARY creates a table only this session can see',
  effect: 'temporary tables',
  callsAfterSelect: true,
};
/** Statements that read this session's own state (a new connection would answer differently). */
const SHOW_SESSION: StatementRule = {
  category: 'session',
  reason: "SHOW reads this session's own warnings, status or variables",
};
const ANALYZE_TABLE = ddl('ANALYZE TABLE', 'updates index statistics');

/**
 * `COMMIT` or `ROLLBACK` with their optional words: `[WORK] [AND [NO] CHAIN] [[NO] RELEASE]`
 * (and, for ROLLBACK, `TO [SAVEPOINT] name`).
 */
function transactionEnd(base: 'commit' | 'rollback', reason: string): StatementRule {
  const plain: StatementRule = { category: 'transaction', reason, transaction: base };
  const chain: StatementRule = { ...plain, transaction: `${base}-and-chain` };
  const release: StatementRule = { ...plain, transaction: `${base}-and-release` };
  const releaseWords = (kept: StatementRule): ReadonlyMap<string, StatementRule> =>
    words({ RELEASE: release, NO: { ...kept, next: words({ RELEASE: kept }) } });
  const toSavepoint: StatementRule = {
    category: 'transaction',
    reason: 'ROLLBACK TO SAVEPOINT changes a transaction',
    transaction: 'rollback-to-savepoint',
  };
  const after: Record<string, StatementRule> = {
    AND: {
      ...plain,
      next: words({
        CHAIN: { ...chain, next: releaseWords(chain) },
        NO: { ...plain, next: words({ CHAIN: { ...plain, next: releaseWords(plain) } }) },
      }),
    },
    ...Object.fromEntries(releaseWords(plain)),
    ...(base === 'rollback' ? { TO: toSavepoint } : {}),
  };
  return { ...plain, next: words({ ...after, WORK: { ...plain, next: words(after) } }) };
}

const xa = (transaction: TransactionControl, effect?: SessionEffect): StatementRule => ({
  category: 'transaction',
  reason: 'XA controls a distributed transaction',
  transaction,
  ...(effect ? { effect } : {}),
});

/** Leading keyword → rule. A keyword not listed is a write: unknown means unsafe. */
const STATEMENTS: ReadonlyMap<string, StatementRule> = words<StatementRule>({
  // Query expressions. Still read the whole text: a locking clause, INTO, a write verb after
  // WITH (MySQL 8: WITH ... UPDATE/DELETE), a call of stored code or a session function make
  // them unsafe.
  SELECT: read('SELECT'),
  WITH: read('WITH'),
  VALUES: read('VALUES'), // MariaDB 10.3+, MySQL 8.0.19+ table value constructor
  TABLE: read('TABLE'), // MySQL 8.0.19+: TABLE t
  DO: read('DO'), // evaluates and discards; DO GET_LOCK(...) is caught by the function table
  // Plans and metadata. EXPLAIN ANALYZE (MySQL) executes its statement: the write verbs below
  // make EXPLAIN ANALYZE DELETE a write (and, conservatively, a plain EXPLAIN DELETE too).
  EXPLAIN: read('EXPLAIN'),
  DESCRIBE: read('DESCRIBE'),
  DESC: read('DESC'),
  HELP: read('HELP'),
  CHECKSUM: read('CHECKSUM'), // CHECKSUM TABLE only reads rows
  // MariaDB's ANALYZE <statement> executes it (read unless a write verb follows);
  // ANALYZE TABLE updates statistics.
  ANALYZE: {
    ...read('ANALYZE'),
    next: words({
      TABLE: ANALYZE_TABLE,
      TABLES: ANALYZE_TABLE,
      NO_WRITE_TO_BINLOG: ANALYZE_TABLE,
      LOCAL: ANALYZE_TABLE,
    }),
  },
  // SHOW reads the server, except these forms, which read this session's own state.
  SHOW: {
    ...read('SHOW'),
    next: words({
      WARNINGS: SHOW_SESSION,
      ERRORS: SHOW_SESSION,
      COUNT: SHOW_SESSION, // SHOW COUNT(*) WARNINGS
      PROFILE: SHOW_SESSION,
      PROFILES: SHOW_SESSION,
      STATUS: SHOW_SESSION, // without GLOBAL: this session's counters
      VARIABLES: SHOW_SESSION, // without GLOBAL: this session's values
      SESSION: SHOW_SESSION,
      LOCAL: SHOW_SESSION,
    }),
  },

  // Transaction control. The server's status flags say what really happened.
  BEGIN: {
    category: 'transaction',
    reason: 'BEGIN opens a transaction',
    transaction: 'begin',
    next: words({
      NOT: {
        category: 'write',
        reason: 'BEGIN NOT ATOMIC runs a compound statement',
        effect: STORED_CODE,
      },
    }),
  },
  START: {
    category: 'write',
    reason: 'START changes replication state', // START SLAVE/REPLICA/GROUP_REPLICATION
    next: words({
      TRANSACTION: {
        category: 'transaction',
        reason: 'START TRANSACTION opens a transaction',
        transaction: 'begin',
      },
    }),
  },
  COMMIT: transactionEnd('commit', 'COMMIT ends a transaction'),
  ROLLBACK: transactionEnd('rollback', 'ROLLBACK ends a transaction'),
  SAVEPOINT: {
    category: 'transaction',
    reason: 'SAVEPOINT marks a point in a transaction',
    transaction: 'savepoint',
  },
  RELEASE: {
    category: 'transaction',
    reason: 'RELEASE SAVEPOINT changes a transaction',
    transaction: 'release-savepoint',
  },
  // XA START leaves a branch the server's status flags do not fully describe (after END or
  // PREPARE the session cannot run other work, and a prepared branch outlives the connection).
  XA: {
    ...xa('none'),
    next: words({
      START: xa('xa-start', 'XA transaction'),
      BEGIN: xa('xa-start', 'XA transaction'),
      END: xa('xa-end', 'XA transaction'),
      PREPARE: xa('xa-prepare', 'XA transaction'),
      COMMIT: xa('xa-commit'),
      ROLLBACK: xa('xa-rollback'),
      RECOVER: xa('xa-recover'),
    }),
  },

  // Session state.
  SET: SET_RULE,
  USE: {
    category: 'session',
    reason: 'USE changes the default database',
    effect: 'default database',
  },
  PREPARE: {
    category: 'session',
    reason: 'PREPARE creates a prepared statement held by the session',
    effect: 'prepared statements',
  },
  EXECUTE: {
    category: 'session',
    reason: 'EXECUTE runs a statement prepared on this session, which the text does not show',
    effect: STORED_CODE,
    next: words({
      IMMEDIATE: {
        category: 'write',
        reason: 'EXECUTE IMMEDIATE runs a statement the text does not show',
        effect: STORED_CODE,
      },
    }),
  },
  DEALLOCATE: { category: 'session', reason: 'DEALLOCATE PREPARE drops a prepared statement' },
  LOCK: {
    category: 'session',
    reason: 'LOCK takes locks held by the session', // LOCK TABLES, MySQL LOCK INSTANCE FOR BACKUP
    effect: 'table locks',
  },
  UNLOCK: { category: 'session', reason: "UNLOCK releases the session's locks" },
  BACKUP: {
    category: 'session',
    reason: 'BACKUP STAGE/LOCK takes backup locks held by the session', // MariaDB
    effect: 'table locks',
  },
  // Also reported for HANDLER ... READ/CLOSE: a session that uses handlers is not clean anyway.
  HANDLER: {
    category: 'session',
    reason: 'HANDLER uses a table handler held by the session',
    effect: 'table handlers',
  },
  GET: {
    category: 'session',
    reason: "GET DIAGNOSTICS reads the session's diagnostics area",
    assignsUserVariables: true,
  },

  // Writes with a specific reason (any other keyword is a write too).
  INSERT: { category: 'write', reason: 'INSERT changes data', tableNameNext: true },
  UPDATE: { category: 'write', reason: 'UPDATE changes data' },
  DELETE: { category: 'write', reason: 'DELETE changes data' },
  REPLACE: { category: 'write', reason: 'REPLACE changes data', tableNameNext: true },
  LOAD: { category: 'write', reason: 'LOAD changes data', assignsUserVariables: true },
  CALL: {
    category: 'write',
    reason: 'CALL runs a stored procedure, which may change data or session state',
    effect: STORED_CODE,
    assignsUserVariables: true, // OUT and INOUT parameters
  },
  CREATE: {
    ...CREATE,
    next: words({
      TEMPORARY: CREATE_TEMPORARY,
      OR: {
        ...CREATE,
        next: words({ REPLACE: { ...CREATE, next: words({ TEMPORARY: CREATE_TEMPORARY }) } }),
      },
    }),
  },
  ALTER: ddl('ALTER', 'changes the schema'),
  RENAME: ddl('RENAME', 'changes the schema'),
  TRUNCATE: ddl('TRUNCATE', 'deletes every row'),
  GRANT: ddl('GRANT', 'changes privileges'),
  REVOKE: ddl('REVOKE', 'changes privileges'),
  OPTIMIZE: ddl('OPTIMIZE', 'rebuilds tables'),
  REPAIR: ddl('REPAIR', 'rebuilds tables'),
  DROP: {
    ...ddl('DROP', 'changes the schema'),
    next: words<StatementRule>({
      TEMPORARY: {
        category: 'session',
        reason: "DROP TEMPORARY drops one of the session's tables",
      },
      PREPARE: { category: 'session', reason: 'DROP PREPARE drops a prepared statement' },
    }),
  },
  CHECK: ddl('CHECK TABLE', 'may mark or upgrade a table'),
  FLUSH: { category: 'write', reason: 'FLUSH changes server state' },
});

/** Where a word in the body of a statement counts. */
type WordForm =
  /** only as a function call: `WORD(` (after optional spaces or comments) */
  | 'call'
  /** wherever it stands */
  | 'anywhere'
  /** only in a read statement (after WITH, EXPLAIN, ANALYZE), wherever it stands */
  | 'verb'
  /** only in a read statement, and not as a call: INSERT() and REPLACE() are string functions */
  | 'verb-unless-call'
  /** `INTO @var` assigns user variables; any other target (OUTFILE, DUMPFILE) writes */
  | 'into';

interface WordRule extends Verdict {
  readonly form: WordForm;
  /** A named-lock function: what it does to the session's locks. */
  readonly lock?: NamedLockAction;
}

const INTO_USER_VARIABLES: Verdict = {
  category: 'session',
  reason: 'SELECT ... INTO @var assigns user variables',
  effect: 'user variables',
};

/** Words inside a statement. Category `'read'` entries are deliberate decisions that they are harmless. */
const BODY_WORDS: ReadonlyMap<string, WordRule> = words<WordRule>({
  INTO: {
    form: 'into',
    category: 'write',
    reason: 'SELECT ... INTO OUTFILE or DUMPFILE writes a file on the server',
  },
  // Named locks belong to the session and vanish with it.
  GET_LOCK: {
    form: 'call',
    category: 'session',
    reason: 'GET_LOCK() takes a named lock held by the session',
    effect: 'named locks',
    lock: 'acquire',
  },
  RELEASE_LOCK: {
    form: 'call',
    category: 'session',
    reason: "RELEASE_LOCK() releases the session's named lock",
    lock: 'release',
  },
  RELEASE_ALL_LOCKS: {
    form: 'call',
    category: 'session',
    reason: "RELEASE_ALL_LOCKS() releases the session's named locks",
    lock: 'release-all',
  },
  // MySQL's locking service (installed as loadable functions).
  SERVICE_GET_READ_LOCKS: {
    form: 'call',
    category: 'session',
    reason: 'service_get_read_locks() takes locks held by the session',
    effect: 'named locks',
    lock: 'acquire',
  },
  SERVICE_GET_WRITE_LOCKS: {
    form: 'call',
    category: 'session',
    reason: 'service_get_write_locks() takes locks held by the session',
    effect: 'named locks',
    lock: 'acquire',
  },
  SERVICE_RELEASE_LOCKS: {
    form: 'call',
    category: 'session',
    reason: "service_release_locks() releases the session's locks",
    lock: 'release',
  },
  // These only read the server-wide lock table: a new connection gets as true an answer.
  IS_FREE_LOCK: { form: 'call', category: 'read', reason: 'IS_FREE_LOCK() only reads' },
  IS_USED_LOCK: { form: 'call', category: 'read', reason: 'IS_USED_LOCK() only reads' },
  // Values that belong to the session: a new connection answers differently.
  LAST_INSERT_ID: {
    form: 'call',
    category: 'session',
    reason: 'uses LAST_INSERT_ID(), which depends on the session',
  },
  FOUND_ROWS: {
    form: 'call',
    category: 'session',
    reason: 'uses FOUND_ROWS(), which depends on the session',
  },
  ROW_COUNT: {
    form: 'call',
    category: 'session',
    reason: 'uses ROW_COUNT(), which depends on the session',
  },
  CONNECTION_ID: {
    form: 'call',
    category: 'session',
    reason: 'uses CONNECTION_ID(), which differs on a new connection',
  },
  PS_CURRENT_THREAD_ID: {
    form: 'call',
    category: 'session',
    reason: 'uses PS_CURRENT_THREAD_ID(), which differs on a new connection',
  },
  WSREP_LAST_WRITTEN_GTID: {
    form: 'call',
    category: 'session',
    reason: "uses WSREP_LAST_WRITTEN_GTID(), the session's own last write",
  },
  // Harmless to repeat, but it only exists to pair with FOUND_ROWS() on the same session.
  SQL_CALC_FOUND_ROWS: {
    form: 'anywhere',
    category: 'session',
    reason: 'SQL_CALC_FOUND_ROWS prepares FOUND_ROWS() for the next statement on this session',
  },
  // Sequences (MariaDB). Counted even without a call: sql_mode=ORACLE writes seq.nextval.
  NEXTVAL: { form: 'anywhere', category: 'write', reason: 'NEXTVAL() advances a sequence' },
  SETVAL: { form: 'call', category: 'write', reason: 'SETVAL() moves a sequence' },
  LASTVAL: { form: 'anywhere', category: 'session', reason: 'LASTVAL() depends on the session' },
  CURRVAL: { form: 'anywhere', category: 'session', reason: 'seq.currval depends on the session' },
  // Only waits.
  SLEEP: { form: 'call', category: 'read', reason: 'SLEEP() only waits' },
  // A write verb inside a read statement: WITH ... DELETE, EXPLAIN ANALYZE UPDATE, ANALYZE INSERT.
  DELETE: { form: 'verb', category: 'write', reason: 'runs DELETE, which changes data' },
  UPDATE: { form: 'verb', category: 'write', reason: 'runs UPDATE, which changes data' },
  INSERT: {
    form: 'verb-unless-call',
    category: 'write',
    reason: 'runs INSERT, which changes data',
  },
  REPLACE: {
    form: 'verb-unless-call',
    category: 'write',
    reason: 'runs REPLACE, which changes data',
  },
});

/** Two-word phrases: previous word → word → verdict. Checked before the single words. */
const PHRASES: ReadonlyMap<string, ReadonlyMap<string, Verdict>> = words({
  FOR: words<Verdict>({
    UPDATE: { category: 'write', reason: 'SELECT ... FOR UPDATE takes row locks' },
    SHARE: { category: 'write', reason: 'SELECT ... FOR SHARE takes row locks' }, // MySQL 8
    // FLUSH TABLES t FOR EXPORT: read locks held until UNLOCK TABLES; the next caller's
    // writes to t would fail with 1099.
    EXPORT: {
      category: 'session',
      reason: 'FOR EXPORT takes table locks held by the session',
      effect: 'table locks',
    },
  }),
  LOCK: words<Verdict>({
    IN: { category: 'write', reason: 'SELECT ... LOCK IN SHARE MODE takes row locks' },
  }),
  NEXT: words<Verdict>({
    VALUE: { category: 'write', reason: 'NEXT VALUE FOR advances a sequence' },
  }),
  PREVIOUS: words<Verdict>({
    VALUE: { category: 'session', reason: 'PREVIOUS VALUE FOR depends on the session' },
  }),
  READ: words<Verdict>({
    // FLUSH TABLES WITH READ LOCK
    LOCK: {
      category: 'session',
      reason: 'READ LOCK takes a global read lock held by the session',
      effect: 'table locks',
    },
  }),
});

/** What follows one SET target. */
type SetAfter =
  /** a scope word: the target comes next */
  | 'target'
  /** `= value`, then maybe `, next_target` */
  | 'value'
  /** the rest is not a list of assignments (SET TRANSACTION READ ONLY, READ WRITE) */
  | 'nothing'
  /** MariaDB SET STATEMENT var = value [, ...] FOR <statement>: the statement decides */
  | 'statement';

interface SetTarget {
  readonly after: SetAfter;
  readonly verdict?: Verdict;
  /** SESSION and LOCAL: what follows is set for the session. */
  readonly sessionScope?: true;
}

const SESSION_VARIABLES: Verdict = {
  category: 'session',
  reason: 'SET changes session variables',
  effect: 'session variables',
};
const SET_USER_VARIABLE: Verdict = {
  category: 'session',
  reason: 'SET @var assigns a user variable',
  effect: 'user variables',
};
const SET_GLOBAL: Verdict = {
  category: 'write',
  reason: 'SET GLOBAL changes a server-wide setting',
};
const SET_NOT_UNDERSTOOD: Verdict = {
  category: 'write',
  reason: 'SET of something not understood',
};
const SET_AUTOCOMMIT: Verdict = {
  category: 'transaction',
  reason: 'SET autocommit controls transactions',
};
/** The server does not report it; the next caller's transaction would inherit it. */
const SET_NEXT_TRANSACTION: Verdict = {
  category: 'transaction',
  reason: "SET TRANSACTION sets the next transaction's characteristics",
  effect: 'transaction characteristics',
};
/** Changes tx_isolation / transaction_read_only, which session tracking does not list by default. */
const SET_SESSION_TRANSACTION: Verdict = {
  category: 'transaction',
  reason: "SET SESSION TRANSACTION sets the session's transaction characteristics",
  effect: 'session variables',
};

/** The first word of a SET item. Any other word names a session variable (or NAMES, CHARACTER SET). */
const SET_TARGETS: ReadonlyMap<string, SetTarget> = words<SetTarget>({
  SESSION: { after: 'target', sessionScope: true },
  LOCAL: { after: 'target', sessionScope: true },
  GLOBAL: { after: 'nothing', verdict: SET_GLOBAL },
  PERSIST: { after: 'nothing', verdict: SET_GLOBAL }, // MySQL 8
  PERSIST_ONLY: { after: 'nothing', verdict: SET_GLOBAL }, // MySQL 8
  AUTOCOMMIT: { after: 'value', verdict: SET_AUTOCOMMIT },
  TRANSACTION: { after: 'nothing' }, // the scope decides, see #setItem
  ROLE: {
    after: 'nothing',
    verdict: {
      category: 'session',
      reason: "SET ROLE changes the session's active roles",
      effect: 'active roles',
    },
  },
  PASSWORD: {
    after: 'nothing',
    verdict: { category: 'write', reason: 'SET PASSWORD changes an account' },
  },
  DEFAULT: {
    after: 'nothing',
    verdict: { category: 'write', reason: 'SET DEFAULT ROLE changes an account' },
  },
  RESOURCE: {
    after: 'nothing',
    verdict: {
      category: 'write',
      reason: 'SET RESOURCE GROUP moves threads between resource groups',
    },
  },
  STATEMENT: { after: 'statement' },
});

/** System variables with no session value: `@@version` can only read the server's. */
const GLOBAL_ONLY_VARIABLES: ReadonlySet<string> = new Set([
  'VERSION',
  'VERSION_COMMENT',
  'VERSION_COMPILE_OS',
  'VERSION_COMPILE_MACHINE',
  'HOSTNAME',
  'PORT',
  'READ_ONLY',
  'INNODB_READ_ONLY',
]);

/** Words that end a FROM list at their depth (a `,` after them no longer separates tables). */
const ENDS_FROM_LIST: ReadonlySet<string> = new Set([
  'WHERE',
  'GROUP',
  'HAVING',
  'ORDER',
  'LIMIT',
  'WINDOW',
  'UNION',
  'EXCEPT',
  'INTERSECT',
  'INTO',
  'FOR',
  'LOCK',
  'PROCEDURE',
  'RETURNING',
  'SET',
  'DUPLICATE', // INSERT ... SELECT ... FROM t ON DUPLICATE KEY UPDATE a = f(), ...
]);

/** Words after which a name followed by `(` is not a call: an alias or a type (`AS dt (a)`). */
const NAME_BEFORE_PAREN_AFTER: ReadonlySet<string> = new Set(['AS', 'PROCEDURE']);

/** Words that start a table in a FROM list: a name then `(` can only be a table function. */
const STARTS_TABLE: ReadonlySet<string> = new Set(['FROM', 'JOIN', 'STRAIGHT_JOIN']);

/** `INSERT LOW_PRIORITY IGNORE INTO t`: words between INSERT and the table name. */
const INSERT_MODIFIERS: ReadonlySet<string> = new Set([
  'LOW_PRIORITY',
  'DELAYED',
  'HIGH_PRIORITY',
  'IGNORE',
]);

const SEVERAL_STATEMENTS: Verdict = { category: 'write', reason: 'several statements' };
const NO_KEYWORD: Verdict = { category: 'write', reason: 'does not start with a keyword' };
const EXECUTABLE_COMMENT: Verdict = {
  category: 'write',
  reason: 'contains an executable comment /*! */',
};
const UNTERMINATED: Verdict = { category: 'write', reason: 'has an unterminated quote or comment' };
const NUL_CHARACTER: Verdict = {
  category: 'write',
  reason: 'contains a NUL character, which ends a # comment early on the server',
};
const EMPTY_REASON = 'empty statement: nothing runs';
const READS_USER_VARIABLE: Verdict = {
  category: 'session',
  reason: 'uses a user variable, which belongs to the session',
};
const ASSIGNS_USER_VARIABLE: Verdict = {
  category: 'session',
  reason: 'assigns a user variable',
  effect: 'user variables',
};
const READS_SESSION_VARIABLE: Verdict = {
  category: 'session',
  reason: 'reads a session system variable (@@name), which belongs to the session',
};
/** Issue 12: a call the classifier cannot prove built in may run stored code that writes. */
const CALLS_STORED_CODE: Verdict = {
  category: 'write',
  reason:
    'may have changed data or session state: calls a function that is not a known built-in (a stored function or UDF)',
  effect: STORED_CODE,
};

/** Words the classifier's own code compares against (besides the table keys). */
const CODE_WORDS = [
  'FOR',
  'AUTOCOMMIT',
  'SELECT',
  'WITH',
  'RECURSIVE',
  'AS',
  'TABLE',
  'COLUMNS',
  'ANY',
  'SOME',
];

const RANK: Readonly<Record<StatementCategory, number>> = {
  read: 0,
  session: 1,
  transaction: 2,
  write: 3,
};

const EFFECT_ORDER: readonly SessionEffect[] = [
  'named locks',
  'user variables',
  'temporary tables',
  'session variables',
  'prepared statements',
  'table locks',
  'table handlers',
  'active roles',
  'default database',
  'transaction characteristics',
  'XA transaction',
  'state set by stored code',
];
const EFFECT_BIT = new Map(EFFECT_ORDER.map((effect, index) => [effect, 1 << index]));
const effectLists: (readonly SessionEffect[] | undefined)[] = [];
const NO_LOCKS: readonly NamedLockAction[] = Object.freeze([]);

/** One shared frozen list per combination, so a result allocates no array. */
function effectList(mask: number): readonly SessionEffect[] {
  let list = effectLists[mask];
  if (list === undefined) {
    list = Object.freeze(
      EFFECT_ORDER.filter((effect) => (mask & (EFFECT_BIT.get(effect) ?? 0)) !== 0),
    );
    effectLists[mask] = list;
  }
  return list;
}

// ---------------------------------------------------------------------------------------------
// The vocabulary: every word any table or the scan compares, with what each table says of it,
// so one hash lookup in the lexer answers every question about a word.

/** Everything the classifier knows about one word. */
interface WordInfo {
  readonly body: WordRule | undefined;
  /** As the first word of a two-word phrase: second word → verdict. */
  readonly phrases: ReadonlyMap<string, Verdict> | undefined;
  readonly endsFromList: boolean;
  readonly startsTable: boolean;
  readonly namesBeforeParen: boolean;
  readonly insertModifier: boolean;
}

const VOCABULARY: Vocabulary<WordInfo> = (() => {
  const all = new Set<string>([
    ...STATEMENTS.keys(),
    ...BODY_WORDS.keys(),
    ...PHRASES.keys(),
    ...[...PHRASES.values()].flatMap((second) => [...second.keys()]),
    ...SET_TARGETS.keys(),
    ...GLOBAL_ONLY_VARIABLES,
    ...ENDS_FROM_LIST,
    ...NAME_BEFORE_PAREN_AFTER,
    ...STARTS_TABLE,
    ...INSERT_MODIFIERS,
    ...CODE_WORDS,
  ]);
  return new Vocabulary<WordInfo>(
    [...all].map((word) => [
      word,
      {
        body: BODY_WORDS.get(word),
        phrases: PHRASES.get(word),
        endsFromList: ENDS_FROM_LIST.has(word),
        startsTable: STARTS_TABLE.has(word),
        namesBeforeParen: NAME_BEFORE_PAREN_AFTER.has(word),
        insertModifier: INSERT_MODIFIERS.has(word),
      },
    ]),
  );
})();

/**
 * Words that only refine a leading keyword (`START TRANSACTION`, `COMMIT AND CHAIN`): looked up
 * by a lookahead lexer of their own, so that common words such as AND are not known words of
 * every statement's scan.
 */
const REFINE_LEXER = new SqlLexer<true>(
  '',
  Vocabulary.of([...STATEMENTS.values()].flatMap((rule) => [...nextWords(rule)])),
);

/**
 * Built-in names, looked up only for a name followed by `(` (most built-in names are common
 * words that are not calls: AND, IN, NULL, DATE).
 */
const BUILTINS: Vocabulary<BuiltinName> = new Vocabulary([...BUILTIN_NAMES]);

function* nextWords(rule: StatementRule): Generator<string> {
  for (const [word, refined] of rule.next ?? []) {
    yield word;
    yield* nextWords(refined);
  }
}

// ---------------------------------------------------------------------------------------------
// The scan: one pass over the tokens, statement by statement, keeping the worst verdict.

type Mode = 'plain' | 'set' | 'set-statement';

/** The arguments of one call, counted so far. */
interface ArgumentCount {
  readonly depth: number;
  readonly bounds: readonly [number, number];
  commas: number;
  empty: boolean;
}

/** Depths tracked in bit masks (FROM lists, call parentheses); deeper nesting is not tracked. */
const MAX_TRACKED_DEPTH = 30;

class StatementScan {
  readonly #lexer: SqlLexer<WordInfo>;
  readonly #flavor: Flavor | undefined;
  category: StatementCategory = 'read';
  reason = '';
  /** Bits of EFFECT_ORDER. */
  effects = 0;
  keyword = '';
  transaction: TransactionControl = 'none';
  namedLocks: NamedLockAction[] | undefined;
  statementCount = 0;
  readonly backslashInQuote: boolean;

  #atStatementStart = true;
  #afterSemicolon = false;
  /** The next statement start is the statement after SET STATEMENT ... FOR, not a new one. */
  #innerStatement = false;
  // Per statement:
  #base: StatementCategory = 'read';
  #mode: Mode = 'plain';
  #assignsUserVariables = false;
  #depth = 0;
  #setItemStart = false;
  #setUnclassified = false;
  #setSessionScope = false;
  #pending: WordRule | undefined;
  #pendingUserVariable = false;
  #intoList = false;
  /** Calls are looked at (DDL: only after SELECT). */
  #callsChecked = true;
  /** Bit d: a FROM list is open at depth d. */
  #fromLists = 0;
  /** Calls whose arguments are being counted, innermost last (allocated when first needed). */
  #argumentCounts: ArgumentCount[] | undefined;
  /** Bit d: the parenthesis that opened depth d is a function call's. */
  #callParens = 0;
  /** The next word or quoted name is a table name (after INTO, TABLE, INSERT). */
  #tableNameNext = false;
  /** Depth of the WITH clause being read, or -1. */
  #withDepth = -1;
  /** The next word or quoted name is a CTE name. */
  #cteNameNext = false;
  // The two tokens before the current one:
  #previousKind: TokenKind = 'end';
  #previousWord: string | undefined;
  #previousInfo: WordInfo | undefined;
  #previousChar = 0;
  #previousStart = 0;
  #previousEnd = 0;
  #previousHash = 0;
  /** The previous token names something (a table, a CTE): a `(` after it is not a call. */
  #previousIsName = false;
  #beforeKind: TokenKind = 'end';
  #beforeInfo: WordInfo | undefined;
  #beforeChar = 0;

  constructor(sql: string, quoting: Quoting, flavor: Flavor | undefined) {
    this.#lexer = new SqlLexer(sql, VOCABULARY, quoting);
    this.#flavor = flavor;
    if (sql.includes('\0')) this.#raise(NUL_CHARACTER);
    this.#run();
    const lexer = this.#lexer;
    if (lexer.executableComment) this.#raise(EXECUTABLE_COMMENT);
    // Under another quoting a dangling quote is that mode's syntax error, not a reason on its own.
    if (lexer.unterminated && quoting === DEFAULT_QUOTING) this.#raise(UNTERMINATED);
    if (this.reason === '') this.reason = EMPTY_REASON;
    this.backslashInQuote = lexer.backslashInQuote;
  }

  #run(): void {
    const lexer = this.#lexer;
    for (;;) {
      const kind = lexer.next();
      if (this.#pending !== undefined || this.#pendingUserVariable || this.#intoList)
        this.#settlePending(kind);
      if (kind === 'end') break;
      if (this.#afterSemicolon) {
        this.#afterSemicolon = false;
        this.#raise(SEVERAL_STATEMENTS);
      }
      let isName = false;
      if (this.#atStatementStart) this.#startStatement(kind);
      else isName = this.#inStatement(kind);
      this.#beforeKind = this.#previousKind;
      this.#beforeInfo = this.#previousInfo;
      this.#beforeChar = this.#previousChar;
      this.#previousKind = kind;
      this.#previousWord = lexer.word;
      this.#previousInfo = lexer.info;
      this.#previousChar = kind === 'punctuation' ? lexer.char : 0;
      this.#previousStart = lexer.start;
      this.#previousEnd = lexer.end;
      this.#previousHash = lexer.hash;
      this.#previousIsName = isName;
    }
    this.#endStatement();
  }

  #raise(verdict: Verdict): void {
    if (verdict.effect !== undefined) this.effects |= EFFECT_BIT.get(verdict.effect) ?? 0;
    if (this.reason === '' || RANK[verdict.category] > RANK[this.category]) {
      this.category = verdict.category;
      this.reason = verdict.reason;
    }
  }

  #setTransaction(control: TransactionControl): void {
    if (this.transaction === 'none' && this.statementCount === 1) this.transaction = control;
  }

  #startStatement(kind: TokenKind): void {
    const lexer = this.#lexer;
    if (kind === 'punctuation' && lexer.char === Char.OpenParen) {
      this.#depth++; // (SELECT ...) UNION (SELECT ...)
      return;
    }
    if (kind === 'punctuation' && lexer.char === Char.Semicolon) {
      this.#endStatement();
      return;
    }
    this.#atStatementStart = false;
    const first = this.statementCount === 0;
    if (this.#innerStatement) this.#innerStatement = false;
    else this.statementCount++;
    if (kind !== 'word') {
      this.#raise(NO_KEYWORD);
      this.#inStatement(kind);
      return;
    }
    const keyword = lexer.word ?? asKeyword(lexer.text());
    if (first) this.keyword = keyword;
    const rule = this.#refine(STATEMENTS.get(keyword) ?? unknownStatement(keyword));
    this.#base = rule.category;
    this.#assignsUserVariables = rule.assignsUserVariables === true;
    this.#tableNameNext = rule.tableNameNext === true;
    this.#callsChecked = rule.callsAfterSelect !== true;
    if (keyword === 'WITH') this.#openWith();
    if (rule.transaction !== undefined) this.#setTransaction(rule.transaction);
    if (rule.assignments) {
      this.#mode = 'set';
      this.#setItemStart = true;
      this.#setUnclassified = true;
    } else {
      this.#raise(rule);
    }
  }

  /** Follows the words right after the keyword (CREATE OR REPLACE TEMPORARY) on a forked lexer. */
  #refine(rule: StatementRule): StatementRule {
    let refined = rule;
    if (refined.next === undefined) return refined;
    const ahead = REFINE_LEXER.startAt(this.#lexer);
    while (refined.next !== undefined && ahead.next() === 'word' && ahead.word !== undefined) {
      const further = refined.next.get(ahead.word);
      if (further === undefined) break;
      refined = further;
    }
    return refined;
  }

  #endStatement(): void {
    if (this.#setUnclassified) this.#raise(SET_RULE);
    // A call left open cannot be shown to be the built-in.
    if (this.#argumentCounts !== undefined && this.#argumentCounts.length > 0) {
      this.#raise(CALLS_STORED_CODE);
      this.#argumentCounts.length = 0;
    }
    this.#atStatementStart = true;
    this.#afterSemicolon = true;
    this.#base = 'read';
    this.#mode = 'plain';
    this.#assignsUserVariables = false;
    this.#depth = 0;
    this.#setItemStart = false;
    this.#setUnclassified = false;
    this.#setSessionScope = false;
    this.#intoList = false;
    this.#callsChecked = true;
    this.#fromLists = 0;
    this.#callParens = 0;
    this.#tableNameNext = false;
    this.#withDepth = -1;
    this.#cteNameNext = false;
  }

  /** One token inside a statement; returns whether it names a table or CTE. */
  #inStatement(kind: TokenKind): boolean {
    const tableName = this.#tableNameNext;
    this.#tableNameNext = false;
    const counts = this.#argumentCounts;
    if (counts !== undefined && counts.length > 0) this.#countArgument(kind, counts);
    if (kind === 'word') return this.#word(tableName);
    const lexer = this.#lexer;
    if (kind === 'punctuation') {
      const c = lexer.char;
      if (c === Char.Semicolon) {
        this.#endStatement();
        return false;
      }
      if (c === Char.OpenParen) this.#openParen();
      else if (c === Char.CloseParen) this.#closeParen();
      else if (c === Char.Comma) {
        if (this.#depth === this.#withDepth) this.#cteNameNext = true;
        if (this.#depth === 0 && this.#mode === 'set') {
          this.#setItemStart = true;
          return false;
        }
      } else if (c === Char.Dot && this.#previousIsName) {
        this.#tableNameNext = true; // db.t: the name goes on
      }
    }
    if (this.#setItemStart) this.#setItem(kind, lexer.word);
    switch (kind) {
      case 'quoted-identifier':
      case 'string':
        return this.#isName(tableName, undefined);
      case 'user-variable':
        this.#pendingUserVariable = true;
        break;
      case 'system-variable':
        if (
          lexer.scope === 'session' ||
          (lexer.scope === 'unqualified' && !GLOBAL_ONLY_VARIABLES.has(lexer.word ?? ''))
        ) {
          this.#raise(READS_SESSION_VARIABLE);
        }
        break;
    }
    return false;
  }

  /** A word inside a statement; returns whether it names a table or CTE. */
  #word(tableName: boolean): boolean {
    const word = this.#lexer.word;
    if (this.#setItemStart) this.#setItem('word', word);
    // The usual case: a word no table knows, in no place that names something.
    if (word === undefined && !tableName && !this.#cteNameNext && this.#withDepth < 0) return false;
    if (tableName && word !== undefined && this.#base === 'write' && this.#insertModifier()) {
      this.#tableNameNext = true; // INSERT IGNORE t
      return false;
    }
    if (word !== undefined) this.#bodyWord(word);
    return this.#isName(tableName, word);
  }

  #insertModifier(): boolean {
    return this.#lexer.info?.insertModifier === true;
  }

  /** A name the next `(` does not call: a table name, or a CTE name in WITH. */
  #isName(tableName: boolean, word: string | undefined): boolean {
    if (word === 'WITH') return false; // it just opened the CTE list
    if (this.#cteNameNext) {
      if (word === 'RECURSIVE') return false;
      this.#cteNameNext = false;
      return true;
    }
    if (this.#withDepth === this.#depth && word !== 'AS' && word !== 'WITH') this.#withDepth = -1;
    if (word === 'INTO' || word === 'TABLE') this.#tableNameNext = true;
    return tableName;
  }

  #openWith(): void {
    this.#withDepth = this.#depth;
    this.#cteNameNext = true;
  }

  #openParen(): void {
    const callee = this.#previousKind;
    const named =
      (callee === 'word' || callee === 'quoted-identifier' || callee === 'string') &&
      !this.#previousIsName;
    const builtin =
      named && callee === 'word'
        ? this.#lexer.lookUp(BUILTINS, this.#previousStart, this.#previousEnd, this.#previousHash)
        : undefined;
    const bounds = named && this.#callsChecked ? this.#checkCall(builtin) : undefined;
    const depth = ++this.#depth;
    if (bounds !== undefined) {
      this.#argumentCounts ??= [];
      this.#argumentCounts.push({ depth, bounds, commas: 0, empty: true });
    }
    const bit = depthBit(depth);
    if (named && builtin?.kind !== 'keyword') this.#callParens |= bit;
    else this.#callParens &= ~bit;
    this.#fromLists &= ~bit;
  }

  #closeParen(): void {
    if (this.#depth === 0) return;
    this.#depth--;
    // Lists opened inside the parenthesis are closed with it.
    this.#fromLists &= depthBit(this.#depth + 1) - 1;
  }

  /**
   * The previous token (a name; `builtin` if it is one) is followed by `(`: a call, unless the
   * name is in a place where a parenthesis follows without a call. A call of anything but a
   * known built-in may run stored code. Returns the argument counts to check when the
   * built-in depends on them.
   */
  #checkCall(builtin: BuiltinName | undefined): readonly [number, number] | undefined {
    // The usual case first: a built-in right before its parenthesis, not after a dot.
    if (
      builtin !== undefined &&
      !builtin.adjacent &&
      builtin.arguments === undefined &&
      (builtin.on === 'both' || builtin.on === this.#flavor) &&
      this.#beforeChar !== Char.Dot
    )
      return;
    const before = this.#beforeKind;
    if (before === 'punctuation' && this.#beforeChar === Char.CloseParen) return; // AS dt (a), OVER (...)
    if (this.#beforeInfo?.namesBeforeParen) return; // CAST(x AS CHAR(10)), PROCEDURE ANALYSE()
    if (this.#startsTable()) return; // FROM JSON_TABLE(...): only a table function stands there
    const qualified = before === 'punctuation' && this.#beforeChar === Char.Dot;
    const callee = this.#previousKind;
    if (callee !== 'word' || qualified) {
      // A quoted name or db.f( is looked up as a stored function. A string before ( is a
      // syntax error, unless ANSI_QUOTES makes "f" a name.
      if (callee !== 'string' || this.#lexer.charAt(this.#previousStart) === Char.DoubleQuote)
        this.#raise(CALLS_STORED_CODE);
      return;
    }
    const name = this.#previousWord;
    if (name === 'COLUMNS' && before === 'string') return; // JSON_TABLE(j, '$' COLUMNS (...))
    // = ANY (subquery): MySQL does not reserve ANY and SOME, but reads them so after a comparison.
    if (
      (name === 'ANY' || name === 'SOME') &&
      before === 'punctuation' &&
      isComparison(this.#beforeChar)
    )
      return;
    if (
      !isBuiltinOn(builtin, this.#flavor) ||
      (builtin?.adjacent === true && this.#lexer.start !== this.#previousEnd)
    ) {
      this.#raise(CALLS_STORED_CODE);
      return;
    }
    return builtin?.arguments;
  }

  /** After FROM, JOIN, or a comma of an open FROM list. */
  #startsTable(): boolean {
    if ((this.#fromLists & depthBit(this.#depth)) === 0) return false;
    if (this.#beforeKind === 'punctuation') return this.#beforeChar === Char.Comma;
    return this.#beforeInfo?.startsTable === true;
  }

  /**
   * Counts the arguments of a built-in whose meaning depends on their number (POINT(x, y)),
   * token by token as the scan goes, and decides at its closing parenthesis.
   */
  #countArgument(kind: TokenKind, counts: ArgumentCount[]): void {
    const top = counts[counts.length - 1];
    if (top === undefined) return;
    const c = kind === 'punctuation' ? this.#lexer.char : 0;
    if (c === Char.CloseParen && this.#depth === top.depth) {
      counts.pop();
      const count = top.empty ? 0 : top.commas + 1;
      const [min, max] = top.bounds;
      if (count < min || count > max) this.#raise(CALLS_STORED_CODE);
      return;
    }
    if (c === Char.Comma && this.#depth === top.depth) top.commas++;
    top.empty = false;
  }

  #bodyWord(word: string): void {
    const depth = this.#depth;
    const info = this.#lexer.info;
    if (this.#mode === 'set-statement' && word === 'FOR' && depth === 0) {
      // SET STATEMENT max_statement_time=1 FOR <statement>: the statement after FOR decides.
      this.#mode = 'plain';
      this.#setUnclassified = false;
      this.#atStatementStart = true;
      this.#innerStatement = true;
      return;
    }
    if (word === 'SELECT') this.#callsChecked = true;
    else if (word === 'WITH') this.#openWith();
    if (info !== undefined) {
      if (info.startsTable) {
        if ((this.#callParens & depthBit(depth)) === 0) this.#fromLists |= depthBit(depth);
      } else if (info.endsFromList) {
        this.#fromLists &= ~depthBit(depth);
      }
    }
    const phrase =
      this.#previousKind === 'word' ? this.#previousInfo?.phrases?.get(word) : undefined;
    if (phrase !== undefined) {
      this.#raise(phrase);
      return;
    }
    const rule = info?.body;
    if (rule === undefined || rule.category === 'read') return;
    switch (rule.form) {
      case 'anywhere':
        this.#raise(rule);
        break;
      case 'verb':
        if (this.#base === 'read') this.#raise(rule);
        break;
      case 'verb-unless-call':
        if (this.#base === 'read') this.#pending = rule;
        break;
      default:
        this.#pending = rule;
    }
  }

  /** Decides what the previous token meant, now that the one after it is known. */
  #settlePending(kind: TokenKind): void {
    const isCall = kind === 'punctuation' && this.#lexer.char === Char.OpenParen;
    const pending = this.#pending;
    if (pending !== undefined) {
      this.#pending = undefined;
      if (pending.form === 'into') {
        if (kind === 'user-variable') {
          this.#intoList = true;
          this.#raise(INTO_USER_VARIABLES);
        } else {
          this.#raise(pending);
        }
      } else if ((pending.form === 'call') === isCall) {
        this.#raise(pending);
        if (pending.lock !== undefined) {
          this.namedLocks ??= [];
          this.namedLocks.push(pending.lock);
        }
      }
    }
    if (this.#pendingUserVariable) {
      this.#pendingUserVariable = false;
      const assigned = kind === 'assign' || this.#intoList || this.#assignsUserVariables;
      this.#raise(assigned ? ASSIGNS_USER_VARIABLE : READS_USER_VARIABLE);
    }
    if (
      this.#intoList &&
      kind !== 'user-variable' &&
      !(kind === 'punctuation' && this.#lexer.char === Char.Comma)
    ) {
      this.#intoList = false;
    }
  }

  /** The first token of one `SET` assignment. */
  #setItem(kind: TokenKind, word: string | undefined): void {
    const lexer = this.#lexer;
    this.#setItemStart = false;
    this.#setUnclassified = false;
    const sessionScope = this.#setSessionScope;
    this.#setSessionScope = false;
    switch (kind) {
      case 'word': {
        const target = word === undefined ? undefined : SET_TARGETS.get(word);
        if (target === undefined) {
          this.#raise(SESSION_VARIABLES);
          return;
        }
        if (word === 'TRANSACTION') {
          this.#raise(sessionScope ? SET_SESSION_TRANSACTION : SET_NEXT_TRANSACTION);
          this.#setTransaction(
            sessionScope ? 'set-session-characteristics' : 'set-next-characteristics',
          );
        } else if (word === 'AUTOCOMMIT') {
          this.#setTransaction('autocommit');
        }
        if (target.verdict !== undefined) this.#raise(target.verdict);
        if (target.after === 'target') {
          this.#setItemStart = true;
          this.#setUnclassified = true;
          this.#setSessionScope = target.sessionScope === true;
        } else if (target.after === 'nothing') {
          this.#mode = 'plain';
        } else if (target.after === 'statement') {
          this.#mode = 'set-statement';
          this.#setUnclassified = true; // until FOR names the statement
        }
        return;
      }
      case 'user-variable':
        this.#raise(SET_USER_VARIABLE);
        return;
      case 'system-variable':
        if (lexer.scope === 'global') {
          this.#raise(SET_GLOBAL);
        } else if (word === 'AUTOCOMMIT') {
          this.#raise(SET_AUTOCOMMIT);
          this.#setTransaction('autocommit');
        } else {
          this.#raise(SESSION_VARIABLES);
        }
        return;
      case 'quoted-identifier': // SET `autocommit` = 0 works too
      case 'string': {
        const autocommit = lexer.quotedEquals('AUTOCOMMIT');
        this.#raise(autocommit ? SET_AUTOCOMMIT : SESSION_VARIABLES);
        if (autocommit) this.#setTransaction('autocommit');
        return;
      }
      default:
        this.#raise(SET_NOT_UNDERSTOOD);
    }
  }
}

function isComparison(c: number): boolean {
  return c === Char.Equals || c === Char.Less || c === Char.Greater;
}

function depthBit(depth: number): number {
  return depth < MAX_TRACKED_DEPTH ? 1 << depth : 0;
}

function unknownStatement(keyword: string): StatementRule {
  return {
    category: 'write',
    reason: `${keyword || 'the statement'} is not known to be read-only`,
  };
}
