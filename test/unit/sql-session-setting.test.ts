import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isSessionSetting } from '../../src/sql/session-setting.js';

describe('session settings a standalone connection replays on reconnect', () => {
  test('assignments of session variables to constants are settings', () => {
    for (const sql of [
      "SET time_zone = '+00:00'",
      'SET NAMES utf8mb4',
      "SET NAMES 'utf8mb4' COLLATE 'utf8mb4_unicode_ci'",
      'SET CHARACTER SET utf8mb4',
      "SET SESSION sql_mode = 'STRICT_ALL_TABLES'",
      'SET @@session.wait_timeout = 600',
      'SET @@max_execution_time := 1000',
      "set time_zone = '+00:00', SESSION sql_mode = 'ANSI';",
      "SET sql_mode = 'it''s'",
      'SET LOCAL innodb_lock_wait_timeout = 5',
      'SET sql_select_limit = -1',
      'SET time_zone = DEFAULT',
      // A comment in front changes nothing (the statement is replayed as sent).
      '/* x */ SET time_zone = 1',
      '-- x\nSET NAMES utf8mb4 COLLATE utf8mb4_bin',
    ]) {
      assert.equal(isSessionSetting(sql), true, sql);
    }
  });

  test('anything else is ordinary session state', () => {
    for (const sql of [
      'SET @total = 0',
      'SET GLOBAL wait_timeout = 10',
      'SET @@GLOBAL.wait_timeout = 10',
      'SET autocommit = 0',
      "SET time_zone = '+00:00', autocommit = 0",
      'SET TRANSACTION ISOLATION LEVEL SERIALIZABLE',
      'SET SESSION TRANSACTION ISOLATION LEVEL SERIALIZABLE',
      'SET time_zone = (SELECT tz FROM config)',
      'SET time_zone = ?',
      "SET time_zone = '+00:00'; DROP TABLE t",
      'SELECT 1',
      // The same words read by the one lexer: an executable comment is code, a quote hides a ;
      '/*!40101 SET time_zone = 1 */',
      "SET time_zone = '+00:00' ; SET @a = 1",
      "SET PASSWORD = 'x'",
      "SET PASSWORD FOR u = PASSWORD('x')",
      'SET ROLE admin',
      'SET STATEMENT max_statement_time = 1 FOR SELECT 1',
      "SET sql_mode = CONCAT(@@sql_mode, ',ANSI')",
      'SET time_zone = @tz',
      'SET time_zone = t.c',
      'SET time_zone = utc(1)',
      'SET NAMES',
      'SET time_zone',
      'SET time_zone = ',
      "SET time_zone = 'x' 'y'",
    ]) {
      assert.equal(isSessionSetting(sql), false, sql);
    }
  });
});
