/**
 * `db.scope(fn)`: binds a new scope for `fn` (or joins the open one: a nested scope reuses the
 * outer one, whatever its options), settles an `atomic` scope's transaction by how `fn`
 * settled, and ends the scope when `fn` has.
 */

import { Scope } from './scope.js';
import { boundScope, type ScopeHost } from './scope-host.js';
import type { ScopeOptions } from './scope-options.js';
import { resolveScopeOptions, type ScopePolicy } from './scope-policy.js';

/**
 * Runs `fn` in a scope of the pool behind `host`.
 *
 * @example
 * const rows = await runScope(host, () => db.query('SELECT 1'), { name: 'report' });
 */
export function runScope<T>(
  host: ScopeHost,
  fn: () => T | Promise<T>,
  options: ScopeOptions | undefined,
): Promise<T> {
  return runInScope(host, fn, resolveScopeOptions(options, host.leakWarningMs));
}

/**
 * {@link runScope} with options already resolved.
 *
 * @example
 * await runInScope(host, () => db.query('SELECT 1'), resolveScopeOptions({}, 60_000));
 */
export async function runInScope<T>(
  host: ScopeHost,
  fn: () => T | Promise<T>,
  policy: ScopePolicy,
): Promise<T> {
  const outer = boundScope(host);
  if (outer instanceof Scope && outer.isOpen) return fn();
  const scope = new Scope(host, policy);
  try {
    const result = await scope.enter(fn);
    await scope.settle(true);
    return result;
  } catch (error) {
    await scope.settle(false).catch(() => undefined);
    throw error;
  } finally {
    await scope.end();
  }
}
