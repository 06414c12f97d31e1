/**
 * The conservative statement classifier: may a statement whose connection was lost mid-flight
 * ("outcome unknown") be run again on a new connection, and what session state does it leave
 * behind that a new connection would not have?
 *
 * A wrong "read-only" answer can run a write twice, so every doubt answers "not safe". The
 * classifier runs after every statement (to notice session state the server does not report),
 * so it is one linear scan over the text: no regular expressions, no token array, no string
 * built per word (known words are recognised by a case-folded hash and compared in place).
 *
 * The scan mirrors MariaDB's and MySQL's lexer where it matters for safety (checked against
 * MariaDB 10.11): `--` starts a comment only before a space or control character (`1--1` is 2);
 * a number ends where its digits end (`SELECT 1.5INTO @x` assigns @x); executable comments
 * `/*! ... *\/` and `/*M! ... *\/` are read as code; a NUL byte (which ends a `#` comment early
 * on the server, so that the rest of the line runs) makes the text unsafe.
 * Under `NO_BACKSLASH_ESCAPES` (or `ANSI_QUOTES` for `"..."`) a backslash does not escape a
 * quote, so `'a\'; DELETE FROM t; -- '` is one string by default and two statements then: a
 * statement with a backslash inside quotes is scanned under every quoting and the worst answer
 * is kept.
 */

/**
 * What a statement is, as far as re-running it is concerned.
 *
 * - `'read'`: reads only, with nothing unsafe in it; the only category that is retry-safe.
 * - `'write'`: changes data, schema or server state, or is not understood.
 * - `'transaction'`: opens, ends or configures a transaction.
 * - `'session'`: depends on or changes the state of this one session (variables, locks, ...).
 *
 * @example
 * const category: StatementCategory = classifyStatement('COMMIT').category; // 'transaction'
 */
export type StatementCategory = 'read' | 'write' | 'transaction' | 'session';

/**
 * Session state a statement creates that a new connection would not have.
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
  | 'default database';

/**
 * The classifier's answer about one SQL text.
 *
 * @example
 * const info: StatementInfo = classifyStatement('SELECT GET_LOCK("job", 0)');
 * // { category: 'session', keyword: 'SELECT', retrySafe: false,
 * //   sessionEffects: ['named locks'], reason: 'GET_LOCK() takes a named lock held by the session' }
 */
export interface StatementInfo {
  readonly category: StatementCategory;
  /** The leading keyword, upper-case (`'SELECT'`, `'WITH'`, `'INSERT'`); `''` when there is none. */
  readonly keyword: string;
  /** True only for `'read'`: the statement may be run again on a new connection. */
  readonly retrySafe: boolean;
  /** Session state it creates that a new connection would not have, in a fixed order. */
  readonly sessionEffects: readonly SessionEffect[];
  /** One short phrase: why it is or is not retry-safe. */
  readonly reason: string;
}

