/**
 * Prisma's transactions on goneaway's one transaction runner (`db.transaction()`). Prisma
 * drives a transaction step by step (start, queries, then commit or rollback), while the runner
 * takes a function; the function here hands its transaction to Prisma and waits until Prisma
 * commits or rolls back. So Prisma's transactions get what `db.transaction()` guarantees:
 *
 * - pinned to one connection, which is never swapped for another inside the transaction: a
 *   loss fails the statement with `TransactionLostError` (Prisma: P1017) and every later
 *   statement of the transaction is refused unsent;
 * - COMMIT is sent as a commit: a loss while it is in flight is `CommitOutcomeUnknownError`,
 *   never retried;
 * - whatever is left open when the connection goes back is rolled back.
 */
import {
  DriverAdapterError,
  type IsolationLevel,
  type SqlQuery,
  type SqlResultSet,
  type Transaction,
  type TransactionOptions,
} from '@prisma/driver-adapter-utils';
import mysql from 'mysql2';
import { ConnectionLostError } from '../errors/index.js';
import type {
  Transaction as GoneawayTx,
  IsolationLevel as TxIsolationLevel,
} from '../lease/transaction-runner.js';
import type { Pool } from '../pool/pool.js';
import { type ServerAddress, toPrismaError } from './adapter-error.js';
import { affectedRowCount, queryResultSet } from './prisma-statement.js';

/** The isolation levels MySQL and MariaDB know (Prisma also names SQL Server's SNAPSHOT). */
const ISOLATION_LEVELS: ReadonlySet<string> = new Set<TxIsolationLevel>([
  'READ UNCOMMITTED',
  'READ COMMITTED',
  'REPEATABLE READ',
  'SERIALIZABLE',
]);

/** Rejects the runner's function when Prisma rolls back; never seen outside this module. */
const ROLLED_BACK = Symbol('rolled back by Prisma');

/**
 * Starts a transaction on `pool` and resolves once `START TRANSACTION` has run.
 *
 * @example
 * const tx = await startPrismaTransaction(pool, 'READ COMMITTED', {}, 'goneaway');
 * await tx.executeRaw({ sql: 'UPDATE account SET n = n - 1 WHERE id = ?', args: [1], argTypes: [] });
 * await tx.commit();
 */
export function startPrismaTransaction(
  pool: Pool,
  isolationLevel: IsolationLevel | undefined,
  address: ServerAddress,
  adapterName: string,
): Promise<Transaction> {
  if (isolationLevel !== undefined && !ISOLATION_LEVELS.has(isolationLevel)) {
    return Promise.reject(
      new DriverAdapterError({ kind: 'InvalidIsolationLevel', level: isolationLevel }),
    );
  }
  return new Promise((resolve, reject) => {
    let begun = false;
    const done = pool.transaction(
      (tx) =>
        new Promise<void>((commit, rollBack) => {
          begun = true;
          resolve(new GoneawayTransaction(tx, { done, commit, rollBack }, address, adapterName));
        }),
      isolationLevel ? { isolationLevel: isolationLevel as TxIsolationLevel } : {},
    );
    // Before the transaction began, its failure is the start's; after, commit() reports it.
    done.catch((error: unknown) => {
      if (!begun) reject(toPrismaError(error, address));
    });
  });
}

interface RunnerControl {
  /** Settles when the runner has committed (or rolled back) and released the connection. */
  readonly done: Promise<void>;
  readonly commit: () => void;
  readonly rollBack: (reason: unknown) => void;
}

class GoneawayTransaction implements Transaction {
  readonly provider = 'mysql';
  readonly adapterName: string;
  /** goneaway sends COMMIT and ROLLBACK itself, in commit() and rollback(). */
  readonly options: TransactionOptions = { usePhantomQuery: true };
  readonly #tx: GoneawayTx;
  readonly #runner: RunnerControl;
  readonly #address: ServerAddress;

  constructor(tx: GoneawayTx, runner: RunnerControl, address: ServerAddress, adapterName: string) {
    this.#tx = tx;
    this.#runner = runner;
    this.#address = address;
    this.adapterName = adapterName;
  }

  queryRaw(query: SqlQuery): Promise<SqlResultSet> {
    return queryResultSet(this.#tx, query, this.#address);
  }

  executeRaw(query: SqlQuery): Promise<number> {
    return affectedRowCount(this.#tx, query, this.#address);
  }

  async commit(): Promise<void> {
    this.#runner.commit();
    try {
      await this.#runner.done;
    } catch (error) {
      throw toPrismaError(error, this.#address);
    }
  }

  async rollback(): Promise<void> {
    let failure: unknown;
    // Sent here rather than left to the release, so the transaction's locks are gone when
    // rollback() resolves.
    try {
      await this.#tx.query('ROLLBACK');
    } catch (error) {
      // A lost connection took the transaction with it: the server rolled it back.
      if (!(error instanceof ConnectionLostError)) failure = error;
    }
    this.#runner.rollBack(ROLLED_BACK);
    await this.#runner.done.catch((error: unknown) => {
      if (error !== ROLLED_BACK) failure ??= error;
    });
    if (failure !== undefined) throw toPrismaError(failure, this.#address);
  }

  async createSavepoint(name: string): Promise<void> {
    await this.#savepointStatement(`SAVEPOINT ${mysql.escapeId(name)}`);
  }

  async rollbackToSavepoint(name: string): Promise<void> {
    await this.#savepointStatement(`ROLLBACK TO SAVEPOINT ${mysql.escapeId(name)}`);
  }

  async releaseSavepoint(name: string): Promise<void> {
    await this.#savepointStatement(`RELEASE SAVEPOINT ${mysql.escapeId(name)}`);
  }

  async #savepointStatement(sql: string): Promise<void> {
    try {
      await this.#tx.query(sql);
    } catch (error) {
      throw toPrismaError(error, this.#address);
    }
  }
}
