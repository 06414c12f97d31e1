/**
 * The public shapes of scopes and jobs: their options, what a job's run is told, and the events
 * scopes publish through their pool.
 */
import type { GoneAwayError } from '../errors/index.js';
import type { CloseReason } from '../lease/lease.js';

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
