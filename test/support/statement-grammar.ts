/**
 * A random statement generator for the classifier's differential fuzz
 * (test/integration/sql-classifier-fuzz.test.ts): reads, writes, calls of built-in and stored
 * functions (some of which write or change the session), variables, locking clauses, comments,
 * executable comments, quoting tricks, several statements. It knows the schema the fuzz creates
 * (FUZZ_SCHEMA), so most statements are valid and actually run.
 *
 * Deterministic for a seed: the same seed always yields the same statements.
 */

/**
 * The schema and stored code the generated statements use. Tables of three engines (a
 * rollback undoes only InnoDB), a sequence without a cache (so each NEXTVAL shows in the
 * table), a log per engine for stored functions to write to, and stored code that writes or
 * changes the session in each way the classifier must assume.
 */
export const FUZZ_SCHEMA: readonly string[] = [
  'CREATE TABLE fz_inno (id INT PRIMARY KEY, v INT, s VARCHAR(60), j JSON) ENGINE=InnoDB',
  'CREATE TABLE fz_aria (id INT PRIMARY KEY, v INT, s VARCHAR(60)) ENGINE=Aria',
  'CREATE TABLE fz_myisam (id INT PRIMARY KEY, v INT, s VARCHAR(60)) ENGINE=MyISAM',
  'CREATE TABLE fz_log (id INT AUTO_INCREMENT PRIMARY KEY, v INT) ENGINE=MyISAM',
  'CREATE TABLE fz_inno_log (id INT AUTO_INCREMENT PRIMARY KEY, v INT) ENGINE=InnoDB',
  'CREATE TABLE fz_commit_probe (id INT PRIMARY KEY) ENGINE=InnoDB',
  'CREATE SEQUENCE fz_seq NOCACHE',
  'CREATE VIEW fz_view AS SELECT id, v FROM fz_inno',
  'CREATE FUNCTION fz_pure(x INT) RETURNS INT DETERMINISTIC RETURN x + 1',
  'CREATE FUNCTION fz_write(x INT) RETURNS INT BEGIN INSERT INTO fz_log (v) VALUES (x); RETURN x; END',
  'CREATE FUNCTION fz_write_inno(x INT) RETURNS INT BEGIN INSERT INTO fz_inno_log (v) VALUES (x); RETURN x; END',
  'CREATE FUNCTION fz_setvar(x INT) RETURNS INT BEGIN SET @fz_leak = x; RETURN x; END',
  "CREATE FUNCTION fz_lock(x INT) RETURNS INT RETURN GET_LOCK('fz_fn_lock', 0)",
  'CREATE FUNCTION fz_next() RETURNS BIGINT RETURN NEXTVAL(fz_seq)',
  'CREATE FUNCTION fz_sysvar() RETURNS INT BEGIN SET SESSION sql_select_limit = 999; RETURN 1; END',
  'CREATE PROCEDURE fz_proc_write() INSERT INTO fz_log (v) VALUES (7)',
  'CREATE PROCEDURE fz_proc_setvar() SET @fz_proc = 1',
  'CREATE PROCEDURE fz_proc_rows() SELECT id FROM fz_inno',
  'CREATE PROCEDURE fz_proc_tmp() CREATE TEMPORARY TABLE IF NOT EXISTS fz_tmp_proc (a INT)',
  "CREATE PROCEDURE fz_proc_lock() DO GET_LOCK('fz_proc_lock', 0)",
  'CREATE PROCEDURE fz_proc_out(OUT o INT) SET o = 5',
];

/** Rows the data tables hold before each statement (restored when a statement changed them). */
export const FUZZ_SEED_ROWS: readonly string[] = [
  `INSERT INTO fz_inno VALUES (1, 10, 'a', '[1, 2]'), (2, 20, 'b;c', '[3]'), (3, NULL, 'it''s', '[]')`,
  "INSERT INTO fz_aria VALUES (1, 10, 'a'), (2, 20, 'b')",
  "INSERT INTO fz_myisam VALUES (1, 10, 'a'), (2, 20, 'b')",
];

