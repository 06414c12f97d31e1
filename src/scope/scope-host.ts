/**
 * What a scope needs from its pool, and where scopes are found: the async context binds at most
 * one open scope per pool. The pool implements {@link ScopeHost} and registers it; it finds the
 * scope a statement belongs to with {@link boundScope}.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { TraceTarget } from '../connection/tracing-channels.js';
import { ConfigurationError, type GoneAwayError } from '../errors/index.js';
import type { Lease, LeasePolicy } from '../lease/lease.js';
import type { StatementOptions } from '../lease/results.js';
import type { Transaction, TransactionOptions } from '../lease/transaction-runner.js';
import type { ScopeEventMap, ScopeEventName } from './scope-options.js';

/** The pool's side of its scopes. Implemented by the pool; not public API. */
export interface ScopeHost {
  /** Where the pool's statements go, for tracing. */
  readonly target: TraceTarget;
  /** Borrows a lease the way the scope's policy says. */
  lease(policy: LeasePolicy): Promise<Lease>;
  /** Closes idle connections that are lost, past their idle limit or lifetime, or older than `maxAgeMs`. */
  closeOld(maxAgeMs: number | undefined): Promise<number>;
  publish<E extends ScopeEventName>(event: E, payload: ScopeEventMap[E]): void;
  /** Counts a transaction re-run and publishes it as a `retry` event. */
  retried(attempt: number, reason: string, error: GoneAwayError): void;
  /** The pause before a job's run number `attempt + 1`, from a base, with jitter. */
  backoffMs(attempt: number, baseMs: number): number;
  now(): number;
  /** The pool's `leakWarningMs`, the default for scopes. */
  readonly leakWarningMs: number;
}

/** A scope as the pool routes statements to it. */
export interface ScopeBinding {
  /**
   * True while the scope is open. After its end, false (statements then run as plain pool
   * statements), or a throw when running them outside the scope would be wrong.
   */
  takesStatements(): boolean;
  run(
    kind: 'query' | 'execute',
    sql: string,
    values: unknown,
    options?: StatementOptions,
  ): Promise<unknown>;
  transaction<T>(fn: (tx: Transaction) => Promise<T>, options: TransactionOptions): Promise<T>;
}

/** Scopes bound in the current async context, one per pool (keyed by the pool's host). */
export const scopeStorage = new AsyncLocalStorage<ReadonlyMap<ScopeHost, ScopeBinding>>();

/**
 * The scope the current async context has bound to the pool behind `host`, if any.
 *
 * @example
 * const scope = boundScope(host); // undefined outside db.scope()
 */
export function boundScope(host: ScopeHost): ScopeBinding | undefined {
  return scopeStorage.getStore()?.get(host);
}

const hosts = new WeakMap<object, ScopeHost>();

/**
 * Called by the pool's constructor, so middlewares and `closeOldConnections` reach a pool's host
 * from the pool.
 *
 * @example
 * registerScopeHost(this, this.#scopeHost);
 */
export function registerScopeHost(pool: object, host: ScopeHost): void {
  hosts.set(pool, host);
}

/**
 * The host of a pool. Throws a `ConfigurationError` for anything that is not a goneaway pool.
 *
 * @example
 * const host = scopeHostOf(db);
 */
export function scopeHostOf(pool: object): ScopeHost {
  const host = hosts.get(pool);
  if (!host) {
    throw new ConfigurationError(
      'Expected a goneaway pool (from createPool()); scopes work only with goneaway pools.',
    );
  }
  return host;
}
