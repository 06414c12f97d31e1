/**
 * What `goneaway doctor` measures on the server, and nothing else: every judgement is made
 * later, by pure functions over these facts, so it can be unit-tested without a server.
 *
 * Each measurement is independent. One that fails (a privilege missing, a proxy that does not
 * know a statement) is recorded as a limitation and the others go on: a partial report is
 * worth more than none.
 */
import type mysql from 'mysql2/promise';
import { type ProcessRow, readProcesslist, seesAllSessions } from '../processlist.js';

/** Timeout and limit variables the report shows, in the order it shows them. */
export const TIMEOUT_VARIABLES = [
  'wait_timeout',
  'interactive_timeout',
  'net_read_timeout',
  'net_write_timeout',
  'connect_timeout',
  'max_execution_time',
  'max_statement_time',
  'idle_transaction_timeout',
  'idle_readonly_transaction_timeout',
  'idle_write_transaction_timeout',
  'lock_wait_timeout',
  'innodb_lock_wait_timeout',
] as const;

/** Other variables the analysis reads. */
export const LIMIT_VARIABLES = [
  'max_connections',
  'max_user_connections',
  'max_allowed_packet',
  'max_connect_errors',
  'have_ssl',
  'require_secure_transport',
] as const;

/** Global status counters the analysis reads. */
export const STATUS_VARIABLES = [
  'Uptime',
  'Connections',
  'Threads_connected',
  'Threads_running',
  'Max_used_connections',
  'Aborted_clients',
  'Aborted_connects',
  'Connection_errors_max_connections',
] as const;

/** Everything `doctor` measured. Fields are undefined where the measurement failed. */
export interface DoctorFacts {
  readonly connectMs: number;
  /** Round trips of `SELECT 1` (not ping: a proxy may answer a ping itself), in ms. */
  readonly roundTripsMs: readonly number[];
  /** `VERSION()`, run with a comment so a proxy cannot answer it from its own settings. */
  readonly version?: string;
  readonly versionComment?: string;
  readonly hostname?: string;
  readonly connectionId?: number;
  /** `CURRENT_USER()`: the account the server matched, e.g. `app@%`. */
  readonly account?: string;
  /** Answer to the verbatim `select @@version_comment limit 1` that ProxySQL intercepts. */
  readonly plainVersionComment?: string;
  /** From the server greeting: what whoever answered the TCP connection said it was. */
  readonly greeting: { readonly version?: string; readonly connectionId?: number };
  /** This client's end of the TCP connection, as the operating system reports it. */
  readonly localAddress?: string;
  readonly localPort?: number;
  /** The `HOST` of this session in the processlist: where the server sees it coming from. */
  readonly serverSeenHost?: string;
  readonly sessionVariables: Readonly<Record<string, string>>;
  readonly globalVariables: Readonly<Record<string, string>>;
  readonly status: Readonly<Record<string, string>>;
  readonly sslCipher?: string;
  readonly sslVersion?: string;
  /** Whether this account holds PROCESS (or SUPER), i.e. sees every session. */
  readonly seesAllSessions?: boolean;
  readonly processlist?: readonly ProcessRow[];
  /** What could not be measured, and why, one sentence each. */
  readonly limitations: readonly string[];
}

/**
 * The fields of mysql2's core connection (behind the promise wrapper's untyped `connection`)
 * that the collector reads: the socket, and the server greeting. Both optional: a mysql2
 * that moves them only costs the report two proxy signatures.
 */
interface DriverInternals {
  readonly connection?: {
    readonly stream?: { readonly localAddress?: string; readonly localPort?: number };
    readonly _handshakePacket?: { readonly serverVersion?: string };
  };
}

/** How many `SELECT 1` round trips to time. */
const ROUND_TRIPS = 5;

/**
 * Measures a server over an open connection.
 *
 * @example
 * const { connection, connectMs } = await openConnection(target);
 * const facts = await collectFacts(connection, connectMs);
 */
