/**
 * Statement text made safe to show (the CLI's `top` shows other sessions' statements): read
 * with the one SQL lexer, so a quote inside a comment, a doubled or escaped quote, or a
 * statement cut off mid-string cannot make a secret look like code.
 *
 * Two levels:
 * - `'hide'` (the default): every string, hex and bit literal becomes `'***'` (`x'***'`,
 *   `0x***`), and the text of every comment `/* *** *\/`: whatever a literal or a comment held
 *   (a password, a key, a customer's data) is gone. Executable comments are code and read as
 *   such.
 * - `'secrets'`: literals are shown, except from a secret's marker to the end of its statement:
 *   `IDENTIFIED ...`, any name with `PASSWORD` or `SECRET` in it (`SET PASSWORD`,
 *   `PASSWORD('...')`, `MASTER_PASSWORD =`, `SOURCE_PASSWORD =`, `CREATE SERVER ... OPTIONS
 *   (PASSWORD '...')`, `SET @db_password = ...`, a column `password_hash`), and calls of
 *   functions whose arguments are keys (`AES_ENCRYPT`, `DES_ENCRYPT`, `ENCODE`, ...).
 *
 * Both keep the statement's shape and length roughly, and work on any text: an unterminated
 * string or comment is blanked to the end.
 */
import { Char, SqlLexer, type TokenKind, Vocabulary } from './sql-lexer.js';

/**
 * How much of the literals to show.
 *
 * @example
 * const level: LiteralDisplay = 'hide';
 */
export type LiteralDisplay = 'hide' | 'secrets';

/** Functions whose arguments include a key or a password. */
const KEY_FUNCTIONS = [
  'AES_ENCRYPT',
  'AES_DECRYPT',
  'DES_ENCRYPT',
  'DES_DECRYPT',
  'ENCODE',
  'DECODE',
  'ENCRYPT',
  'KDF',
  'VALIDATE_PASSWORD_STRENGTH',
];

const MARKERS = Vocabulary.of(['IDENTIFIED', ...KEY_FUNCTIONS]);

const BLANK = '***';

/**
 * `sql` with its literals (and, when hiding, its comments) blanked as `level` says.
 *
 * @example
 * redactStatement("UPDATE users SET pw = 'hunter2' WHERE id = 1"); // "UPDATE users SET pw = '***' WHERE id = 1"
 * redactStatement("ALTER USER u IDENTIFIED BY 'S3cret'", 'secrets'); // "ALTER USER u IDENTIFIED BY '***'"
 * redactStatement("SELECT 'a' FROM t", 'secrets'); // "SELECT 'a' FROM t"
 */
export function redactStatement(sql: string, level: LiteralDisplay = 'hide'): string {
  const lexer = new SqlLexer(sql, MARKERS, undefined, { comments: level === 'hide' });
  let out = '';
  let copied = 0;
  let secret = false;
  for (let kind: TokenKind = lexer.next(); kind !== 'end'; kind = lexer.next()) {
    if (kind === 'punctuation' && lexer.char === Char.Semicolon) secret = false;
    else if (isMarker(kind, lexer)) secret = true;
    const replacement = level === 'hide' || secret ? blanked(kind, lexer) : undefined;
    if (replacement === undefined) continue;
    out += sql.slice(copied, lexer.start) + replacement;
    copied = lexer.end;
  }
  return out + sql.slice(copied);
}

/** A word or variable that starts a secret: a marker word, or a name that says password or secret. */
function isMarker(kind: TokenKind, lexer: SqlLexer<true>): boolean {
  if (kind !== 'word' && kind !== 'user-variable' && kind !== 'system-variable') return false;
  return lexer.word !== undefined || SECRET_NAME.test(lexer.text());
}

const SECRET_NAME = /passw|secret/i;

/** The token as shown blank, or undefined when it is shown as it is. */
function blanked(kind: TokenKind, lexer: SqlLexer<true>): string | undefined {
  const first = lexer.charAt(lexer.start);
  switch (kind) {
    case 'string': {
      const quote = String.fromCharCode(first);
      return `${quote}${BLANK}${quote}`;
    }
    case 'user-variable': {
      // 'u'@'host' reads as a string and a quoted variable name: the host is a literal too.
      const quote = lexer.charAt(lexer.start + 1);
      if (quote !== Char.SingleQuote && quote !== Char.DoubleQuote) return undefined;
      const mark = String.fromCharCode(quote);
      return `@${mark}${BLANK}${mark}`;
    }
    case 'hex-number':
      return `${lexer.text().slice(0, 2)}${BLANK}`;
    case 'comment': {
      if (first === Char.Slash) {
        const hint = lexer.charAt(lexer.start + 2) === Char.Plus ? '+' : '';
        return `/*${hint} ${BLANK} */`;
      }
      const opener = first === Char.Hash ? '#' : '--';
      // Keep the line break that ends it: it separates what follows.
      const end = lexer.text().endsWith('\n') ? '\n' : '';
      return `${opener} ${BLANK}${end}`;
    }
    default:
      return undefined;
  }
}
