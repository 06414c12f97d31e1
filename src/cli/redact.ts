/**
 * The one place where secrets are taken out of text before the CLI prints it.
 *
 * Every byte a command writes to stdout or stderr passes through a {@link Redactor}, so a
 * password cannot leak through a path nobody thought of (an error message quoting a URI, a
 * statement in the processlist). Two kinds of secret are removed:
 *
 * - the exact secrets the CLI was given (`add()`): passwords from a URI, an option, the
 *   environment or the prompt, also in their URI-encoded form;
 * - secrets recognisable by shape whoever they belong to: the password in any
 *   `scheme://user:password@host` and the literal after `IDENTIFIED ... BY`/`USING`/`AS`,
 *   `PASSWORD(...)`, `PASSWORD =` or `MASTER_PASSWORD =`, which MariaDB shows verbatim in
 *   the processlist.
 *
 * Statements from the processlist are redacted as statements first, before anything cuts them
 * to a column's width (a cut closing quote would leave the rest of a password to the pattern
 * above): {@link redactStatementText} blanks every literal by default, read with the SQL lexer.
 */
import { type LiteralDisplay, redactStatement } from '../sql/redact-statement.js';

/** What a removed secret is replaced with. */
export const REDACTED = '***';

// Up to the last '@' of the word: an unencoded '@' in a password must not leave a tail behind.
const URI_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*):\S*@/gi;
// A quoted literal, '...' or "...", with doubled and backslash-escaped quotes; or, cut off, the
// rest of the text.
const LITERAL = String.raw`(?:'(?:[^'\\]|\\.|'')*(?:'|$)|"(?:[^"\\]|\\.|"")*(?:"|$))`;
const SECRET_BEFORE_LITERAL = new RegExp(
  String.raw`(\b(?:IDENTIFIED\s+(?:(?:VIA|WITH)\s+\w+\s+)?(?:BY|USING|AS)\s+(?:PASSWORD\s*\(?\s*)?|(?:OLD_|MASTER_|SOURCE_)?PASSWORD\s*(?:\(\s*|=\s*(?:(?:OLD_)?PASSWORD\s*\(\s*)?)?))${LITERAL}`,
  'gi',
);

/**
 * Removes secrets from text. Secrets are added as the CLI learns them; `redact()` always
 * applies every secret known so far.
 *
 * @example
 * const redactor = new Redactor();
 * redactor.add('s3cret');
 * redactor.redact('mysql://app:s3cret@db:3306/shop'); // 'mysql://app:***@db:3306/shop'
 */
export class Redactor {
  readonly #secrets = new Set<string>();

  /** Registers a secret; empty and undefined values are ignored. */
  add(secret: string | undefined): void {
    if (!secret) return;
    this.#secrets.add(secret);
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret) this.#secrets.add(encoded);
  }

  /** Whether any secret has been registered. */
  get size(): number {
    return this.#secrets.size;
  }

  /** The text with every known secret and every secret-shaped literal replaced by `***`. */
  redact(text: string): string {
    let result = text
      .replace(URI_USERINFO, `$1:${REDACTED}@`)
      .replace(SECRET_BEFORE_LITERAL, `$1'${REDACTED}'`);
    // Longest first, so a secret that contains another is removed whole.
    const secrets = [...this.#secrets].sort((a, b) => b.length - a.length);
    for (const secret of secrets) result = result.split(secret).join(REDACTED);
    return result;
  }
}

/**
 * A statement from the processlist as the CLI may show it: literals blanked (all of them, or
 * with `showLiterals` only the secret ones), then every known secret removed, all before any
 * truncation.
 *
 * @example
 * redactStatementText("ALTER USER u IDENTIFIED BY 'pw'", { showLiterals: false, redactor });
 * // "ALTER USER u IDENTIFIED BY '***'"
 */
export function redactStatementText(
  sql: string,
  options: { readonly showLiterals: boolean; readonly redactor: Redactor },
): string {
  const level: LiteralDisplay = options.showLiterals ? 'secrets' : 'hide';
  return options.redactor.redact(redactStatement(sql, level));
}
