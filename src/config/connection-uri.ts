/**
 * The one reader of `mysql://` and `mariadb://` URIs, for the pool, the mysql2 facade and the
 * CLI alike. It splits the URI by hand instead of with WHATWG `URL`, for two reasons: `URL`
 * guesses where a password with a raw `@`, `/` or `#` ends (and can then take part of the
 * password for the host, and connect there), and it cannot read a list of hosts, which
 * several-server URIs need (`mysql://u:p@h1:3306,h2:3306/db`). Each host of the list is read
 * here; deciding what several hosts mean is left to the caller ({@link singleHost} for one
 * server).
 *
 * Errors are {@link ConfigurationError}s that name the part at fault and never repeat the
 * URI: it may hold a password.
 */
import { ConfigurationError } from '../errors/index.js';

/** One server named in a URI. */
export interface UriHost {
  /** Host name or IP address; an IPv6 address without its brackets. */
  readonly host: string;
  /** The port, when the URI gives one. */
  readonly port: number | undefined;
}

/** A parsed connection URI. Holds the password: never print it. */
export interface ConnectionUri {
  readonly scheme: 'mysql' | 'mariadb';
  readonly user: string | undefined;
  readonly password: string | undefined;
  /** Every host of the URI, in order; empty when it names none (e.g. `mysql://app@/db?socket=...`). */
  readonly hosts: readonly UriHost[];
  readonly database: string | undefined;
  /** Query parameters, percent-decoded, in order (`+` reads as a space, as in a form). */
  readonly params: readonly (readonly [key: string, value: string])[];
}

/** Builds the error for a malformed URI from what is wrong with it. */
type Malformed = (problem: string) => ConfigurationError;

