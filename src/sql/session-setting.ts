/**
 * Recognises a statement that only assigns session variables to constants, such as
 * `SET time_zone = '+00:00'` or `SET NAMES utf8mb4`: the statements ORMs send right after
 * connecting (Sequelize sends the first). Such a statement can be replayed on a new
 * connection with the same effect, so a standalone connection makes it one of its init
 * statements instead of session state that a lost connection would take with it.
 *
 * The grammar is deliberately narrow, and read with the one SQL lexer after the classifier
 * has ruled out everything that is not plain session state: user variables, GLOBAL, expressions,
 * subqueries, placeholders, `autocommit` (which changes transaction behaviour), `SET PASSWORD`,
 * `SET ROLE`, `SET TRANSACTION`, executable comments and second statements are not settings,
 * and stay ordinary session state under goneaway's usual rules.
 */
import { Char, SqlLexer, type TokenKind, Vocabulary } from './sql-lexer.js';
import { classifyStatement } from './statement-classifier.js';

const WORDS = Vocabulary.of([
  'SET',
  'SESSION',
  'LOCAL',
  'NAMES',
  'CHARACTER',
  'CHARSET',
  'COLLATE',
]);

/**
 * Whether `sql` only sets session variables to constants and can be replayed on reconnect.
 *
 * @example
 * isSessionSetting("SET time_zone = '+00:00'");   // true
 * isSessionSetting('SET NAMES utf8mb4');           // true
 * isSessionSetting('SET @total = 0');              // false: a user variable
 * isSessionSetting('SET autocommit = 0');          // false: changes transactions
 */
export function isSessionSetting(sql: string): boolean {
  const info = classifyStatement(sql);
  if (
    info.keyword !== 'SET' ||
    info.statementCount !== 1 ||
    info.category !== 'session' ||
    info.transaction !== 'none' ||
    info.sessionEffects.length !== 1 ||
    info.sessionEffects[0] !== 'session variables'
  ) {
    return false;
  }
  return new SettingReader(sql).read();
}

/** `SET item [, item ...] [;]`, where every item assigns a constant. */
class SettingReader {
  readonly #lexer: SqlLexer<true>;
  #kind: TokenKind = 'end';

  constructor(sql: string) {
    this.#lexer = new SqlLexer(sql, WORDS);
  }

  read(): boolean {
    this.#next();
    if (!this.#isWord('SET')) return false;
    for (;;) {
      this.#next();
      if (!this.#item()) return false;
      // After a value: another item, or the end (after at most one semicolon).
      if (this.#isPunctuation(Char.Comma)) continue;
      if (this.#isPunctuation(Char.Semicolon)) this.#next();
      return this.#kind === 'end';
    }
  }

  /** One assignment, starting at the current token; leaves the token after it current. */
  #item(): boolean {
    const lexer = this.#lexer;
    if (this.#kind === 'system-variable') {
      if (lexer.scope === 'global') return false;
      return this.#assignment();
    }
    if (this.#kind !== 'word') return false;
    switch (lexer.word) {
      case 'NAMES':
        if (!this.#value()) return false;
        if (this.#isWord('COLLATE')) return this.#value();
        return true;
      case 'CHARACTER':
        this.#next();
        return this.#isWord('SET') && this.#value();
      case 'CHARSET':
        return this.#value();
      case 'SESSION':
      case 'LOCAL':
        return this.#next() === 'word' && this.#assignment();
      default:
        return this.#assignment();
    }
  }

  /** `name` is current: `= value` or `:= value` must follow. */
  #assignment(): boolean {
    this.#next();
    if (!(this.#kind === 'assign' || this.#isPunctuation(Char.Equals))) return false;
    return this.#value();
  }

  /** A constant: a string, a name (`utf8mb4`, `ON`), or a number with an optional sign. */
  #value(): boolean {
    let kind = this.#next();
    if (this.#isPunctuation(Char.Minus) || this.#isPunctuation(Char.Plus)) {
      kind = this.#next();
      if (kind !== 'number') return false;
    }
    if (kind !== 'string' && kind !== 'word' && kind !== 'number') return false;
    this.#next();
    // A name followed by ( or . is a call or a column, not a constant.
    return !this.#isPunctuation(Char.OpenParen) && !this.#isPunctuation(Char.Dot);
  }

  #next(): TokenKind {
    this.#kind = this.#lexer.next();
    return this.#kind;
  }

  #isWord(word: string): boolean {
    return this.#kind === 'word' && this.#lexer.word === word;
  }

  #isPunctuation(c: number): boolean {
    return this.#kind === 'punctuation' && this.#lexer.char === c;
  }
}
