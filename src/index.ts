/**
 * goneaway: MySQL and MariaDB connections for Node.js that survive the server going away.
 *
 * @packageDocumentation
 */

export * from './errors/index.js';
export type { Clock } from './pool/clock.js';
export { Lease } from './pool/lease.js';
export { createPool, Pool, type PoolStats } from './pool/pool.js';
export type { CloseReason, PoolEventMap, PoolEventName } from './pool/pool-events.js';
export type { DriverOptions, PoolOptions } from './pool/pool-options.js';
export type { Row, StatementOptions, WriteResult } from './pool/results.js';
export type { IsolationLevel, Transaction, TransactionOptions } from './pool/transaction.js';
export {
  type CloseOldConnectionsOptions,
  closeOldConnections,
  DOUBTFUL_ERRORS,
  type JobOptions,
  type JobRun,
  leavesConnectionDoubtful,
  type RequestScopeOptions,
  type ScopeEventMap,
  type ScopeEventName,
  type ScopeOptions,
} from './scope/index.js';
export {
  classifyStatement,
  type SessionEffect,
  type StatementCategory,
  type StatementInfo,
} from './sql/statement-classifier.js';
