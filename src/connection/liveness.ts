/**
 * Questions about a connection asked over a short side connection that goes the same way (same
 * host and port, through any proxy): "is the server reachable, and is it still running this
 * connection's statement?" (the in-flight watchdog) and "does the server still hold this
 * abandoned session?" (the reaper).
 *
 * TCP keepalive cannot answer them (a proxy in the path answers keepalive probes itself), and a
 * plain timeout cannot tell a long report query from a dead path. Every side connection is
 * bounded as a whole (connect, handshake and its one statement) and always closed.
 */
import { connect as netConnect, type Socket } from 'node:net';
import mysql from 'mysql2';
import { nameTlsPeer } from '../config/tls-options.js';

/** How to reach the server for a side question, and the bound on it. */
export interface SideConfig {
  readonly host: string;
  readonly port: number;
  readonly socketPath: string | undefined;
  readonly driver: mysql.ConnectionOptions;
  readonly timeoutMs: number;
  readonly label: string;
}

/** What one side statement came back with. */
export type SideAnswer =
  | { readonly kind: 'rows'; readonly rows: readonly Record<string, unknown>[] }
  /** The server answered, with an error (1040 too many connections, 1226, 1045, ...): it is reachable. */
  | { readonly kind: 'refused'; readonly errno: number }
  | { readonly kind: 'unreachable'; readonly detail: string };

/**
 * Opens a side connection, runs one statement, closes it; all within `config.timeoutMs`.
 *
 * @example
 * const answer = await askSide(config, 'SELECT 1 AS one');
 * if (answer.kind === 'rows') console.log(answer.rows[0]);
 */
export function askSide(
  config: SideConfig,
  sql: string,
  values: readonly unknown[] = [],
): Promise<SideAnswer> {
  return new Promise((resolve) => {
    let done = false;
    const side = mysql.createConnection({
      ...config.driver,
      ...(config.socketPath
        ? { socketPath: config.socketPath }
        : { host: config.host, port: config.port, stream: () => tcpSocket(config) }),
      connectTimeout: config.timeoutMs,
    });
    const finish = (answer: SideAnswer): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      side.destroy();
      // mysql2's destroy() only half-closes; a black-holed socket needs a real close.
      (side as unknown as { stream?: { destroy(): void } }).stream?.destroy();
      resolve(answer);
    };
    const failed = (error: Error & { errno?: unknown }): void => {
      // An error packet means the server answered: it is reachable, whatever it refused.
      if (typeof error.errno === 'number' && error.errno >= 1000 && error.errno < 5000) {
        finish({ kind: 'refused', errno: error.errno });
      } else {
        finish({ kind: 'unreachable', detail: 'a side connection could not reach the server' });
      }
    };
    const timer = setTimeout(
      () =>
        finish({
          kind: 'unreachable',
          detail: `a side connection got no answer within ${config.timeoutMs} ms`,
        }),
      config.timeoutMs,
    );
    // A refused handshake reaches the queued statement's callback, an error with no command
    // to report it to reaches 'error': both are answers.
    side.on('error', failed);
    side.query(sql, [...values], (error, rows) => {
      if (error) failed(error);
      else finish({ kind: 'rows', rows: rows as Record<string, unknown>[] });
    });
  });
}

/**
 * Why the watchdog gave up on a statement. The classifier treats it like any loss, in the
 * statement's own phase: outcome unknown while awaiting a result, `TransactionLostError` inside a
 * transaction, `CommitOutcomeUnknownError` during COMMIT.
 */
export class StalledStatementError extends Error {
  readonly code = 'GONEAWAY_STATEMENT_STALLED';
  readonly fatal = true;
  constructor(message: string) {
    super(message);
    this.name = 'StalledStatementError';
  }
}

/**
 * The watchdog's question about a statement silent for `stalledForMs` on connection `threadId`.
 * Resolves `undefined` if it may go on waiting (the server is running it, or the server answered
 * but could not say), or the error to fail it with (the server is unreachable, or no longer runs
 * it).
 *
 * @example
 * const verdict = await checkStalledStatement(connection.threadId, config, 3_000);
 * if (verdict) connection.abort(verdict, 'the watchdog found it stalled');
 */
export async function checkStalledStatement(
  threadId: number,
  config: SideConfig,
  stalledForMs: number,
): Promise<StalledStatementError | undefined> {
  const answer = await askSide(
    config,
    'SELECT COMMAND AS command FROM information_schema.PROCESSLIST WHERE ID = ?',
    [threadId],
  );
  let detail: string;
  if (answer.kind === 'refused') return undefined;
  if (answer.kind === 'unreachable') detail = answer.detail;
  else {
    const row = answer.rows[0];
    if (!row) detail = `the server no longer knows connection ${threadId}`;
    else if (row.command === 'Sleep') {
      detail = `the server finished with connection ${threadId} (its reply was lost on the way)`;
    } else return undefined;
  }
  return new StalledStatementError(
    `no reply from ${config.label} for ${Math.round(stalledForMs / 1000)} s to a statement in flight, and ${detail}; goneaway closed the connection`,
  );
}

/** The side connection's socket, so that TLS checks the certificate against an IP host too. */
function tcpSocket(config: SideConfig): Socket {
  const socket = netConnect({ host: config.host, port: config.port });
  nameTlsPeer(socket, config.host);
  return socket;
}
