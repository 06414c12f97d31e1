/**
 * Where `db.transaction()` runs inside a scope (a {@link TransactionSite} for the one transaction
 * runner in `src/lease/transaction-runner.ts`), like Django's `atomic()`:
 *
 * - **Outermost** (no transaction open on the scope's connection): `START TRANSACTION` …
 *   `COMMIT` on the scope's lease, rolled back when `fn` throws. After a lost connection it runs
 *   again with a new one only when the scope's session held nothing but the transaction;
 *   otherwise the loss is the whole scope's, and its later statements fail too.
 * - **Nested** (inside an atomic scope, or inside another transaction of the scope): a
 *   savepoint, released when `fn` resolves and rolled back to when it throws. Never run again:
 *   a re-run cannot repair the enclosing transaction.
 *
 * Transactions of one scope run one after another; one started inside another's function is
 * nested instead of waiting for it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { TraceTarget } from '../connection/tracing-channels.js';
import { ConfigurationError, ConnectionLostError } from '../errors/index.js';
import type { ConnectionFacts, Lease } from '../lease/lease.js';
import type { StatementOptions } from '../lease/results.js';
import {
  type BegunTransaction,
  beginOn,
  type Characteristics,
  type TransactionSite,
} from '../lease/transaction-runner.js';
import { rerunReason } from '../retry/repeat-rule.js';

/** What the site needs from its scope. */
export interface ScopeStatements {
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
 * if (insideTransactionOf(scope)) return runTransaction(scopeTransactionSite(scope), fn, options, onRetry);
 */
export function insideTransactionOf(scope: object): boolean {
  return inside.getStore() === scope;
}

/**
 * The transaction site of one scope.
 *
 * @example
 * await runTransaction(scopeTransactionSite(scope), fn, { attempts: 3 }, onRetry);
 */
export function scopeTransactionSite(scope: ScopeStatements, target: TraceTarget): TransactionSite {
  return {
    target,
    begin: (_attempt, characteristics) =>
      scope.exec((lease) => begin(lease, scope, characteristics)),
    body: (fn) => inside.run(scope, fn),
  };
}

async function begin(
  lease: Lease,
  scope: ScopeStatements,
  characteristics: Characteristics,
): Promise<BegunTransaction> {
  const run: BegunTransaction['run'] = (kind, sql, values, options) =>
    scope.run(kind, sql, values, options);
  if (lease.inTransaction) {
    if (characteristics.isolationLevel || characteristics.readOnly) {
      throw new ConfigurationError(
        'A transaction nested in an open one (an atomic scope, or another transaction) cannot set isolationLevel or readOnly: ' +
          'those belong to the enclosing transaction.',
      );
    }
    const savepoint = scope.nextSavepoint();
    await lease.query(`SAVEPOINT ${savepoint}`);
    return {
      threadId: lease.threadId,
      nested: true,
      run,
      commit: () => scope.exec((held) => held.query(`RELEASE SAVEPOINT ${savepoint}`)),
      rollBack: () => quietly(scope, `ROLLBACK TO SAVEPOINT ${savepoint}`),
      finish: async () => {},
      mayRunAgain: () => false,
    };
  }
  await beginOn(lease, characteristics);
  // The session held nothing but this transaction: after a loss, a new connection loses nothing.
  const clean = scope.facts()?.sessionState.length === 0;
  return {
    threadId: lease.threadId,
    nested: false,
    run,
    commit: () => scope.exec((held) => held.commit()),
    rollBack: () => quietly(scope, 'ROLLBACK'),
    finish: async (error) => {
      // A loss that only took this transaction (and may be re-run): go on with a new connection.
      if (clean && error instanceof ConnectionLostError && rerunReason(error, 'body')) {
        await scope.renew();
      }
    },
    mayRunAgain: (error) => clean || !(error instanceof ConnectionLostError),
  };
}

/** Rolls back what is still open; a lost or ended connection has nothing left to roll back. */
async function quietly(scope: ScopeStatements, sql: string): Promise<void> {
  try {
    await scope.exec((lease) => lease.query(sql));
  } catch {
    // The error that ended the transaction is the one the caller needs.
  }
}
