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
      '/* x */ SET time_zone = 1',
    ]) {
      assert.equal(isSessionSetting(sql), false, sql);
    }
  });
});
