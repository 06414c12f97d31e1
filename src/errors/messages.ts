/**
 * The words of a classified error: what happened, to which statement (named by its keyword
 * only), on which server, what the connection's idle time and the server's wait_timeout
 * suggest, and what to do. Secrets are blanked later, by the error's constructor.
 */

import { describeStatement } from '../sql/statement-keyword.js';
import type { ClassifyContext } from './classify-context.js';
import type { CodeRule } from './code-rule.js';
import type { DriverFacts } from './driver-facts.js';
import { ERROR_CLASS_SPECS, type ErrorClassName } from './error-specs.js';
import type { Outcome } from './outcome.js';

/** Everything a message is made of. */
export interface MessageInput {
  readonly className: ErrorClassName;
  readonly outcome: Outcome;
  /** The rule said the connection is gone (kind `'loss'`). */
  readonly loss: boolean;
  /** The code proves the statement was never written (e.g. a call on a closed handle). */
  readonly refusedUnsent: boolean;
  readonly rule: CodeRule;
  readonly facts: DriverFacts;
  readonly symbol: string | undefined;
  readonly context: ClassifyContext;
}

/**
 * Composes the message of a classified error.
 *
 * @example
 * composeMessage({ className: 'ConnectionLostError', outcome: 'unknown', loss: true, rule, facts, symbol: undefined,
 *   context: { phase: 'awaiting-result', host: '127.0.0.1', port: 3306, sql: 'UPDATE t SET a = 1', idleMs: 41_000, waitTimeoutMs: 30_000 } });
 * // 'Lost connection to 127.0.0.1:3306 while awaiting the result of an UPDATE (PROTOCOL_CONNECTION_LOST: ...);
 * //  the server may or may not have applied it (outcome unknown). The connection had been idle 41 s, ...'
 */
export function composeMessage(input: MessageInput): string {
  const parts = [input.loss ? lossHeadline(input) : headline(input)];
  const idle = idleClause(input);
  if (idle) parts.push(idle);
  parts.push(advice(input));
  return parts.join(' ');
}

function target(context: ClassifyContext): string {
  if (!context.host) return 'the server';
  return context.port ? `${context.host}:${context.port}` : context.host;
}

/** The driver's own words, with the code or error number that identifies them. */
export function driverDetail(facts: DriverFacts, symbol: string | undefined): string {
  const message = facts.message.trim() || '(no message)';
  if (facts.errno !== undefined) {
    const state = facts.sqlState ? `, SQLSTATE ${facts.sqlState}` : '';
    return `${symbol ?? 'error'} ${facts.errno}${state}: ${message}`;
  }
  const code = facts.code;
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}

function lossHeadline(input: MessageInput): string {
  const { className, outcome, facts, symbol, context } = input;
  const where = target(context);
  const detail = driverDetail(facts, symbol);
  const statement = describeStatement(context.sql);
  const phase =
    input.refusedUnsent && (context.phase === 'awaiting-result' || context.phase === undefined)
      ? 'sending'
      : context.phase;
  switch (phase) {
    case 'connecting':
      return `Could not connect to ${where}: the connection broke during the handshake (${detail}).`;
    case 'idle':
      return `The idle connection to ${where} was closed while it waited in the pool (${detail}); no statement was affected.`;
    case 'validating':
      return `The connection to ${where} failed its liveness check (${detail}); no statement was affected.`;
    case 'sending':
      return className === 'TransactionLostError'
        ? `${capitalize(statement)} was not sent: the connection to ${where} was already lost inside a transaction (${detail}). The server rolled the transaction back.`
        : `${capitalize(statement)} was not sent: the connection to ${where} was already lost (${detail}). It never reached the server (outcome not-sent).`;
    case 'committing':
      return className === 'CommitOutcomeUnknownError'
        ? `Lost connection to ${where} while COMMIT was in flight (${detail}); the transaction may or may not have been committed (outcome unknown).`
        : `COMMIT was not sent: the connection to ${where} was already lost (${detail}). The server rolled the transaction back.`;
    default: {
      const during =
        context.phase === 'awaiting-result'
          ? ` while awaiting the result of ${statement}`
          : context.sql
            ? ` during ${statement}`
            : '';
      const fate =
        outcome === 'not-sent'
          ? 'the server closed the connection before reading it (outcome not-sent)'
          : outcome === 'failed'
            ? 'the server aborted it (outcome failed)'
            : context.sql || context.phase === 'awaiting-result'
              ? 'the server may or may not have applied it (outcome unknown)'
              : 'any statement in flight may or may not have been applied (outcome unknown)';
      const rolledBack =
        className === 'TransactionLostError' ? ' The server rolled the open transaction back.' : '';
      return `Lost connection to ${where}${during} (${detail}); ${fate}.${rolledBack}`;
    }
  }
}

function headline({ className, facts, symbol, context }: MessageInput): string {
  const where = target(context);
  const detail = driverDetail(facts, symbol);
  const statement = describeStatement(context.sql);
  const answered = facts.errno !== undefined;
  if (context.phase === 'connecting' || className === 'ServerUnavailableError') {
    return answered
      ? `${capitalize(where)} refused the connection (${detail}).`
      : `Could not connect to ${where} (${detail}).`;
  }
  if (answered) {
    const what = context.sql ? statement : 'the statement';
    return `${capitalize(where)} rejected ${what} (${detail}).`;
  }
  return `${ERROR_CLASS_SPECS[className].summary.replace(/\.$/, '')} (${detail}).`;
}

function idleClause({ loss, context }: MessageInput): string | undefined {
  const { idleMs, waitTimeoutMs, phase } = context;
  if (!loss || idleMs === undefined || phase === 'connecting') return undefined;
  if (waitTimeoutMs === undefined) return `The connection had been idle ${duration(idleMs)}.`;
  if (idleMs >= waitTimeoutMs) {
    return `The connection had been idle ${duration(idleMs)}, longer than the server's wait_timeout (${duration(waitTimeoutMs)}): the server most likely closed it for idling.`;
  }
  return `The connection had been idle ${duration(idleMs)}; the server's wait_timeout is ${duration(waitTimeoutMs)}.`;
}

function advice({ className, outcome, loss, rule, context }: MessageInput): string {
  if (rule.advice) return rule.advice;
  if (!loss || context.phase === 'connecting') return ERROR_CLASS_SPECS[className].action;
  if (context.phase === 'idle' || context.phase === 'validating') {
    return 'The pool replaces the connection; if this repeats, compare wait_timeout and any proxy or firewall idle timeout with how long connections sit idle.';
  }
  if (className === 'ConnectionLostError') {
    return outcome === 'unknown'
      ? 'Check whether it was applied before repeating it, or make it idempotent and mark it so.'
      : 'It was not applied, so it is safe to run again on a new connection.';
  }
  return ERROR_CLASS_SPECS[className].action;
}

/**
 * A duration for people: `850 ms`, `2.5 s`, `41 s`, `8 min`, `8 h`.
 *
 * @example
 * duration(41_000); // '41 s'
 */
export function duration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 10_000) return `${(ms / 1_000).toFixed(1)} s`;
  if (ms < 120_000) return `${Math.round(ms / 1_000)} s`;
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 3_600_000)} h`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
