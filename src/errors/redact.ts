/**
 * Blanking secrets out of text that ends up in error messages, `toString()`, `util.inspect`
 * and JSON. Three kinds are caught: the password in a URI's userinfo
 * (`mysql://app:secret@host`), `password=...` style pairs, and any string the caller names.
 */

const MASK = '***';

/**
 * Secrets shorter than this are not blanked as substrings: replacing every `a` of a message
 * for a one-letter password would destroy the message and protect nothing.
 */
const MIN_SECRET_LENGTH = 4;

// scheme://user:password@ — greedy up to the last '@' before the path, so an unencoded '@'
// inside the password is covered too.
const URI_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*):[^\s/]*@/gi;

// password=..., pwd: ..., "password":"..." — but not MySQL's own "(using password: YES)",
// which says only whether a password was sent, and is worth keeping.
const KEY_VALUE =
  /\b(password|passwd|pwd|secret)("?\s*[=:]\s*)(?!(?:YES|NO)\))("[^"]*"|'[^']*'|[^\s;&,)}]+)/gi;

/**
 * Returns `text` with URI passwords, `password=value` pairs and every listed secret replaced
 * by `***`.
 *
 * @example
 * redact('cannot reach mysql://app:s3cr3t@db:3306/shop'); // 'cannot reach mysql://app:***@db:3306/shop'
 * redact('auth failed for hunter22', ['hunter22']);       // 'auth failed for ***'
 */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text
    .replace(URI_USERINFO, `$1:${MASK}@`)
    .replace(KEY_VALUE, (_match, key: string, separator: string, value: string) => {
      const quote = value[0] === '"' || value[0] === "'" ? value[0] : '';
      return `${key}${separator}${quote}${MASK}${quote}`;
    });
  for (const secret of secrets) {
    if (secret.length < MIN_SECRET_LENGTH) continue;
    out = out.split(secret).join(MASK);
    // A URI carries the password percent-encoded.
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret) out = out.split(encoded).join(MASK);
  }
  return out;
}