const EXPECTED = 'Expected mysql://user:password@host:port/database';
const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;
// Characters a host name in a URI may hold (RFC 3986 reg-name, percent-escapes included).
const HOST_NAME = /^[a-z0-9._~%!$&'()*+;=-]+$/i;

/**
 * Parses a `mysql://` or `mariadb://` URI. `label` names the URI in error messages (the CLI
 * says "the URI in DATABASE_URL").
 *
 * @throws ConfigurationError naming what is wrong (a raw `@` or `#`, a broken `%`-escape, a bad
 *   port, another scheme), never the URI or its password.
 * @example
 * const uri = parseConnectionUri('mysql://app:s%40cret@db:3306/shop?ssl-mode=VERIFY_CA');
 * uri.password; // 's@cret'
 * uri.hosts;    // [{ host: 'db', port: 3306 }]
 */
export function parseConnectionUri(uri: string, label = 'The connection URI'): ConnectionUri {
  const bad: Malformed = (problem) =>
    new ConfigurationError(`${label} is malformed because ${problem}. ${EXPECTED}.`);
  if (typeof uri !== 'string') throw bad(`it is a ${typeof uri}, not a string`);
  const scheme = SCHEME.exec(uri)?.[1]?.toLowerCase();
  if (scheme === undefined) throw bad('it does not start with mysql:// or mariadb://');
  if (scheme !== 'mysql' && scheme !== 'mariadb') {
    throw new ConfigurationError(
      `${label} has scheme '${scheme}:'; goneaway takes mysql:// or mariadb:// URIs.`,
    );
  }
  if (/[\s]/.test(uri)) throw bad('it contains white space');
  // A MySQL URI has no fragment: a '#' is a password or database name character left raw,
  // and everything after it would be silently dropped.
  if (uri.includes('#')) throw bad("it holds a raw '#'; percent-encode it as %23");

  const rest = uri.slice(scheme.length + 3);
  const authorityEnd = rest.search(/[/?]/);
  const authority = authorityEnd === -1 ? rest : rest.slice(0, authorityEnd);
  const tail = authorityEnd === -1 ? '' : rest.slice(authorityEnd);
  const at = authority.indexOf('@');
  if (at === -1 && tail.includes('@')) {
    // mysql://app:pa/ss@host reads as host 'app', port 'pa': the password would go elsewhere.
    throw bad(
      "an '@' comes after the host; a password with '/' or '?' must have them percent-encoded (%2F, %3F)",
    );
  }
  if (at !== authority.lastIndexOf('@')) {
    throw bad(
      "it holds more than one '@'; percent-encode an '@' in the user name or password as %40",
    );
  }

  let user: string | undefined;
  let password: string | undefined;
  if (at !== -1) {
    const userInfo = authority.slice(0, at);
    const colon = userInfo.indexOf(':');
    const rawUser = colon === -1 ? userInfo : userInfo.slice(0, colon);
    user = rawUser === '' ? undefined : decode(rawUser, 'user name', bad);
    if (colon !== -1 && colon < userInfo.length - 1) {
      password = decode(userInfo.slice(colon + 1), 'password', bad);
    }
  }
  const hostList = authority.slice(at + 1);
  const hosts = hostList === '' ? [] : hostList.split(',').map((part) => parseHost(part, bad));

  const queryStart = tail.indexOf('?');
  const path = queryStart === -1 ? tail : tail.slice(0, queryStart);
  const query = queryStart === -1 ? '' : tail.slice(queryStart + 1);
  const database = path.length > 1 ? decode(path.slice(1), 'database name', bad) : undefined;
  return { scheme, user, password, hosts, database, params: parseQuery(query, bad) };
}

/**
 * The one host of a parsed URI (undefined when it names none). Several hosts are refused:
 * a pool talks to one server.
 *
 * @example
 * singleHost(parseConnectionUri('mysql://app@db:3307/shop')); // { host: 'db', port: 3307 }
 */
export function singleHost(uri: ConnectionUri, label = 'The connection URI'): UriHost | undefined {
  if (uri.hosts.length > 1) {
    throw new ConfigurationError(
      `${label} lists ${uri.hosts.length} hosts; a pool connects to one server. Give one host per pool.`,
    );
  }
  return uri.hosts[0];
}

/**
 * What may be the password of a URI-looking text, raw and percent-decoded, found leniently
 * (up to the last `@`) so that even a URI too malformed to parse can be kept out of output.
 *
 * @example
 * passwordsInUri('mysql://app:p%40ss@db/shop'); // ['p%40ss', 'p@ss']
 */
export function passwordsInUri(text: string): string[] {
  const userInfo = /^[a-z][a-z0-9+.-]*:\/\/(\S*)@/i.exec(text)?.[1];
  const colon = userInfo?.indexOf(':') ?? -1;
  if (userInfo === undefined || colon === -1) return [];
  const raw = userInfo.slice(colon + 1);
  try {
    const decoded = decodeURIComponent(raw);
    return decoded === raw ? [raw] : [raw, decoded];
  } catch {
    return [raw];
  }
}

function parseHost(text: string, bad: Malformed): UriHost {
  let host: string;
  let portText: string | undefined;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close === -1) throw bad("an IPv6 address has no closing ']'");
    host = text.slice(1, close);
    const after = text.slice(close + 1);
    if (after !== '' && !after.startsWith(':'))
      throw bad("an IPv6 address is followed by text other than ':port'");
    portText = after === '' ? undefined : after.slice(1);
    if (!/^[0-9a-f:.%]+$/i.test(host)) throw bad('an IPv6 address in brackets is not valid');
  } else {
    const colon = text.indexOf(':');
    host = colon === -1 ? text : text.slice(0, colon);
    portText = colon === -1 ? undefined : text.slice(colon + 1);
    if (host === '') throw bad('a host is empty');
    if (!HOST_NAME.test(host)) throw bad('a host name holds characters a host name cannot have');
    host = decode(host, 'host name', bad);
  }
  let port: number | undefined;
  if (portText !== undefined && portText !== '') {
    port = /^\d{1,5}$/.test(portText) ? Number(portText) : Number.NaN;
    if (!(port >= 1 && port <= 65_535)) throw bad('a port is not a number from 1 to 65535');
  }
  return { host, port };
}

function parseQuery(query: string, bad: Malformed): (readonly [string, string])[] {
  if (query === '') return [];
  return query
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const equals = pair.indexOf('=');
      const rawKey = equals === -1 ? pair : pair.slice(0, equals);
      const rawValue = equals === -1 ? '' : pair.slice(equals + 1);
      const key = decode(rawKey.replaceAll('+', ' '), 'query parameter name', bad);
      return [key, decode(rawValue.replaceAll('+', ' '), `query parameter '${key}'`, bad)];
    });
}

function decode(text: string, part: string, bad: Malformed): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw bad(
      `its ${part} has a broken %-escape (a '%' must be followed by two hex digits; write a literal '%' as %25)`,
    );
  }
}
