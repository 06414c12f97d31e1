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
 *   `scheme://user:password@host` and the literal in `IDENTIFIED BY '...'` or
 *   `PASSWORD('...')`, which MariaDB shows verbatim in the processlist.
 */

/** What a removed secret is replaced with. */
export const REDACTED = '***';

// Up to the last '@' of the word: an unencoded '@' in a password must not leave a tail behind.
const URI_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*):\S*@/gi;
const IDENTIFIED_BY =
  /\b(IDENTIFIED\s+(?:VIA\s+\w+\s+)?(?:BY|USING)\s+(?:PASSWORD\s*\(\s*)?)'(?:[^'\\]|\\.|'')*'/gi;
const PASSWORD_CALL = /\b((?:OLD_)?PASSWORD\s*\(\s*)'(?:[^'\\]|\\.|'')*'/gi;

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
      .replace(IDENTIFIED_BY, `$1'${REDACTED}'`)
      .replace(PASSWORD_CALL, `$1'${REDACTED}'`);
    // Longest first, so a secret that contains another is removed whole.
    const secrets = [...this.#secrets].sort((a, b) => b.length - a.length);
    for (const secret of secrets) result = result.split(secret).join(REDACTED);
    return result;
  }
}
