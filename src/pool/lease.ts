/**
 * One borrowing of a pooled connection (the pool entry lives on; the lease ends at release).
 * A lease keeps its connection across statements, so session state (a transaction, variables)
 * carries over. If the connection was already dead before a statement was written, and the
 * session held nothing, the lease moves to a new connection without the caller noticing;
 * otherwise the caller gets the classified error and the lease takes a new connection on its
 * next statement.
 */
import type {
  ManagedConnection,
  RunOptions,
  StatementKind,
} from '../connection/managed-connection.js';
import { ConfigurationError, type GoneAwayError } from '../errors/index.js';
import type { RetryContext } from '../execute/retry-policy.js';
import { classifyStatement } from '../execute/statement-classifier.js';
import type { Row, StatementOptions } from './results.js';

/** The pool's side of a lease. Implemented by the pool; not public API. */
export interface LeaseHost {
  run(
    connection: ManagedConnection,
    kind: StatementKind,
    sql: string,
    values: unknown,
    options?: StatementOptions,
  ): Promise<unknown>;
  checkout(fresh: boolean): Promise<ManagedConnection>;
  release(connection: ManagedConnection): void;
  failed(connection: ManagedConnection, error: GoneAwayError): void;
  decide(error: GoneAwayError, context: Omit<RetryContext, 'maxAttempts'>): boolean;
  forget(lease: Lease): void;
}

export type { RunOptions };

/**
 * A borrowed connection, from `db.acquire()`. Release it exactly once.
 *
 * @example
 * const conn = await db.acquire();
 * try {
 *   await conn.query('INSERT INTO audit (msg) VALUES (?)', ['hello']);
 * } finally {
 *   conn.release();
 * }
 */
export class Lease {
  #connection: ManagedConnection | undefined;
  readonly #host: LeaseHost;
  readonly #maxAttempts: number;
  readonly #acquiredAt: number;
  readonly #stack: string;
  #released = false;
  #leakReported = false;

  /** @internal Created by `Pool.acquire()`. */
  constructor(
    connection: ManagedConnection,
    host: LeaseHost,
    info: { readonly maxAttempts: number; readonly acquiredAt: number; readonly stack: string },
  ) {
    this.#connection = connection;
    this.#host = host;
    this.#maxAttempts = info.maxAttempts;
    this.#acquiredAt = info.acquiredAt;
    this.#stack = info.stack;
  }

  /** The server's id for the current connection (`CONNECTION_ID()`), or 0 between connections. */
  get threadId(): number {
    return this.#connection?.threadId ?? 0;
  }

  /** Whether the server reported an open transaction (or autocommit off) on this connection. */
  get inTransaction(): boolean {
    return this.#connection?.session.inTransaction ?? false;
  }

  /** Like `Pool.query`, on this lease's connection. */
  query<T = Row[]>(sql: string, values?: unknown, options?: StatementOptions): Promise<T> {
    return this.#run('query', sql, values, options) as Promise<T>;
  }

  /** Like `Pool.execute`, on this lease's connection. */
  execute<T = Row[]>(sql: string, values?: unknown, options?: StatementOptions): Promise<T> {
    return this.#run('execute', sql, values, options) as Promise<T>;
  }

  /** Returns the connection to the pool (rolled back if a transaction is open). Idempotent. */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    this.#host.forget(this);
    const connection = this.#connection;
    this.#connection = undefined;
    if (connection) this.#host.release(connection);
  }

  [Symbol.dispose](): void {
    this.release();
  }

  /** @internal The pool's leak check: a report once the lease is held too long. */
  leakReport(now: number, thresholdMs: number) {
    if (this.#leakReported || this.#released || now - this.#acquiredAt < thresholdMs)
      return undefined;
    this.#leakReported = true;
    return {
      connectionId: this.threadId,
      heldMs: Math.round(now - this.#acquiredAt),
      stack: this.#stack,
    };
  }

  async #run(
    kind: StatementKind,
    sql: string,
    values: unknown,
    options?: StatementOptions,
  ): Promise<unknown> {
    if (this.#released) {
      throw new ConfigurationError(
        'This lease was released; acquire a new one with db.acquire() to run more statements.',
      );
    }
    for (let attempt = 1; ; attempt++) {
      // After a loss the caller was told about, the next statement gets a new connection.
      this.#connection ??= await this.#host.checkout(attempt > 1 && attempt === this.#maxAttempts);
      const connection = this.#connection;
      const inTransaction = connection.session.inTransaction;
      const sessionDirty = !connection.session.isClean;
      try {
        return await this.#host.run(connection, kind, sql, values, options);
      } catch (thrown) {
        const error = thrown as GoneAwayError;
        if (connection.isLost || !error.connectionUsable) {
          this.#connection = undefined;
          this.#host.failed(connection, error);
          const retry = this.#host.decide(error, {
            attempt,
            inTransaction,
            sessionDirty,
            idempotent: options?.idempotent,
            statement: () => classifyStatement(sql),
          });
          if (retry) continue;
        }
        throw error;
      }
    }
  }
}
