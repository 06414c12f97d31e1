/**
 * goneaway's `diagnostics_channel` tracing channels, in the shape mysql2 (3.20+) uses for its
 * own (`mysql2:query`, `mysql2:connect`, ...), so an APM tool that subscribes to mysql2's can
 * subscribe to goneaway's with one line:
 *
 * | channel | one trace per | context |
 * |---|---|---|
 * | `goneaway:query` | logical statement (`db.query`, `lease.execute`, ...), retries included | {@link QueryTraceContext} |
 * | `goneaway:transaction` | `db.transaction(fn)`, re-runs included | {@link TransactionTraceContext} |
 * | `goneaway:acquire` | checkout that could not take a ready idle connection at once | {@link AcquireTraceContext} |
 * | `goneaway:connect` | new server connection (connect, handshake, set-up) | {@link ConnectTraceContext} |
 *
 * Each is a `TracingChannel`: `start`, `end`, `asyncStart`, `asyncEnd` and `error` sub-channels
 * (`tracing:goneaway:query:start`, ...); the context object is the same for all of one trace and
 * gains `result` or `error` at the end. Nothing is published, and nothing allocated, while no one
 * subscribes. A context carries statement values (as mysql2's does) but never a password; what a
 * subscriber exports is its own decision (`goneaway/otel` exports no values). Every field is
 * documented for subscribers in docs/observability.md.
 */
import { tracingChannel } from 'node:diagnostics_channel';
import type { Flavor, GoneAwayError } from '../errors/index.js';

/**
 * Where traced work goes: the semantic conventions' `server.address`, `server.port`,
 * `db.namespace`, and the pool it goes through (`db.client.connection.pool.name`). The channels
 * are process-wide: `poolName` tells one pool's traces from another's (unique within a process
 * unless two pools were given the same `name`).
 */
export interface TraceTarget {
  readonly serverAddress: string;
  readonly serverPort: number | undefined;
  readonly database: string;
  readonly poolName: string;
}

/** One attempt of a traced statement or transaction. */
export interface AttemptRecord {
  /** 1 for the first. */
  readonly attempt: number;
  /** The server's id of the connection it ran on (0 when it got none). */
  connectionId: number;
  /** The server family of that connection (`db.system.name`), once it has one. */
  flavor?: Flavor;
  /** How it failed, if it did. */
  error?: GoneAwayError;
  /** After a failure: whether it ran again, and why (the `retry`/`no-retry` reason). */
  decision?: { readonly retry: boolean; readonly reason: string };
}

/** The context of one `goneaway:query` trace. */
export interface QueryTraceContext extends TraceTarget {
  readonly operation: 'query' | 'execute';
  /** The statement as the caller wrote it (placeholders, not values). */
  readonly query: string;
  /** The caller's values, as mysql2 passes them. Never exported by goneaway/otel. */
  readonly values: unknown;
  readonly attempts: AttemptRecord[];
  result?: unknown;
  error?: unknown;
}

/** The context of one `goneaway:transaction` trace. */
export interface TransactionTraceContext extends TraceTarget {
  readonly isolationLevel: string | undefined;
  readonly readOnly: boolean;
  /** One record per run of the transaction function. */
  readonly attempts: AttemptRecord[];
  result?: unknown;
  error?: unknown;
}

/** The context of one `goneaway:acquire` trace. */
export interface AcquireTraceContext extends TraceTarget {
  /** A new connection was required. */
  readonly fresh: boolean;
  result?: unknown;
  error?: unknown;
}

/** The context of one `goneaway:connect` trace. */
export interface ConnectTraceContext extends TraceTarget {
  readonly user: string | undefined;
  /** The server's id of the new connection, once known. */
  connectionId?: number;
  result?: unknown;
  error?: unknown;
}

/** The four channels. */
export const queryChannel = tracingChannel<unknown, QueryTraceContext>('goneaway:query');
export const transactionChannel = tracingChannel<unknown, TransactionTraceContext>(
  'goneaway:transaction',
);
export const acquireChannel = tracingChannel<unknown, AcquireTraceContext>('goneaway:acquire');
export const connectChannel = tracingChannel<unknown, ConnectTraceContext>('goneaway:connect');
