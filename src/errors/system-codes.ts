/**
 * Node's system error codes (`err.code` on errors from `net`, `dns` and `tls`) that a
 * database connection can meet. mysql2 passes them through unchanged, except on a TLS failure
 * (it overwrites the code with HANDSHAKE_SSL_ERROR, see `driver-codes.ts`).
 *
 * A loss (`kind: 'loss'`) while connecting becomes ServerUnavailableError; afterwards the
 * phase decides (see `classify`).
 */
import type { CodeRule } from './code-rule.js';

const NOT_SENT = ['not-sent'] as const;

/**
 * Node's network, DNS and TLS codes, with their class and why.
 *
 * @example
 * SYSTEM_CODE_RULES.ECONNREFUSED?.kind; // 'ServerUnavailableError'
 */
export const SYSTEM_CODE_RULES: Readonly<Record<string, CodeRule>> = {
  ECONNREFUSED: {
    kind: 'ServerUnavailableError',
    signals: ['not-sent', 'server-restart'],
    note: 'Nothing listens on the port (or socket): the server is down or restarting, or the address is wrong. On an address that worked before, a restart.',
    advice:
      'Nothing accepts connections at that address: start the server or fix host and port. If it worked before, the server is restarting; goneaway reconnects with backoff.',
  },
  ECONNRESET: {
    kind: 'loss',
    note: 'The peer reset the connection. MariaDB 10.11 closes a connection idle past wait_timeout this way (measured: no error packet, a reset); proxies and load balancers reset idle flows too.',
  },
  EPIPE: {
    kind: 'loss',
    note: 'A write to a connection the peer had already closed.',
  },
  ECONNABORTED: {
    kind: 'loss',
    note: 'The connection was aborted locally (e.g. a timeout in the network stack).',
  },
  ENOTCONN: {
    kind: 'loss',
    note: 'The socket is no longer connected.',
  },
  ETIMEDOUT: {
    kind: 'loss',
    note: 'A network timeout: while connecting, the server did not answer (mysql2 raises it for connectTimeout, a black-holed path or a frozen server); on an open connection, TCP gave up on unacknowledged data.',
  },
  EHOSTUNREACH: {
    kind: 'loss',
    note: 'No route to the host: the host is down or a network path failed.',
  },
  ENETUNREACH: {
    kind: 'loss',
    note: 'The network is unreachable from this host.',
  },
  EHOSTDOWN: {
    kind: 'loss',
    note: 'The host is down.',
  },
  ENETDOWN: {
    kind: 'loss',
    note: 'The local network interface is down.',
  },
  ENETRESET: {
    kind: 'loss',
    note: 'The network dropped the connection on reset.',
  },
  ENOTFOUND: {
    kind: 'ServerUnavailableError',
    signals: NOT_SENT,
    note: 'The host name did not resolve. Persistent means a wrong name; transient happens while DNS records change (failover endpoints).',
    advice: 'Check the host name; goneaway retries in case DNS is changing (failover).',
  },
  EAI_AGAIN: {
    kind: 'ServerUnavailableError',
    signals: NOT_SENT,
    note: 'DNS lookup failed temporarily.',
  },
  EAI_FAIL: {
    kind: 'ServerUnavailableError',
    signals: NOT_SENT,
    note: 'DNS lookup failed (non-recoverable answer from the resolver).',
  },
  EADDRNOTAVAIL: {
    kind: 'ServerUnavailableError',
    signals: NOT_SENT,
    note: 'No local address or port available (ephemeral ports exhausted by too many short connections).',
  },
  ENOENT: {
    kind: 'ServerUnavailableError',
    signals: NOT_SENT,
    note: 'The unix socket file does not exist: the server is not running or socketPath is wrong.',
  },
  EACCES: {
    kind: 'ConfigurationError',
    note: 'Permission denied on the unix socket file.',
    advice: 'Give this process access to the socket file, or connect over TCP.',
  },
  ERR_SOCKET_CLOSED: {
    kind: 'loss',
    signals: NOT_SENT,
    note: 'Node refused a write on a closed socket: nothing was sent.',
  },
  ERR_STREAM_DESTROYED: {
    kind: 'loss',
    signals: NOT_SENT,
    note: 'Node refused a write on a destroyed socket: nothing was sent.',
  },
  ERR_STREAM_WRITE_AFTER_END: {
    kind: 'loss',
    signals: NOT_SENT,
    note: 'Node refused a write after the socket was ended: nothing was sent.',
  },
  CERT_HAS_EXPIRED: {
    kind: 'ConfigurationError',
    note: "TLS: the server's certificate has expired.",
  },
  DEPTH_ZERO_SELF_SIGNED_CERT: {
    kind: 'ConfigurationError',
    note: 'TLS: the server presents a self-signed certificate; give its CA in ssl.ca.',
  },
  SELF_SIGNED_CERT_IN_CHAIN: {
    kind: 'ConfigurationError',
    note: "TLS: the server's chain ends in an untrusted self-signed CA; give it in ssl.ca.",
  },
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: {
    kind: 'ConfigurationError',
    note: "TLS: the server's certificate cannot be verified; give the issuing CA in ssl.ca.",
  },
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: {
    kind: 'ConfigurationError',
    note: "TLS: the issuer of the server's certificate is unknown; give it in ssl.ca.",
  },
  ERR_TLS_CERT_ALTNAME_INVALID: {
    kind: 'ConfigurationError',
    note: "TLS: the server's certificate does not name the host connected to.",
  },
};
