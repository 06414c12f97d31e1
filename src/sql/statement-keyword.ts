/**
 * The leading keyword of a statement: the only part of a statement that may appear in an
 * error message, because everything after it can hold values. Read with the one SQL lexer, so
 * it is the classifier's `keyword`: comments and opening parentheses are skipped, and an
 * executable comment (`/*! SET ... *\/`) is code, as the server runs it.
 */
import { Char, EMPTY_VOCABULARY, SqlLexer } from './sql-lexer.js';

/**
 * The statement's first keyword, upper-cased, or `undefined` when there is none.
 *
 * @example
 * statementKeyword('-- report\n  update t set a = 1'); // 'UPDATE'
 * statementKeyword('(SELECT 1)');                    // 'SELECT'
 * statementKeyword('/*!40101 SET NAMES utf8 *\/');    // 'SET'
 * statementKeyword(undefined);                       // undefined
 */
export function statementKeyword(sql: string | undefined): string | undefined {
  if (!sql) return undefined;
  const lexer = new SqlLexer(sql, EMPTY_VOCABULARY);
  let kind = lexer.next();
  while (kind === 'punctuation' && lexer.char === Char.OpenParen) kind = lexer.next();
  return kind === 'word' ? asKeyword(lexer.text()) || undefined : undefined;
}

/** Longer words are not statement keywords (the longest, `DEALLOCATE`, `CHECKSUM`, are short). */
const MAX_KEYWORD_LENGTH = 32;

/**
 * A leading word as a message may show it: upper-cased if it has the shape of a keyword
 * (letters and `_`, not too long), otherwise `''`, since a word of another shape may be a
 * value (`hunter2 ...` sent by mistake).
 *
 * @example
 * asKeyword('select'); // 'SELECT'
 * asKeyword('s3cret'); // ''
 */
export function asKeyword(word: string): string {
  return word.length <= MAX_KEYWORD_LENGTH && /^[A-Za-z_]+$/.test(word) ? word.toUpperCase() : '';
}

/**
 * The statement named for a sentence: `an UPDATE`, `a SELECT`, or `a statement`.
 *
 * @example
 * describeStatement('insert into t values (1)'); // 'an INSERT'
 * describeStatement('USE shop');                 // 'a USE'
 * describeStatement(undefined);                  // 'a statement'
 */
export function describeStatement(sql: string | undefined): string {
  const keyword = statementKeyword(sql);
  if (!keyword) return 'a statement';
  // "an UPDATE", "an UNLOCK" but "a USE": only a U followed by N or P starts with a vowel sound.
  const vowelSound = /^[AEIO]/.test(keyword) || /^U[NP]/.test(keyword);
  return `${vowelSound ? 'an' : 'a'} ${keyword}`;
}
