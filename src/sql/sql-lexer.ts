/**
 * The one SQL lexer: whitespace, comments, quoting, numbers and words as MariaDB and MySQL
 * read them. Everything in goneaway that reads SQL text (the statement classifier, the keyword
 * named in error messages, the session-setting recogniser, the CLI's statement redaction) reads
 * it through this lexer, so they cannot disagree about where a string or a comment ends.
 *
 * It runs on the hot path (the classifier runs once per statement), so it is one forward scan
 * with no regular expressions, no token objects and no string built per word: the current
 * token is described by fields of the lexer, and known words are recognised by a case-folded
 * hash compared in place (see {@link Vocabulary}).
 *
 * Where it matters for safety it mirrors the server's lexer (checked against MariaDB 10.11):
 * - `--` starts a comment only before a space or control character (`1--1` is 2);
 * - `/*! ... *\/` and `/*M! ... *\/` (with an optional five- or six-digit version) are read as
 *   code, as the server runs them;
 * - a run of digits followed by letters is an identifier (`1concat` is a name, not `1` and
 *   `concat`), except for an exponent (`1e5`); `0x1F` and `0b101` are hex and bit numbers;
 *   a number with a fraction ends where its digits end (`1.5INTO` is `1.5` and `INTO`);
 * - a quote is escaped by doubling it, and (where the `sql_mode` allows, see {@link Quoting})
 *   by a backslash.
 */

/** Character codes the lexer and its users compare against. */
export enum Char {
  Tab = 9,
  Newline = 10,
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
  Digit1 = 49,
  Digit9 = 57,
  Colon = 58,
  Semicolon = 59,
  Less = 60,
  Equals = 61,
  Greater = 62,
  At = 64,
  UpperA = 65,
  UpperB = 66,
  UpperE = 69,
  UpperF = 70,
  UpperM = 77,
  UpperZ = 90,
  Backslash = 92,
  Underscore = 95,
  Backtick = 96,
  LowerA = 97,
  LowerB = 98,
  LowerE = 101,
  LowerF = 102,
  LowerX = 120,
  LowerZ = 122,
  Delete = 127,
  FirstNonAscii = 128,
}

/**
 * Which quotes treat a backslash as an escape. The server's default escapes in both; with
 * `sql_mode` `ANSI_QUOTES`, `"..."` is an identifier (no escapes); with `NO_BACKSLASH_ESCAPES`,
 * neither escapes. A text is split differently under each, so a caller that cannot know the
 * mode reads it under each (the classifier does, and keeps the worst answer).
 *
 * @example
 * const ansiQuotes = OTHER_QUOTINGS[0];
 * const lexer = new SqlLexer('SELECT "a\\" FROM t', EMPTY_VOCABULARY, ansiQuotes);
 */
export interface Quoting {
  readonly singleQuoteEscapes: boolean;
  readonly doubleQuoteEscapes: boolean;
  /** How a reason names the mode, e.g. `(if sql_mode has ANSI_QUOTES)`; empty for the default. */
  readonly note: string;
}

/**
 * The server's default quoting: a backslash escapes in both `'...'` and `"..."`.
 *
 * @example
 * new SqlLexer(sql, EMPTY_VOCABULARY, DEFAULT_QUOTING);
 */
export const DEFAULT_QUOTING: Quoting = {
  singleQuoteEscapes: true,
  doubleQuoteEscapes: true,
  note: '',
};

/**
 * The quotings of the other `sql_mode`s (`ANSI_QUOTES`, `NO_BACKSLASH_ESCAPES`).
 *
 * @example
 * for (const quoting of OTHER_QUOTINGS) new SqlLexer(sql, EMPTY_VOCABULARY, quoting);
 */
export const OTHER_QUOTINGS: readonly Quoting[] = [
  { singleQuoteEscapes: true, doubleQuoteEscapes: false, note: '(if sql_mode has ANSI_QUOTES)' },
  {
    singleQuoteEscapes: false,
    doubleQuoteEscapes: false,
    note: '(if sql_mode has NO_BACKSLASH_ESCAPES)',
  },
];

