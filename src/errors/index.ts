/**
 * goneaway's error taxonomy: one class per failure a caller must tell apart, each with a
 * stable `code`, the server/client/Node codes, and `retryable`, `connectionUsable` and
 * `outcome`; `classify()` to turn what mysql2 and `net` throw into one of them; and the code
 * tables behind it, as data. docs/errors.md lists every class.
 *
 * @packageDocumentation
 */

export { statementKeyword } from '../sql/statement-keyword.js';
export { classify } from './classify.js';
export type { ClassifyContext, Phase } from './classify-context.js';
export { CLIENT_CODES, clientCodeRule } from './client-codes.js';
export type { CodeRule, NumberedRule, RuleKind, Signal } from './code-rule.js';
export {
  DRIVER_CODE_RULES,
  DRIVER_MESSAGE_RULES,
  type DriverMessageRule,
  driverMessageRule,
} from './driver-codes.js';
export {
  AcquireTimeoutError,
  AuthenticationError,
  CommitOutcomeUnknownError,
  ConfigurationError,
  ConnectionLostError,
  DatabaseError,
  DataError,
  DeadlockError,
  ERROR_CLASSES,
  type ErrorClass,
  type ErrorInstance,
  IntegrityError,
  InterfaceError,
  InternalError,
  LockWaitTimeoutError,
  NotSupportedError,
  OperationalError,
  PasswordExchangeRefusedError,
  PoolClosedError,
  type PoolCounts,
  ProgrammingError,
  QueryInterruptedError,
  QueryTimeoutError,
  ReadOnlyServerError,
  ServerUnavailableError,
  SessionLostError,
  TransactionLostError,
  TransactionRollbackError,
} from './error-classes.js';
export {
  classChain,
  ERROR_CLASS_NAMES,
  ERROR_CLASS_SPECS,
  type ErrorClassName,
  type ErrorClassSpec,
} from './error-specs.js';
export { type Flavor, flavorOf } from './flavor.js';
export { type ErrorDetails, GoneAwayError, isGoneAwayError } from './goneaway-error.js';
export type { Outcome } from './outcome.js';
export {
  errorSignals,
  isConnectionLoss,
  signalsIdleTimeout,
  signalsServerRestart,
} from './predicates.js';
export { redact } from './redact.js';
export { SERVER_CODE_RULES, type ServerCodeRule, serverCodeRule } from './server-codes.js';
export { serverErrorName, serverErrorNumber } from './server-error-names.js';
export { SQLSTATE_CLASS_RULES, sqlStateRule } from './sqlstate-classes.js';
export { SYSTEM_CODE_RULES } from './system-codes.js';
