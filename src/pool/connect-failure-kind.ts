/**
 * What a failed connect says about the server, for deciding how soon to try again
 * (`connect-policy.ts`). A failed connect is read from the fields of the classified error
 * (`src/errors`): its Node system code, its server error number, mysql2's code, and whether it
 * is retryable at all. The table below is the only place this reading lives.
 */

/**
 * - `'refused'`: refused at once, at no cost to the server: nothing listens on the port (the
 *   server is down or restarting), no socket file, no route, a reset before the greeting (a
 *   proxy whose server is down), or a server that is shutting down.
 * - `'server-full'`: the server is there but has no slot: `max_connections` (1040) or a
 *   per-user limit (1203, 1226). Each refusal cost it an accept and a packet, or a whole
 *   authentication.
 * - `'timeout'`: no answer within the connect bound: a black-holed path, a frozen or
 *   overloaded server. The attempt already cost the caller its bound.
 * - `'transient'`: anything else that may pass by itself (DNS, a garbled handshake).
 * - `'permanent'`: will not fix itself while callers wait: bad credentials, an unknown database,
 *   a blocked host.
 *
 * @example
 * const kind: ConnectFailureKind = 'refused';
 */
export type ConnectFailureKind = 'refused' | 'server-full' | 'timeout' | 'transient' | 'permanent';

/** The fields of a classified connect error that the kind is read from. */
export interface ConnectErrorFacts {
  readonly systemCode?: string | undefined;
  readonly errno?: number | undefined;
  readonly driverCode?: string | undefined;
  readonly retryable: boolean;
}

/** Node system codes and mysql2 codes, with the kind each means while connecting, and why. */
const BY_CODE: ReadonlyMap<string, ConnectFailureKind> = new Map<string, ConnectFailureKind>([
  // Nothing listens: the kernel answered with a RST at once.
  ['ECONNREFUSED', 'refused'],
  // A unix socket file that is not there: the server is not running.
  ['ENOENT', 'refused'],
  // Closed or reset before the greeting: a proxy or load balancer whose server is down, or a
  // server closing its listener while shutting down. As cheap as a refusal.
  ['ECONNRESET', 'refused'],
  ['EPIPE', 'refused'],
  ['PROTOCOL_CONNECTION_LOST', 'refused'],
  // An ICMP "unreachable" answered at once: nothing to wait on but the network itself.
  ['EHOSTUNREACH', 'refused'],
  ['ENETUNREACH', 'refused'],
  // mysql2's connectTimeout, a black-holed path, or a frozen server (the kernel accepts, nobody greets).
  ['ETIMEDOUT', 'timeout'],
]);

/** Server error numbers, with the kind each means while connecting, and why. */
const BY_ERRNO: ReadonlyMap<number, ConnectFailureKind> = new Map<number, ConnectFailureKind>([
  // ER_CON_COUNT_ERROR, sent instead of the greeting: max_connections is reached.
  [1040, 'server-full'],
  // ER_TOO_MANY_USER_CONNECTIONS, after authentication: the user's max_user_connections.
  [1203, 'server-full'],
  // ER_USER_LIMIT_REACHED: MAX_USER_CONNECTIONS of the account (or another per-hour limit).
  [1226, 'server-full'],
  // ER_SERVER_SHUTDOWN: the server is going away; the next attempt finds it down or back.
  [1053, 'refused'],
  // ER_SERVER_OFFLINE_MODE: maintenance; it accepts again when an admin turns it off.
  [3032, 'refused'],
]);

/**
 * The kind of a failed connect, from its classified error.
 *
 * @example
 * connectFailureKind({ systemCode: 'ECONNREFUSED', retryable: true }); // 'refused'
 * connectFailureKind({ errno: 1040, retryable: true }); // 'server-full'
 * connectFailureKind({ errno: 1045, retryable: false }); // 'permanent'
 */
export function connectFailureKind(error: ConnectErrorFacts): ConnectFailureKind {
  // A code marked not retryable (bad credentials, a blocked host) is permanent whatever it is.
  if (!error.retryable) return 'permanent';
  const byErrno = error.errno === undefined ? undefined : BY_ERRNO.get(error.errno);
  if (byErrno) return byErrno;
  for (const code of [error.systemCode, error.driverCode]) {
    const byCode = code === undefined ? undefined : BY_CODE.get(code);
    if (byCode) return byCode;
  }
  return 'transient';
}