/**
 * Classifies one SQL text (which may hold several statements) for the retry decision and for
 * session tracking.
 *
 * A statement is retry-safe only if it starts with a read-only keyword (`SELECT`, `WITH`,
 * `VALUES`, `TABLE`, `SHOW`, `DESCRIBE`/`DESC`/`EXPLAIN`, `ANALYZE <query>`, `HELP`, `DO`,
 * `CHECKSUM TABLE`) and contains none of: a locking read (`FOR UPDATE`, `FOR SHARE`,
 * `LOCK IN SHARE MODE`), `INTO`, an executable comment, a second statement, sequence access
 * (`NEXTVAL`, `NEXT VALUE FOR`, `SETVAL`, `LASTVAL`, `PREVIOUS VALUE FOR`), named-lock functions,
 * session-dependent functions (`LAST_INSERT_ID()`, `FOUND_ROWS()`, `ROW_COUNT()`,
 * `CONNECTION_ID()`, `SQL_CALC_FOUND_ROWS`), user variables, or session system variables
 * (`@@x`, `@@session.x`; `@@global.x` and a few global-only names such as `@@version` are fine).
 *
 * Limits, all erring towards "not safe" except the first:
 * - A stored function, or a view built on one, can write; the text does not show it, so
 *   `SELECT my_function()` counts as a read. Callers who call writing functions from SELECT
 *   must not mark such statements retryable.
 * - Quoting and comments follow the server's default lexer; `sql_mode=ORACLE` syntax is not
 *   modelled beyond `seq.nextval`/`seq.currval`.
 * - `EXPLAIN UPDATE ...` (a plan only) counts as a write, like `EXPLAIN ANALYZE UPDATE ...`.
 * - `@@global . x` (spaces around the dot), `SHOW GRANTS FOR 'u'@'h'` (the `@` reads as a user
 *   variable) and columns named `nextval`/`lastval` are reported as not safe.
 *
 * @example
 * classifyStatement('SELECT * FROM users WHERE id = ?').retrySafe; // true
 * classifyStatement('SELECT * FROM users WHERE id = ? FOR UPDATE').retrySafe; // false
 * classifyStatement("SELECT ';' AS x").retrySafe; // true: the ; is inside a string
 * classifyStatement('WITH c AS (SELECT 1) DELETE FROM t').category; // 'write'
 * classifyStatement('SET @a := 1').sessionEffects; // ['user variables']
 */
