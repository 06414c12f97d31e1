/**
 * goneaway: MySQL and MariaDB connections for Node.js that survive the server going away.
 *
 * @packageDocumentation
 */

export type {
  AcquireTraceContext,
  AttemptRecord,
  ConnectTraceContext,
  QueryTraceContext,
  TraceTarget,
  TransactionTraceContext,
} from './connection/tracing-channels.js';
export * from './errors/index.js';
export { CLOSE_REASONS, type CloseReason, Lease } from './lease/lease.js';
export type { Row, StatementOptions, WriteResult } from './lease/results.js';
export {
  ISOLATION_LEVELS,
  type IsolationLevel,
  type Transaction,
  type TransactionOptions,
} from './lease/transaction-runner.js';
export type { Clock } from './pool/clock.js';
export { createPool, Pool, type PoolStats } from './pool/pool.js';
export type {
  AbandonedOutcome,
  EpochCause,
  GoneAwayEventMap,
  PoolEventMap,
  PoolEventName,
  WatchdogVerdict,
} from './pool/pool-events.js';
export type { DriverOptions, PoolOptions } from './pool/pool-options.js';
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
