import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  EMPTY_VOCABULARY,
  OTHER_QUOTINGS,
  SqlLexer,
  type TokenKind,
  Vocabulary,
} from '../../src/sql/sql-lexer.js';
import { statementKeyword } from '../../src/sql/statement-keyword.js';

/** Every token as `kind:text`. */
function tokens(sql: string, options: { comments?: boolean } = {}): string[] {
  const lexer = new SqlLexer(sql, EMPTY_VOCABULARY, undefined, options);
  const out: string[] = [];
  for (let kind: TokenKind = lexer.next(); kind !== 'end'; kind = lexer.next()) {
    out.push(`${kind}:${lexer.text()}`);
  }
  return out;
}

describe('the SQL lexer reads text as the server does', () => {
  const rows: readonly [string, readonly string[]][] = [
    ['SELECT a FROM t', ['word:SELECT', 'word:a', 'word:FROM', 'word:t']],
    ["'it''s' \"a\\\"b\" `c``d`", ["string:'it''s'", 'string:"a\\"b"', 'quoted-identifier:`c``d`']],
    ['1--1', ['number:1', 'punctuation:-', 'punctuation:-', 'number:1']],
    ['1 -- c\n2', ['number:1', 'number:2']],
    ['1 #c\n2 /* c */ 3', ['number:1', 'number:2', 'number:3']],
    ['/*!40101 SET */ /*M!100100 x */', ['word:SET', 'word:x']],
    ['1.5INTO', ['number:1.5', 'word:INTO']],
    ['1e5 1E+5x 1.5e-3', ['number:1e5', 'number:1E+5', 'word:x', 'number:1.5e-3']],
    // A run of digits and letters is one name (the server calls 1concat, not 1 and concat).
    ['1concat 12abc', ['word:1concat', 'word:12abc']],
    [
      '0x1F 0b101 0xZZ 0X1F 0b2',
      ['hex-number:0x1F', 'hex-number:0b101', 'word:0xZZ', 'word:0X1F', 'word:0b2'],
    ],
    [
      "x'41' b'01' N'a'",
      ['word:x', "string:'41'", 'word:b', "string:'01'", 'word:N', "string:'a'"],
    ],
    [
      '@a @`b c` @@x @@session.y @@GLOBAL.`z`',
      [
        'user-variable:@a',
        'user-variable:@`b c`',
        'system-variable:@@x',
        'system-variable:@@session.y',
        'system-variable:@@GLOBAL.`z`',
      ],
    ],
    ['a:=1', ['word:a', 'assign::=', 'number:1']],
  ];
  for (const [sql, expected] of rows) {
    test(JSON.stringify(sql), () => assert.deepEqual(tokens(sql), expected));
  }

  test('comments become tokens when asked for, executable comments stay code', () => {
    assert.deepEqual(tokens("SELECT /* 'x' */ 1 -- y\n# z\n/*!1 2 */", { comments: true }), [
      'word:SELECT',
      "comment:/* 'x' */",
      'number:1',
      'comment:-- y\n',
      'comment:# z\n',
      'number:1', // a one-digit "version" is code
      'number:2',
    ]);
  });

  test('an unterminated quote or comment runs to the end and is flagged', () => {
    for (const sql of ["SELECT 'abc", 'SELECT `abc', 'SELECT 1 /* abc']) {
      const lexer = new SqlLexer(sql, EMPTY_VOCABULARY, undefined, { comments: true });
      let last = '';
      for (let kind = lexer.next(); kind !== 'end'; kind = lexer.next()) last = lexer.text();
      assert.ok(lexer.unterminated, sql);
      assert.ok(sql.endsWith(last), sql);
    }
  });

  test('a backslash escapes a quote only where the sql_mode says so', () => {
    const sql = `SELECT 'a\\'; DROP TABLE t; -- '`;
    assert.equal(tokens(sql).length, 2); // default: one string
    const noBackslashEscapes = OTHER_QUOTINGS[1];
    const lexer = new SqlLexer(sql, EMPTY_VOCABULARY, noBackslashEscapes);
    let count = 0;
    while (lexer.next() !== 'end') count++;
    assert.ok(count > 2);
    assert.ok(lexer.backslashInQuote);
  });

  test('known words are recognised in any letter case, with what the vocabulary holds', () => {
    const vocabulary = new Vocabulary([['COMMIT', 1]]);
    const lexer = new SqlLexer('commit Commit commits', vocabulary);
    lexer.next();
    assert.deepEqual([lexer.word, lexer.info], ['COMMIT', 1]);
    lexer.next();
    assert.equal(lexer.word, 'COMMIT');
    lexer.next();
    assert.deepEqual([lexer.word, lexer.info], [undefined, undefined]);
    assert.equal(vocabulary.get('COMMIT'), 1);
    assert.equal(vocabulary.get('ROLLBACK'), undefined);
  });

  test('a lookahead lexer starts where another is, without moving it', () => {
    const main = new SqlLexer('START TRANSACTION READ ONLY', EMPTY_VOCABULARY);
    main.next();
    const ahead = new SqlLexer('', Vocabulary.of(['TRANSACTION'])).startAt(main);
    assert.equal(ahead.next(), 'word');
    assert.equal(ahead.word, 'TRANSACTION');
    assert.equal(main.text(), 'START');
    main.next();
    assert.equal(main.text(), 'TRANSACTION');
  });
});

describe('the keyword named in messages is the lexer reading', () => {
  const rows: readonly [string | undefined, string | undefined][] = [
    ['  /* app:42 */ select * from t', 'SELECT'],
    ['-- note\n# another\n(SELECT 1) UNION (SELECT 2)', 'SELECT'],
    // The regex this replaced skipped executable comments as plain ones, so disagreed with the
    // classifier: the server runs their content.
    ['/*!40101 SET NAMES utf8 */', 'SET'],
    ['/*M!100100 DELETE FROM t */', 'DELETE'],
    ["'; DROP TABLE t", undefined],
    ['42', undefined],
    // A first word that does not look like a keyword may be a value: it is not shown.
    ['hunter2 is my password', undefined],
    [`${'x'.repeat(40)} SELECT`, undefined],
    ['', undefined],
    [undefined, undefined],
  ];
  for (const [sql, keyword] of rows) {
    test(`${JSON.stringify(sql)} → ${keyword}`, () => assert.equal(statementKeyword(sql), keyword));
  }
});
