/**
 * The client error numbers of the C client libraries (CR_*, 2000–2999), every one defined
 * by MySQL 8.0's `include/errmsg.h` (2000–2074; MariaDB Connector/C shares 2000–2061 and puts
 * its own above 5000).
 *
 * mysql2 never creates these itself: it reports a lost connection as PROTOCOL_CONNECTION_LOST
 * or a Node code. They reach a Node application relayed as an error packet: by a proxy
 * (ProxySQL, MaxScale), by a server talking to another server (FEDERATED, CONNECT,
 * replication), or from a tool built on the C client. They are classified so that such an
 * error means the same thing as the mysql2 error it stands for.
 */
import type { NumberedRule } from './code-rule.js';

const CONFIG = 'ConfigurationError' as const;
const IFACE = 'InterfaceError' as const;
const PROG = 'ProgrammingError' as const;

/**
 * Every client error number, 2000–2074, with its class and why.
 *
 * @example
 * CLIENT_CODES.find((rule) => rule.errno === 2006)?.kind; // 'loss'
 */
export const CLIENT_CODES: readonly NumberedRule[] = [
  { errno: 2000, symbol: 'CR_UNKNOWN_ERROR', kind: IFACE, note: 'Unknown client error.' },
  {
    errno: 2001,
    symbol: 'CR_SOCKET_CREATE_ERROR',
    kind: 'ServerUnavailableError',
    note: 'Could not create a socket (descriptor or memory limits); transient.',
  },
  {
    errno: 2002,
    symbol: 'CR_CONNECTION_ERROR',
    kind: 'ServerUnavailableError',
    note: "Can't connect through the socket: the server is not running or the socket path is wrong.",
  },
  {
    errno: 2003,
    symbol: 'CR_CONN_HOST_ERROR',
    kind: 'ServerUnavailableError',
    signals: ['not-sent', 'server-restart'],
    note: "Can't connect to the host (refused or unreachable): the server is down, restarting, or the address is wrong.",
  },
  {
    errno: 2004,
    symbol: 'CR_IPSOCK_ERROR',
    kind: 'ServerUnavailableError',
    note: "Can't create a TCP/IP socket; transient resource shortage.",
  },
  {
    errno: 2005,
    symbol: 'CR_UNKNOWN_HOST',
    kind: 'ServerUnavailableError',
    signals: ['not-sent'],
    note: 'Unknown host: the name did not resolve (wrong name, or DNS down).',
  },
  {
    errno: 2006,
    symbol: 'CR_SERVER_GONE_ERROR',
    kind: 'loss',
    note: 'MySQL server has gone away: the connection was already closed when the client wrote (wait_timeout, KILL, restart, network).',
  },
  {
    errno: 2007,
    symbol: 'CR_VERSION_ERROR',
    kind: CONFIG,
    note: 'Protocol version mismatch between client and server.',
  },
  {
    errno: 2008,
    symbol: 'CR_OUT_OF_MEMORY',
    kind: 'InternalError',
    note: 'The client ran out of memory.',
  },
  { errno: 2009, symbol: 'CR_WRONG_HOST_INFO', kind: CONFIG, note: 'Invalid host information.' },
  {
    errno: 2010,
    symbol: 'CR_LOCALHOST_CONNECTION',
    kind: IFACE,
    note: 'A description string ("Localhost via UNIX socket"), not an error.',
  },
  {
    errno: 2011,
    symbol: 'CR_TCP_CONNECTION',
    kind: IFACE,
    note: 'A description string ("host via TCP/IP"), not an error.',
  },
  {
    errno: 2012,
    symbol: 'CR_SERVER_HANDSHAKE_ERR',
    kind: 'ServerUnavailableError',
    note: 'Error in the server handshake: the connection broke or the peer is not a usable server.',
  },
  {
    errno: 2013,
    symbol: 'CR_SERVER_LOST',
    kind: 'loss',
    note: 'Lost connection to server during query: the connection broke while a reply was awaited.',
  },
  {
    errno: 2014,
    symbol: 'CR_COMMANDS_OUT_OF_SYNC',
    kind: IFACE,
    connectionUsable: false,
    note: 'Commands out of sync: a new command before the previous result was read. The handle is unusable until reset.',
  },
  {
    errno: 2015,
    symbol: 'CR_NAMEDPIPE_CONNECTION',
    kind: IFACE,
    note: 'A description string (named pipe), not an error.',
  },
  {
    errno: 2016,
    symbol: 'CR_NAMEDPIPEWAIT_ERROR',
    kind: 'ServerUnavailableError',
    note: 'Windows named pipe: wait failed.',
  },
  {
    errno: 2017,
    symbol: 'CR_NAMEDPIPEOPEN_ERROR',
    kind: 'ServerUnavailableError',
    note: 'Windows named pipe: open failed (server not running?).',
  },
  {
    errno: 2018,
    symbol: 'CR_NAMEDPIPESETSTATE_ERROR',
    kind: 'ServerUnavailableError',
    note: 'Windows named pipe: set state failed.',
  },
  {
    errno: 2019,
    symbol: 'CR_CANT_READ_CHARSET',
    kind: CONFIG,
    note: 'Cannot initialise the character set.',
  },
  {
    errno: 2020,
    symbol: 'CR_NET_PACKET_TOO_LARGE',
    kind: 'OperationalError',
    connectionUsable: false,
    note: 'A packet is larger than max_allowed_packet; repeating it fails the same way.',
  },
  {
    errno: 2021,
    symbol: 'CR_EMBEDDED_CONNECTION',
    kind: IFACE,
    note: 'A description string (embedded server), not an error.',
  },
  {
    errno: 2022,
    symbol: 'CR_PROBE_SLAVE_STATUS',
    kind: IFACE,
    note: 'Replication probe: error reading replica status.',
  },
  {
    errno: 2023,
    symbol: 'CR_PROBE_SLAVE_HOSTS',
    kind: IFACE,
    note: 'Replication probe: error reading replica hosts.',
  },
  {
    errno: 2024,
    symbol: 'CR_PROBE_SLAVE_CONNECT',
    kind: 'ServerUnavailableError',
    note: 'Replication probe: cannot connect to a replica.',
  },
  {
    errno: 2025,
    symbol: 'CR_PROBE_MASTER_CONNECT',
    kind: 'ServerUnavailableError',
    note: 'Replication probe: cannot connect to the primary.',
  },
  {
    errno: 2026,
    symbol: 'CR_SSL_CONNECTION_ERROR',
    kind: CONFIG,
    note: 'TLS connection error: usually certificates or TLS settings that do not match the server (a reset during the TLS handshake gives it too).',
  },
  {
    errno: 2027,
    symbol: 'CR_MALFORMED_PACKET',
    kind: 'InternalError',
    note: 'Malformed packet: the stream is corrupt (a proxy bug, or a truncated reply). The handle is unusable.',
  },
  {
    errno: 2028,
    symbol: 'CR_WRONG_LICENSE',
    kind: CONFIG,
    note: 'Client and server licenses differ (old builds).',
  },
  {
    errno: 2029,
    symbol: 'CR_NULL_POINTER',
    kind: IFACE,
    note: 'Invalid use of a null pointer (client API misuse).',
  },
  { errno: 2030, symbol: 'CR_NO_PREPARE_STMT', kind: PROG, note: 'Statement not prepared.' },
  {
    errno: 2031,
    symbol: 'CR_PARAMS_NOT_BOUND',
    kind: PROG,
    note: 'No data supplied for the parameters of a prepared statement.',
  },
  { errno: 2032, symbol: 'CR_DATA_TRUNCATED', kind: 'DataError', note: 'Data truncated on fetch.' },
  {
    errno: 2033,
    symbol: 'CR_NO_PARAMETERS_EXISTS',
    kind: PROG,
    note: 'No parameters exist in the statement.',
  },
  { errno: 2034, symbol: 'CR_INVALID_PARAMETER_NO', kind: PROG, note: 'Invalid parameter number.' },
  {
    errno: 2035,
    symbol: 'CR_INVALID_BUFFER_USE',
    kind: PROG,
    note: 'Cannot send long data for a non-string/non-binary parameter.',
  },
  {
    errno: 2036,
    symbol: 'CR_UNSUPPORTED_PARAM_TYPE',
    kind: PROG,
    note: 'Unsupported parameter type.',
  },
  {
    errno: 2037,
    symbol: 'CR_SHARED_MEMORY_CONNECTION',
    kind: IFACE,
    note: 'A description string (shared memory), not an error.',
  },
  {
    errno: 2038,
    symbol: 'CR_SHARED_MEMORY_CONNECT_REQUEST_ERROR',
    kind: 'ServerUnavailableError',
    note: 'Windows shared memory: cannot open the connect request event.',
  },
  {
    errno: 2039,
    symbol: 'CR_SHARED_MEMORY_CONNECT_ANSWER_ERROR',
    kind: 'ServerUnavailableError',
    note: 'Windows shared memory: no answer event.',
  },
  {
    errno: 2040,
    symbol: 'CR_SHARED_MEMORY_CONNECT_FILE_MAP_ERROR',
    kind: 'ServerUnavailableError',
    note: 'Windows shared memory: cannot open the file mapping.',
  },
  {
    errno: 2041,
    symbol: 'CR_SHARED_MEMORY_CONNECT_MAP_ERROR',
    kind: 'ServerUnavailableError',
    note: 'Windows shared memory: cannot map the view.',
  },
  {
    errno: 2042,
    symbol: 'CR_SHARED_MEMORY_FILE_MAP_ERROR',
    kind: 'ServerUnavailableError',
    note: 'Windows shared memory: cannot open the file mapping.',
  },
  {
    errno: 2043,
    symbol: 'CR_SHARED_MEMORY_MAP_ERROR',
    kind: 'ServerUnavailableError',
    note: 'Windows shared memory: cannot map the view.',
  },
  {
    errno: 2044,
    symbol: 'CR_SHARED_MEMORY_EVENT_ERROR',
    kind: 'ServerUnavailableError',
    note: 'Windows shared memory: cannot open an event.',
  },
  {
    errno: 2045,
    symbol: 'CR_SHARED_MEMORY_CONNECT_ABANDONED_ERROR',
    kind: 'loss',
    note: 'Windows shared memory: the server abandoned the connection (it died or closed it).',
  },
  {
    errno: 2046,
    symbol: 'CR_SHARED_MEMORY_CONNECT_SET_ERROR',
    kind: 'ServerUnavailableError',
    note: 'Windows shared memory: cannot send the connect request.',
  },
  {
    errno: 2047,
    symbol: 'CR_CONN_UNKNOW_PROTOCOL',
    kind: CONFIG,
    note: 'Wrong or unknown protocol (e.g. a socket path given for a TCP-only server).',
  },
  {
    errno: 2048,
    symbol: 'CR_INVALID_CONN_HANDLE',
    kind: 'loss',
    signals: ['not-sent'],
    note: 'Invalid connection handle: a call on a handle already closed. Nothing was sent.',
  },
  {
    errno: 2049,
    symbol: 'CR_UNUSED_1',
    kind: 'AuthenticationError',
    note: 'Formerly CR_SECURE_AUTH: the server asked for the pre-4.1 password scheme, which the client refuses.',
  },
  {
    errno: 2050,
    symbol: 'CR_FETCH_CANCELED',
    kind: IFACE,
    note: 'Row retrieval was canceled by mysql_stmt_close().',
  },
  {
    errno: 2051,
    symbol: 'CR_NO_DATA',
    kind: PROG,
    note: 'Attempt to read a column without a prior row fetch.',
  },
  {
    errno: 2052,
    symbol: 'CR_NO_STMT_METADATA',
    kind: PROG,
    note: 'The prepared statement has no metadata.',
  },
  {
    errno: 2053,
    symbol: 'CR_NO_RESULT_SET',
    kind: PROG,
    note: 'Attempt to read a row while no result set is associated with the statement.',
  },
  {
    errno: 2054,
    symbol: 'CR_NOT_IMPLEMENTED',
    kind: 'NotSupportedError',
    note: 'Not implemented by this client.',
  },
  {
    errno: 2055,
    symbol: 'CR_SERVER_LOST_EXTENDED',
    kind: 'loss',
    note: 'Lost connection to server at a named stage ("reading initial communication packet", "sending authentication information", ...), with the system error.',
  },
  {
    errno: 2056,
    symbol: 'CR_STMT_CLOSED',
    kind: IFACE,
    note: 'The prepared statement was closed (e.g. by a reconnect); prepare it again.',
  },
  {
    errno: 2057,
    symbol: 'CR_NEW_STMT_METADATA',
    kind: IFACE,
    note: 'The result set metadata changed; rebind.',
  },
  {
    errno: 2058,
    symbol: 'CR_ALREADY_CONNECTED',
    kind: IFACE,
    note: 'The handle is already connected.',
  },
  {
    errno: 2059,
    symbol: 'CR_AUTH_PLUGIN_CANNOT_LOAD',
    kind: 'AuthenticationError',
    note: 'The authentication plugin the account needs cannot be loaded by the client.',
  },
  {
    errno: 2060,
    symbol: 'CR_DUPLICATE_CONNECTION_ATTR',
    kind: CONFIG,
    note: 'A connection attribute was given twice.',
  },
  {
    errno: 2061,
    symbol: 'CR_AUTH_PLUGIN_ERR',
    kind: 'AuthenticationError',
    note: 'The authentication plugin reported an error (e.g. caching_sha2_password needs TLS or the RSA key).',
  },
  {
    errno: 2062,
    symbol: 'CR_INSECURE_API_ERR',
    kind: IFACE,
    note: 'An insecure API function was called.',
  },
  { errno: 2063, symbol: 'CR_FILE_NAME_TOO_LONG', kind: CONFIG, note: 'A file name is too long.' },
  {
    errno: 2064,
    symbol: 'CR_SSL_FIPS_MODE_ERR',
    kind: CONFIG,
    note: 'The FIPS mode setting is invalid.',
  },
  {
    errno: 2065,
    symbol: 'CR_DEPRECATED_COMPRESSION_NOT_SUPPORTED',
    kind: CONFIG,
    note: 'The server does not support the requested compression algorithm.',
  },
  {
    errno: 2066,
    symbol: 'CR_COMPRESSION_WRONGLY_CONFIGURED',
    kind: CONFIG,
    note: 'Compression settings are invalid.',
  },
  {
    errno: 2067,
    symbol: 'CR_KERBEROS_USER_NOT_FOUND',
    kind: 'AuthenticationError',
    note: 'No Kerberos principal for the user.',
  },
  {
    errno: 2068,
    symbol: 'CR_LOAD_DATA_LOCAL_INFILE_REJECTED',
    kind: CONFIG,
    note: 'LOAD DATA LOCAL INFILE was rejected by the client settings.',
  },
  {
    errno: 2069,
    symbol: 'CR_LOAD_DATA_LOCAL_INFILE_REALPATH_FAIL',
    kind: CONFIG,
    note: 'The LOAD DATA LOCAL file path could not be resolved.',
  },
  {
    errno: 2070,
    symbol: 'CR_DNS_SRV_LOOKUP_FAILED',
    kind: 'ServerUnavailableError',
    note: 'The DNS SRV lookup for the server failed.',
  },
  {
    errno: 2071,
    symbol: 'CR_MANDATORY_TRACKER_NOT_FOUND',
    kind: IFACE,
    note: 'A mandatory session tracker was not found in the reply.',
  },
  {
    errno: 2072,
    symbol: 'CR_INVALID_FACTOR_NO',
    kind: CONFIG,
    note: 'Invalid multi-factor authentication factor number.',
  },
  {
    errno: 2073,
    symbol: 'CR_CANT_GET_SESSION_DATA',
    kind: IFACE,
    note: 'Cannot get session data.',
  },
  {
    errno: 2074,
    symbol: 'CR_INVALID_CLIENT_CHARSET',
    kind: CONFIG,
    note: 'The client character set is invalid or not supported.',
  },
];

/**
 * The rule for a client error number, or `undefined` outside 2000–2074.
 *
 * @example
 * clientCodeRule(2013)?.symbol; // 'CR_SERVER_LOST'
 */
export function clientCodeRule(errno: number): NumberedRule | undefined {
  return BY_ERRNO.get(errno);
}

const BY_ERRNO = new Map(CLIENT_CODES.map((rule) => [rule.errno, rule]));
