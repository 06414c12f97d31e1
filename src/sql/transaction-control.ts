/**
 * What a statement does to a transaction, as the classifier reads it from the text. Callers ask
 * this instead of comparing keywords: "is this a COMMIT?" has one answer in goneaway.
 */

/**
 * What a statement does to a transaction:
 *
 * - `'none'`: nothing (most statements; note that DDL and `LOCK TABLES` also commit implicitly);
 * - `'begin'`: `BEGIN [WORK]`, `START TRANSACTION [...]` open one;
 * - `'commit'`, `'rollback'`: `COMMIT [WORK]`, `ROLLBACK [WORK]` end it (also with
 *   `AND NO CHAIN` / `NO RELEASE`);
 * - `'commit-and-chain'`, `'rollback-and-chain'`: end it and open the next one at once;
 * - `'commit-and-release'`, `'rollback-and-release'`: end it and close the connection;
 * - `'savepoint'`, `'release-savepoint'`, `'rollback-to-savepoint'`: work inside one;
 * - `'set-next-characteristics'`: `SET TRANSACTION ...` sets the isolation level or access mode
 *   of the next transaction only (state the server does not report);
 * - `'set-session-characteristics'`: `SET SESSION TRANSACTION ...`, for every later one;
 * - `'autocommit'`: `SET autocommit = ...`, which turns implicit transactions on or off;
 * - `'xa-start'`, `'xa-end'`, `'xa-prepare'`, `'xa-commit'`, `'xa-rollback'`, `'xa-recover'`:
 *   the steps of an XA (distributed) transaction.
 *
 * For a text with several statements it is the first statement's.
 *
 * @example
 * classifyStatement('COMMIT WORK').transaction;                        // 'commit'
 * classifyStatement('SET TRANSACTION ISOLATION LEVEL SERIALIZABLE').transaction; // 'set-next-characteristics'
 */
export type TransactionControl =
  | 'none'
  | 'begin'
  | 'commit'
  | 'commit-and-chain'
  | 'commit-and-release'
  | 'rollback'
  | 'rollback-and-chain'
  | 'rollback-and-release'
  | 'savepoint'
  | 'release-savepoint'
  | 'rollback-to-savepoint'
  | 'set-next-characteristics'
  | 'set-session-characteristics'
  | 'autocommit'
  | 'xa-start'
  | 'xa-end'
  | 'xa-prepare'
  | 'xa-commit'
  | 'xa-rollback'
  | 'xa-recover';

/**
 * Whether the statement commits: a loss while it is in flight leaves the outcome unknown.
 *
 * @example
 * commitsTransaction(classifyStatement('COMMIT').transaction); // true
 * commitsTransaction(classifyStatement('XA COMMIT "x"').transaction); // true
 */
export function commitsTransaction(control: TransactionControl): boolean {
  return (
    control === 'commit' ||
    control === 'commit-and-chain' ||
    control === 'commit-and-release' ||
    control === 'xa-commit'
  );
}

/**
 * Whether the statement ends the current transaction (commits or rolls it back as a whole).
 *
 * @example
 * endsTransaction(classifyStatement('ROLLBACK').transaction);               // true
 * endsTransaction(classifyStatement('ROLLBACK TO SAVEPOINT s').transaction); // false
 */
export function endsTransaction(control: TransactionControl): boolean {
  return (
    commitsTransaction(control) ||
    control === 'rollback' ||
    control === 'rollback-and-chain' ||
    control === 'rollback-and-release' ||
    control === 'xa-rollback'
  );
}

/**
 * Whether the statement opens a transaction that `SET TRANSACTION` characteristics apply to.
 *
 * @example
 * opensTransaction(classifyStatement('START TRANSACTION READ ONLY').transaction); // true
 */
export function opensTransaction(control: TransactionControl): boolean {
  return control === 'begin' || control === 'xa-start';
}
