/**
 * The fallback for server errors that `server-codes.ts` does not list: the class of their
 * SQLSTATE (its first two characters), as SQL:2016 and the MySQL/MariaDB manuals define them.
 * `HY` (MySQL's "general error") says nothing and falls through to DatabaseError.
 */
import type { CodeRule } from './code-rule.js';

/**
 * The class of each SQLSTATE class (its first two characters).
 *
 * @example
 * SQLSTATE_CLASS_RULES['23']?.kind; // 'IntegrityError'
 */
export const SQLSTATE_CLASS_RULES: Readonly<Record<string, CodeRule>> = {
  '08': {
    kind: 'loss',
    note: 'Connection exception (08S01 communication link failure, ...): the connection is gone.',
  },
  '0A': { kind: 'NotSupportedError', note: 'Feature not supported.' },
  '21': {
    kind: 'ProgrammingError',
    note: 'Cardinality violation: a subquery returns more than one row, operand column counts differ.',
  },
  '22': {
    kind: 'DataError',
    note: 'Data exception: a value too long, out of range or invalid for its type.',
  },
  '23': {
    kind: 'IntegrityError',
    note: 'Integrity constraint violation: duplicate key, foreign key, NOT NULL.',
  },
  '24': { kind: 'InternalError', note: 'Invalid cursor state.' },
  '25': {
    kind: 'InternalError',
    note: 'Invalid transaction state (e.g. a statement not allowed inside a transaction).',
  },
  '28': { kind: 'AuthenticationError', note: 'Invalid authorization specification.' },
  '2D': { kind: 'InternalError', note: 'Invalid transaction termination.' },
  '3D': { kind: 'ProgrammingError', note: 'Invalid catalog name (no database selected).' },
  '40': {
    kind: 'TransactionRollbackError',
    note: 'Transaction rollback (40001 serialization failure / deadlock): the server rolled the transaction back.',
  },
  '42': {
    kind: 'ProgrammingError',
    note: 'Syntax error or access rule violation: bad SQL, unknown table or column, missing privilege.',
  },
  '44': { kind: 'IntegrityError', note: 'WITH CHECK OPTION violation on a view.' },
  '70': {
    kind: 'QueryInterruptedError',
    note: 'MySQL/MariaDB-specific 70100: the statement was interrupted.',
  },
  XA: {
    kind: 'ProgrammingError',
    note: 'XA transaction errors (XAE*: the XA protocol was misused).',
  },
};

/**
 * The rule for a SQLSTATE's class, or `undefined` for none or a general one (HY000).
 *
 * @example
 * sqlStateRule('23000')?.kind; // 'IntegrityError'
 * sqlStateRule('HY000');       // undefined
 */
export function sqlStateRule(sqlState: string | undefined): CodeRule | undefined {
  if (sqlState?.length !== 5) return undefined;
  return SQLSTATE_CLASS_RULES[sqlState.slice(0, 2).toUpperCase()];
}
