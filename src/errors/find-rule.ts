/**
 * Which table entry applies to an error: by number (server or client), then Node's system
 * code, then mysql2's code, then (for code-less errors only) mysql2's exact message, then the
 * SQLSTATE class, then a fallback. The first hit decides.
 */
import { clientCodeRule } from './client-codes.js';
import type { CodeRule } from './code-rule.js';
import { DRIVER_CODE_RULES, driverMessageRule } from './driver-codes.js';
import type { DriverFacts } from './driver-facts.js';
import type { Flavor } from './flavor.js';
import { serverCodeRule } from './server-codes.js';
import { serverErrorName } from './server-error-names.js';
import { sqlStateRule } from './sqlstate-classes.js';
import { SYSTEM_CODE_RULES } from './system-codes.js';

/** Which table the rule came from. */
export type RuleSource =
  | 'server'
  | 'client'
  | 'system'
  | 'driver'
  | 'driver-message'
  | 'sqlstate'
  | 'fallback';

/** A rule and what it matched. */
export interface RuleMatch {
  readonly rule: CodeRule;
  readonly source: RuleSource;
  /** The error number's name for the flavour, when there is a number. */
  readonly symbol: string | undefined;
}

/** The fallbacks, for errors no table knows. */
export const FALLBACK_RULES = {
  fatal: {
    kind: 'loss',
    note: 'An error mysql2 marked fatal (it closes the connection) that no table lists.',
  },
  server: {
    kind: 'DatabaseError',
    note: 'A server error with no entry and a general SQLSTATE (HY000).',
  },
  argument: {
    kind: 'ProgrammingError',
    outcome: 'not-sent',
    note: 'A TypeError or RangeError: mysql2 throws these for invalid arguments (e.g. undefined bind values).',
  },
  other: {
    kind: 'InterfaceError',
    note: 'Not a database error goneaway knows: raised by the driver or the calling code.',
  },
} as const satisfies Record<string, CodeRule>;

const hasOwn = (table: object, key: string): boolean => Object.hasOwn(table, key);

/**
 * The rule that applies to `facts` on a server of `flavor`.
 *
 * @example
 * findRule(driverFacts(error), 'mariadb').rule.kind; // e.g. 'loss'
 */
export function findRule(facts: DriverFacts, flavor?: Flavor): RuleMatch {
  const { errno, systemCode, code } = facts;
  if (errno !== undefined) {
    const isClient = errno >= 2000 && errno < 3000;
    const rule = isClient ? clientCodeRule(errno) : serverCodeRule(errno, flavor);
    const symbol = rule?.symbol ?? (isClient ? undefined : serverErrorName(errno, flavor));
    if (rule) return { rule, source: isClient ? 'client' : 'server', symbol };
    const byState = sqlStateRule(facts.sqlState);
    if (byState) return { rule: byState, source: 'sqlstate', symbol };
    return {
      rule: facts.fatal ? FALLBACK_RULES.fatal : FALLBACK_RULES.server,
      source: 'fallback',
      symbol,
    };
  }
  if (systemCode && hasOwn(SYSTEM_CODE_RULES, systemCode)) {
    return { rule: SYSTEM_CODE_RULES[systemCode] as CodeRule, source: 'system', symbol: undefined };
  }
  if (code && hasOwn(DRIVER_CODE_RULES, code)) {
    return { rule: DRIVER_CODE_RULES[code] as CodeRule, source: 'driver', symbol: undefined };
  }
  if (code === undefined) {
    const byMessage = driverMessageRule(facts.message);
    if (byMessage) return { rule: byMessage, source: 'driver-message', symbol: undefined };
  }
  const byState = sqlStateRule(facts.sqlState);
  if (byState) return { rule: byState, source: 'sqlstate', symbol: undefined };
  const fallback = facts.fatal
    ? FALLBACK_RULES.fatal
    : facts.isArgumentError
      ? FALLBACK_RULES.argument
      : FALLBACK_RULES.other;
  return { rule: fallback, source: 'fallback', symbol: undefined };
}
