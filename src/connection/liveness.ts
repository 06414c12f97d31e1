/**
 * The in-flight watchdog's question, asked over a short side connection: "is the server
 * reachable, and is it still running this connection's statement?"
 *
 * TCP keepalive cannot answer it (a proxy in the path answers keepalive probes itself), and a
 * plain timeout cannot tell a long report query from a dead path. The side connection goes the
 * same way as the stalled one (same host and port, through any proxy), with a bounded connect.
 */
import { connect as netConnect, type Socket } from 'node:net';
import mysql from 'mysql2';
import { nameTlsPeer } from '../config/tls-options.js';
import type { ManagedConnection } from './managed-connection.js';

/** What a side check needs to know: how to connect, and its bound. */
export interface StallCheckConfig {
  readonly host: string;
  readonly port: number;
  readonly socketPath: string | undefined;
  readonly driver: mysql.ConnectionOptions;
  readonly timeoutMs: number;
  readonly label: string;
}

type Verdict =
  | { readonly kind: 'running' }
  | { readonly kind: 'unreachable'; readonly detail: string }
  | { readonly kind: 'not-running'; readonly detail: string };

/**
 * Why the watchdog gave up on a statement. It carries the code mysql2 uses for a lost
 * connection, so the caller classifies it like any loss, in its own phase: outcome unknown
 * while awaiting a result, `TransactionLostError` inside a transaction,
 * `CommitOutcomeUnknownError` during COMMIT.
 */
export class StalledStatementError extends Error {
  readonly code = 'PROTOCOL_CONNECTION_LOST';
  readonly fatal = true;
  constructor(message: string) {
    super(message);
    this.name = 'StalledStatementError';
  }
}

/**
 * Resolves `undefined` if the statement may go on waiting (the server is running it, or the
 * server answered but cannot say, e.g. 1040 Too many connections), or the error to fail it with.
 */
export async function checkStalledStatement(
  connection: ManagedConnection,
  config: StallCheckConfig,
  stalledForMs: number,
): Promise<Error | undefined> {
  const verdict = await askServer(connection.threadId, config);
  if (verdict.kind === 'running') return undefined;
  return new StalledStatementError(
    `no reply from ${config.label} for ${Math.round(stalledForMs / 1000)} s to a statement in flight, and ${verdict.detail}; goneaway closed the connection`,
  );
}

function askServer(threadId: number, config: StallCheckConfig): Promise<Verdict> {
  return new Promise((resolve) => {
    let done = false;
    const side = mysql.createConnection({
      ...config.driver,
      ...(config.socketPath
        ? { socketPath: config.socketPath }
        : { host: config.host, port: config.port, stream: () => tcpSocket(config) }),
      connectTimeout: config.timeoutMs,
    });
    const finish = (verdict: Verdict): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      side.destroy();
      // mysql2's destroy() only half-closes; a black-holed socket needs a real close.
      (side as unknown as { stream?: { destroy(): void } }).stream?.destroy();
      resolve(verdict);
    };
    const timer = setTimeout(
      () =>
        finish({
          kind: 'unreachable',
          detail: `a side connection got no answer within ${config.timeoutMs} ms`,
        }),
      config.timeoutMs,
    );
    side.on('error', (error: Error & { errno?: number; fatal?: boolean }) => {
      // An error packet means the server answered: it is reachable, so do not judge.
      if (typeof error.errno === 'number' && error.errno >= 1000 && error.errno < 2000)
        finish({ kind: 'running' });
      else finish({ kind: 'unreachable', detail: 'a side connection could not reach the server' });
    });
    side.query(
      'SELECT COMMAND AS command FROM information_schema.PROCESSLIST WHERE ID = ?',
      [threadId],
      (error, rows) => {
        if (error) return; // reported through 'error' or the timer
        const row = (rows as { command: string }[])[0];
        if (!row)
          finish({
            kind: 'not-running',
            detail: `the server no longer knows connection ${threadId}`,
          });
        else if (row.command === 'Sleep') {
          finish({
            kind: 'not-running',
            detail: `the server finished with connection ${threadId} (its reply was lost on the way)`,
          });
        } else finish({ kind: 'running' });
      },
    );
  });
}

/** The side connection's socket, so that TLS checks the certificate against an IP host too. */
function tcpSocket(config: StallCheckConfig): Socket {
  const socket = netConnect({ host: config.host, port: config.port });
  nameTlsPeer(socket, config.host);
  return socket;
}