export function classifyStatement(sql: string): StatementInfo {
  const primary = new StatementScan(sql, DEFAULT_QUOTING);
  let { category, reason, effects } = primary;
  if (primary.backslashInQuote) {
    for (const quoting of OTHER_QUOTINGS) {
      const other = new StatementScan(sql, quoting);
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
  /** `SET`: the assignments decide, item by item. */
  readonly assignments?: true;
  /** `CALL p(@out)`, `LOAD DATA ... (@col)`, `GET DIAGNOSTICS @n = ...` write the variables they name. */
  readonly assignsUserVariables?: true;
}

const words = <T>(entries: Record<string, T>): ReadonlyMap<string, T> =>
  new Map(Object.entries(entries));

const read = (keyword: string): StatementRule => ({
  category: 'read',
  reason: `read-only ${keyword}`,
});

/** SET's verdict when no assignment decides it (a bare SET, or SET STATEMENT without FOR). */
const SET_RULE: StatementRule = {
  category: 'session',
  reason: 'SET changes session state',
  assignments: true,
};
const CREATE: StatementRule = { category: 'write', reason: 'CREATE changes the schema' };
const CREATE_TEMPORARY: StatementRule = {
  category: 'session',
  reason: 'CREATE TEMPORARY creates a table only this session can see',
  effect: 'temporary tables',
};
/** Statements that read this session's own state (a new connection would answer differently). */
const SHOW_SESSION: StatementRule = {
  category: 'session',
  reason: "SHOW reads this session's own warnings, status or variables",
};
const ANALYZE_TABLE: StatementRule = {
  category: 'write',
  reason: 'ANALYZE TABLE updates index statistics',
};

/** Leading keyword → rule. A keyword not listed is a write: unknown means unsafe. */
const STATEMENTS: ReadonlyMap<string, StatementRule> = words<StatementRule>({
  // Query expressions. Still read the whole text: a locking clause, INTO, a write verb after
  // WITH (MySQL 8: WITH ... UPDATE/DELETE) or a session function makes them unsafe.
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
    next: words({
      NOT: { category: 'write', reason: 'BEGIN NOT ATOMIC runs a compound statement' },
    }),
  },
  START: {
    category: 'write',
    reason: 'START changes replication state', // START SLAVE/REPLICA/GROUP_REPLICATION
    next: words({
      TRANSACTION: { category: 'transaction', reason: 'START TRANSACTION opens a transaction' },
    }),
  },
  COMMIT: { category: 'transaction', reason: 'COMMIT ends a transaction' },
  ROLLBACK: { category: 'transaction', reason: 'ROLLBACK ends a transaction' },
  SAVEPOINT: { category: 'transaction', reason: 'SAVEPOINT marks a point in a transaction' },
  RELEASE: { category: 'transaction', reason: 'RELEASE SAVEPOINT changes a transaction' },
  XA: { category: 'transaction', reason: 'XA controls a distributed transaction' },

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
    reason: 'EXECUTE runs a statement prepared on this session',
    next: words({
      IMMEDIATE: {
        category: 'write',
        reason: 'EXECUTE IMMEDIATE runs a statement the text does not show',
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
  INSERT: { category: 'write', reason: 'INSERT changes data' },
  UPDATE: { category: 'write', reason: 'UPDATE changes data' },
  DELETE: { category: 'write', reason: 'DELETE changes data' },
  REPLACE: { category: 'write', reason: 'REPLACE changes data' },
  LOAD: { category: 'write', reason: 'LOAD changes data', assignsUserVariables: true },
  CALL: {
    category: 'write',
    reason: 'CALL runs a stored procedure, which may change data',
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
  DROP: {
    category: 'write',
    reason: 'DROP changes the schema',
    next: words<StatementRule>({
      TEMPORARY: {
        category: 'session',
        reason: "DROP TEMPORARY drops one of the session's tables",
      },
      PREPARE: { category: 'session', reason: 'DROP PREPARE drops a prepared statement' },
    }),
  },
  CHECK: { category: 'write', reason: 'CHECK TABLE may mark or upgrade a table' },
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
  },
  RELEASE_LOCK: {
    form: 'call',
    category: 'session',
    reason: "RELEASE_LOCK() releases the session's named lock",
  },
  RELEASE_ALL_LOCKS: {
    form: 'call',
    category: 'session',
    reason: "RELEASE_ALL_LOCKS() releases the session's named locks",
  },
  // MySQL's locking service (installed as loadable functions).
  SERVICE_GET_READ_LOCKS: {
    form: 'call',
    category: 'session',
    reason: 'service_get_read_locks() takes locks held by the session',
    effect: 'named locks',
  },
  SERVICE_GET_WRITE_LOCKS: {
    form: 'call',
    category: 'session',
    reason: 'service_get_write_locks() takes locks held by the session',
    effect: 'named locks',
  },
  SERVICE_RELEASE_LOCKS: {
    form: 'call',
    category: 'session',
    reason: "service_release_locks() releases the session's locks",
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

/** The first word of a SET item. Any other word names a session variable (or NAMES, CHARACTER SET). */
const SET_TARGETS: ReadonlyMap<string, SetTarget> = words<SetTarget>({
  SESSION: { after: 'target' },
  LOCAL: { after: 'target' },
  GLOBAL: { after: 'nothing', verdict: SET_GLOBAL },
  PERSIST: { after: 'nothing', verdict: SET_GLOBAL }, // MySQL 8
  PERSIST_ONLY: { after: 'nothing', verdict: SET_GLOBAL }, // MySQL 8
  AUTOCOMMIT: { after: 'value', verdict: SET_AUTOCOMMIT },
  TRANSACTION: {
    after: 'nothing',
    verdict: {
      category: 'transaction',
      reason: 'SET TRANSACTION sets transaction characteristics',
    },
  },
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

/** Words the classifier's own code compares against (besides the table keys). */
const CODE_WORDS = ['GLOBAL', 'SESSION', 'LOCAL', 'PERSIST', 'PERSIST_ONLY', 'FOR', 'AUTOCOMMIT'];

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
];
const EFFECT_BIT = new Map(EFFECT_ORDER.map((effect, index) => [effect, 1 << index]));
const effectLists: (readonly SessionEffect[] | undefined)[] = [];

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
// Recognising words without building strings: a hash of the upper-cased ASCII letters, then a
// case-insensitive comparison in place against the one known word with that hash.

const KNOWN_WORDS: ReadonlyMap<number, string> = (() => {
  const all = new Set<string>([
    ...STATEMENTS.keys(),
    ...[...STATEMENTS.values()].flatMap((rule) => [...nextWords(rule)]),
    ...BODY_WORDS.keys(),
    ...PHRASES.keys(),
    ...[...PHRASES.values()].flatMap((second) => [...second.keys()]),
    ...SET_TARGETS.keys(),
    ...GLOBAL_ONLY_VARIABLES,
    ...CODE_WORDS,
  ]);
  const byHash = new Map<number, string>();
  for (const word of all) {
    const hash = hashWord(word);
    const clash = byHash.get(hash);
    // Deterministic: a clash shows up the first time the module is loaded by any test.
    if (clash !== undefined)
      throw new Error(`statement classifier: words ${clash} and ${word} share a hash`);
    byHash.set(hash, word);
  }
  return byHash;
})();

function* nextWords(rule: StatementRule): Generator<string> {
  for (const [word, refined] of rule.next ?? []) {
    yield word;
    yield* nextWords(refined);
  }
}

function hashWord(word: string): number {
  let hash = 0;
  for (let i = 0; i < word.length; i++) hash = hashStep(hash, word.charCodeAt(i));
  return hash;
}

/** Kept to 30 bits so every hash is a small integer to V8 (a Map key that needs no boxing). */
function hashStep(hash: number, c: number): number {
  return (Math.imul(hash, 31) + c) & 0x3fffffff;
}

// ---------------------------------------------------------------------------------------------
// The lexer: whitespace, comments and quoting as the server sees them.

enum Char {
  Space = 32,
  Bang = 33,
  DoubleQuote = 34,
  Hash = 35,
  Dollar = 36,
  SingleQuote = 39,
  OpenParen = 40,
  CloseParen = 41,
  Star = 42,
  Plus = 43,
  Comma = 44,
  Minus = 45,
  Dot = 46,
  Slash = 47,
  Digit0 = 48,
  Digit9 = 57,
  Colon = 58,
  Semicolon = 59,
  Equals = 61,
  At = 64,
  UpperA = 65,
  UpperE = 69,
  UpperM = 77,
  UpperZ = 90,
  Backslash = 92,
  Underscore = 95,
  Backtick = 96,
  LowerA = 97,
  LowerE = 101,
  LowerZ = 122,
  Delete = 127,
  FirstNonAscii = 128,
}

/** Which quotes treat a backslash as an escape: the default, ANSI_QUOTES, NO_BACKSLASH_ESCAPES. */
interface Quoting {
  readonly singleQuoteEscapes: boolean;
  readonly doubleQuoteEscapes: boolean;
  readonly note: string;
}

const DEFAULT_QUOTING: Quoting = { singleQuoteEscapes: true, doubleQuoteEscapes: true, note: '' };
const OTHER_QUOTINGS: readonly Quoting[] = [
  { singleQuoteEscapes: true, doubleQuoteEscapes: false, note: '(if sql_mode has ANSI_QUOTES)' },
  {
    singleQuoteEscapes: false,
    doubleQuoteEscapes: false,
    note: '(if sql_mode has NO_BACKSLASH_ESCAPES)',
  },
];

type TokenKind =
  | 'end'
  | 'word'
  | 'quoted' // a string or a quoted identifier: opaque
  | 'number'
  | 'user-variable'
  | 'system-variable'
  | 'assign' // :=
  | 'punctuation';

type VariableScope = 'global' | 'session' | 'unqualified';

const isDigit = (c: number): boolean => c >= Char.Digit0 && c <= Char.Digit9;

/** ASCII characters of unquoted identifiers: letters, digits, `_` and `$` (every non-ASCII one is too). */
const ASCII_WORD_CHARS = new Uint8Array(Char.FirstNonAscii);
for (let c = 0; c < Char.FirstNonAscii; c++) {
  const letter = (c >= Char.LowerA && c <= Char.LowerZ) || (c >= Char.UpperA && c <= Char.UpperZ);
  ASCII_WORD_CHARS[c] = letter || isDigit(c) || c === Char.Underscore || c === Char.Dollar ? 1 : 0;
}
const isWordChar = (c: number): boolean =>
  c < Char.FirstNonAscii ? ASCII_WORD_CHARS[c] === 1 : c >= 0;

/** Turns the text into tokens one at a time; comments and whitespace never become tokens. */
class SqlLexer {
  readonly #sql: string;
  readonly #quoting: Quoting;
  #pos: number;
  #inExecutableComment: boolean;

  /** An executable comment was seen (its content is lexed as code, as the server runs it). */
  executableComment = false;
  /** A quote or comment never closed: the server rejects the text, but do not trust it either. */
  unterminated = false;
  /** A backslash inside '...' or "...": other quoting modes would split the text differently. */
  backslashInQuote = false;

  /** The canonical upper-case spelling when the token is a known word (or a known variable name). */
  word: string | undefined;
  /** The character of a punctuation token. */
  char = 0;
  /** The scope of a system variable token. */
  scope: VariableScope = 'unqualified';
  start = 0;
  end = 0;

  constructor(sql: string, quoting: Quoting, pos = 0, inExecutableComment = false) {
    this.#sql = sql;
    this.#quoting = quoting;
    this.#pos = pos;
    this.#inExecutableComment = inExecutableComment;
  }

  /** A second lexer at the same place, for looking ahead without disturbing this one. */
  fork(): SqlLexer {
    return new SqlLexer(this.#sql, this.#quoting, this.#pos, this.#inExecutableComment);
  }

  next(): TokenKind {
    const pos = this.#skipSpaceAndComments();
    this.word = undefined;
    this.start = pos;
    if (pos >= this.#sql.length) return this.#emit('end', pos);
    const sql = this.#sql;
    const c = sql.charCodeAt(pos);
    if (isDigit(c)) return this.#emit('number', this.#numberEnd(pos));
    if (isWordChar(c)) return this.#emit('word', this.#wordEnd(pos));
    switch (c) {
      case Char.SingleQuote:
        return this.#emit('quoted', this.#quotedEnd(pos, this.#quoting.singleQuoteEscapes));
      case Char.DoubleQuote:
        return this.#emit('quoted', this.#quotedEnd(pos, this.#quoting.doubleQuoteEscapes));
      case Char.Backtick:
        return this.#emit('quoted', this.#quotedEnd(pos, false));
      case Char.At:
        return sql.charCodeAt(pos + 1) === Char.At
          ? this.#emit('system-variable', this.#systemVariableEnd(pos + 2))
          : this.#emit('user-variable', this.#userVariableEnd(pos + 1));
      case Char.Colon:
        if (sql.charCodeAt(pos + 1) === Char.Equals) return this.#emit('assign', pos + 2);
        break;
    }
    this.char = c;
    return this.#emit('punctuation', pos + 1);
  }

  /** The current token's text (only for the rare unknown keyword: it allocates). */
  text(): string {
    return this.#sql.slice(this.start, this.end);
  }

  /** True if the current quoted token spells `word` (case-insensitive) with no escapes inside. */
  quotedEquals(word: string): boolean {
    return this.end - this.start === word.length + 2 && this.#sameWord(this.start + 1, word);
  }

  #emit(kind: TokenKind, end: number): TokenKind {
    this.end = end;
    this.#pos = end;
    return kind;
  }

  #skipSpaceAndComments(): number {
    const sql = this.#sql;
    const length = sql.length;
    let pos = this.#pos;
    while (pos < length) {
      const c = sql.charCodeAt(pos);
      if (c <= Char.Space) {
        pos++;
      } else if (c === Char.Hash) {
        pos = this.#lineEnd(pos);
      } else if (
        c === Char.Minus &&
        sql.charCodeAt(pos + 1) === Char.Minus &&
        isDashCommentEnd(sql, pos + 2)
      ) {
        pos = this.#lineEnd(pos);
      } else if (c === Char.Slash && sql.charCodeAt(pos + 1) === Char.Star) {
        pos = this.#blockCommentEnd(pos);
      } else if (
        c === Char.Star &&
        sql.charCodeAt(pos + 1) === Char.Slash &&
        this.#inExecutableComment
      ) {
        this.#inExecutableComment = false;
        pos += 2;
      } else {
        break;
      }
    }
    this.#pos = pos;
    return pos;
  }

  #lineEnd(pos: number): number {
    const newline = this.#sql.indexOf('\n', pos);
    return newline < 0 ? this.#sql.length : newline + 1;
  }

  /** `/* ... *\/` is skipped; `/*! ...` and `/*M! ...` (with an optional version) open code. */
  #blockCommentEnd(pos: number): number {
    const sql = this.#sql;
    const third = sql.charCodeAt(pos + 2);
    const executable =
      third === Char.Bang
        ? pos + 3
        : third === Char.UpperM && sql.charCodeAt(pos + 3) === Char.Bang
          ? pos + 4
          : -1;
    if (executable >= 0) {
      this.executableComment = true;
      this.#inExecutableComment = true;
      return skipVersion(sql, executable);
    }
    const close = sql.indexOf('*/', pos + 2);
    if (close < 0) {
      this.unterminated = true;
      return sql.length;
    }
    return close + 2;
  }

  /** Digits, an optional fraction and exponent; like the server, the number ends there (1.5INTO). */
  #numberEnd(pos: number): number {
    const sql = this.#sql;
    let end = pos;
    while (isDigit(sql.charCodeAt(end))) end++;
    if (sql.charCodeAt(end) === Char.Dot) {
      end++;
      while (isDigit(sql.charCodeAt(end))) end++;
    }
    const e = sql.charCodeAt(end);
    if (e === Char.LowerE || e === Char.UpperE) {
      const sign = sql.charCodeAt(end + 1);
      const firstDigit = sign === Char.Plus || sign === Char.Minus ? end + 2 : end + 1;
      if (isDigit(sql.charCodeAt(firstDigit))) {
        end = firstDigit;
        while (isDigit(sql.charCodeAt(end))) end++;
      }
    }
    return end;
  }

  /** Scans a word and recognises it if known, hashing as it goes. */
  #wordEnd(pos: number): number {
    const sql = this.#sql;
    const length = sql.length;
    let hash = 0;
    let ascii = true;
    let end = pos;
    for (; end < length; end++) {
      let c = sql.charCodeAt(end);
      if (!isWordChar(c)) break;
      if (c >= Char.FirstNonAscii) ascii = false;
      if (c >= Char.LowerA && c <= Char.LowerZ) c -= 32;
      hash = hashStep(hash, c);
    }
    if (ascii) {
      const known = KNOWN_WORDS.get(hash);
      if (known !== undefined && known.length === end - pos && this.#sameWord(pos, known))
        this.word = known;
    }
    return end;
  }

  #sameWord(pos: number, upper: string): boolean {
    const sql = this.#sql;
    for (let i = 0; i < upper.length; i++) {
      let c = sql.charCodeAt(pos + i);
      if (c >= Char.LowerA && c <= Char.LowerZ) c -= 32;
      if (c !== upper.charCodeAt(i)) return false;
    }
    return true;
  }

  /** A quote is escaped by doubling it, or (where the mode allows) by a backslash. */
  #quotedEnd(pos: number, backslashEscapes: boolean): number {
    const sql = this.#sql;
    const length = sql.length;
    const quote = sql.charCodeAt(pos);
    let end = pos + 1;
    while (end < length) {
      const c = sql.charCodeAt(end);
      if (c === quote) {
        if (sql.charCodeAt(end + 1) !== quote) return end + 1;
        end += 2;
      } else if (c === Char.Backslash && quote !== Char.Backtick) {
        this.backslashInQuote = true;
        end += backslashEscapes ? 2 : 1;
      } else {
        end++;
      }
    }
    this.unterminated = true;
    return length;
  }

  /** `@name`, `@'name'`, `@"name"`, `` @`name` ``; the server lets a name hold dots (@a.b). */
  #userVariableEnd(pos: number): number {
    const sql = this.#sql;
    const c = sql.charCodeAt(pos);
    if (c === Char.SingleQuote) return this.#quotedEnd(pos, this.#quoting.singleQuoteEscapes);
    if (c === Char.DoubleQuote) return this.#quotedEnd(pos, this.#quoting.doubleQuoteEscapes);
    if (c === Char.Backtick) return this.#quotedEnd(pos, false);
    let end = pos;
    while (isWordChar(sql.charCodeAt(end)) || sql.charCodeAt(end) === Char.Dot) end++;
    return end;
  }

  /** `@@name`, `@@global.name`, `@@session.name`, `@@local.name`, `@@persist.name`. */
  #systemVariableEnd(pos: number): number {
    const sql = this.#sql;
    this.scope = 'unqualified';
    let end = this.#wordEnd(pos);
    const first = this.word;
    if (sql.charCodeAt(end) === Char.Dot && first !== undefined) {
      const scope = VARIABLE_SCOPES.get(first);
      if (scope !== undefined) {
        this.scope = scope;
        this.word = undefined;
        const name = end + 1;
        end =
          sql.charCodeAt(name) === Char.Backtick
            ? this.#quotedEnd(name, false)
            : this.#wordEnd(name);
      }
    }
    return end;
  }
}

/** Scope prefixes of `@@scope.name`. PERSIST and PERSIST_ONLY are server-wide writes, like GLOBAL. */
const VARIABLE_SCOPES: ReadonlyMap<string, VariableScope> = words<VariableScope>({
  GLOBAL: 'global',
  PERSIST: 'global',
  PERSIST_ONLY: 'global',
  SESSION: 'session',
  LOCAL: 'session',
});

/** The server takes `--` as a comment only before a space or control character, or at the end. */
function isDashCommentEnd(sql: string, pos: number): boolean {
  if (pos >= sql.length) return true;
  const c = sql.charCodeAt(pos);
  return c <= Char.Space || c === Char.Delete;
}

/** A version after `/*!` is five or six digits (`/*!40101`, `/*M!100100`); otherwise it is code. */
function skipVersion(sql: string, pos: number): number {
  let end = pos;
  while (end < pos + 6 && isDigit(sql.charCodeAt(end))) end++;
  return end - pos >= 5 ? end : pos;
}

// ---------------------------------------------------------------------------------------------
// The scan: one pass over the tokens, statement by statement, keeping the worst verdict.

type Mode = 'plain' | 'set' | 'set-statement';

class StatementScan {
  readonly #lexer: SqlLexer;
  category: StatementCategory = 'read';
  reason = '';
  /** Bits of EFFECT_ORDER. */
  effects = 0;
  keyword = '';
  readonly backslashInQuote: boolean;

  #sawStatement = false;
  #atStatementStart = true;
  #afterSemicolon = false;
  // Per statement:
  #base: StatementCategory = 'read';
  #mode: Mode = 'plain';
  #assignsUserVariables = false;
  #depth = 0;
  #setItemStart = false;
  #setUnclassified = false;
  #previousWord: string | undefined;
  #pending: WordRule | undefined;
  #pendingUserVariable = false;
  #intoList = false;

  constructor(sql: string, quoting: Quoting) {
    this.#lexer = new SqlLexer(sql, quoting);
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
      this.#settlePending(kind);
      if (kind === 'end') break;
      const word = lexer.word;
      if (this.#afterSemicolon) {
        this.#afterSemicolon = false;
        this.#raise(SEVERAL_STATEMENTS);
      }
      if (this.#atStatementStart) this.#startStatement(kind, word);
      else this.#inStatement(kind, word);
      this.#previousWord = kind === 'word' ? word : undefined;
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

  #startStatement(kind: TokenKind, word: string | undefined): void {
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
    const first = !this.#sawStatement;
    this.#sawStatement = true;
    if (kind !== 'word') {
      this.#raise(NO_KEYWORD);
      this.#inStatement(kind, word);
      return;
    }
    const keyword = word ?? lexer.text().toUpperCase();
    if (first) this.keyword = keyword;
    const rule = this.#refine(STATEMENTS.get(keyword) ?? unknownStatement(keyword));
    this.#base = rule.category;
    this.#assignsUserVariables = rule.assignsUserVariables === true;
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
    const ahead = this.#lexer.fork();
    while (refined.next !== undefined && ahead.next() === 'word' && ahead.word !== undefined) {
      const further = refined.next.get(ahead.word);
      if (further === undefined) break;
      refined = further;
    }
    return refined;
  }

  #endStatement(): void {
    if (this.#setUnclassified) this.#raise(SET_RULE);
    this.#atStatementStart = true;
    this.#afterSemicolon = true;
    this.#base = 'read';
    this.#mode = 'plain';
    this.#assignsUserVariables = false;
    this.#depth = 0;
    this.#setItemStart = false;
    this.#setUnclassified = false;
    this.#intoList = false;
  }

  #inStatement(kind: TokenKind, word: string | undefined): void {
    const lexer = this.#lexer;
    if (kind === 'punctuation') {
      const c = lexer.char;
      if (c === Char.Semicolon) {
        this.#endStatement();
        return;
      }
      if (c === Char.OpenParen) this.#depth++;
      else if (c === Char.CloseParen && this.#depth > 0) this.#depth--;
      else if (c === Char.Comma && this.#depth === 0 && this.#mode === 'set') {
        this.#setItemStart = true;
        return;
      }
    }
    if (this.#setItemStart) this.#setItem(kind, word);
    switch (kind) {
      case 'word':
        if (word !== undefined) this.#bodyWord(word);
        break;
      case 'user-variable':
        this.#pendingUserVariable = true;
        break;
      case 'system-variable':
        if (lexer.scope === 'session' || (lexer.scope === 'unqualified' && !isGlobalOnly(word))) {
          this.#raise(READS_SESSION_VARIABLE);
        }
        break;
    }
  }

  #bodyWord(word: string): void {
    if (this.#mode === 'set-statement' && word === 'FOR' && this.#depth === 0) {
      // SET STATEMENT max_statement_time=1 FOR <statement>: the statement after FOR decides.
      this.#mode = 'plain';
      this.#setUnclassified = false;
      this.#atStatementStart = true;
      return;
    }
    const previous = this.#previousWord;
    const phrase = previous === undefined ? undefined : PHRASES.get(previous)?.get(word);
    if (phrase !== undefined) {
      this.#raise(phrase);
      return;
    }
    const rule = BODY_WORDS.get(word);
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
    switch (kind) {
      case 'word': {
        const target = word === undefined ? undefined : SET_TARGETS.get(word);
        if (target === undefined) {
          this.#raise(SESSION_VARIABLES);
          return;
        }
        if (target.verdict !== undefined) this.#raise(target.verdict);
        if (target.after === 'target') {
          this.#setItemStart = true;
          this.#setUnclassified = true;
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
        if (lexer.scope === 'global') this.#raise(SET_GLOBAL);
        else this.#raise(word === 'AUTOCOMMIT' ? SET_AUTOCOMMIT : SESSION_VARIABLES);
        return;
      case 'quoted': // SET `autocommit` = 0 works too
        this.#raise(lexer.quotedEquals('AUTOCOMMIT') ? SET_AUTOCOMMIT : SESSION_VARIABLES);
        return;
      default:
        this.#raise(SET_NOT_UNDERSTOOD);
    }
  }
}

function isGlobalOnly(name: string | undefined): boolean {
  return name !== undefined && GLOBAL_ONLY_VARIABLES.has(name);
}

function unknownStatement(keyword: string): StatementRule {
  return {
    category: 'write',
    reason: `${keyword || 'the statement'} is not known to be read-only`,
  };
}
