/**
 * The session behind one facade connection: a goneaway lease, the order of its statements, and
 * the transaction rules ORMs need on top of the lease's own.
 *
 * The lease already refuses every statement after a loss took a transaction or session state
 * with it (guarantee 3 and 4), until it is released. ORMs do not release after a failed
 * transaction; they send `ROLLBACK` and go on using the connection (Sequelize and Knex keep it
 * in their own pools). So this session:
 *
 * - answers the plain `ROLLBACK` that follows a lost transaction without a round trip (the
 *   server rolled the transaction back already) and lets go of the dead lease, so the handle
 *   is usable again and the ORM's rollback does not fail in place of the original error;
 * - refuses other statements until then with a `TransactionLostError` that says they were not
 *   sent, including after losses the lease does not count as a lost transaction (a client-side
 *   timeout or a read-only server inside a transaction close the connection too);
 * - sends `COMMIT` as one (`lease.commit()`), so a loss while it is in flight is
 *   `CommitOutcomeUnknownError`, never a "rolled back" that invites a second apply (a COMMIT
 *   with a per-statement timeout goes out as a statement and is classified here);
 * - keeps `SET TRANSACTION ...` and the `START TRANSACTION` it is meant for on one server
 *   connection: if the connection was replaced in between, the transaction would silently run
 *   without its isolation level; it is rolled back and a `SessionLostError` says why;
 * - reports a `SessionLostError` from the lease as fatal, as mysql2 marks a dead connection.
 *
 * mysql2 queues the commands of one connection; so does this session, because a lease runs
 * one statement at a time (TypeORM sends several at once on one query runner).
 */
import {
  CommitOutcomeUnknownError,
  ConfigurationError,
  type GoneAwayError,
  isGoneAwayError,
  SessionLostError,
  TransactionLostError,
} from '../errors/index.js';
import type { Lease } from '../lease/lease.js';
import { classifyStatement, type StatementInfo } from '../sql/statement-classifier.js';
import { describeStatement } from '../sql/statement-keyword.js';
import {
  commitsTransaction,
  endsTransaction,
  opensTransaction,
} from '../sql/transaction-control.js';
import { runStatement, type StatementKind, type StatementResult } from './run-statement.js';
import type { Statement } from './statement.js';

/**
 * One facade connection's lease, serialised and guarded.
 *
 * @example
 * const session = new FacadeSession(() => db.acquire());
 * await session.run('query', { sql: 'START TRANSACTION', values: undefined, timeoutMs: undefined, shape: {} });
 */
export class FacadeSession {
  readonly #borrow: () => Promise<Lease>;
  #lease: Lease | undefined;
  /** The loss that ended this session's transaction, until the caller rolls back. */
  #lostTransaction: GoneAwayError | undefined;
  /** The server thread that received `SET TRANSACTION`, until the next transaction starts. */
  #characteristicsOn: number | undefined;
  #closed = false;
  /** A loss that left this session unusable (mysql2's fatal error), if any. */
  #fatal: GoneAwayError | undefined;
  /** The tail of this session's statement queue. */
  #queue: Promise<unknown> = Promise.resolve();

  /** `borrow` takes a lease when the session has none; `lease` is one already taken. */
  constructor(borrow: () => Promise<Lease>, lease?: Lease) {
    this.#borrow = borrow;
    this.#lease = lease;
  }

