/**
 * `classify()`: anything mysql2 or `net` throws → one goneaway error class, with the fields
 * that say what may be done next. The tables decide what a code means; this file only adds
 * what the connection was doing:
 *
 * | the code means the connection is gone, and the phase was | class                     | outcome            |
 * | -------------------------------------------------------- | ------------------------- | ------------------ |
 * | connecting                                               | ServerUnavailableError    | not-sent           |
 * | idle, validating, sending (or the code proves not-sent)   | ConnectionLostError       | not-sent           |
 * | awaiting-result                                          | ConnectionLostError       | unknown (*)        |
 * | committing, COMMIT written                               | CommitOutcomeUnknownError | unknown            |
 * | any of the above with a transaction open                 | TransactionLostError      | as above           |
 *
 * (*) unless the code proves more: 4031 on MySQL means not-sent, 1053/1927 mean failed.
 * Any other code becomes its table's class; an error packet from the server means `failed`.
 */

import { classifyStatement } from '../sql/statement-classifier.js';
import type { ClassifyContext, Phase } from './classify-context.js';
import { type DriverFacts, driverFacts } from './driver-facts.js';
import { ERROR_CLASSES } from './error-classes.js';
import { ERROR_CLASS_SPECS, type ErrorClassName } from './error-specs.js';
import { findRule, type RuleMatch } from './find-rule.js';
import { type GoneAwayError, isGoneAwayError } from './goneaway-error.js';
import { composeMessage } from './messages.js';
import type { Outcome } from './outcome.js';

/** Phases in which no statement of the caller's had been written. */
const NOTHING_WRITTEN: ReadonlySet<Phase | undefined> = new Set(['idle', 'validating', 'sending']);

interface Decision {
  readonly className: ErrorClassName;
  readonly outcome: Outcome;
  readonly retryable: boolean | undefined;
  readonly connectionUsable: boolean | undefined;
}

/**
 * Turns anything mysql2 or `net` throws into a goneaway error, keeping the original as
 * `cause`. Returns the same object when it already is one. The context says what the
 * connection was doing, so the same driver error becomes the right class; without it the
 * answer is the conservative one (a loss has outcome `'unknown'`).
 *
 * @example
 * import { classify } from 'goneaway';
 * try {
 *   await connection.query(sql);
 * } catch (error) {
 *   throw classify(error, { phase: 'awaiting-result', sql, host: '127.0.0.1', port: 3306 });
 * }
 */
export function classify(error: unknown, context: ClassifyContext = {}): GoneAwayError {
  if (isGoneAwayError(error)) return error;
  const facts = driverFacts(error);
  const match = findRule(facts, context.flavor);
  const decision = decide(match, facts, context);
  const message = composeMessage({
    className: decision.className,
    outcome: decision.outcome,
    loss: match.rule.kind === 'loss',
    refusedUnsent: match.rule.signals?.includes('not-sent') === true,
    rule: match.rule,
    facts,
    symbol: match.symbol,
    context,
  });
  const ErrorClass = ERROR_CLASSES[decision.className] as unknown as new (
    message: string,
    details: object,
  ) => GoneAwayError;
  const result = new ErrorClass(message, {
    cause: error,
    errno: facts.errno,
    sqlState: facts.sqlState,
    systemCode: facts.systemCode,
    driverCode: facts.code,
    symbol: match.symbol,
    flavor: context.flavor,
    phase: context.phase,
    outcome: decision.outcome,
    retryable: decision.retryable,
    connectionUsable: decision.connectionUsable,
    secrets: context.secrets,
  });
  keepCallerStack(result, error);
  return result;
}

function decide({ rule }: RuleMatch, facts: DriverFacts, context: ClassifyContext): Decision {
  const { phase } = context;
  const provenNotSent = rule.signals?.includes('not-sent') === true;
  if (rule.kind === 'loss') {
    if (phase === 'connecting') {
      return {
        className: 'ServerUnavailableError',
        outcome: 'not-sent',
        retryable: rule.retryable,
        connectionUsable: false,
      };
    }
    let outcome: Outcome =
      provenNotSent || NOTHING_WRITTEN.has(phase) ? 'not-sent' : (rule.outcome ?? 'unknown');
    let className: ErrorClassName = 'ConnectionLostError';
    if (phase === 'committing') {
      // A COMMIT the server answered with an error may still have committed: only proof that
      // it was never sent is enough to call the transaction rolled back.
      className = outcome === 'not-sent' ? 'TransactionLostError' : 'CommitOutcomeUnknownError';
      if (className === 'CommitOutcomeUnknownError') outcome = 'unknown';
    } else if (context.inTransaction) {
      className = 'TransactionLostError';
    }
    return { className, outcome, retryable: rule.retryable, connectionUsable: false };
  }

  const className = (phase === 'connecting' && rule.whenConnecting) || rule.kind;
  const answered = facts.errno !== undefined && !facts.fatal;
  const outcome: Outcome = stoppedWriteMidway(rule, context)
    ? 'unknown'
    : (rule.outcome ??
      (provenNotSent || phase === 'connecting' || phase === 'idle' || phase === 'validating'
        ? 'not-sent'
        : answered && phase !== undefined
          ? 'failed'
          : defaultOutcome(className, answered)));
  return {
    className,
    outcome,
    retryable: rule.retryable,
    connectionUsable: rule.connectionUsable ?? (facts.fatal ? false : undefined),
  };
}

/**
 * A statement the server stopped while it ran may have changed rows of a non-transactional
 * table before it stopped: only one that cannot write (the classifier says read) is known to
 * have applied nothing. Unknown text counts as a write.
 */
function stoppedWriteMidway(rule: RuleMatch['rule'], context: ClassifyContext): boolean {
  if (!rule.signals?.includes('stops-midway') || NOTHING_WRITTEN.has(context.phase)) return false;
  if (context.phase === 'connecting') return false;
  return context.sql === undefined || classifyStatement(context.sql).category !== 'read';
}

/**
 * Without a phase: classes raised before any statement could be sent stay `not-sent`; for the
 * others, an error packet means the server did not apply the statement.
 */
function defaultOutcome(className: ErrorClassName, answered: boolean): Outcome {
  const fallback = ERROR_CLASS_SPECS[className].outcome;
  if (fallback === 'not-sent') return 'not-sent';
  return answered ? 'failed' : fallback;
}

/**
 * The caller's stack: mysql2's promise API records where the call was made and puts it on
 * its error; when the driver error leads back there, its frames are kept. Otherwise (the
 * callback API's errors start inside mysql2) the stack is taken where `classify` was called.
 */
function keepCallerStack(target: GoneAwayError, source: unknown): void {
  const stack = source instanceof Error ? source.stack : undefined;
  const frames = stack?.split('\n').filter((line) => /^\s+at /.test(line)) ?? [];
  const reachesCaller = frames.some(
    (line) => !line.includes('node_modules/mysql2/') && !/\(node:|at node:/.test(line),
  );
  if (reachesCaller) {
    target.stack = `${target.name}: ${target.message}\n${frames.join('\n')}`;
  } else {
    Error.captureStackTrace(target, classify);
  }
}
