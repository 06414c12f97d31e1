/**
 * Who may read the password. With `caching_sha2_password` (MySQL 8's default) and
 * `sha256_password`, a server that has no cached hash of the password asks for "full
 * authentication": over TLS or a unix socket mysql2 then sends the password as it is, and over
 * plain TCP it asks the server for its RSA public key and encrypts the password to that key.
 * Whoever answers in the server's place (anyone on the network path, or a host the
 * application was pointed at by mistake or by a planted DNS record) can send a key of their
 * own and decrypt the password. The mysql client and Connector/J refuse that request unless
 * told otherwise (`--get-server-public-key`, `allowPublicKeyRetrieval=true`); so does
 * goneaway.
 *
 * The policy, decided once per set of options and handed to mysql2 as `authPlugins`:
 *
 * | transport                     | what goneaway installs                                    |
 * | ----------------------------- | --------------------------------------------------------- |
 * | TLS (`ssl` set)               | nothing: mysql2 requires TLS before it sends credentials  |
 * | unix socket                   | nothing: only a process on this machine can own the socket |
 * | TCP, `serverPublicKey` pinned | mysql2's plugins with that key: no request, no other key  |
 * | TCP, opted in                 | nothing (mysql2's default, at the caller's risk)          |
 * | TCP otherwise                 | guards that refuse to ask for or use a server's key       |
 *
 * A unix socket counts as secure, as it does for the MySQL server and its client: the peer is
 * a process on this machine, and the socket file's directory permissions decide which.
 *
 * Cost: mysql2 answers the server's greeting with its own plugin only when no custom plugin of
 * that name is installed, so a guarded or pinned connection to a server whose default is
 * `caching_sha2_password` takes one more round trip to connect (an auth switch). MariaDB
 * servers (default `mysql_native_password`) and TLS connections pay nothing.
 */
import { createPublicKey } from 'node:crypto';
import mysql from 'mysql2';
import {
  ConfigurationError,
  ERROR_CLASS_SPECS,
  PasswordExchangeRefusedError,
} from '../errors/index.js';

/** How a connection reaches the server, and what the caller allowed. */
export interface PasswordExchangeOptions {
  /** TLS is required (mysql2's `ssl` is set). */
  readonly tls: boolean;
  /** A unix socket, not TCP. */
  readonly socket: boolean;
  /** The server's RSA public key (PEM), pinned by the caller. */
  readonly serverPublicKey?: string | Buffer | undefined;
  /** Send the password encrypted to whatever key the server offers, without TLS. */
  readonly insecureAllowPublicKeyRetrieval?: boolean | undefined;
  /** `host:port`, for the refusal's message. */
  readonly label: string;
}

type AuthPlugins = NonNullable<mysql.ConnectionOptions['authPlugins']>;
type AuthPluginFactory = (options: {
  serverPublicKey?: string | Buffer;
  onServerPublicKey?: (key: Buffer) => void;
}) => AuthPlugins[string];

/** The bytes each plugin sends to ask the server for its public key. */
const KEY_REQUEST: Readonly<Record<string, number>> = {
  caching_sha2_password: 0x02,
  sha256_password: 0x01,
};

/**
 * The `authPlugins` to give mysql2 for these options, or undefined when mysql2's own plugins
 * are safe (TLS, a unix socket) or the caller opted in.
 *
 * @throws ConfigurationError if `serverPublicKey` is not an RSA public key.
 * @example
 * const authPlugins = passwordExchangePlugins({ tls: false, socket: false, label: 'db:3306' });
 * mysql.createConnection({ host: 'db', user, password, authPlugins });
 */
export function passwordExchangePlugins(options: PasswordExchangeOptions): AuthPlugins | undefined {
  const key = options.serverPublicKey;
  if (key !== undefined) checkPublicKey(key);
  if (options.tls || options.socket) return undefined;
  if (key === undefined && options.insecureAllowPublicKeyRetrieval === true) return undefined;
  const factories = mysql.authPlugins as unknown as Record<string, AuthPluginFactory>;
  const plugins: AuthPlugins = {};
  for (const name of Object.keys(KEY_REQUEST)) {
    plugins[name] = guarded(name, factories[name] as AuthPluginFactory, options);
  }
  return plugins;
}

/**
 * mysql2's plugin, with the pinned key if there is one, refusing to ask for the server's key
 * or to use one it sends. The request is caught on its way out (the plugin's reply is the
 * one-byte request); the second check, on a key arriving, holds even if mysql2 changed how it
 * asks.
 */
function guarded(
  name: string,
  factory: AuthPluginFactory,
  options: PasswordExchangeOptions,
): AuthPlugins[string] {
  const refuse = (): never => {
    throw new PasswordExchangeRefusedError(
      `goneaway refused to send the password to ${options.label}: the server asked for full authentication ` +
        `(${name}) over a connection without TLS, which would encrypt the password to a public key the server ` +
        `chooses, readable by anyone answering in its place. ${ERROR_CLASS_SPECS.PasswordExchangeRefusedError.action}`,
      { phase: 'connecting', outcome: 'not-sent' },
    );
  };
  const plugin = factory({
    ...(options.serverPublicKey === undefined ? {} : { serverPublicKey: options.serverPublicKey }),
    onServerPublicKey: refuse,
  });
  return (metadata) => {
    const next = plugin(metadata);
    return (data) => {
      const reply = next(data);
      if (Buffer.isBuffer(reply) && reply.length === 1 && reply[0] === KEY_REQUEST[name]) refuse();
      return reply;
    };
  };
}

function checkPublicKey(key: string | Buffer): void {
  let type: string | undefined;
  try {
    type = createPublicKey(key).asymmetricKeyType;
  } catch {
    type = undefined;
  }
  if (type !== 'rsa') {
    throw new ConfigurationError(
      "Option 'serverPublicKey' is not an RSA public key in PEM form. Copy the server's key " +
        "(MySQL: the file named by caching_sha2_password_public_key_path, or SHOW STATUS LIKE 'Caching_sha2_password_rsa_public_key').",
    );
  }
}
