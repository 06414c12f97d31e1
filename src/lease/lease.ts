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
 *
 * A scope's lease is the same class with a {@link LeasePolicy}: always a new connection, a ping
 * before the first statement, a maximum age, and an end that may close the connection instead of
 * returning it.
 */
import type { ManagedConnection, StatementKind } from '../connection/managed-connection.js';
import {
  CommitOutcomeUnknownError,
  ConfigurationError,
  ConnectionLostError,
  type GoneAwayError,
  SessionLostError,
} from '../errors/index.js';
import type { Row, StatementOptions } from './results.js';
import { type AttemptSite, runAttempts, type StatementHost } from './statement-loop.js';

/** Why the pool closed a connection instead of keeping it; tallied in `stats.closed`. */
export const CLOSE_REASONS = [
  'idle-timeout',
  'lifetime',
  'server-closed',
  'validation-failed',
  'broken',
  'dirty-session',
  'scope-ended',
  'pool-ended',
] as const;

/** One of {@link CLOSE_REASONS}. */
export type CloseReason = (typeof CLOSE_REASONS)[number];

/** How a lease borrows its connection. The pool's own leases use the defaults. */
export interface LeasePolicy {
  /** Always a new connection, never a pooled one (a scope with `pool: false`). */
  readonly fresh: boolean;
  /** Ping a reused connection first, however recently it was used. */
  readonly healthCheck: boolean;
  /** Do not take a pooled connection older than this. */
  readonly maxAgeMs: number | undefined;
  /** Where the lease was taken, for leak reports ('' when they are off). */
  readonly stack: string;
}

/** What the pool knows about the connection under a lease at this moment. */
export interface ConnectionFacts {
  readonly connectionId: number;
  readonly ageMs: number;
  readonly inTransaction: boolean;
  /** Session state beyond the pool's set-up (user variables, temporary tables, ...). */
  readonly sessionState: readonly string[];
}

/** The pool's side of a lease. Implemented by the pool; not public API. */
export interface LeaseHost extends StatementHost {
  /** A connection for the lease, by the deadline; `fresh`: a new one. */
  checkout(deadline: number, fresh: boolean, policy: LeasePolicy): Promise<ManagedConnection>;
  /**
   * Takes a connection back: closed as `closeAs` if given, otherwise rolled back if a
   * transaction is open, retired if its session holds state, or parked. Settles once it is back
   * in the pool or closed.
   */
  giveBack(connection: ManagedConnection, closeAs?: CloseReason): Promise<void>;
  /** A failed statement's connection: discarded if it broke, kept (with the lease) otherwise. */
  failed(connection: ManagedConnection, error: GoneAwayError): void;
  /** The lease is done: the pool stops watching it for leaks. */
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
export class Lease implements AttemptSite {
  #connection: ManagedConnection | undefined;
  readonly #host: LeaseHost;
  readonly #policy: LeasePolicy;
  readonly #acquiredAt: number;
  #released = false;
  #leakReported = false;
  /** Set when a transaction or session state was lost: every later statement fails with it. */
  #poisoned: GoneAwayError | undefined;
  /** Settles once the released connection is back in the pool or closed. */
  #returned: Promise<void> = Promise.resolve();

  /** @internal Created by the pool with the connection it checked out. */
  constructor(connection: ManagedConnection, host: LeaseHost, policy: LeasePolicy) {
    this.#connection = connection;
    this.#host = host;
    this.#policy = policy;
    this.#acquiredAt = host.now();
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
    void this.end();
  }

  [Symbol.dispose](): void {
    this.release();
  }

  /**
   * @internal Releases the lease; with `closeAs`, its connection is closed instead of returned.
   * Settles once the connection is back in the pool (rolled back first if need be) or closed.
   */
  end(closeAs?: CloseReason): Promise<void> {
    if (this.#released) return this.#returned;
    this.#released = true;
    this.#host.forget(this);
    const connection = this.#connection;
    this.#connection = undefined;
    if (connection) this.#returned = this.#host.giveBack(connection, closeAs);
    return this.#returned;
  }

  /** @internal What is under the lease now; undefined between connections. */
  facts(): ConnectionFacts | undefined {
    const connection = this.#connection;
    return (
      connection && {
        connectionId: connection.threadId,
        ageMs: this.#host.now() - connection.createdAt,
        inTransaction: connection.session.inTransaction,
        sessionState: connection.session.held,
      }
    );
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
      stack: this.#policy.stack,
    };
  }

  #run(
    kind: StatementKind,
    sql: string,
    values: unknown,
    options: StatementOptions | undefined,
    committing: boolean,
  ): Promise<unknown> {
    if (this.#released) {
      return Promise.reject(
        new ConfigurationError(
          'This lease was released; acquire a new one with db.acquire() to run more statements.',
        ),
      );
    }
    if (this.#poisoned) return Promise.reject(this.#poisoned);
    return runAttempts(this.#host, this, kind, sql, values, options, committing);
  }

  // ── AttemptSite: how the one attempt loop uses a lease ─────────────────────────────────────

  /** @internal The connection the lease holds, if any. */
  ready(): ManagedConnection | undefined {
    return this.#connection;
  }

  /** @internal A new connection for the next attempt (the lease holds none after a loss). */
  async checkout(deadline: number, fresh: boolean): Promise<ManagedConnection> {
    const connection = await this.#host.checkout(deadline, fresh, this.#policy);
    // Released while waiting (a scope ended, say): the connection goes straight back.
    if (this.#released) {
      void this.#host.giveBack(connection);
      throw new ConfigurationError(
        'This lease was released while a statement waited for a connection; the statement was not sent.',
      );
    }
    this.#connection = connection;
    return connection;
  }

  /** @internal The statement succeeded: the lease keeps its connection. */
  succeeded(): void {}

  /** @internal A broken connection leaves the lease; one that merely answered an error stays. */
  failed(connection: ManagedConnection, error: GoneAwayError, broken: boolean): void {
    if (!broken) return;
    if (this.#connection === connection) this.#connection = undefined;
    this.#host.failed(connection, error);
  }

  /**
   * @internal Not repeated. A loss that took a transaction or session state with it poisons the
   * lease: the caller is told once, and every later statement fails the same way until release.
   */
  giveUp(error: GoneAwayError, inTransaction: boolean, held: readonly string[]): GoneAwayError {
    if (inTransaction) {
      // Whatever ended it (a loss, a timeout that closed the connection), the transaction is gone.
      this.#poisoned = error;
    } else if (
      (error instanceof ConnectionLostError || error instanceof SessionLostError) &&
      !(error instanceof CommitOutcomeUnknownError) &&
      held.length > 0
    ) {
      this.#poisoned =
        error instanceof SessionLostError
          ? error
          : new SessionLostError(
              `The connection was lost, and with it this session's ${held.join(', ')}, which a new connection would not have. ` +
                'goneaway did not replace it silently. Release this lease, then set the session up again on a new one.',
              { cause: error, lost: held, outcome: error.outcome },
            );
    } else {
      return error;
    }
    return this.#poisoned;
  }
}
