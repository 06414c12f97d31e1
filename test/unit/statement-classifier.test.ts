import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Flavor } from '../../src/errors/flavor.js';
import {
  classifyStatement,
  type NamedLockAction,
  type SessionEffect,
  type StatementCategory,
  type TransactionControl,
} from '../../src/sql/statement-classifier.js';
import {
  commitsTransaction,
  endsTransaction,
  opensTransaction,
} from '../../src/sql/transaction-control.js';

const STORED: SessionEffect = 'state set by stored code';

/** [sql, category, retrySafe, sessionEffects (none when omitted)] */
type Case = readonly [string, StatementCategory, boolean, (readonly SessionEffect[])?];

const cases: Record<string, readonly Case[]> = {
  'leading keyword after whitespace and comments': [
    ['SELECT 1', 'read', true],
    ['  \n\t select 1', 'read', true],
    ['/* hi */ SELECT 1', 'read', true],
    ['-- c\nSELECT 1', 'read', true],
    ['--\tc\nSELECT 1', 'read', true],
    ['#c\nSELECT 1', 'read', true],
    ['# c\nUPDATE t SET a=1', 'write', false],
    ['/* SELECT */ DELETE FROM t', 'write', false],
    ['(SELECT 1) UNION (SELECT 2)', 'read', true],
    ['((SELECT a FROM t))', 'read', true],
    ['frobnicate the database', 'write', false],
    ['42', 'write', false],
    // `--` is a comment only before a space or control character: `--1` is minus minus one.
    ['--1\nSELECT 1', 'write', false],
    ['SELECT 1--1', 'read', true],
    ['SELECT 1 --', 'read', true],
  ],
  'empty text runs nothing': [
    ['', 'read', true],
    ['   \n ', 'read', true],
    ['/* only a comment */', 'read', true],
    [';', 'read', true],
  ],
  'several statements': [
    ['SELECT 1;', 'read', true],
    ['SELECT 1 ; -- done', 'read', true],
    ['SELECT 1;\n/* trailing */\n', 'read', true],
    ['SELECT 1; SELECT 2', 'write', false],
    ['SELECT 1; DELETE FROM t', 'write', false],
    ['SELECT 1;;', 'write', false],
    ['; SELECT 1', 'write', false],
    ['SELECT 1 --x; DELETE FROM t', 'write', false],
    ['SELECT 1; SET @a = 1', 'write', false, ['user variables']],
  ],
  'quotes, backticks and comments hide what is inside them': [
    ["SELECT ';' AS x", 'read', true],
    ["SELECT 'FOR UPDATE'", 'read', true],
    ['SELECT `for update` FROM t', 'read', true],
    ['SELECT "GET_LOCK(1)" FROM t', 'read', true],
    ["SELECT 'it''s; DELETE FROM t'", 'read', true],
    ['SELECT `a``b;` FROM t', 'read', true],
    ["SELECT 'O\\'Brien' AS name", 'read', true],
    ["SELECT x'4142', b'01', N'abc', _utf8mb4'x'", 'read', true],
    ["SELECT 'a' 'b'", 'read', true],
    ["SELECT * FROM t WHERE email = 'a@b.example'", 'read', true],
    ['SELECT /* FOR UPDATE */ 1', 'read', true],
    ['SELECT 1 -- ; DELETE FROM t', 'read', true],
    ['SELECT 1 # ; DELETE FROM t', 'read', true],
    ['SELECT 1 /* ; DELETE FROM t */', 'read', true],
    ['SELECT t.`update` FROM t', 'read', true],
    // An escaped backslash ends the string: the ; is outside it in every sql_mode.
    ["SELECT 'a\\\\'; DELETE FROM t", 'write', false],
  ],
  'a backslash in quotes is read under every sql_mode': [
    // Default: one string. NO_BACKSLASH_ESCAPES: 'a\' then `b; DROP TABLE x'`, two statements.
    ["SELECT 'a\\'b; DROP TABLE x'", 'write', false],
    ["SELECT 'a\\'; DELETE FROM t; -- '", 'write', false],
    // ANSI_QUOTES: "a\" is an identifier and the ; ends the statement.
    ['SELECT "a\\"; DELETE FROM t; -- "', 'write', false],
    ["SELECT 'line\\nbreak', 'tab\\t'", 'read', true],
  ],
  'unterminated quotes and comments are not trusted': [
    ["SELECT 'unterminated", 'write', false],
    ['SELECT `unterminated FROM t', 'write', false],
    ['SELECT 1 /* unterminated', 'write', false],
    // The server ends a # comment at a NUL byte, so what follows it would run.
    ['SELECT 1 # c\u0000; DELETE FROM t', 'write', false],
  ],
  'executable comments run their content; optimizer hints are harmless': [
    ['/*!40101 SET NAMES utf8 */', 'write', false, ['session variables']],
    ['SELECT /*!40001 SQL_NO_CACHE */ * FROM t', 'write', false],
    ['SELECT /*M!100100 1 + */ 1', 'write', false],
    ['SELECT /*!*/ 1', 'write', false],
    ['SELECT 1 /*!; DELETE FROM t */', 'write', false],
    ['SELECT /*+ MAX_EXECUTION_TIME(1) */ 1', 'read', true],
    ['SELECT /*+ SET_VAR(sql_mode = "x") */ a FROM t', 'read', true],
  ],
  'locking reads': [
    ['select * from t for update', 'write', false],
    ['SELECT * FROM t WHERE id = ? FOR UPDATE NOWAIT', 'write', false],
    ['SELECT * FROM t LIMIT 1 FOR UPDATE SKIP LOCKED', 'write', false],
    ['SELECT * FROM t FOR SHARE', 'write', false],
    ['SELECT * FROM t LOCK IN SHARE MODE', 'write', false],
    ['SELECT * FROM t FOR /* c */ UPDATE', 'write', false],
    ['SELECT * FROM t WHERE a IN (SELECT a FROM u FOR UPDATE)', 'write', false],
    ['SELECT * FROM t FOR SYSTEM_TIME ALL', 'read', true],
  ],
  'INTO writes variables or files': [
    ['SELECT a INTO @x FROM t', 'session', false, ['user variables']],
    ['SELECT a, b FROM t INTO @x, @y', 'session', false, ['user variables']],
    // The server ends a number where its digits end: this is 1.5 INTO @x.
    ['SELECT 1.5INTO @x', 'session', false, ['user variables']],
    ["SELECT * FROM t INTO OUTFILE '/tmp/t.csv'", 'write', false],
    ["SELECT a FROM t INTO DUMPFILE '/tmp/a'", 'write', false],
  ],
  sequences: [
    ['SELECT NEXT VALUE FOR s', 'write', false],
    ['SELECT next /* c */ value for s', 'write', false],
    // NEXTVAL() is MariaDB's: without knowing the server, MySQL would call a stored nextval().
    ['SELECT NEXTVAL(s)', 'write', false, ['state set by stored code']],
    ['SELECT s.nextval', 'write', false],
    ['SELECT SETVAL(s, 10)', 'write', false, ['state set by stored code']],
    ['SELECT LASTVAL(s)', 'write', false, ['state set by stored code']],
    ['SELECT PREVIOUS VALUE FOR s', 'session', false],
    ['SELECT next_value FROM t', 'read', true],
  ],
  'named locks': [
    ["SELECT GET_LOCK('job', 0)", 'session', false, ['named locks']],
    ["SELECT get_lock ('job', 0)", 'session', false, ['named locks']],
    ["DO GET_LOCK('job', 0)", 'session', false, ['named locks']],
    ["INSERT INTO t VALUES (GET_LOCK('x', 1))", 'write', false, ['named locks']],
    ["SELECT RELEASE_LOCK('job')", 'session', false],
    ['SELECT RELEASE_ALL_LOCKS()', 'session', false],
    ["SELECT IS_FREE_LOCK('job'), IS_USED_LOCK('job')", 'read', true],
    ['SELECT get_lock FROM t', 'read', true],
  ],
  'functions that depend on the session': [
    ['SELECT LAST_INSERT_ID()', 'session', false],
    ['SELECT last_insert_id /* c */ ()', 'session', false],
    ['SELECT FOUND_ROWS()', 'session', false],
    ['SELECT ROW_COUNT()', 'session', false],
    ['SELECT CONNECTION_ID()', 'session', false],
    ['SELECT SQL_CALC_FOUND_ROWS * FROM t LIMIT 10', 'session', false],
    ['SELECT connection_id FROM sessions WHERE connection_id = ?', 'read', true],
    ['SELECT row_count, found_rows FROM stats', 'read', true],
    ['SELECT SLEEP(1)', 'read', true],
    ['DO SLEEP(1)', 'read', true],
    ['SELECT NOW(), RAND(), UUID(), DATABASE()', 'read', true],
  ],
  'user and system variables': [
    ['select @x', 'session', false],
    ["SELECT @'x', @`y`", 'session', false],
    ['SELECT * FROM t WHERE a = @x', 'session', false],
    ['SELECT @x := 1', 'session', false, ['user variables']],
    ['SELECT@x:=1', 'session', false, ['user variables']],
    ['SELECT @`x` := 1', 'session', false, ['user variables']],
    ['SELECT @a.b := 1', 'session', false, ['user variables']],
    ['select @@session.sql_mode', 'session', false],
    ['SELECT @@sql_mode', 'session', false],
    ['SELECT @@local.sql_mode', 'session', false],
    ['SELECT @@server_id', 'session', false],
    ['select @@global.max_connections', 'read', true],
    ['SELECT @@GLOBAL.`max_connections`', 'read', true],
    ['SELECT @@version, @@version_comment, @@read_only', 'read', true],
    ['SELECT @@session.version', 'session', false],
  ],
  'WITH is classed by the statement after the CTEs': [
    ['WITH c AS (SELECT 1) SELECT * FROM c', 'read', true],
    [
      'WITH RECURSIVE c (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 5) SELECT * FROM c',
      'read',
      true,
    ],
    ['(WITH c AS (SELECT 1) SELECT * FROM c)', 'read', true],
    ["WITH c AS (SELECT 1) SELECT REPLACE(a, 'x', 'y'), INSERT(a, 1, 1, 'z') FROM c", 'read', true],
    ['WITH c AS (SELECT 1) DELETE FROM t', 'write', false],
    [
      'WITH c AS (SELECT id FROM t) UPDATE t SET a = 1 WHERE id IN (SELECT id FROM c)',
      'write',
      false,
    ],
    ['WITH c AS (SELECT 1) INSERT INTO t SELECT * FROM c', 'write', false],
    ['WITH c AS (SELECT * FROM t FOR UPDATE) SELECT * FROM c', 'write', false],
  ],
  'other reads': [
    ['SHOW TABLES', 'read', true],
    ['SHOW CREATE TABLE t', 'read', true],
    ['SHOW GLOBAL STATUS', 'read', true],
    ['SHOW FULL PROCESSLIST', 'read', true],
    ['SHOW ENGINE INNODB STATUS', 'read', true],
    ['DESCRIBE t', 'read', true],
    ['DESC t', 'read', true],
    ['EXPLAIN SELECT * FROM t', 'read', true],
    ['EXPLAIN FORMAT=JSON SELECT 1', 'read', true],
    ['EXPLAIN ANALYZE SELECT * FROM t', 'read', true],
    ['ANALYZE SELECT * FROM t', 'read', true],
    ["HELP 'contents'", 'read', true],
    ['CHECKSUM TABLE t', 'read', true],
    ['VALUES (1), (2)', 'read', true],
    ['TABLE t', 'read', true],
    ['DO 1 + 1', 'read', true],
    ["SELECT INSERT('abc', 1, 1, 'x'), REPLACE('abc', 'b', 'y')", 'read', true],
  ],
  "statements that read this session's own state": [
    ['SHOW WARNINGS', 'session', false],
    ['SHOW COUNT(*) ERRORS', 'session', false],
    ["SHOW VARIABLES LIKE 'sql_mode'", 'session', false],
    ['SHOW SESSION STATUS', 'session', false],
    ['SHOW PROFILES', 'session', false],
  ],
  'statements that run a write they name': [
    ['EXPLAIN ANALYZE DELETE FROM t WHERE a = 1', 'write', false],
    ['ANALYZE FORMAT=JSON DELETE FROM t', 'write', false],
    ['ANALYZE UPDATE t SET a = 1', 'write', false],
    // A plan only, but the classifier does not tell EXPLAIN from EXPLAIN ANALYZE (documented).
    ['EXPLAIN UPDATE t SET a = 1', 'write', false],
    ['ANALYZE TABLE t', 'write', false],
    ['ANALYZE NO_WRITE_TO_BINLOG TABLE t', 'write', false],
  ],
  writes: [
    ['INSERT INTO t VALUES (1)', 'write', false],
    ['insert into t select * from u', 'write', false],
    ['UPDATE t SET a = 1', 'write', false],
    ['DELETE FROM t', 'write', false],
    ['REPLACE INTO t VALUES (1)', 'write', false],
    ["LOAD DATA INFILE 'x' INTO TABLE t", 'write', false],
    ["LOAD DATA INFILE 'x' INTO TABLE t (@a) SET b = @a", 'write', false, ['user variables']],
    ['CALL p()', 'write', false, ['state set by stored code']],
    ['CALL p(@out)', 'write', false, ['user variables', 'state set by stored code']],
    ['CREATE TABLE t (a INT)', 'write', false],
    ['CREATE OR REPLACE TABLE t (a INT)', 'write', false],
    ['DROP TABLE t', 'write', false],
    ['ALTER TABLE t ADD b INT', 'write', false],
    ['TRUNCATE t', 'write', false],
    ['RENAME TABLE a TO b', 'write', false],
    ["GRANT SELECT ON db.* TO 'u'@'h'", 'write', false],
    ['CHECK TABLE t', 'write', false],
    ['FLUSH TABLES', 'write', false],
    ['FLUSH TABLES WITH READ LOCK', 'write', false, ['table locks']],
    ['KILL 42', 'write', false],
    ['START SLAVE', 'write', false],
    ['BEGIN NOT ATOMIC SELECT 1; END', 'write', false, ['state set by stored code']],
    ["EXECUTE IMMEDIATE 'DELETE FROM t'", 'write', false, ['state set by stored code']],
    ['SET GLOBAL max_connections = 10', 'write', false],
    ['SET @@global.max_connections = 10', 'write', false],
    ['SET PERSIST max_connections = 10', 'write', false],
    ['SET GLOBAL TRANSACTION ISOLATION LEVEL SERIALIZABLE', 'write', false],
    ["SET PASSWORD = 'x'", 'write', false],
    ['SET DEFAULT ROLE r TO u', 'write', false],
  ],
  transactions: [
    ['BEGIN', 'transaction', false],
    ['begin work', 'transaction', false],
    ['START TRANSACTION', 'transaction', false],
    ['START TRANSACTION READ ONLY', 'transaction', false],
    ['COMMIT', 'transaction', false],
    ['ROLLBACK', 'transaction', false],
    ['ROLLBACK TO SAVEPOINT s', 'transaction', false],
    ['SAVEPOINT s', 'transaction', false],
    ['RELEASE SAVEPOINT s', 'transaction', false],
    ["XA START 'x'", 'transaction', false, ['XA transaction']],
    ['SET autocommit = 0', 'transaction', false],
    ['SET @@autocommit = 1', 'transaction', false],
    ['SET SESSION autocommit = 1', 'transaction', false],
    ['SET `autocommit` = 0', 'transaction', false],
    [
      'SET TRANSACTION ISOLATION LEVEL READ COMMITTED',
      'transaction',
      false,
      ['transaction characteristics'],
    ],
    ['SET SESSION TRANSACTION READ ONLY', 'transaction', false, ['session variables']],
    ['SET autocommit = 0, @a = 1', 'transaction', false, ['user variables']],
  ],
  'session state': [
    ['SET @a = 1', 'session', false, ['user variables']],
    ['SET @a := 1, @b = 2', 'session', false, ['user variables']],
    ['SET NAMES utf8mb4', 'session', false, ['session variables']],
    ['SET NAMES utf8mb4 COLLATE utf8mb4_bin', 'session', false, ['session variables']],
    ['SET CHARACTER SET utf8', 'session', false, ['session variables']],
    ["SET time_zone = '+00:00'", 'session', false, ['session variables']],
    ["SET SESSION sql_mode = 'ANSI'", 'session', false, ['session variables']],
    ["SET @@session.sql_mode = ''", 'session', false, ['session variables']],
    [
      "SET sql_mode = (SELECT 'a,b'), @a = 1",
      'session',
      false,
      ['user variables', 'session variables'],
    ],
    ['SET ROLE ALL', 'session', false, ['active roles']],
    ['SET', 'session', false],
    ['USE shop', 'session', false, ['default database']],
    ["PREPARE s FROM 'SELECT 1'", 'session', false, ['prepared statements']],
    ['EXECUTE s', 'session', false, ['state set by stored code']],
    ['EXECUTE s USING @a', 'session', false, ['state set by stored code']],
    ['DEALLOCATE PREPARE s', 'session', false],
    ['DROP PREPARE s', 'session', false],
    ['LOCK TABLES t READ', 'session', false, ['table locks']],
    ['UNLOCK TABLES', 'session', false],
    ['BACKUP STAGE START', 'session', false, ['table locks']],
    ['CREATE TEMPORARY TABLE tmp (a INT)', 'session', false, ['temporary tables']],
    ['create or replace temporary table tmp select 1', 'session', false, ['temporary tables']],
    ['DROP TEMPORARY TABLE tmp', 'session', false],
    ['HANDLER t OPEN', 'session', false, ['table handlers']],
    ['GET DIAGNOSTICS @n = NUMBER', 'session', false, ['user variables']],
  ],
  'SET STATEMENT ... FOR is classed by its statement (MariaDB)': [
    ['SET STATEMENT max_statement_time = 5 FOR SELECT * FROM t', 'read', true],
    ['SET STATEMENT max_statement_time = 5, sql_mode = "" FOR SELECT 1', 'read', true],
    ['SET STATEMENT max_statement_time = 5 FOR DELETE FROM t', 'write', false],
    ['SET STATEMENT sql_mode = @m FOR SELECT 1', 'session', false],
    ['SET STATEMENT max_statement_time = 5', 'session', false],
  ],
  // Issue 12: a call of anything that is not a known built-in may run stored code that writes
  // or changes the session; the server does not say, so it is a write and the session is dirty.
  'calls of what may be stored code are writes that dirty the session': [
    ['SELECT my_function(1)', 'write', false, [STORED]],
    ['SELECT db.f()', 'write', false, [STORED]],
    ["SELECT db.concat('a')", 'write', false, [STORED]],
    ['SELECT `f`(1)', 'write', false, [STORED]],
    ['SELECT `concat`(1)', 'write', false, [STORED]],
    ['SELECT "f"(1)', 'write', false, [STORED]], // a name under ANSI_QUOTES
    ["SELECT 1concat('a')", 'write', false, [STORED]], // one name: 1concat
    ['SELECT a FROM t WHERE my_f(a) > 0', 'write', false, [STORED]],
    ['SELECT (SELECT my_f(a) FROM t)', 'write', false, [STORED]],
    ['SELECT (a), f(1) FROM t', 'write', false, [STORED]],
    ['SELECT JSON_TABLE(1)', 'write', false, [STORED]], // a table function only in FROM
    ["SELECT TRIM(LEADING 'x' FROM f(y))", 'write', false, [STORED]], // not a FROM list
    ['SELECT a FROM t ORDER BY a, json_table(b)', 'write', false, [STORED]],
    ['SELECT a FROM t UNION SELECT b, json_table(c) FROM u', 'write', false, [STORED]],
    ['SELECT POINT(1)', 'write', false, [STORED]], // POINT is built in with two arguments
    ['SELECT LINESTRING()', 'write', false, [STORED]],
    ['SELECT POINT(1, 2, 3)', 'write', false, [STORED]],
    ['SELECT POINT(1', 'write', false, [STORED]],
    ['DO my_f()', 'write', false, [STORED]],
    ['SHOW TABLES WHERE my_f(Tables_in_db)', 'write', false, [STORED]],
    ['EXPLAIN SELECT my_f(1)', 'write', false, [STORED]],
    ['SET @a = my_f()', 'write', false, ['user variables', STORED]],
    ['INSERT INTO t (a) VALUES (my_f(1))', 'write', false, [STORED]],
    ['UPDATE t SET a = my_f(b)', 'write', false, [STORED]],
    ['DELETE FROM t WHERE my_f(a)', 'write', false, [STORED]],
    ['CREATE TABLE t2 AS SELECT my_f(a) FROM t', 'write', false, [STORED]],
    ['WITH c AS (SELECT my_f(1) AS a) SELECT a FROM c', 'write', false, [STORED]],
    ['SELECT a FROM t WHERE a IN (SELECT my_f(b) FROM u)', 'write', false, [STORED]],
    ['SELECT ANY(1)', 'write', false, [STORED]], // not after a comparison
    ['SELECT NVL(a, 0) FROM t', 'write', false, [STORED]], // MariaDB's: see the flavor table
    ['SELECT ANY_VALUE(a) FROM t', 'write', false, [STORED]], // MySQL's
  ],
  'a name right before its parenthesis, where the servers ask for that': [
    ['SELECT COUNT(*) FROM t', 'read', true],
    ['SELECT COUNT (*) FROM t', 'write', false, [STORED]], // MySQL: a stored count()
    ['SELECT COUNT/* c */(*) FROM t', 'write', false, [STORED]], // MariaDB too
    ['SELECT NOW (), SUM (a) FROM t', 'write', false, [STORED]],
    ["SELECT CONCAT ('a', 'b'), ABS /* c */ (1)", 'read', true], // not sensitive to spaces
  ],
  'names before a parenthesis that are not calls': [
    ['SELECT * FROM t WHERE a IN (1, 2) AND NOT (b) OR EXISTS (SELECT 1)', 'read', true],
    ['SELECT * FROM a JOIN b USING (id) JOIN c ON (c.id = a.id)', 'read', true],
    ['SELECT ROW_NUMBER() OVER (PARTITION BY a ORDER BY b) FROM t', 'read', true],
    ['SELECT SUM(x) OVER w FROM t WINDOW w AS (ORDER BY y)', 'read', true],
    ['WITH c (a, b) AS (SELECT 1, 2) SELECT * FROM c', 'read', true],
    [
      'WITH RECURSIVE c (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 3), d (m) AS (SELECT 2) SELECT * FROM c, d',
      'read',
      true,
    ],
    ['WITH `c` (a) AS (SELECT 1) SELECT * FROM c', 'read', true],
    [
      'SELECT CAST(a AS CHAR(10)), CAST(b AS DECIMAL(10, 2)), CONVERT(c, CHAR(3)) FROM t',
      'read',
      true,
    ],
    ["SELECT WEIGHT_STRING('ab' AS CHAR(4)), CHAR(65 USING utf8mb4)", 'read', true],
    ['SELECT * FROM t USE INDEX (i) FORCE INDEX FOR JOIN (j) IGNORE KEY (k)', 'read', true],
    ['SELECT * FROM t PARTITION (p0, p1)', 'read', true],
    ["SELECT MATCH (a, b) AGAINST ('x' IN BOOLEAN MODE) FROM t", 'read', true],
    [
      "SELECT * FROM JSON_TABLE('[1]', '$[*]' COLUMNS (id FOR ORDINALITY, v VARCHAR(10) PATH '$', NESTED PATH '$.n[*]' COLUMNS (w INT PATH '$'))) AS jt",
      'read',
      true,
    ],
    ["SELECT * FROM t, JSON_TABLE(t.j, '$' COLUMNS (a INT PATH '$.a')) jt", 'read', true],
    ["SELECT * FROM t JOIN JSON_TABLE(t.j, '$' COLUMNS (a INT PATH '$.a')) jt ON 1", 'read', true],
    ['SELECT * FROM (SELECT 1 AS a) AS dt (x)', 'read', true],
    ['SELECT * FROM (SELECT 1 AS a) dt (x)', 'read', true],
    ['SELECT * FROM t WHERE a = ANY (SELECT b FROM u) OR a < SOME (SELECT c FROM u)', 'read', true],
    ['SELECT a FROM t PROCEDURE ANALYSE()', 'read', true],
    [
      'SELECT POINT(1, 2), POINT(POINT(1, 2), 3), LINESTRING(POINT(0, 0), POINT(1, 1))',
      'read',
      true,
    ],
    ["SELECT GROUP_CONCAT(a ORDER BY b SEPARATOR ',') FROM t GROUP BY c", 'read', true],
    [
      "SELECT EXTRACT(YEAR FROM d), POSITION('a' IN b), SUBSTRING(s FROM 2 FOR 3) FROM t",
      'read',
      true,
    ],
    [
      'SELECT TIMESTAMPADD(MINUTE, 1, d), DATE_ADD(d, INTERVAL (1 + 1) DAY), INTERVAL(5, 1, 10)',
      'read',
      true,
    ],
    ["SELECT JSON_VALUE(j, '$.a'), JSON_OBJECT('a', 1), JSON_ARRAYAGG(a) FROM t", 'read', true],
    ['SELECT * FROM t WHERE (a, b) IN ((1, 2)) AND ROW(a, b) = ROW(1, 2)', 'read', true],
    ['(SELECT 1) UNION ALL (SELECT 2) UNION DISTINCT (SELECT 3)', 'read', true],
    ['SELECT CASE WHEN (a) THEN (b) ELSE (c) END FROM t', 'read', true],
    ['SELECT t.count, get_lock, `date` FROM t', 'read', true],
    ["SELECT x'41', 0x41, b'1', 0b1, 1e5, 1.5e3, .5", 'read', true],
    ['VALUES ROW(1, 2), ROW(3, 4)', 'read', true],
    ['SELECT(1)', 'read', true],
    ['INSERT INTO t (a, b) VALUES (1, 2)', 'write', false],
    ['INSERT IGNORE INTO db.t (a) VALUES (1)', 'write', false],
    ['INSERT LOW_PRIORITY t (a) VALUE (1)', 'write', false],
    ['INSERT INTO `t` (a) SELECT a FROM u', 'write', false],
    ['REPLACE INTO t (a) VALUES (1)', 'write', false],
    ['INSERT INTO t (a) VALUES (1) AS new (x) ON DUPLICATE KEY UPDATE a = new.x', 'write', false],
    ['INSERT INTO t (a) VALUES (1) ON DUPLICATE KEY UPDATE a = VALUES(a)', 'write', false],
    ['INSERT INTO t PARTITION (p0) (a) VALUES (1)', 'write', false],
    [
      'CREATE TABLE t (a INT(11), b VARCHAR(10), c ENUM(1), KEY k (a), PRIMARY KEY (a), FOREIGN KEY (b) REFERENCES p (id)) ENGINE=InnoDB',
      'write',
      false,
    ],
    ['CREATE INDEX i ON t (a)', 'write', false],
    ['CREATE VIEW v (a) AS SELECT 1', 'write', false],
    ['ALTER TABLE t ADD INDEX i (a), ADD COLUMN c DECIMAL(10, 2)', 'write', false],
    ['CREATE FUNCTION f(x INT) RETURNS INT RETURN g(x)', 'write', false],
    ['GRANT SELECT (a), INSERT (a), UPDATE (a) ON t TO u', 'write', false],
  ],
  // Found by the differential fuzz (test/integration/sql-classifier-fuzz.test.ts, seed 12019)
  // run against the classifier before issue 12: each changed rows or the session on MariaDB
  // while classified read-only, or left an effect the classifier did not report.
  'regressions found by the differential fuzz': [
    ['SELECT CAST(FZ_WRITE_INNO (2) AS CHAR(3))', 'write', false, [STORED]],
    ['SELECT 1--1, fz_sysvar/* c */()', 'write', false, [STORED]],
    ["SELECT INSERT(goneaway.fz_lock(7), 1, 1, 'x')", 'write', false, [STORED]],
    [
      'SELECT @@global.max_connections FROM fz_view WHERE goneaway.fz_next() IS NOT NULL',
      'write',
      false,
      [STORED],
    ],
    [
      'SELECT ROW_NUMBER() OVER (ORDER BY fz_lock/* c */(2)) FROM fz_inno',
      'write',
      false,
      [STORED],
    ],
    ["SELECT 'it\\'s', fz_lock(1)", 'write', false, [STORED]],
    ['SET sql_select_limit = (SELECT FZ_LOCK (5))', 'write', false, ['session variables', STORED]],
    ['-- c\nSELECT 1, /*!FZ_LOCK (7), */ 2# c\n', 'write', false, [STORED]],
    ['CALL fz_proc_tmp()', 'write', false, [STORED]],
    ['FLUSH TABLES fz_inno FOR EXPORT', 'write', false, ['table locks']],
    [
      'SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED',
      'transaction',
      false,
      ['session variables'],
    ],
  ],
  'statements whose effects the server does not report': [
    ['SET TRANSACTION READ ONLY', 'transaction', false, ['transaction characteristics']],
    [
      'SET LOCAL TRANSACTION ISOLATION LEVEL SERIALIZABLE',
      'transaction',
      false,
      ['session variables'],
    ],
    ['FLUSH TABLES t WITH READ LOCK', 'write', false, ['table locks']],
    ["XA BEGIN 'x'", 'transaction', false, ['XA transaction']],
    ["XA END 'x'", 'transaction', false, ['XA transaction']],
    ["XA PREPARE 'x'", 'transaction', false, ['XA transaction']],
    ["XA COMMIT 'x'", 'transaction', false],
    ["XA ROLLBACK 'x'", 'transaction', false],
    ['XA RECOVER', 'transaction', false],
  ],
};