/**
 * What the current token is.
 *
 * - `'word'`: an unquoted name or keyword (`SELECT`, `users`, `1abc`);
 * - `'string'`: `'...'` or `"..."` (a string in the default `sql_mode`);
 * - `'quoted-identifier'`: `` `...` ``;
 * - `'number'`: `42`, `1.5`, `1e-3`; `'hex-number'`: `0x1F` or `0b101`;
 * - `'user-variable'`: `@name`, `@'name'`; `'system-variable'`: `@@name`, `@@session.name`;
 * - `'assign'`: `:=`; `'punctuation'`: any other single character (see {@link SqlLexer.char});
 * - `'comment'`: only when the lexer was asked for comments; `'end'`: nothing left.
 *
 * @example
 * const kind: TokenKind = new SqlLexer('SELECT 1', EMPTY_VOCABULARY).next(); // 'word'
 */
export type TokenKind =
  | 'end'
  | 'word'
  | 'string'
  | 'quoted-identifier'
  | 'number'
  | 'hex-number'
  | 'user-variable'
  | 'system-variable'
  | 'assign'
  | 'punctuation'
  | 'comment';

/**
 * The scope named in a system variable: `@@global.x` (also `@@persist.x`), `@@session.x` (also
 * `@@local.x`), or none (`@@x`).
 *
 * @example
 * const scope: VariableScope = 'session';
 */
export type VariableScope = 'global' | 'session' | 'unqualified';

/** One known word: its canonical spelling and what its owner wants to know about it. */
interface KnownWord<T> {
  readonly word: string;
  readonly info: T;
}

/**
 * Words a lexer recognises: when the current word is one of them, {@link SqlLexer.word} holds
 * its canonical upper-case spelling and {@link SqlLexer.info} what the vocabulary's owner stored
 * for it, found without building a string. Built once per module that reads SQL; two known
 * words with the same 30-bit hash throw at once (the first time any test loads the module), so
 * a clash cannot go unnoticed.
 *
 * @example
 * const vocabulary = new Vocabulary([['COMMIT', { ends: true }]]);
 * const lexer = new SqlLexer('commit', vocabulary);
 * lexer.next(); // 'word'
 * lexer.word;   // 'COMMIT'
 * lexer.info;   // { ends: true }
 */
export class Vocabulary<T = true> {
  readonly #byHash = new Map<number, KnownWord<T>>();

  constructor(entries: Iterable<readonly [string, T]>) {
    for (const [word, info] of entries) {
      const hash = hashWord(word);
      const clash = this.#byHash.get(hash);
      if (clash !== undefined && clash.word !== word)
        throw new Error(`SQL vocabulary: words ${clash.word} and ${word} share a hash`);
      this.#byHash.set(hash, { word, info });
    }
  }

  /**
   * A vocabulary of plain words (their info is `true`).
   *
   * @example
   * const words = Vocabulary.of(['SET', 'NAMES']);
   */
  static of(words: Iterable<string>): Vocabulary<true> {
    return new Vocabulary<true>([...words].map((word) => [word, true] as const));
  }

  /** What is stored for `word` (upper-case), if it is known. */
  get(word: string): T | undefined {
    const known = this.#byHash.get(hashWord(word));
    return known?.word === word ? known.info : undefined;
  }

  /** @internal The known words by hash (the lexer compares the candidate in place). */
  get byHash(): ReadonlyMap<number, KnownWord<T>> {
    return this.#byHash;
  }
}

/**
 * A vocabulary with no words: for callers that only need token boundaries.
 *
 * @example
 * new SqlLexer(sql, EMPTY_VOCABULARY);
 */
export const EMPTY_VOCABULARY: Vocabulary<never> = new Vocabulary<never>([]);

