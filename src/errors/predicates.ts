/**
 * Questions the pool asks of an error for its retire and epoch decisions, answered from the
 * same tables as `classify()` (through the `signals` of the matching entry).
 */

import { classify } from './classify.js';
import type { ClassifyContext } from './classify-context.js';
import type { Signal } from './code-rule.js';
import { driverFacts } from './driver-facts.js';
import { ConnectionLostError } from './error-classes.js';
import { findRule } from './find-rule.js';
import type { Flavor } from './flavor.js';
import { isGoneAwayError } from './goneaway-error.js';

/**
 * The signals of the table entry that matches `error` (a driver error, or a goneaway error
 * whose cause or fields are read).
 *
 * @example
 * errorSignals(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
 * // ['not-sent', 'server-restart']
 */
export function errorSignals(error: unknown, flavor?: Flavor): readonly Signal[] {
  let source = error;
  let sourceFlavor = flavor;
  // A goneaway error stands for its cause; one built by the pool without a cause is read by
  // its own fields (errno, sqlState, systemCode, driverCode).
  while (isGoneAwayError(source)) {
    sourceFlavor ??= source.flavor;
    if (source.cause === undefined) {
      source = {
        errno: source.errno,
        sqlState: source.sqlState,
        code: source.systemCode ?? source.driverCode,
      };
      break;
    }
    source = source.cause;
  }
  return findRule(driverFacts(source), sourceFlavor).rule.signals ?? [];
}

/**
 * Whether `error` means an established connection is gone (ConnectionLostError or one of its
 * subclasses, once classified in `context`).
 *
 * @example
 * socket.on('error', (error) => {
 *   if (isConnectionLoss(error, { phase: 'idle' })) pool.discard(connection);
 * });
 */
export function isConnectionLoss(error: unknown, context?: ClassifyContext): boolean {
  return classify(error, context) instanceof ConnectionLostError;
}

/**
 * Whether the disconnect suggests the server dropped other connections too: a restart or
 * shutdown (1053, 1077–1080, offline mode 3032), a refused reconnect (ECONNREFUSED, 2003),
 * sessions being killed (1927 on MariaDB, 3169 on MySQL; failover tools kill them all), or
 * MySQL's idle-timeout notice (4031: every connection idle as long is gone too). The pool
 * then treats older idle connections as suspect and validates them before use.
 *
 * @example
 * if (signalsServerRestart(error)) pool.bumpEpoch();
 */
export function signalsServerRestart(error: unknown, flavor?: Flavor): boolean {
  return errorSignals(error, flavor).includes('server-restart');
}

/**
 * Whether the server said it closed the connection for idling past wait_timeout (MySQL
 * 8.0.24+ sends 4031 first; MariaDB sends nothing, so on MariaDB compare the idle time with
 * wait_timeout instead).
 *
 * @example
 * if (signalsIdleTimeout(error)) log.warn('connections idle longer than wait_timeout');
 */
export function signalsIdleTimeout(error: unknown, flavor?: Flavor): boolean {
  return errorSignals(error, flavor).includes('idle-timeout');
}