const allCases = Object.values(cases).flat();

for (const [group, rows] of Object.entries(cases)) {
  describe(group, () => {
    for (const [sql, category, retrySafe, effects = []] of rows) {
      test(`${JSON.stringify(sql)} is ${category}${retrySafe ? ', retry-safe' : ''}`, () => {
        const info = classifyStatement(sql);
        assert.deepEqual(
          {
            category: info.category,
            retrySafe: info.retrySafe,
            sessionEffects: info.sessionEffects,
          },
          { category, retrySafe, sessionEffects: effects },
          `reason given: ${info.reason}`,
        );
      });
    }
  });
}

describe('the answer as a whole', () => {
  test('the table is large and every row is distinct', () => {
    assert.ok(allCases.length >= 200, `${allCases.length} cases`);
    assert.equal(new Set(allCases.map(([sql]) => sql)).size, allCases.length);
  });

  test('retry-safe exactly when the category is read, and a reason is always given', () => {
    for (const [sql] of allCases) {
      const info = classifyStatement(sql);
      assert.equal(info.retrySafe, info.category === 'read', sql);
      assert.ok(info.reason.length > 0, sql);
    }
  });

  test('the keyword is the first word, upper-case, after comments and parentheses', () => {
    const keywords: readonly [string, string][] = [
      ['select 1', 'SELECT'],
      ['  /* c */ -- d\n ((select 1))', 'SELECT'],
      ['with c as (select 1) delete from t', 'WITH'],
      ['/*!40101 SET NAMES utf8 */', 'SET'],
      ['SET STATEMENT max_statement_time = 1 FOR SELECT 1', 'SET'],
      ['frobnicate', 'FROBNICATE'],
      ['SELECT 1; DELETE FROM t', 'SELECT'],
      ['', ''],
      ['42', ''],
    ];
    for (const [sql, keyword] of keywords)
      assert.equal(classifyStatement(sql).keyword, keyword, sql);
  });

  test('reasons name what made the statement unsafe', () => {
    const reasons: readonly [string, RegExp][] = [
      ['SELECT 1', /read-only SELECT/],
      ['SELECT * FROM t FOR UPDATE', /FOR UPDATE/],
      ['SELECT * FROM t LOCK IN SHARE MODE', /LOCK IN SHARE MODE/],
      ['SELECT 1; SELECT 2', /several statements/],
      ['SELECT /*!1 */ 1', /executable comment/],
      ['SELECT LAST_INSERT_ID()', /LAST_INSERT_ID\(\).*session/],
      ['WITH c AS (SELECT 1) DELETE FROM t', /DELETE/],
      ["SELECT 'a\\'; DELETE FROM t; -- '", /NO_BACKSLASH_ESCAPES/],
      ['SET GLOBAL x = 1', /server-wide/],
      ['frobnicate', /FROBNICATE is not known to be read-only/],
    ];
    for (const [sql, reason] of reasons) assert.match(classifyStatement(sql).reason, reason, sql);
  });

  test('comments in front change nothing', () => {
    for (const [sql] of allCases) {
      const expected = classifyStatement(sql);
      for (const prefix of ['/* note */ ', '-- note\n', '# note\n', ' \r\n\t']) {
        const info = classifyStatement(prefix + sql);
        assert.deepEqual(
          [info.category, info.sessionEffects, info.keyword],
          [expected.category, expected.sessionEffects, expected.keyword],
          prefix + sql,
        );
      }
    }
  });

  test('keywords match in any letter case', () => {
    // Only rows without quoted text or /*M!, whose meaning does not depend on letter case.
    const caseFree = allCases.filter(([sql]) => !/['"`]|\/\*M!/.test(sql));
    assert.ok(caseFree.length > 100);
    for (const [sql] of caseFree) {
      const expected = classifyStatement(sql);
      for (const variant of [sql.toLowerCase(), sql.toUpperCase()]) {
        assert.equal(classifyStatement(variant).category, expected.category, variant);
      }
    }
  });

  test('no retry-safe statement stays retry-safe with a second statement after it', () => {
    for (const [sql] of allCases) {
      if (!classifyStatement(sql).retrySafe) continue;
      // The newline ends any trailing line comment, so the DELETE is real.
      const joined = `${sql}\n; DELETE FROM t`;
      assert.equal(classifyStatement(joined).retrySafe, false, joined);
    }
  });

  test('a repeated text gets one shared frozen answer; texts sharing a cache slot get their own', () => {
    // Kept on the second sight, then shared: frozen.
    classifyStatement('SELECT * FROM t WHERE id = ?');
    const kept = classifyStatement('SELECT * FROM t WHERE id = ?');
    assert.equal(classifyStatement('SELECT * FROM t WHERE id = ?'), kept);
    assert.ok(Object.isFrozen(kept));
    classifyStatement("SELECT GET_LOCK('a', 0)");
    assert.ok(Object.isFrozen(classifyStatement("SELECT GET_LOCK('a', 0)").namedLocks));
    // Same length, same middle and last character: the same slot of the cache.
    for (let i = 0; i < 3; i++) {
      assert.equal(classifyStatement('SELECT 1 FROM a').category, 'read');
      assert.equal(classifyStatement('DELETE 1 FROM a').category, 'write');
    }
    // One cache per server flavour: the same text answers differently.
    assert.equal(classifyStatement('SELECT NVL(a, 1) FROM t', 'mariadb').retrySafe, true);
    assert.equal(classifyStatement('SELECT NVL(a, 1) FROM t', 'mysql').retrySafe, false);
    assert.equal(classifyStatement('SELECT NVL(a, 1) FROM t').retrySafe, false);
  });

  test('the result is safe to share: the effect list is frozen', () => {
    const effects = classifyStatement('SET @a = 1').sessionEffects;
    assert.ok(Object.isFrozen(effects));
    assert.ok(Object.isFrozen(classifyStatement('SELECT 1').sessionEffects));
  });
});

describe('what a statement does to a transaction', () => {
  const rows: readonly [string, TransactionControl][] = [
    ['SELECT 1', 'none'],
    ['BEGIN', 'begin'],
    ['begin work', 'begin'],
    ['START TRANSACTION READ ONLY', 'begin'],
    ['START TRANSACTION WITH CONSISTENT SNAPSHOT, READ WRITE', 'begin'],
    ['BEGIN NOT ATOMIC SELECT 1; END', 'none'],
    ['START SLAVE', 'none'],
    ['COMMIT', 'commit'],
    ['commit work;', 'commit'],
    ['/* app */ COMMIT', 'commit'],
    ['COMMIT AND NO CHAIN', 'commit'],
    ['COMMIT NO RELEASE', 'commit'],
    ['COMMIT WORK AND CHAIN', 'commit-and-chain'],
    ['COMMIT AND CHAIN NO RELEASE', 'commit-and-chain'],
    ['COMMIT RELEASE', 'commit-and-release'],
    ['COMMIT AND NO CHAIN RELEASE', 'commit-and-release'],
    ['ROLLBACK', 'rollback'],
    ['ROLLBACK WORK AND NO CHAIN NO RELEASE', 'rollback'],
    ['ROLLBACK AND CHAIN', 'rollback-and-chain'],
    ['ROLLBACK RELEASE', 'rollback-and-release'],
    ['ROLLBACK TO SAVEPOINT s', 'rollback-to-savepoint'],
    ['ROLLBACK WORK TO s', 'rollback-to-savepoint'],
    ['SAVEPOINT s', 'savepoint'],
    ['RELEASE SAVEPOINT s', 'release-savepoint'],
    ['SET TRANSACTION ISOLATION LEVEL SERIALIZABLE', 'set-next-characteristics'],
    ['/* orm */ SET TRANSACTION READ ONLY', 'set-next-characteristics'],
    ['SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED', 'set-session-characteristics'],
    ['SET GLOBAL TRANSACTION ISOLATION LEVEL READ COMMITTED', 'none'],
    ['SET autocommit = 0', 'autocommit'],
    ['SET @@session.autocommit = 1', 'autocommit'],
    ["XA START 'x'", 'xa-start'],
    ["XA BEGIN 'x'", 'xa-start'],
    ["XA END 'x'", 'xa-end'],
    ["XA PREPARE 'x'", 'xa-prepare'],
    ["XA COMMIT 'x' ONE PHASE", 'xa-commit'],
    ["XA ROLLBACK 'x'", 'xa-rollback'],
    ['XA RECOVER', 'xa-recover'],
    // Several statements: the first one's (such a text never reaches a server from goneaway).
    ['COMMIT; SELECT 1', 'commit'],
    ['SELECT 1; COMMIT', 'none'],
    ['/*!40101 COMMIT */', 'commit'],
  ];
  for (const [sql, transaction] of rows) {
    test(`${JSON.stringify(sql)} is ${transaction}`, () => {
      assert.equal(classifyStatement(sql).transaction, transaction);
    });
  }

  test('the questions callers ask have one answer each', () => {
    assert.ok(commitsTransaction('commit') && commitsTransaction('commit-and-chain'));
    assert.ok(commitsTransaction('commit-and-release') && commitsTransaction('xa-commit'));
    assert.ok(!commitsTransaction('rollback') && !commitsTransaction('none'));
    assert.ok(
      endsTransaction('rollback') && endsTransaction('commit') && endsTransaction('xa-rollback'),
    );
    assert.ok(!endsTransaction('rollback-to-savepoint') && !endsTransaction('savepoint'));
    assert.ok(opensTransaction('begin') && opensTransaction('xa-start'));
    assert.ok(!opensTransaction('set-next-characteristics') && !opensTransaction('commit'));
  });
});

describe('named locks: acquire and release are told apart', () => {
  const rows: readonly [string, readonly NamedLockAction[]][] = [
    ['SELECT 1', []],
    ["SELECT GET_LOCK('a', 0)", ['acquire']],
    ["DO GET_LOCK('a', 0), GET_LOCK('b', 0)", ['acquire', 'acquire']],
    ["SELECT RELEASE_LOCK('a')", ['release']],
    ['SELECT RELEASE_ALL_LOCKS()', ['release-all']],
    ["SELECT RELEASE_LOCK('a'), GET_LOCK('b', 0)", ['release', 'acquire']],
    ["SELECT IS_FREE_LOCK('a'), IS_USED_LOCK('a')", []],
    ["SELECT service_get_write_locks('ns', 'a', 0)", ['acquire']],
    ['SELECT get_lock FROM t', []],
  ];
  for (const [sql, locks] of rows) {
    test(`${JSON.stringify(sql)}: ${JSON.stringify(locks)}`, () => {
      const info = classifyStatement(sql);
      assert.deepEqual(info.namedLocks, locks);
      // Only an acquire leaves a lock the next caller would inherit.
      assert.equal(info.sessionEffects.includes('named locks'), locks.includes('acquire'));
    });
  }
});

describe('statement count', () => {
  const rows: readonly [string, number][] = [
    ['', 0],
    ['/* nothing */', 0],
    [';', 0],
    ['SELECT 1', 1],
    ['SELECT 1;', 1],
    ['SET STATEMENT max_statement_time = 1 FOR SELECT 1', 1],
    ['SELECT 1; SELECT 2', 2],
    ['SELECT 1;; SELECT 2;', 2],
    ["SELECT ';'", 1],
  ];
  for (const [sql, count] of rows) {
    test(`${JSON.stringify(sql)} holds ${count}`, () => {
      assert.equal(classifyStatement(sql).statementCount, count);
    });
  }
});

describe('a function only one server has built in is a built-in only there', () => {
  const rows: readonly [string, Flavor | undefined, boolean][] = [
    ['SELECT NVL(a, 0) FROM t', 'mariadb', true],
    ['SELECT NVL(a, 0) FROM t', 'mysql', false],
    ['SELECT NVL(a, 0) FROM t', undefined, false],
    ['SELECT ANY_VALUE(a) FROM t', 'mysql', true],
    ['SELECT ANY_VALUE(a) FROM t', 'mariadb', false],
    ['SELECT PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY a) OVER () FROM t', 'mariadb', true],
    ['SELECT PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY a) OVER () FROM t', undefined, false],
    ['SELECT * FROM t, LATERAL (SELECT 1) AS l', 'mysql', true],
    ['SELECT * FROM t, LATERAL (SELECT 1) AS l', undefined, true], // after a comma of FROM
    ["SELECT JSON_TABLE('[]', '$' COLUMNS (a INT PATH '$'))", 'mysql', true], // reserved there
    ["SELECT JSON_TABLE('[]', '$' COLUMNS (a INT PATH '$'))", 'mariadb', false],
    ['SELECT COUNT(*) FROM t', 'mariadb', true],
    ['SELECT my_f(1)', 'mariadb', false],
    ['SELECT my_f(1)', 'mysql', false],
  ];
  for (const [sql, flavor, retrySafe] of rows) {
    test(`${JSON.stringify(sql)} on ${flavor ?? 'an unknown server'}: ${retrySafe ? 'built in' : 'may be stored code'}`, () => {
      const info = classifyStatement(sql, flavor);
      assert.equal(info.retrySafe, retrySafe, info.reason);
      assert.equal(info.sessionEffects.includes('state set by stored code'), !retrySafe);
    });
  }
});

describe('one linear scan', () => {
  // Inputs built to trip backtracking or rescanning; a quadratic scan of 200 000 characters
  // takes many seconds, a linear one a few milliseconds.
  const size = 200_000;
  const inputs: readonly [string, string][] = [
    ['nested parentheses', `SELECT ${'('.repeat(size)}1`],
    ['an unterminated string of backslashes', `SELECT '${'\\'.repeat(size)}`],
    ['an unterminated string of doubled quotes', `SELECT '${"''".repeat(size / 2)}`],
    ['many comment openers', `SELECT ${'/*'.repeat(size / 2)}`],
    ['many dashes', `SELECT ${'-'.repeat(size)}`],
    ['many at signs', `SELECT ${'@'.repeat(size)}`],
    ['many executable comment openers', `SELECT ${'/*!'.repeat(size / 3)}`],
    ['a long list of columns', `SELECT ${'a, '.repeat(size / 3)}b FROM t`],
    ['many statements', 'SELECT 1;'.repeat(size / 9)],
    ['one long word', `SELECT ${'x'.repeat(size)}`],
    ['nested calls counted by argument', `SELECT ${'POINT('.repeat(size / 6)}1`],
    ['many calls', `SELECT ${'f(1), '.repeat(size / 6)}1`],
    ['many CTEs', `WITH ${'c AS (SELECT 1), '.repeat(size / 20)}d AS (SELECT 1) SELECT 1`],
  ];
  for (const [name, sql] of inputs) {
    test(`${name} (${sql.length} characters) is classified within 500 ms`, () => {
      const started = performance.now();
      const info = classifyStatement(sql);
      const elapsedMs = performance.now() - started;
      assert.ok(elapsedMs < 500, `${elapsedMs.toFixed(1)} ms`);
      assert.equal(typeof info.retrySafe, 'boolean');
    });
  }
});
