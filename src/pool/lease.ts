/**
 * One borrowing of a pooled connection (the pool entry lives on; the lease ends at release).
 * A lease keeps its connection across statements, so session state (a transaction, variables)
 * carries over, and so it must never be swapped for another connection behind the caller's
 * back when that state would be lost:
 *
 * - connection dead before a statement was written, session clean, no transaction ⇒ the lease
 *   moves to a new connection and the caller never notices;
 * - a read-only statement lost in flight on a clean session ⇒ the same;
 * - lost inside a transaction ⇒ `TransactionLostError`; lost with session state ⇒
 *   `SessionLostError` naming it. Either way the lease then refuses every further statement
 *   with that error until it is released: a transaction never continues on another connection,
 *   and a fresh session never pretends to be the old one.
 */
import type { ManagedConnection, StatementKind } from '../connection/managed-connection.js';
import {
  CommitOutcomeUnknownError,
  ConfigurationError,
  ConnectionLostError,
  type GoneAwayError,
  SessionLostError,
} from '../errors/index.js';
import type { RetryContext } from '../retry/retry-policy.js';
import { classifyStatement } from '../sql/statement-classifier.js';
import type { Row, StatementOptions } from './results.js';

/** The pool's side of a lease. Implemented by the pool; not public API. */
export interface LeaseHost {
  run(
    connection: ManagedConnection,
    kind: StatementKind,
    sql: string,
    values: unknown,
    options: StatementOptions | undefined,
    committing: boolean,
  ): Promise<unknown>;
  checkout(fresh: boolean): Promise<ManagedConnection>;
  release(connection: ManagedConnection): void;
  failed(connection: ManagedConnection, error: GoneAwayError): void;
  decide(error: GoneAwayError, context: Omit<RetryContext, 'maxAttempts'>): boolean;
  forget(lease: Lease): void;
}

/**
 * A borrowed connection, from `db.acquire()`. Release it exactly once (or use `using`).
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
  /** Set when a transaction or session state was lost: every later statement fails with it. */
  #poisoned: GoneAwayError | undefined;

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
    return this.#run('query', sql, values, options, false) as Promise<T>;
  }

  /** Like `Pool.execute`, on this lease's connection. */
  execute<T = Row[]>(sql: string, values?: unknown, options?: StatementOptions): Promise<T> {
    return this.#run('execute', sql, values, options, false) as Promise<T>;
  }

  /**
   * @internal Sends COMMIT knowing it is one: a loss while it is in flight becomes
   * `CommitOutcomeUnknownError`, never retried.
   */
  commit(): Promise<unknown> {
    return this.#run('query', 'COMMIT', undefined, undefined, true);
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
    if (this.#leakReported || this.#released || now - this.#acquiredAt < thresholdMs) {
      return undefined;
    }
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
    options: StatementOptions | undefined,
    committing: boolean,
  ): Promise<unknown> {
    if (this.#released) {
      throw new ConfigurationError(
        'This lease was released; acquire a new one with db.acquire() to run more statements.',
      );
    }
    if (this.#poisoned) throw this.#poisoned;
    for (let attempt = 1; ; attempt++) {
      this.#connection ??= await this.#host.checkout(attempt > 1 && attempt === this.#maxAttempts);
      const connection = this.#connection;
      const inTransaction = connection.session.inTransaction;
      const dirtyState = connection.session.dirtyState;
      try {
        return await this.#host.run(connection, kind, sql, values, options, committing);
      } catch (thrown) {
        const error = thrown as GoneAwayError;
        if (!connection.isLost && error.connectionUsable) throw error;
        this.#connection = undefined;
        this.#host.failed(connection, error);
        const retry = this.#host.decide(error, {
          attempt,
          inTransaction,
          sessionDirty: dirtyState.length > 0,
          idempotent: options?.idempotent,
          statement: () => classifyStatement(sql),
        });
        if (retry) continue;
        throw this.#poisonIfStateLost(error, inTransaction, dirtyState);
      }
    }
  }

  /**
   * A loss that took a transaction or session state with it poisons the lease: the caller is
   * told once, and every later statement fails the same way until release.
   */
  #poisonIfStateLost(
    error: GoneAwayError,
    inTransaction: boolean,
    dirtyState: readonly string[],
  ): GoneAwayError {
    if (inTransaction) {
      // Whatever ended it (a loss, a timeout that closed the connection), the transaction is gone.
      this.#poisoned = error;
    } else if (
      error instanceof ConnectionLostError &&
      !(error instanceof CommitOutcomeUnknownError) &&
      dirtyState.length > 0
    ) {
      this.#poisoned = new SessionLostError(
        `The connection was lost, and with it this session's ${dirtyState.join(', ')}, which a new connection would not have. ` +
          'goneaway did not replace it silently. Release this lease, then set the session up again on a new one.',
        { cause: error, lost: dirtyState, outcome: error.outcome },
      );
    } else {
      return error;
    }
    return this.#poisoned;
  }
}