export async function collectFacts(
  connection: mysql.Connection,
  connectMs: number,
): Promise<DoctorFacts> {
  const limitations: string[] = [];
  const attempt = async <T>(what: string, run: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await run();
    } catch (error) {
      // A lost connection is not a limitation of one measurement: the report stops there.
      if ((error as { fatal?: unknown }).fatal === true) throw error;
      limitations.push(`${what}: ${reason(error)}`);
      return undefined;
    }
  };
  const rows = async (sql: string): Promise<mysql.RowDataPacket[]> => {
    const [result] = await connection.query<mysql.RowDataPacket[]>(sql);
    return result;
  };

  const driver = (connection as unknown as DriverInternals).connection;
  const identity = await attempt('server identity', async () => {
    const [row] = await rows(
      'SELECT /* goneaway doctor */ VERSION() AS version, @@version_comment AS comment, ' +
        '@@hostname AS hostname, CONNECTION_ID() AS id, CURRENT_USER() AS account',
    );
    return row;
  });
  // Verbatim, lower case and all: this is the exact statement ProxySQL answers by itself.
  const plainComment = await attempt('proxy signature', async () => {
    const [row] = await rows('select @@version_comment limit 1');
    return row === undefined ? undefined : String(Object.values(row)[0] ?? '');
  });

  const roundTripsMs: number[] = [];
  await attempt('round-trip time', async () => {
    // One untimed first: the driver's first result set pays for lazy set-up, not the network.
    await connection.query('SELECT 1');
    for (let i = 0; i < ROUND_TRIPS; i++) {
      const started = performance.now();
      await connection.query('SELECT 1');
      roundTripsMs.push(performance.now() - started);
    }
  });

  const names = [...TIMEOUT_VARIABLES, ...LIMIT_VARIABLES].map((name) => `'${name}'`).join(',');
  const sessionVariables =
    (await attempt('session variables', async () =>
      toMap(await rows(`SHOW SESSION VARIABLES WHERE Variable_name IN (${names})`)),
    )) ?? {};
  const globalVariables =
    (await attempt('global variables', async () =>
      toMap(await rows(`SHOW GLOBAL VARIABLES WHERE Variable_name IN (${names})`)),
    )) ?? {};
  const statusNames = STATUS_VARIABLES.map((name) => `'${name}'`).join(',');
  const status =
    (await attempt('status counters', async () =>
      toMap(await rows(`SHOW GLOBAL STATUS WHERE Variable_name IN (${statusNames})`)),
    )) ?? {};
  const ssl = await attempt('TLS status', async () =>
    toMap(await rows("SHOW SESSION STATUS WHERE Variable_name IN ('Ssl_cipher','Ssl_version')")),
  );

  // Every account sees its own session, PROCESS or not.
  const serverSeenHost = await attempt('client address as the server sees it', async () => {
    const [row] = await rows(
      'SELECT HOST AS host FROM information_schema.PROCESSLIST WHERE ID = CONNECTION_ID()',
    );
    return row === undefined ? undefined : String(row.host);
  });
  const seesAll = await attempt('privileges', () => seesAllSessions(connection));
  const processlist = await attempt('processlist', () => readProcesslist(connection));
  if (seesAll === false) {
    limitations.push(
      "other accounts' sessions: this account lacks the PROCESS privilege, so the processlist " +
        'shows only its own sessions (GRANT PROCESS ON *.* to see them all)',
    );
  }

  return {
    connectMs,
    roundTripsMs,
    version: identity ? String(identity.version) : undefined,
    versionComment: identity ? String(identity.comment ?? '') : undefined,
    hostname: identity?.hostname == null ? undefined : String(identity.hostname),
    connectionId: identity ? Number(identity.id) : undefined,
    account: identity ? String(identity.account) : undefined,
    plainVersionComment: plainComment,
    greeting: {
      version: driver?._handshakePacket?.serverVersion,
      connectionId: connection.threadId ?? undefined,
    },
    localAddress: driver?.stream?.localAddress,
    localPort: driver?.stream?.localPort,
    serverSeenHost,
    sessionVariables,
    globalVariables,
    status,
    sslCipher: ssl?.Ssl_cipher,
    sslVersion: ssl?.Ssl_version,
    seesAllSessions: seesAll,
    processlist,
    limitations,
  };
}

function toMap(rows: readonly mysql.RowDataPacket[]): Record<string, string> {
  const map: Record<string, string> = {};
  for (const row of rows) map[String(row.Variable_name)] = String(row.Value ?? '');
  return map;
}

function reason(error: unknown): string {
  const fields = (typeof error === 'object' && error !== null ? error : {}) as {
    code?: unknown;
    errno?: unknown;
    message?: unknown;
  };
  const message = typeof fields.message === 'string' ? fields.message : String(error);
  const code = typeof fields.code === 'string' ? ` (${fields.code})` : '';
  return `${message.replace(/\s+/g, ' ').trim()}${code}`;
}