/** Named locks, temporary tables and prepared statements the statements may leave behind. */
export const FUZZ_LOCK_NAMES = ['fz_lock_a', 'fz_lock_b', 'fz_fn_lock', 'fz_proc_lock'];
export const FUZZ_TEMPORARY_TABLES = ['fz_tmp', 'fz_tmp_proc'];

/** A small fast PRNG (mulberry32): deterministic for a seed. */
export function randomSource(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Gen = () => string;

/**
 * Random statements over {@link FUZZ_SCHEMA}.
 *
 * @example
 * const grammar = new StatementGrammar(randomSource(42));
 * const sql = grammar.statement();
 */
export class StatementGrammar {
  readonly #random: () => number;

  constructor(random: () => number) {
    this.#random = random;
  }

  /** One SQL text (usually one statement, sometimes two or a fragment). */
  statement(): string {
    const sql = this.#weighted<Gen>([
      [30, () => this.#select()],
      [6, () => this.#with()],
      [3, () => `VALUES (${this.#expression()}), (${this.#expression()})`],
      [5, () => `DO ${this.#list(() => this.#expression(), 2)}`],
      [3, () => this.#show()],
      [10, () => this.#set()],
      [8, () => this.#write()],
      [4, () => this.#call()],
      [4, () => this.#dynamic()],
      [3, () => this.#sessionObject()],
      [4, () => this.#transactionControl()],
      [3, () => `${this.#select()};${this.#pick([' ', '\n', ''])}${this.statement()}`],
      [2, () => `EXPLAIN ${this.#select()}`],
      [6, () => this.#placedCall()],
      [4, () => this.#quotingTrick()],
      [3, () => this.#oddSession()],
    ])();
    return this.#decorate(sql);
  }

  // -- statements --------------------------------------------------------------------------

  #select(): string {
    const table = this.#table();
    const parts = [
      `${this.#keyword('SELECT')}${this.#chance(0.08) ? ' SQL_CALC_FOUND_ROWS' : ''}`,
      this.#list(() => this.#selectItem(), 3),
    ];
    if (this.#chance(0.85)) parts.push(`FROM ${table}`);
    if (this.#chance(0.15)) parts.push(`JOIN fz_aria a2 ON a2.id = ${table.split(' ')[0]}.id`);
    if (this.#chance(0.06))
      parts.push(`, JSON_TABLE('[1, 2]', '$[*]' COLUMNS (x INT PATH '$')) jt`);
    if (this.#chance(0.5)) parts.push(`WHERE ${this.#condition()}`);
    if (this.#chance(0.15)) parts.push(`GROUP BY ${this.#column()}`);
    if (this.#chance(0.2)) parts.push(`ORDER BY ${this.#expression()}`);
    if (this.#chance(0.3)) parts.push(`LIMIT ${this.#int(5)}`);
    if (this.#chance(0.1))
      parts.push(
        this.#pick(['FOR UPDATE', 'LOCK IN SHARE MODE', 'FOR UPDATE NOWAIT', 'FOR SHARE']),
      );
    if (this.#chance(0.08))
      parts.push(this.#pick(['INTO @fz_a', 'INTO @fz_a, @fz_b', 'INTO @`fz_c`']));
    const select = parts.join(' ');
    return this.#chance(0.08)
      ? `${select} UNION ${this.#pick(['ALL ', ''])}SELECT ${this.#list(() => this.#selectItem(), 3)}`
      : select;
  }

  #with(): string {
    const columns = this.#chance(0.5) ? ' (c1, c2)' : '';
    return `WITH${this.#chance(0.2) ? ' RECURSIVE' : ''} cte${columns} AS (SELECT ${this.#expression()}, ${this.#expression()}) ${this.#pick(
      [
        'SELECT * FROM cte',
        `SELECT ${this.#expression()} FROM cte`,
        'DELETE FROM fz_inno WHERE id = 99',
        'UPDATE fz_inno SET v = v WHERE id = 99',
      ],
    )}`;
  }

  #show(): string {
    return this.#pick([
      'SHOW TABLES',
      'SHOW WARNINGS',
      "SHOW VARIABLES LIKE 'sql_mode'",
      "SHOW GLOBAL STATUS LIKE 'Uptime'",
      `SHOW TABLES WHERE ${this.#storedCall()} IS NOT NULL`,
      'SHOW CREATE TABLE fz_inno',
      'DESCRIBE fz_inno',
      'CHECKSUM TABLE fz_inno',
    ]);
  }

  #set(): string {
    return this.#pick<Gen>([
      () => `SET @fz_a = ${this.#expression()}`,
      () => `SET @fz_a := ${this.#expression()}, @fz_b = ${this.#literal()}`,
      () => `SET SESSION sql_select_limit = ${this.#int(1000) + 1}`,
      () => "SET time_zone = '+01:00'",
      () => 'SET NAMES utf8mb4',
      () => `SET @@session.max_statement_time = ${this.#int(9) + 1}`,
      () => 'SET TRANSACTION ISOLATION LEVEL SERIALIZABLE',
      () => 'SET TRANSACTION READ ONLY',
      () => 'SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED',
      () => `SET STATEMENT max_statement_time = 5 FOR ${this.#select()}`,
      () => `SET sql_select_limit = (SELECT ${this.#expression()})`,
      () => 'SET autocommit = 1',
    ])();
  }

  #write(): string {
    const table = this.#pick(['fz_inno', 'fz_aria', 'fz_myisam']);
    const id = 100 + this.#int(50);
    return this.#pick<Gen>([
      () => `INSERT INTO ${table} (id, v, s) VALUES (${id}, ${this.#expression()}, 'w')`,
      () => `INSERT IGNORE ${table} (id, v) VALUES (${id}, 1)`,
      () => `REPLACE INTO ${table} (id, v) SELECT ${id}, v FROM ${table} LIMIT 1`,
      () => `UPDATE ${table} SET v = ${this.#expression()} WHERE id = ${this.#int(3) + 1}`,
      () => `DELETE FROM ${table} WHERE ${this.#condition()}`,
      () =>
        `INSERT INTO ${table} (id, v) VALUES (${id}, 1) ON DUPLICATE KEY UPDATE v = VALUES(v) + 1`,
    ])();
  }

  #call(): string {
    return this.#pick([
      'CALL fz_proc_write()',
      'CALL fz_proc_setvar()',
      'CALL fz_proc_rows()',
      'CALL fz_proc_tmp()',
      'CALL fz_proc_lock()',
      'CALL fz_proc_out(@fz_out)',
    ]);
  }

  #dynamic(): string {
    return this.#pick([
      "EXECUTE IMMEDIATE 'SET @fz_ei = 7'",
      `EXECUTE IMMEDIATE 'SELECT ${this.#pick(['1', 'fz_write(1)', "GET_LOCK(''fz_lock_a'', 0)"])}'`,
      "PREPARE fz_stmt FROM 'SELECT 1'",
      'DEALLOCATE PREPARE fz_stmt',
      "EXECUTE IMMEDIATE 'PREPARE fz_stmt FROM ''SELECT 1'''",
    ]);
  }

  #sessionObject(): string {
    return this.#pick([
      'CREATE TEMPORARY TABLE fz_tmp (a INT)',
      'CREATE TEMPORARY TABLE IF NOT EXISTS fz_tmp AS SELECT 1 AS a',
      'DROP TEMPORARY TABLE IF EXISTS fz_tmp',
      'LOCK TABLES fz_inno READ',
      'UNLOCK TABLES',
      'HANDLER fz_inno OPEN',
      'USE information_schema',
      'FLUSH TABLES fz_inno FOR EXPORT',
      "XA START 'fz_xa'",
    ]);
  }

  #transactionControl(): string {
    return this.#pick([
      'BEGIN',
      'START TRANSACTION READ ONLY',
      'COMMIT',
      'COMMIT AND CHAIN',
      'ROLLBACK',
      'SAVEPOINT fz_s',
      'ROLLBACK TO SAVEPOINT fz_s',
    ]);
  }

  /** A stored function call in one of the places where a name before `(` may not be a call. */
  #placedCall(): string {
    const call = this.#storedCall();
    return this.#pick([
      `SELECT id FROM fz_inno ORDER BY ${call}`,
      `SELECT v FROM fz_inno GROUP BY v HAVING ${call} > 0`,
      `SELECT ROW_NUMBER() OVER (ORDER BY ${call}) FROM fz_inno`,
      `SELECT * FROM JSON_TABLE(CONCAT('[', ${call}, ']'), '$[*]' COLUMNS (x INT PATH '$')) jt`,
      `WITH c (a) AS (SELECT ${call}) SELECT a FROM c`,
      `SELECT * FROM (SELECT ${call} AS a) dt (x)`,
      `SELECT CAST(${call} AS CHAR(3))`,
      `SELECT 1 IN (${call})`,
      `SELECT EXISTS (SELECT ${call})`,
      `SELECT CASE ${call} WHEN 1 THEN 2 END`,
      `SELECT NOW() + INTERVAL ${call} DAY`,
      `SELECT COUNT(${call}) FROM fz_inno`,
      `SELECT POINT(${call}, 2)`,
      `SELECT INSERT(${call}, 1, 1, 'x')`,
      `SELECT 1 FROM fz_inno t1 JOIN fz_aria t2 USING (id) WHERE ${call}`,
      `SELECT a FROM (SELECT 1 AS a) AS x WHERE a = ANY (SELECT ${call})`,
      `ANALYZE SELECT ${call}`,
      `SELECT ${call} FROM DUAL WHERE 0`,
      `SET STATEMENT sql_select_limit = 5 FOR SELECT ${call}`,
      `INSERT INTO fz_inno (id, v) VALUES (140, ${call}) ON DUPLICATE KEY UPDATE v = ${call}`,
      `SELECT 1, /*!${call}, */ 2`,
      `SELECT 1 /*!99999 , ${call} */`,
      `SELECT 1 -- \n, ${call}`,
      `SELECT 1--1, ${call}`,
      `SELECT 1 #\n, ${call}`,
      `SELECT 1; SELECT ${call}`,
      `SELECT 1;\n${this.#pick(['SET @fz_a = 1', 'CALL fz_proc_setvar()', "DO GET_LOCK('fz_lock_b', 0)"])}`,
    ]);
  }

  /** Texts whose meaning depends on how quotes and backslashes are read (sql_mode). */
  #quotingTrick(): string {
    const call = this.#storedCall();
    return this.#pick([
      `SELECT 'x\\' , ${call} , '`,
      `SELECT "x\\" , ${call} , "`,
      `SELECT 'x\\'; SELECT ${call}; -- '`,
      `SELECT "${call.replace(/\(.*/, '')}"(1)`,
      `SELECT 'a''' , '${call}'`,
      `SELECT \`x\\\` , ${call} , 1`,
      `SELECT 'it\\'s', ${call}`,
      `SELECT _utf8mb4'a\\', ${call}, 'b'`,
    ]);
  }

  /** Session changes in less usual shapes. */
  #oddSession(): string {
    return this.#pick([
      'DO @fz_a := 1',
      'SELECT @fz_a = 1',
      'SELECT (@fz_b := 2) + 1',
      'GET DIAGNOSTICS @fz_n = NUMBER',
      'HANDLER fz_inno OPEN AS fz_h',
      'LOCK TABLE fz_aria WRITE',
      'SET STATEMENT sql_select_limit = 1 FOR CALL fz_proc_setvar()',
      "SET @@session.tx_isolation = 'SERIALIZABLE'",
      'SET STATEMENT max_statement_time = 1 FOR SET @fz_a = 1',
      'SELECT 1 INTO @fz_a',
      'SELECT id, v INTO @fz_a, @fz_b FROM fz_inno LIMIT 1',
      'CREATE TEMPORARY TABLE fz_tmp AS SELECT fz_setvar(3) AS a',
      "SET NAMES 'utf8mb4' COLLATE 'utf8mb4_bin'",
      'SET CHARACTER SET latin1',
    ]);
  }

  // -- expressions -------------------------------------------------------------------------

  #selectItem(): string {
    const item = this.#expression();
    return this.#chance(0.2) ? `${item} AS ${this.#pick(['x', '`a b`', '"q"', 'count'])}` : item;
  }

  #expression(depth = 0): string {
    if (depth > 2) return this.#leaf();
    return this.#weighted<Gen>([
      [16, () => this.#leaf()],
      [12, () => this.#builtinCall(depth)],
      [3, () => this.#storedCall()],
      [2, () => this.#userVariable()],
      [2, () => this.#systemVariable()],
      [2, () => this.#lockCall()],
      [2, () => this.#sessionFunction()],
      [2, () => this.#sequence()],
      [2, () => `(SELECT ${this.#expression(depth + 1)} FROM ${this.#table()} LIMIT 1)`],
      [
        2,
        () =>
          `${this.#expression(depth + 1)} ${this.#pick(['+', '-', '*', 'DIV', 'MOD', '||', '--', '- -'])} ${this.#expression(depth + 1)}`,
      ],
      [
        1,
        () =>
          `CASE WHEN ${this.#condition()} THEN ${this.#expression(depth + 1)} ELSE ${this.#literal()} END`,
      ],
      [
        1,
        () =>
          `CAST(${this.#expression(depth + 1)} AS ${this.#pick(['CHAR(10)', 'DECIMAL(10, 2)', 'SIGNED', 'DATE'])})`,
      ],
      [1, () => `ROW_NUMBER() OVER (ORDER BY ${this.#column()})`],
      [1, () => `${this.#expression(depth + 1)} IN (${this.#list(() => this.#literal(), 3)})`],
    ])();
  }

  #leaf(): string {
    return this.#chance(0.5) ? this.#literal() : this.#column();
  }

  #literal(): string {
    return this.#pick([
      String(this.#int(100)),
      '1.5',
      '1e2',
      'NULL',
      "'x'",
      "';'",
      "'FOR UPDATE'",
      "'it''s'",
      "'a\\'b'",
      "'semi\\\\'",
      '"dq"',
      "x'41'",
      '0x41',
      "_utf8mb4'u'",
      "'GET_LOCK(1)'",
      "'-- not a comment'",
      "'/* not a comment */'",
    ]);
  }

  #column(): string {
    return this.#pick(['id', 'v', 's', '`id`', 'fz_inno.id', 'v']);
  }

  #builtinCall(depth: number): string {
    const argument = (): string => this.#expression(depth + 1);
    return this.#pick<Gen>([
      () => `CONCAT(${argument()}, ${argument()})`,
      () => `ABS(${argument()})`,
      () => `COALESCE(${argument()}, 0)`,
      () => `IF(${this.#condition()}, ${argument()}, ${argument()})`,
      () => 'COUNT(*)',
      () => `COUNT (${this.#column()})`,
      () => `MAX(${argument()})`,
      () => 'NOW()',
      () => 'NOW /* c */ ()',
      () => `UPPER(${argument()})`,
      () => `LENGTH(${argument()})`,
      () => `JSON_EXTRACT('[1]', '$[0]')`,
      () => `NVL(${argument()}, 1)`,
      () => `POINT(1, ${this.#int(5)})`,
      () => `SUBSTRING('abc' FROM 2)`,
      () => `TRIM(LEADING 'x' FROM ${argument()})`,
      () => `INSERT('abc', 1, 1, 'z')`,
      () => `REPLACE('abc', 'b', 'y')`,
      () => 'SLEEP(0)',
      () => `IS_FREE_LOCK('fz_lock_a')`,
      () => 'DATABASE()',
      () => 'UUID()',
    ])();
  }

  #storedCall(): string {
    const name = this.#pick([
      'fz_pure',
      'fz_write',
      'fz_write_inno',
      'fz_setvar',
      'fz_lock',
      'fz_sysvar',
      'fz_next',
    ]);
    const argument = name === 'fz_sysvar' || name === 'fz_next' ? '' : String(this.#int(9));
    return this.#pick([
      `${name}(${argument})`,
      `goneaway.${name}(${argument})`,
      `\`${name}\`(${argument})`,
      `${name.toUpperCase()} (${argument})`,
      `${name}/* c */(${argument})`,
    ]);
  }

  #userVariable(): string {
    return this.#pick([
      '@fz_a',
      '@fz_a := 5',
      '@`fz_b` := 6',
      "@'fz_c'",
      '@fz_leak',
      '@fz_a.b := 1',
    ]);
  }

  #systemVariable(): string {
    return this.#pick([
      '@@session.sql_mode',
      '@@sql_select_limit',
      '@@global.max_connections',
      '@@version',
      '@@GLOBAL.`wait_timeout`',
      '@@local.time_zone',
    ]);
  }

  #lockCall(): string {
    return this.#pick([
      "GET_LOCK('fz_lock_a', 0)",
      "get_lock ('fz_lock_b', 0)",
      "RELEASE_LOCK('fz_lock_a')",
      'RELEASE_ALL_LOCKS()',
      "IS_USED_LOCK('fz_lock_b')",
    ]);
  }

  #sessionFunction(): string {
    return this.#pick([
      'LAST_INSERT_ID()',
      'LAST_INSERT_ID(5)',
      'FOUND_ROWS()',
      'ROW_COUNT()',
      'CONNECTION_ID()',
    ]);
  }

  #sequence(): string {
    return this.#pick([
      'NEXTVAL(fz_seq)',
      'NEXT VALUE FOR fz_seq',
      'LASTVAL(fz_seq)',
      'PREVIOUS VALUE FOR fz_seq',
      'SETVAL(fz_seq, 100)',
    ]);
  }

  #condition(): string {
    return this.#pick<Gen>([
      () => `${this.#column()} = ${this.#expression(2)}`,
      () => `${this.#column()} IN (SELECT id FROM fz_myisam)`,
      () => `EXISTS (SELECT 1 FROM fz_aria WHERE ${this.#column()} > ${this.#int(3)})`,
      () => `${this.#expression(2)} IS NOT NULL`,
      () => `${this.#column()} > ${this.#int(3)} AND NOT (${this.#column()} < 0)`,
    ])();
  }

  #table(): string {
    return this.#pick(['fz_inno', 'fz_aria', 'fz_myisam', 'fz_view', 'fz_inno t1', '`fz_inno`']);
  }

  // -- decoration: comments, executable comments, letter case, whitespace -------------------

  #decorate(sql: string): string {
    let out = sql;
    if (this.#chance(0.15)) out = `${this.#comment()}${out}`;
    if (this.#chance(0.08)) out = `${out}${this.#comment()}`;
    if (this.#chance(0.05)) out = `${out};`;
    if (this.#chance(0.06)) out = `/*!${this.#pick(['', '40101 ', '100100 '])}${out} */`;
    if (this.#chance(0.04)) out = `/*M!${out} */`;
    if (this.#chance(0.1)) out = out.toLowerCase();
    if (this.#chance(0.1)) out = out.replace(/ /g, () => this.#pick([' ', '\n', '\t', ' /**/ ']));
    return out;
  }

  #comment(): string {
    return this.#pick([
      '/* c */ ',
      '-- c\n',
      '# c\n',
      "/* it's */ ",
      '/*+ NO_RANGE_OPTIMIZATION() */ ',
    ]);
  }

  #keyword(word: string): string {
    return this.#chance(0.2) ? word.toLowerCase() : word;
  }

  // -- choice ------------------------------------------------------------------------------

  #list(item: Gen, most: number): string {
    return Array.from({ length: 1 + this.#int(most) }, item).join(', ');
  }

  #int(below: number): number {
    return Math.floor(this.#random() * below);
  }

  #chance(p: number): boolean {
    return this.#random() < p;
  }

  #pick<T>(options: readonly T[]): T {
    return options[this.#int(options.length)] as T;
  }

  #weighted<T>(options: readonly (readonly [number, T])[]): T {
    const total = options.reduce((sum, [weight]) => sum + weight, 0);
    let roll = this.#random() * total;
    for (const [weight, option] of options) {
      roll -= weight;
      if (roll < 0) return option;
    }
    return (options[options.length - 1] as readonly [number, T])[1];
  }
}
