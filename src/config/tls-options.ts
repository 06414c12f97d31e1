/**
 * TLS settings as goneaway hands them to mysql2, with verification on unless switched off.
 *
 * What mysql2 does with them (read from its `startTLS`): it upgrades the socket after the
 * server's greeting with `tls.connect({ socket, servername, checkServerIdentity,
 * rejectUnauthorized })`, where `servername` is the host when it is a name and nothing when it
 * is an IP address, and `checkServerIdentity` is Node's own only when `ssl.verifyIdentity` is
 * set (otherwise a function that accepts any name). So by default mysql2 checks that the
 * certificate chains to a trusted CA, but not whom it was issued to. goneaway sets
 * `verifyIdentity` unless the caller set it to false, and, for an IP host, tells Node which
 * address to check ({@link nameTlsPeer}): without a `servername`, Node checks the certificate
 * against the socket's `_host`, and failing that against `'localhost'`.
 */
import type { Socket } from 'node:net';
import { isIP } from 'node:net';
import mysql from 'mysql2';
import { ConfigurationError } from '../errors/index.js';

/** How TLS is used, with the mysql client's names. */
export type SslMode = 'DISABLED' | 'REQUIRED' | 'VERIFY_CA' | 'VERIFY_IDENTITY';

/**
 * Every {@link SslMode}, weakest first.
 *
 * @example
 * SSL_MODES.includes('VERIFY_CA'); // true
 */
export const SSL_MODES: readonly SslMode[] = [
  'DISABLED',
  'REQUIRED',
  'VERIFY_CA',
  'VERIFY_IDENTITY',
];

/** TLS options as mysql2 takes them. */
export type SslOptions = mysql.SslOptions;

/**
 * mysql2's TLS options for a mode. `REQUIRED` encrypts without checking the certificate;
 * `VERIFY_CA` checks it chains to a trusted CA; `VERIFY_IDENTITY` also checks it names the host.
 *
 * @example
 * sslOptionsForMode('VERIFY_CA'); // { verifyIdentity: false }
 */
export function sslOptionsForMode(mode: SslMode): SslOptions | undefined {
  switch (mode) {
    case 'DISABLED':
      return undefined;
    case 'REQUIRED':
      return { rejectUnauthorized: false, verifyIdentity: false };
    case 'VERIFY_CA':
      return { verifyIdentity: false };
    case 'VERIFY_IDENTITY':
      return { verifyIdentity: true };
  }
}

/**
 * Reads a TLS mode as a URI or a command line gives it (`ssl-mode=verify_ca`, `ssl=true`).
 * `PREFERRED` (TLS when offered) reads as `DISABLED`: mysql2 cannot fall back, it either
 * requires TLS or does not use it.
 *
 * @throws ConfigurationError naming `label` for a mode it does not know.
 * @example
 * parseSslMode('verify-ca', 'ssl-mode'); // 'VERIFY_CA'
 */
export function parseSslMode(raw: string, label: string): SslMode {
  const mode = raw.trim().toUpperCase().replace(/-/g, '_');
  if (mode === 'PREFERRED') return 'DISABLED';
  if ((SSL_MODES as readonly string[]).includes(mode)) return mode as SslMode;
  throw new ConfigurationError(`${label} must be one of ${SSL_MODES.join(', ')}, got "${raw}".`);
}

/**
 * The TLS mode that query parameters ask for, if any: `ssl-mode` (also `sslmode`, `sslMode`),
 * else `ssl=true|false` (true means full verification).
 *
 * @example
 * sslModeFromParams([['ssl', 'true']], 'The connection URI'); // 'VERIFY_IDENTITY'
 */
export function sslModeFromParams(
  params: readonly (readonly [string, string])[],
  label: string,
): SslMode | undefined {
  const value = (names: readonly string[]) => params.find(([key]) => names.includes(key))?.[1];
  const mode = value(['ssl-mode', 'sslmode', 'sslMode']);
  if (mode !== undefined) return parseSslMode(mode, `ssl-mode in ${label}`);
  const ssl = value(['ssl']);
  if (ssl === undefined) return undefined;
  if (/^(1|true|on|yes)$/i.test(ssl)) return 'VERIFY_IDENTITY';
  if (/^(0|false|off|no)$/i.test(ssl)) return 'DISABLED';
  throw new ConfigurationError(`ssl in ${label} must be true or false, got "${ssl}".`);
}

/**
 * The `ssl` option as goneaway passes it to mysql2: a copy (mysql2 writes into the object it
 * is given) with `verifyIdentity` on unless the caller set it to false. A profile name
 * (`'Amazon RDS'`) is resolved to its options first, so it is verified the same way.
 *
 * @throws ConfigurationError for `ssl: true` or any other value that is not TLS options.
 * @example
 * resolveSsl({ ca }); // { ca, verifyIdentity: true }
 */
export function resolveSsl(ssl: unknown, label = "Option 'ssl'"): SslOptions | undefined {
  if (ssl === undefined || ssl === null || ssl === false) return undefined;
  if (typeof ssl === 'string') {
    let profile: SslOptions;
    try {
      profile = (
        mysql as unknown as { ConnectionConfig: { getSSLProfile(name: string): SslOptions } }
      ).ConnectionConfig.getSSLProfile(ssl);
    } catch {
      throw new ConfigurationError(
        `${label} names the TLS profile "${ssl}", which mysql2 does not know. Give TLS options instead, e.g. { ca }.`,
      );
    }
    return resolveSsl(profile, label);
  }
  if (typeof ssl !== 'object' || Array.isArray(ssl)) {
    throw new ConfigurationError(
      `${label} is ${ssl === true ? 'true' : `a ${typeof ssl}`}; it takes TLS options: {} verifies the server against the ` +
        "system's CAs and its host name, { ca } against your own CA, { ca, verifyIdentity: false } skips the host name check.",
    );
  }
  const options = ssl as SslOptions;
  return { ...options, verifyIdentity: options.verifyIdentity !== false };
}

/**
 * A copy of TLS options without what must stay secret (private key, its passphrase, PFX
 * bundle), for showing a configuration.
 *
 * @example
 * publicSslOptions({ ca, key, passphrase }); // { ca }
 */
export function publicSslOptions(ssl: unknown): unknown {
  if (ssl === null || typeof ssl !== 'object') return ssl;
  const { key: _key, passphrase: _passphrase, pfx: _pfx, ...shown } = ssl as SslOptions;
  return shown;
}

/**
 * Tells Node's TLS layer which address the certificate must name when the host is an IP
 * address. mysql2 sends no `servername` for an IP (TLS SNI takes names only), and Node then
 * checks the certificate against the socket's `_host`, which `net.connect` sets only for
 * names: without this, a certificate for `localhost` would be accepted for any IP address.
 *
 * @example
 * const socket = net.connect({ host: '10.0.0.5', port: 3306 });
 * nameTlsPeer(socket, '10.0.0.5');
 */
export function nameTlsPeer(socket: Socket, host: string): void {
  if (isIP(host)) (socket as Socket & { _host?: string })._host = host;
}
