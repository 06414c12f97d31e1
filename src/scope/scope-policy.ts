/**
 * Scope and job options, validated once and resolved to the policy a scope follows. Unknown
 * keys and bad values are rejected with a `ConfigurationError` naming the option.
 */
import { ConfigurationError } from '../errors/index.js';
import type { JobOptions, ScopeOptions } from './scope-options.js';

/** {@link ScopeOptions} after defaults. */
export interface ScopePolicy {
  readonly name: string;
  readonly pooled: boolean;
  readonly maxAgeMs: number | undefined;
  readonly healthCheck: boolean;
  readonly atomic: boolean;
  /** 0 = no leak report. */
  readonly leakWarningMs: number;
}

/** {@link JobOptions} after defaults. */
export interface JobPolicy {
  readonly name: string;
  readonly attempts: number;
  readonly retryDelayMs: number;
  readonly scope: ScopePolicy;
}

/**
 * The keys of {@link ScopeOptions}.
 *
 * @example
 * SCOPE_KEYS.includes('maxAgeMs'); // true
 */
export const SCOPE_KEYS: readonly string[] = [
  'pool',
  'maxAgeMs',
  'healthCheck',
  'atomic',
  'name',
  'leakWarningMs',
];
const JOB_KEYS: readonly string[] = [...SCOPE_KEYS, 'attempts', 'retryDelayMs'];

/**
 * Resolves scope options; `defaultLeakWarningMs` is the pool's `leakWarningMs`.
 *
 * @example
 * resolveScopeOptions({ pool: false }, 60_000).pooled; // false
 */
export function resolveScopeOptions(
  options: ScopeOptions | undefined,
  defaultLeakWarningMs: number,
  what = 'Scope',
  knownKeys: readonly string[] = SCOPE_KEYS,
): ScopePolicy {
  const o: ScopeOptions = options ?? {};
  if (typeof o !== 'object') invalid(what, 'options', o, 'an object');
  for (const key of Object.keys(o)) {
    if (!knownKeys.includes(key)) {
      throw new ConfigurationError(
        `Unknown ${what.toLowerCase()} option '${key}'. Known options: ${knownKeys.join(', ')}.`,
      );
    }
  }
  const name = o.name ?? 'scope';
  if (typeof name !== 'string' || name.length === 0)
    invalid(what, 'name', name, 'a non-empty string');
  return {
    name,
    pooled: flag(what, 'pool', o.pool, true),
    maxAgeMs: o.maxAgeMs === undefined ? undefined : duration(what, 'maxAgeMs', o.maxAgeMs),
    healthCheck: flag(what, 'healthCheck', o.healthCheck, false),
    atomic: flag(what, 'atomic', o.atomic, false),
    leakWarningMs: duration(what, 'leakWarningMs', o.leakWarningMs ?? defaultLeakWarningMs),
  };
}

/**
 * Resolves job options; the job's name defaults to the function's name.
 *
 * @example
 * resolveJobOptions({ attempts: 3 }, async function mailer() {}, 60_000).name; // 'mailer'
 */
export function resolveJobOptions(
  options: JobOptions | undefined,
  fn: { readonly name: string },
  defaultLeakWarningMs: number,
): JobPolicy {
  const o: JobOptions = options ?? {};
  const name = o.name ?? (fn.name || 'job');
  const { attempts = 1, retryDelayMs = 200, ...rest } = o;
  if (!Number.isInteger(attempts) || attempts < 1) {
    invalid('Job', 'attempts', attempts, 'an integer of at least 1');
  }
  const scope = resolveScopeOptions({ ...rest, name }, defaultLeakWarningMs, 'Job', JOB_KEYS);
  return { name, attempts, retryDelayMs: duration('Job', 'retryDelayMs', retryDelayMs), scope };
}

function flag(what: string, key: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') invalid(what, key, value, 'true or false');
  return value as boolean;
}

function duration(what: string, key: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    invalid(what, key, value, 'a finite number of ms, 0 or more');
  }
  return value as number;
}

function invalid(what: string, key: string, value: unknown, expected: string): never {
  const shown =
    typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string'
      ? JSON.stringify(value)
      : typeof value;
  throw new ConfigurationError(`${what} option '${key}' is ${shown}; expected ${expected}.`);
}
