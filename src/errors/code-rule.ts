import type { ErrorClassName } from './error-specs.js';
import type { Outcome } from './outcome.js';

/**
 * What a code says beyond its class, for the pool's decisions:
 * - `'not-sent'`: the request provably never reached the server, whatever the phase;
 * - `'server-restart'`: the server (or a tool killing sessions) probably dropped other
 *   connections too, so idle ones older than this moment are suspect;
 * - `'idle-timeout'`: the server closed the connection for idling past `wait_timeout`;
 * - `'stops-midway'`: the server stopped the statement while it ran (KILL QUERY, a statement
 *   timeout): InnoDB rolls the statement back, but rows a write already changed in a
 *   non-transactional table (MyISAM, Aria) stay changed, so a write's outcome is unknown.
 *
 * @example
 * const restart = (rule: CodeRule) => rule.signals?.includes('server-restart') ?? false;
 */
export type Signal = 'not-sent' | 'server-restart' | 'idle-timeout' | 'stops-midway';

/**
 * `'loss'`: the connection is gone, and the class follows from what it was doing (see
 * `classify`); otherwise the class the code always becomes.
 *
 * @example
 * const kind: RuleKind = 'loss';
 */
export type RuleKind = 'loss' | ErrorClassName;

/**
 * How one code is classified. Tables of these are the only place classification knowledge
 * lives; `classify()` only reads them.
 *
 * @example
 * const rule: CodeRule = {
 *   kind: 'DeadlockError',
 *   note: 'InnoDB found a deadlock and rolled back this whole transaction.',
 * };
 */
export interface CodeRule {
  readonly kind: RuleKind;
  /** What the code means and why it is classed so. Shown in docs and, for losses, in messages. */
  readonly note: string;
  readonly signals?: readonly Signal[];
  /** Overrides the outcome the kind and phase would give. */
  readonly outcome?: Outcome;
  readonly retryable?: boolean;
  readonly connectionUsable?: boolean;
  /** The class to use instead while connecting (e.g. unknown database → ConfigurationError). */
  readonly whenConnecting?: ErrorClassName;
  /** Advice for this code, used instead of the class's general advice. */
  readonly advice?: string;
}

/**
 * A rule for a numbered error (server or client).
 *
 * @example
 * const rule: NumberedRule = { errno: 2013, symbol: 'CR_SERVER_LOST', kind: 'loss', note: 'Lost during query.' };
 */
export interface NumberedRule extends CodeRule {
  readonly errno: number;
  readonly symbol: string;
}
