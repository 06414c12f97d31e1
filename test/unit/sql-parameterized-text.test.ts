/** The statement text telemetry may export: every literal replaced by `?`, comments dropped. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parameterizedText } from '../../src/sql/parameterized-text.js';

describe('parameterizedText', () => {
  const cases: [string, string][] = [
    ['SELECT * FROM t WHERE id = ?', 'SELECT * FROM t WHERE id = ?'],
    [
      "SELECT * FROM user WHERE email = 'a@b.c' AND id > 10",
      'SELECT * FROM user WHERE email = ? AND id > ?',
    ],
    ["SELECT \"double\" , 'it''s', 'back\\'slash'", 'SELECT ? , ?, ?'],
    [
      "SELECT X'ff', x'00', B'01', N'text', _utf8mb4'café', 0xff, 0b101",
      'SELECT ?, ?, ?, ?, ?, ?, ?',
    ],
    ['SELECT 1.5e-3, .5, -2, t1.c2 FROM t1', 'SELECT ?, ?, -?, t1.c2 FROM t1'],
    ["SELECT `weird ``name' 1` FROM `t`", "SELECT `weird ``name' 1` FROM `t`"],
    [
      "SELECT 1 /* secret 'x' */ FROM t -- trailing 42\nWHERE a = 'b' # more",
      'SELECT ?   FROM t \nWHERE a = ? ',
    ],
    ["SELECT /*!50700 SQL_NO_CACHE 'v' */ a FROM t", 'SELECT /*!50700 SQL_NO_CACHE ? */ a FROM t'],
    ['INSERT INTO t (a, b) VALUES (:a, :b)', 'INSERT INTO t (a, b) VALUES (:a, :b)'],
    ["SELECT 'unterminated", 'SELECT ?'],
    ['UPDATE t SET n = n-1 WHERE id=3', 'UPDATE t SET n = n-? WHERE id=?'],
  ];
  for (const [sql, expected] of cases) {
    test(JSON.stringify(sql), () => assert.equal(parameterizedText(sql), expected));
  }

  test('no character of a literal survives, whatever the quoting', () => {
    const secret = 'Zq7-secret';
    for (const sql of [
      `SELECT '${secret}'`,
      `SELECT "${secret}"`,
      `SELECT X'${secret}'`,
      `SELECT 'a\\'${secret}'`,
      `SELECT 'a''${secret}'`,
      `SELECT 1 /* ${secret} */`,
      `SELECT 1 -- ${secret}`,
      `SELECT 1 # ${secret}`,
    ]) {
      assert.ok(!parameterizedText(sql).includes(secret), sql);
    }
  });
});
