/**
 * `db.transaction()` inside a scope: on the scope's connection, like Django's `atomic()`.
 *
 * - **Outermost** (no transaction open on the connection): `START TRANSACTION` … `COMMIT`,
 *   rolled back when `fn` throws. With `attempts > 1` it runs again when the failure left
 *   nothing applied (the same cases as `db.transaction()` outside a scope). After a lost
 *   connection it goes on with a new one only when the scope's session held nothing but the
 *   transaction; otherwise the loss is the whole scope's, and its later statements fail too.
 * - **Nested** (inside an atomic scope, or inside another transaction of the scope): a
 *   savepoint, released when `fn` resolves and rolled back to when it throws. Never run again:
 *   a re-run cannot repair the enclosing transaction.
 * - A failure to begin is not run again here: the scope's lease already moved to a new
 *   connection if that was safe, and if it was not, the scope's session is what was lost.
 *
 * Transactions of one scope run one after another; one started inside another's function is
 * nested instead of waiting for it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { ConfigurationError, ConnectionLostError, type GoneAwayError } from '../errors/index.js';
import type { Lease } from '../pool/lease.js';
import type { StatementOptions } from '../pool/results.js';
import type { ConnectionFacts } from '../pool/scope-context.js';
import {
  checkTransactionOptions,
  type IsolationLevel,
  rerunReason,
  type Transaction,
  type TransactionOptions,
  type TransactionStage,
} from '../pool/transaction.js';

/** What the runner needs from the scope. */
export interface TransactionSite {
  /** Runs `op` on the scope's lease in the scope's statement order. */
  exec<T>(op: (lease: Lease) => Promise<T>): Promise<T>;
  /** Runs one of the caller's statements (counted as the scope's) in that order. */
  run(
    kind: 'query' | 'execute',
    sql: string,
    values: unknown,
    options?: StatementOptions,
  ): Promise<unknown>;
  facts(): ConnectionFacts | undefined;
  /** Lets go of a lease that lost only this transaction; the next statement takes a new one. */
  renew(): Promise<void>;
  nextSavepoint(): string;
}

/** The scope whose transaction function the current async context is running in. */
const inside = new AsyncLocalStorage<object>();

/**
 * Whether the caller runs inside a transaction function of `scope` (so a transaction it starts
 * is nested, and must not wait for the enclosing one to finish).
 *
 * @example
 * if (insideTransactionOf(scope)) return runScopedTransaction(scope, fn, options, onRetry);
 */
export function insideTransactionOf(scope: object): boolean {
  return inside.getStore() === scope;
}

interface Begun {
  readonly threadId: number;
  readonly savepoint: string | undefined;
  /** The session held nothing but this transaction. */
  readonly clean: boolean;
}

/**
 * Runs `fn` in a transaction (or savepoint) on the scope's connection; see the module comment.
 *
 * @example
 * await db.scope(() => db.transaction(async (tx) => tx.query('UPDATE stock SET n = n - 1')));
 */
export async function runScopedTransaction<T>(
  site: TransactionSite,
  fn: (tx: Transaction) => Promise<T>,
  options: TransactionOptions,
  onRetry: (attempt: number, reason: string, error: GoneAwayError) => void,
): Promise<T> {
  const { attempts = 1, isolationLevel, readOnly = false } = checkTransactionOptions(options);
  for (let attempt = 1; ; attempt++) {
    let stage: TransactionStage = 'begin';
    let begun: Begun | undefined;
    let open = true;
    const statement =
      (kind: 'query' | 'execute') =>
      <R>(sql: string, values?: unknown, statementOptions?: StatementOptions): Promise<R> =>
        open
          ? (site.run(kind, sql, values, statementOptions) as Promise<R>)
          : Promise.reject(endedError());
    try {
      begun = await site.exec((lease) => begin(lease, site, isolationLevel, readOnly));
      const tx: Transaction = {
        query: statement('query'),
        execute: statement('execute'),
        threadId: begun.threadId,
        attempt,
      };
      stage = 'body';
      const result = await inside.run(site, () => fn(tx));
      stage = 'commit';
      const savepoint = begun.savepoint;
      await site.exec((lease) =>
        savepoint ? lease.query(`RELEASE SAVEPOINT ${savepoint}`) : lease.commit(),
      );
      return result;
    } catch (error) {
      open = false;
      if (begun) await rollBack(site, begun.savepoint);
      if (!begun || begun.savepoint) throw error;
      const reason = rerunReason(error, stage);
      const lost = error instanceof ConnectionLostError;
      if (reason && lost && begun.clean) await site.renew();
      if (reason && attempt < attempts && (begun.clean || !lost)) {
        onRetry(attempt + 1, reason, error as GoneAwayError);
        continue;
      }
      throw error;
    } finally {
      open = false;
    }
  }
}

async function begin(
  lease: Lease,
  site: TransactionSite,
  isolationLevel: IsolationLevel | undefined,
  readOnly: boolean,
): Promise<Begun> {
  if (lease.inTransaction) {
    if (isolationLevel || readOnly) {
      throw new ConfigurationError(
        'A transaction nested in an open one (an atomic scope, or another transaction) cannot set isolationLevel or readOnly: ' +
          'those belong to the enclosing transaction.',
      );
    }
    const savepoint = site.nextSavepoint();
    await lease.query(`SAVEPOINT ${savepoint}`);
    return { threadId: lease.threadId, savepoint, clean: false };
  }
  if (isolationLevel) await lease.query(`SET TRANSACTION ISOLATION LEVEL ${isolationLevel}`);
  await lease.query(readOnly ? 'START TRANSACTION READ ONLY' : 'START TRANSACTION');
  const clean = site.facts()?.sessionState.length === 0;
  return { threadId: lease.threadId, savepoint: undefined, clean };
}

/** Rolls back what is still open; a lost or ended connection has nothing left to roll back. */
async function rollBack(site: TransactionSite, savepoint: string | undefined): Promise<void> {
  try {
    await site.exec((lease) =>
      lease.query(savepoint ? `ROLLBACK TO SAVEPOINT ${savepoint}` : 'ROLLBACK'),
    );
  } catch {
    // The error that ended the transaction is the one the caller needs.
  }
}

function endedError(): ConfigurationError {
  return new ConfigurationError(
    'This transaction has ended; its statements can only run inside the function passed to db.transaction().',
  );
}