/**
 * Turns SQL text into tokens one at a time. Whitespace is never a token; comments are skipped
 * unless the lexer was created with `comments: true`. The current token is described by
 * `start`, `end` and, for its kind, `word`, `char` or `scope`.
 *
 * @example
 * const lexer = new SqlLexer('SELECT a FROM t', Vocabulary.of(['SELECT', 'FROM']));
 * for (let kind = lexer.next(); kind !== 'end'; kind = lexer.next()) {
 *   console.log(kind, lexer.text(), lexer.word);
 * }
 */
export class SqlLexer<T = unknown> {
  #sql: string;
  #quoting: Quoting;
  readonly #known: ReadonlyMap<number, KnownWord<T>>;
  readonly #comments: boolean;
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
  /** What the vocabulary holds for that word. */
  info: T | undefined;
  /** The case-folded hash of the current word (0 when it has non-ASCII letters): see {@link SqlLexer.lookUp}. */
  hash = 0;
  /** The character of a punctuation token. */
  char = 0;
  /** The scope of a system variable token. */
  scope: VariableScope = 'unqualified';
  /** Where the current token starts (for a variable, at its `@`). */
  start = 0;
  /** Where the current token ends (exclusive). */
  end = 0;

  constructor(
    sql: string,
    vocabulary: Vocabulary<T>,
    quoting: Quoting = DEFAULT_QUOTING,
    options: { readonly comments?: boolean } = {},
  ) {
    this.#sql = sql;
    this.#known = vocabulary.byHash;
    this.#quoting = quoting;
    this.#comments = options.comments === true;
    this.#pos = 0;
    this.#inExecutableComment = false;
  }

  /**
   * Puts this lexer where `source` is, in the same text, to look ahead without disturbing
   * `source` (and with this lexer's own vocabulary). Reusing one lexer for this allocates
   * nothing.
   */
  startAt(source: SqlLexer<unknown>): this {
    this.#sql = source.#sql;
    this.#quoting = source.#quoting;
    this.#pos = source.#pos;
    this.#inExecutableComment = source.#inExecutableComment;
    return this;
  }

  /**
   * What `vocabulary` holds for the word token that spans `start` to `end` with `hash` (as
   * {@link SqlLexer.hash} was for it), if that word is known there.
   */
  lookUp<U>(vocabulary: Vocabulary<U>, start: number, end: number, hash: number): U | undefined {
    const known = vocabulary.byHash.get(hash);
    return known !== undefined &&
      known.word.length === end - start &&
      this.#sameWord(start, known.word)
      ? known.info
      : undefined;
  }