  /** The server's id for the current connection, or 0 when none is held. */
  get threadId(): number {
    return this.#lease?.threadId ?? 0;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The loss that left this session unusable: session state went with it. */
  get fatal(): GoneAwayError | undefined {
    return this.#fatal;
  }

  /**
   * Runs one statement after the ones already queued. `afterSuccess` runs before the next
   * queued statement starts.
   */
  run(
    kind: StatementKind,
    statement: Statement,
    afterSuccess?: () => void,
  ): Promise<StatementResult> {
    return this.#enqueue(async () => {
      const outcome = await this.#runNow(kind, statement);
      afterSuccess?.();
      return outcome;
    });
  }

  /** Takes a lease now if none is held (to report connect errors early). */
  connect(): Promise<void> {
    return this.#enqueue(async () => {
      this.#lease ??= await this.#borrow();
    });
  }

  /** Closes the session once the statements already queued have run. */
  end(): Promise<void> {
    return this.#enqueue(async () => this.close());
  }

  /** Returns the lease to its pool; the next statement borrows again. */
  detach(): void {
    this.#lease?.release();
    this.#lease = undefined;
    this.#lostTransaction = undefined;
    this.#characteristicsOn = undefined;
  }

  /** Returns the lease for good: later statements are refused. Idempotent. */
  close(): void {
    this.detach();
    this.#closed = true;
  }

  #enqueue<T>(work: () => Promise<T>): Promise<T> {
    const turn = this.#queue.then(work);
    this.#queue = turn.catch(() => undefined);
    return turn;
  }

  async #runNow(kind: StatementKind, statement: Statement): Promise<StatementResult> {
    if (this.#closed) {
      throw new ConfigurationError(
        `${capitalize(describeStatement(statement.sql))} was not sent: this connection was released or ended. Get a new one from the pool.`,
      );
    }
    // What the statement does to a transaction: the classifier's answer, as everywhere.
    const info = classifyStatement(statement.sql);
    const lost = this.#lostTransaction;
    if (lost) {
      if (!isPlainRollback(info)) throw refusedAfterLoss(statement.sql, lost);
      this.detach();
      return { result: rolledBack(), fields: undefined };
    }
    this.#lease ??= await this.#borrow();
    const lease = this.#lease;
    const wasInTransaction = lease.inTransaction;
    let outcome: StatementResult;
    try {
      outcome = isPlainCommit(info, statement)
        ? { result: await lease.commit(), fields: undefined }
        : await runStatement(lease, kind, statement);
    } catch (thrown) {
      throw this.#afterFailure(thrown, info, wasInTransaction);
    }
    await this.#trackCharacteristics(lease, info, statement.sql);
    return outcome;
  }

  /** Records what a failure means for this session, and returns the error to throw. */
  #afterFailure(thrown: unknown, info: StatementInfo, wasInTransaction: boolean): unknown {
    if (!isGoneAwayError(thrown) || thrown.connectionUsable) return thrown;
    this.#characteristicsOn = undefined;
    if (thrown instanceof SessionLostError) {
      this.#fatal = thrown;
      return thrown;
    }
    // A COMMIT sent with a timeout went out as an ordinary statement: a loss after it was
    // written leaves the commit's outcome unknown, whatever the lease called it.
    const error =
      commitsTransaction(info.transaction) &&
      thrown instanceof TransactionLostError &&
      thrown.outcome !== 'not-sent'
        ? commitOutcomeUnknown(thrown)
        : thrown;
    // After a COMMIT in flight the transaction is over either way: nothing to hold back.
    if (
      !(error instanceof CommitOutcomeUnknownError) &&
      (wasInTransaction || error instanceof TransactionLostError)
    ) {
      this.#lostTransaction = error;
    }
    return error;
  }

  async #trackCharacteristics(lease: Lease, info: StatementInfo, sql: string): Promise<void> {
    const control = info.transaction;
    if (control === 'set-next-characteristics') {
      this.#characteristicsOn = lease.threadId;
      return;
    }
    if (endsTransaction(control)) this.#characteristicsOn = undefined;
    if (!opensTransaction(control)) return;
    const setOn = this.#characteristicsOn;
    this.#characteristicsOn = undefined;
    // Thread ids are per server run, so a restart could in theory hand the same id to the
    // new connection; a restart also ends the old one, which the lease reports, so in practice
    // a changed id is the only way the lease moves between two statements.
    if (setOn === undefined || setOn === lease.threadId) return;
    await lease.query('ROLLBACK').catch(() => undefined);
    throw new SessionLostError(
      `${capitalize(describeStatement(sql))} ran on a new connection: the one that received SET TRANSACTION ` +
        '(isolation level or access mode) was lost in between, so the transaction would have run without them. ' +
        'goneaway rolled it back; run SET TRANSACTION and START TRANSACTION again.',
      {
        lost: ['transaction characteristics (SET TRANSACTION)'],
        outcome: 'failed',
        connectionUsable: true,
      },
    );
  }
}

/** `ROLLBACK` alone that ends the transaction (not `ROLLBACK TO SAVEPOINT`, not `AND CHAIN`). */
function isPlainRollback(info: StatementInfo): boolean {
  return info.transaction === 'rollback' && info.statementCount === 1;
}

/**
 * `COMMIT` alone (`COMMIT`, `COMMIT WORK`, `commit;`), which the lease can send knowing it is
 * one. Result options (Drizzle sends a `typeCast` with it) do not matter to an OK packet; a
 * per-statement timeout does, and the lease's commit takes none.
 */
function isPlainCommit(info: StatementInfo, statement: Statement): boolean {
  const { values, timeoutMs } = statement;
  return (
    info.transaction === 'commit' &&
    info.statementCount === 1 &&
    info.category === 'transaction' && // no executable comment
    (values === undefined || (Array.isArray(values) && values.length === 0)) &&
    timeoutMs === undefined
  );
}

/** What the server answers to a ROLLBACK with nothing to roll back (mysql2's ResultSetHeader fields). */
function rolledBack(): Readonly<Record<string, number | string>> {
  return Object.freeze({
    fieldCount: 0,
    affectedRows: 0,
    insertId: 0,
    info: '',
    serverStatus: 2,
    warningStatus: 0,
    changedRows: 0,
  });
}

function refusedAfterLoss(sql: string, lost: GoneAwayError): GoneAwayError {
  return new TransactionLostError(
    `${capitalize(describeStatement(sql))} was not sent: this connection's transaction was lost earlier ` +
      `(${lost.name}, see cause) and the server rolled it back. Roll back (ROLLBACK), then run the whole transaction again.`,
    {
      cause: lost,
      outcome: 'not-sent',
      retryable: true,
      connectionUsable: false,
      flavor: lost.flavor,
    },
  );
}

function commitOutcomeUnknown(lost: GoneAwayError): GoneAwayError {
  return new CommitOutcomeUnknownError(
    'The connection was lost while COMMIT was in flight; the transaction may or may not have been committed ' +
      '(outcome unknown). Check whether its changes are present before running it again.',
    { ...lost, cause: lost.cause, phase: 'committing', outcome: 'unknown', retryable: false },
  );
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
