/**
 * The contract between the pool and request/job scopes. The pool knows only this file: which
 * scope, if any, the current async context has bound to it, and the few services a scope needs
 * from it. The scopes themselves live in `src/scope`, which builds on this file and installs
 * itself here ({@link installScopes}), so the pool never imports it: dependencies point one way.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { ConfigurationError, type GoneAwayError } from '../errors/index.js';
import type { Lease } from './lease.js';
import type { CloseReason } from './pool-events.js';
import type { StatementOptions } from './results.js';
import type { Transaction, TransactionOptions } from './transaction.js';

/**
 * How a scope keeps its connection: Django's database settings, per scope. Every duration is
 * in milliseconds.
 */
export interface ScopeOptions {
  /**
   * `true` (default): borrow a pooled connection on the first statement and return it at the
   * end. `false`: open a connection for this scope alone and close it at the end, for
   * applications behind a pooling proxy (ProxySQL, MySQL Router, RDS Proxy).
   */
  readonly pool?: boolean;
  /**
   * Do not borrow a connection older than this, and close the scope's connection at the end
   * once it is (Django's `CONN_MAX_AGE`). Default: only the pool's `maxLifetimeMs` applies.
   */
  readonly maxAgeMs?: number;
  /**
   * Ping a reused connection before the scope's first statement, however recently it was used
   * (Django's `CONN_HEALTH_CHECKS`). Default false: the pool pings connections that idled
   * longer than `validateAfterIdleMs`.
   */
  readonly healthCheck?: boolean;
  /**
   * Run the scope in one transaction, begun on its first statement: committed when the scope's
   * function resolves, rolled back when it throws (Django's `ATOMIC_REQUESTS`).
   */
  readonly atomic?: boolean;
  /** Names the scope in events and leak reports. Default `'scope'`. */
  readonly name?: string;
  /** Report the scope if it is still open after this long. Default: the pool's `leakWarningMs`; 0 = off. */
  readonly leakWarningMs?: number;
}

/** Options for `db.job()`: a scope per run, plus what to do when a run fails. */
export interface JobOptions extends Omit<ScopeOptions, 'name'> {
  /** Names the job in events. Default: the function's name, or `'job'`. */
  readonly name?: string;
  /**
   * Runs at most, counting the first. A run is repeated only when it failed because its
   * connection was lost (never after `CommitOutcomeUnknownError`). Use more than 1 only for
   * runs that are safe to repeat from the start. Default 1.
   */
  readonly attempts?: number;
  /** Pause before the first repeat, doubled for each further one (with jitter). Default 200. */
  readonly retryDelayMs?: number;
}

/** What a job's function is told about its run. */
export interface JobRun {
  readonly name: string;
  /** Which run this is, from 1. */
  readonly attempt: number;
}

/** Scope events: name → payload. Delivered by `db.on()` and on `goneaway:<name>` channels. */
export interface ScopeEventMap {
  /** A scope ended; `closedAs` is set when its connection was closed instead of returned. */
  'scope-end': {
    readonly scope: string;
    /** The server's id of the connection the scope ended with; 0 when it held none. */
    readonly connectionId: number;
    readonly durationMs: number;
    readonly statements: number;
    readonly closedAs: CloseReason | undefined;
  };
  /** A scope ended with a transaction open: it was rolled back. */
  'scope-rollback': {
    readonly scope: string;
    readonly connectionId: number;
    /** The scope's own `atomic` transaction (the request did not complete), not one left open by code. */
    readonly atomic: boolean;
  };
  /** An atomic scope's transaction could not be committed. */
  'scope-commit-failed': {
    readonly scope: string;
    readonly connectionId: number;
    readonly error: GoneAwayError;
  };
  /** A scope has been open longer than its `leakWarningMs`; `stack` is where it started. */
  'scope-leak': {
    readonly scope: string;
    readonly openMs: number;
    /** 0 when it holds no connection. */
    readonly connectionId: number;
    readonly stack: string;
  };
  /** A run of `db.job()` failed. */
  'job-error': {
    readonly job: string;
    readonly attempt: number;
    readonly willRetry: boolean;
    /** What the run threw. */
    readonly error: unknown;
    /** The database error it was, classified; undefined when the run failed for another reason. */
    readonly classified: GoneAwayError | undefined;
  };
}

export type ScopeEventName = keyof ScopeEventMap;

/** What the pool knows about the connection under a scope's lease at this moment. */
export interface ConnectionFacts {
  readonly connectionId: number;
  readonly ageMs: number;
  readonly inTransaction: boolean;
  /** Session state beyond the pool's set-up (user variables, temporary tables, ...). */
  readonly sessionState: readonly string[];
}

/** How a scope wants its connection borrowed. */
export interface ScopeLeasePolicy {
  /** Always a new connection, never a pooled one (`pool: false`). */
  readonly fresh: boolean;
  /** Ping a reused connection first, however recently it was used. */
  readonly healthCheck: boolean;
  /** Do not hand out a pooled connection older than this. */
  readonly maxAgeMs: number | undefined;
  /** Where the scope started, for the pool's leak report. */
  readonly stack: string;
}

/** A lease borrowed for a scope, with what only the pool can see or do about it. */
export interface ScopeLease {
  readonly lease: Lease;
  /** The connection under the lease now; undefined once it was lost (until the lease moves on). */
  facts(): ConnectionFacts | undefined;
  /**
   * Releases the lease; with `closeAs`, its connection is closed instead of returned. Settles
   * when the connection is back in the pool (rolled back first if need be) or closed.
   */
  end(closeAs?: CloseReason): Promise<void>;
}

/** The pool's side of its scopes. Implemented by the pool; not public API. */
export interface ScopeHost {
  lease(policy: ScopeLeasePolicy): Promise<ScopeLease>;
  /** Closes idle connections that are lost, past their idle limit or lifetime, or older than `maxAgeMs`. */
  closeOld(maxAgeMs: number | undefined): Promise<number>;
  publish<E extends ScopeEventName>(event: E, payload: ScopeEventMap[E]): void;
  now(): number;
  random(): number;
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
  transaction<T>(
    fn: (tx: Transaction) => Promise<T>,
    options: TransactionOptions,
    onRetry: (attempt: number, reason: string, error: GoneAwayError) => void,
  ): Promise<T>;
}

/** The scope implementation behind `db.scope()` and `db.job()`, installed by `src/scope`. */
export interface ScopeRuntime {
  scope<T>(
    host: ScopeHost,
    fn: () => T | Promise<T>,
    options: ScopeOptions | undefined,
  ): Promise<T>;
  job<T>(
    host: ScopeHost,
    fn: (run: JobRun) => T | Promise<T>,
    options: JobOptions | undefined,
  ): Promise<T>;
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
 * Called by the pool's constructor, so `src/scope` can reach a pool's host from the pool.
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

let runtime: ScopeRuntime | undefined;

/**
 * Called once by `src/scope` when it loads.
 *
 * @example
 * installScopes({ scope: runScope, job: runJob });
 */
export function installScopes(implementation: ScopeRuntime): void {
  runtime = implementation;
}

/**
 * The installed scope implementation.
 *
 * @example
 * return scopes().scope(host, fn, options);
 */
export function scopes(): ScopeRuntime {
  if (!runtime) {
    throw new ConfigurationError(
      "Scopes are not loaded: import from 'goneaway' (the package entry point), not from an internal path.",
    );
  }
  return runtime;
}