  /** Moves to the next token and returns its kind. */
  next(): TokenKind {
    const pos = this.#skipSpaceAndComments();
    this.word = undefined;
    this.info = undefined;
    this.start = pos;
    const sql = this.#sql;
    if (pos >= sql.length) return this.#emit('end', pos);
    const c = sql.charCodeAt(pos);
    if (this.#comments && this.#commentAt(pos, c))
      return this.#emit('comment', this.#commentEnd(pos));
    if (isDigit(c)) return this.#numberOrWord(pos);
    if (isWordChar(c)) return this.#emit('word', this.#wordEnd(pos));
    switch (c) {
      case Char.SingleQuote:
        return this.#emit('string', this.#quotedEnd(pos, this.#quoting.singleQuoteEscapes));
      case Char.DoubleQuote:
        return this.#emit('string', this.#quotedEnd(pos, this.#quoting.doubleQuoteEscapes));
      case Char.Backtick:
        return this.#emit('quoted-identifier', this.#quotedEnd(pos, false));
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

  /** The current token's text (it allocates: not for the hot path). */
  text(): string {
    return this.#sql.slice(this.start, this.end);
  }

  /** The character at `pos` of the text (NaN past its end): the quote that opened a token. */
  charAt(pos: number): number {
    return this.#sql.charCodeAt(pos);
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
      } else if (c > Char.Slash) {
        break; // letters, digits, quotes of names, @: no comment starts so
      } else if (this.#commentAt(pos, c)) {
        if (this.#comments) break;
        pos = this.#commentEnd(pos);
      } else if (
        c === Char.Slash &&
        sql.charCodeAt(pos + 1) === Char.Star &&
        isExecutableMark(sql, pos + 2)
      ) {
        pos = this.#openExecutableComment(pos);
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

  /** A comment that is not code: `#`, `-- `, or `/* ... *\/` that is not `/*!` or `/*M!`. */
  #commentAt(pos: number, c: number): boolean {
    const sql = this.#sql;
    if (c === Char.Hash) return true;
    if (c === Char.Minus)
      return sql.charCodeAt(pos + 1) === Char.Minus && isDashCommentEnd(sql, pos + 2);
    return (
      c === Char.Slash && sql.charCodeAt(pos + 1) === Char.Star && !isExecutableMark(sql, pos + 2)
    );
  }

  #commentEnd(pos: number): number {
    const sql = this.#sql;
    if (sql.charCodeAt(pos) !== Char.Slash) {
      const newline = sql.indexOf('\n', pos);
      return newline < 0 ? sql.length : newline + 1;
    }
    const close = sql.indexOf('*/', pos + 2);
    if (close < 0) {
      this.unterminated = true;
      return sql.length;
    }
    return close + 2;
  }

  /** `/*!` or `/*M!` with an optional version: what follows is code until `*\/`. */
  #openExecutableComment(pos: number): number {
    const sql = this.#sql;
    const code = sql.charCodeAt(pos + 2) === Char.Bang ? pos + 3 : pos + 4;
    this.executableComment = true;
    this.#inExecutableComment = true;
    return skipVersion(sql, code);
  }

  /**
   * A token that starts with a digit. Like the server: `0x` + hex digits and `0b` + bits are
   * hex and bit numbers; digits, then an exponent, make a number; digits followed by other
   * letters make an identifier; a fraction ends the number where its digits end.
   */
  #numberOrWord(pos: number): TokenKind {
    const sql = this.#sql;
    const second = sql.charCodeAt(pos + 1);
    if (sql.charCodeAt(pos) === Char.Digit0 && (second === Char.LowerX || second === Char.LowerB)) {
      const hex = second === Char.LowerX;
      let end = pos + 2;
      while (hex ? isHexDigit(sql.charCodeAt(end)) : isBit(sql.charCodeAt(end))) end++;
      if (end > pos + 2 && !isWordChar(sql.charCodeAt(end))) return this.#emit('hex-number', end);
      return this.#emit('word', this.#wordEnd(pos));
    }
    let end = pos;
    while (isDigit(sql.charCodeAt(end))) end++;
    const c = sql.charCodeAt(end);
    if (c === Char.Dot) return this.#emit('number', this.#fractionEnd(end + 1));
    if (!isWordChar(c)) return this.#emit('number', end);
    const exponent = this.#exponentEnd(end);
    if (exponent > end) return this.#emit('number', exponent);
    return this.#emit('word', this.#wordEnd(pos));
  }

  /** After `digits.`: more digits, then an optional exponent. */
  #fractionEnd(pos: number): number {
    const sql = this.#sql;
    let end = pos;
    while (isDigit(sql.charCodeAt(end))) end++;
    return Math.max(end, this.#exponentEnd(end));
  }

  /** `e5`, `E+5`, `e-5` at `pos`: where it ends, or `pos` when there is none. */
  #exponentEnd(pos: number): number {
    const sql = this.#sql;
    const e = sql.charCodeAt(pos);
    if (e !== Char.LowerE && e !== Char.UpperE) return pos;
    const sign = sql.charCodeAt(pos + 1);
    const firstDigit = sign === Char.Plus || sign === Char.Minus ? pos + 2 : pos + 1;
    if (!isDigit(sql.charCodeAt(firstDigit))) return pos;
    let end = firstDigit;
    while (isDigit(sql.charCodeAt(end))) end++;
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
    this.hash = ascii ? hash : 0;
    if (ascii) {
      const known = this.#known.get(hash);
      if (
        known !== undefined &&
        known.word.length === end - pos &&
        this.#sameWord(pos, known.word)
      ) {
        this.word = known.word;
        this.info = known.info;
      }
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
    // Only a name followed by a dot can be a scope; only then is a string built.
    const scope =
      sql.charCodeAt(end) === Char.Dot ? VARIABLE_SCOPES.get(upperAscii(sql, pos, end)) : undefined;
    if (scope !== undefined) {
      this.scope = scope;
      this.word = undefined;
      this.info = undefined;
      const name = end + 1;
      end =
        sql.charCodeAt(name) === Char.Backtick ? this.#quotedEnd(name, false) : this.#wordEnd(name);
    }
    return end;
  }
}

/** Scope prefixes of `@@scope.name`. PERSIST and PERSIST_ONLY are server-wide writes, like GLOBAL. */
const VARIABLE_SCOPES: ReadonlyMap<string, VariableScope> = new Map<string, VariableScope>([
  ['GLOBAL', 'global'],
  ['PERSIST', 'global'],
  ['PERSIST_ONLY', 'global'],
  ['SESSION', 'session'],
  ['LOCAL', 'session'],
]);

/** The longest scope prefix; anything longer is not one (and is not upper-cased). */
const LONGEST_SCOPE = 'PERSIST_ONLY'.length;

function upperAscii(sql: string, start: number, end: number): string {
  return end - start > LONGEST_SCOPE ? '' : sql.slice(start, end).toUpperCase();
}

const isDigit = (c: number): boolean => c >= Char.Digit0 && c <= Char.Digit9;
const isBit = (c: number): boolean => c === Char.Digit0 || c === Char.Digit1;
const isHexDigit = (c: number): boolean =>
  isDigit(c) || (c >= Char.LowerA && c <= Char.LowerF) || (c >= Char.UpperA && c <= Char.UpperF);

/** ASCII characters of unquoted identifiers: letters, digits, `_` and `$` (every non-ASCII one is too). */
const ASCII_WORD_CHARS = new Uint8Array(Char.FirstNonAscii);
for (let c = 0; c < Char.FirstNonAscii; c++) {
  const letter = (c >= Char.LowerA && c <= Char.LowerZ) || (c >= Char.UpperA && c <= Char.UpperZ);
  ASCII_WORD_CHARS[c] = letter || isDigit(c) || c === Char.Underscore || c === Char.Dollar ? 1 : 0;
}

/**
 * Whether `c` (a UTF-16 code unit, NaN past the end) can be part of an unquoted identifier.
 *
 * @example
 * isWordChar('a'.charCodeAt(0)); // true
 * isWordChar('('.charCodeAt(0)); // false
 */
export const isWordChar = (c: number): boolean =>
  c < Char.FirstNonAscii ? ASCII_WORD_CHARS[c] === 1 : c >= 0;

/** The server takes `--` as a comment only before a space or control character, or at the end. */
function isDashCommentEnd(sql: string, pos: number): boolean {
  if (pos >= sql.length) return true;
  const c = sql.charCodeAt(pos);
  return c <= Char.Space || c === Char.Delete;
}

/** After `/*`: `!` or `M!` make the comment code. */
function isExecutableMark(sql: string, pos: number): boolean {
  const c = sql.charCodeAt(pos);
  return c === Char.Bang || (c === Char.UpperM && sql.charCodeAt(pos + 1) === Char.Bang);
}

/** A version after `/*!` is five or six digits (`/*!40101`, `/*M!100100`); otherwise it is code. */
function skipVersion(sql: string, pos: number): number {
  let end = pos;
  while (end < pos + 6 && isDigit(sql.charCodeAt(end))) end++;
  return end - pos >= 5 ? end : pos;
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
