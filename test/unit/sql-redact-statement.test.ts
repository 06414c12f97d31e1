import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type LiteralDisplay, redactStatement } from '../../src/sql/redact-statement.js';

/** [statement, level, what is shown]. Each secret below is a word that must not survive. */
const cases: readonly [string, LiteralDisplay, string][] = [
  // The default hides every literal, whatever the statement.
  [
    "SELECT * FROM users WHERE email = 'ann@example.com'",
    'hide',
    "SELECT * FROM users WHERE email = '***'",
  ],
  [
    "SELECT \"dq\", x'4142', 0x4142, b'01', 0b01, N'n', 42",
    'hide',
    "SELECT \"***\", x'***', 0x***, b'***', 0b***, N'***', 42",
  ],
  [
    "CREATE USER 'u'@'%' IDENTIFIED BY 'S3cretCred'",
    'hide',
    "CREATE USER '***'@'***' IDENTIFIED BY '***'",
  ],
  ['CREATE USER u IDENTIFIED BY "S3cretCred"', 'hide', 'CREATE USER u IDENTIFIED BY "***"'],
  ["SELECT 'it''s', 'a\\'S3cretCred'", 'hide', "SELECT '***', '***'"],
  // A quote inside a comment does not pair with a literal's quote.
  ["SELECT /* it's */ 'S3cretCred' -- don't\n, 1", 'hide', "SELECT /* *** */ '***' -- ***\n, 1"],
  ["SELECT 1 # it's S3cretCred\n, 'x'", 'hide', "SELECT 1 # ***\n, '***'"],
  ["SELECT /*+ SET_VAR(sql_mode='S3cretCred') */ 1", 'hide', 'SELECT /*+ *** */ 1'],
  // Executable comments are code: their literals are literals.
  ["/*!40101 SET @x = 'S3cretCred' */", 'hide', "/*!40101 SET @x = '***' */"],
  // Cut off mid-literal (a truncated processlist row, a typo): blank to the end.
  ["ALTER USER u IDENTIFIED BY 'S3cretCre", 'hide', "ALTER USER u IDENTIFIED BY '***'"],
  ['SELECT 1 /* S3cretCred', 'hide', 'SELECT 1 /* *** */'],
  // Shown on request, except secrets: everything after a secret's marker in its statement.
  ["SELECT name FROM t WHERE id = 'a'", 'secrets', "SELECT name FROM t WHERE id = 'a'"],
  [
    "CREATE USER 'u'@'%' IDENTIFIED BY 'S3cretCred'",
    'secrets',
    "CREATE USER 'u'@'%' IDENTIFIED BY '***'",
  ],
  ['CREATE USER u IDENTIFIED BY "S3cretCred"', 'secrets', 'CREATE USER u IDENTIFIED BY "***"'],
  [
    "CREATE USER u IDENTIFIED BY PASSWORD '*94BDCEBE19083CE2A1F959FD02F964C7AF4CFC29'",
    'secrets',
    "CREATE USER u IDENTIFIED BY PASSWORD '***'",
  ],
  [
    "ALTER USER u IDENTIFIED WITH caching_sha2_password BY 'S3cretCred'",
    'secrets',
    "ALTER USER u IDENTIFIED WITH caching_sha2_password BY '***'",
  ],
  [
    "ALTER USER u IDENTIFIED VIA ed25519 USING PASSWORD('S3cretCred')",
    'secrets',
    "ALTER USER u IDENTIFIED VIA ed25519 USING PASSWORD('***')",
  ],
  ["SET PASSWORD = 'S3cretCred'", 'secrets', "SET PASSWORD = '***'"],
  [
    "SET PASSWORD FOR 'u'@'h' = PASSWORD('S3cretCred')",
    'secrets',
    "SET PASSWORD FOR '***'@'***' = PASSWORD('***')",
  ],
  [
    "CREATE SERVER s FOREIGN DATA WRAPPER mysql OPTIONS (USER 'u', PASSWORD 'S3cretCred')",
    'secrets',
    "CREATE SERVER s FOREIGN DATA WRAPPER mysql OPTIONS (USER 'u', PASSWORD '***')",
  ],
  [
    "CHANGE MASTER TO MASTER_HOST = 'h', MASTER_PASSWORD = 'S3cretCred'",
    'secrets',
    "CHANGE MASTER TO MASTER_HOST = 'h', MASTER_PASSWORD = '***'",
  ],
  [
    "CHANGE REPLICATION SOURCE TO SOURCE_PASSWORD='S3cretCred'",
    'secrets',
    "CHANGE REPLICATION SOURCE TO SOURCE_PASSWORD='***'",
  ],
  [
    "SELECT AES_ENCRYPT('data', 'S3cretCred'), AES_DECRYPT(c, UNHEX('S3cretCred'))",
    'secrets',
    "SELECT AES_ENCRYPT('***', '***'), AES_DECRYPT(c, UNHEX('***'))",
  ],
  ["SET @db_password = 'S3cretCred'", 'secrets', "SET @db_password = '***'"],
  [
    "UPDATE users SET password_hash = 'S3cretCred' WHERE id = 'a'",
    'secrets',
    "UPDATE users SET password_hash = '***' WHERE id = '***'",
  ],
  // The secret ends with its statement.
  [
    "SET PASSWORD = 'S3cretCred'; SELECT 'shown'",
    'secrets',
    "SET PASSWORD = '***'; SELECT 'shown'",
  ],
  // A comment that quotes cannot end the secret early.
  [
    "ALTER USER u IDENTIFIED BY /* ' */ 'S3cretCred'",
    'secrets',
    "ALTER USER u IDENTIFIED BY /* ' */ '***'",
  ],
  ["ALTER USER u IDENTIFIED BY 'S3cretCre", 'secrets', "ALTER USER u IDENTIFIED BY '***'"],
];

describe('statement text made safe to show', () => {
  for (const [sql, level, shown] of cases) {
    test(`${level}: ${JSON.stringify(sql)}`, () => {
      const out = redactStatement(sql, level);
      assert.equal(out, shown);
      assert.ok(!out.includes('S3cretCre'), out);
    });
  }
});
