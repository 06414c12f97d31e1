/**
 * What the framework middlewares share: one scope per request, named after the request, and
 * the rule for `atomic: true` (Django's `ATOMIC_REQUESTS`): the request's transaction is
 * committed when the response is a success (2xx or 3xx) and rolled back when it is an error
 * (4xx, 5xx) or the handler threw. Each middleware settles it before the response leaves, so
 * a client is never told "done" about a transaction that then fails to commit.
 */
import type { Pool } from '../pool/pool.js';
import { Scope } from './scope.js';
import { scopeHostOf } from './scope-host.js';
import type { ScopeOptions } from './scope-options.js';
import { resolveScopeOptions, SCOPE_KEYS } from './scope-policy.js';

/** Options of the request-scope middlewares: a scope's options, named after each request. */
export type RequestScopeOptions = Omit<ScopeOptions, 'name'>;

/**
 * Validates the options once, when the middleware is created, and returns what opens one scope
 * per request. The scope is named `METHOD /path` (no query string: it may carry secrets).
 *
 * @example
 * const open = requestScopes(db, { atomic: true });
 * const scope = open('GET', '/users/7');
 */
export function requestScopes(
  db: Pool,
  options: RequestScopeOptions = {},
): (method: string, path: string) => Scope {
  const host = scopeHostOf(db);
  const keys = SCOPE_KEYS.filter((key) => key !== 'name');
  const policy = resolveScopeOptions(options, host.leakWarningMs, 'Middleware', keys);
  return (method, path) => new Scope(host, { ...policy, name: `${method} ${path}` });
}

/**
 * Whether an atomic request's transaction is committed for this response status.
 *
 * @example
 * commitsOn(201); // true
 * commitsOn(404); // false
 */
export function commitsOn(status: number): boolean {
  return status >= 200 && status < 400;
}
