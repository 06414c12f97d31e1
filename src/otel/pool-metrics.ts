/**
 * One pool's connection-pool metrics (the conventions' `db.client.connection.*`) and goneaway's
 * own counters, read from `pool.stats`, the pool's events and the `goneaway:acquire` channel.
 *
 * | metric | from |
 * |---|---|
 * | `db.client.connection.count` (idle/used), `.idle.max`, `.idle.min`, `.limit`, `.pending_requests` | `pool.stats`, read at each collection |
 * | `db.client.connection.create_time` | `connect` events |
 * | `db.client.connection.wait_time` | `goneaway:acquire` traces: checkouts that could not take a ready idle connection at once |
 * | `db.client.connection.timeouts` | `goneaway:acquire` traces that failed with `AcquireTimeoutError` |
 * | `db.client.connection.use_time` | `release` events |
 * | `goneaway.*` | the pool's other events, one counter each |
 *
 * Every point carries `db.client.connection.pool.name` (the pool's `name`).
 */
import type { TracingChannelSubscribers } from 'node:diagnostics_channel';
import type {
  Attributes,
  BatchObservableCallback,
  Counter,
  Histogram,
  Meter,
  Observable,
} from '@opentelemetry/api';
import { type AcquireTraceContext, acquireChannel } from '../connection/tracing-channels.js';
import { AcquireTimeoutError } from '../errors/index.js';
import type { CloseReason } from '../lease/lease.js';
import type { Pool } from '../pool/pool.js';
import type { GoneAwayEventMap, PoolEventName } from '../pool/pool-events.js';
import { errorAttributes } from './error-attributes.js';
import { counterFor, histogramFor, observableFor } from './instruments.js';
import {
  ATTRIBUTES,
  CONNECTION_STATES,
  CONVENTION_METRICS,
  GONEAWAY_METRICS,
} from './semantic-names.js';

/** Closes that mean a connection was lost, not retired by plan: the next connect replaces it. */
const LOST: ReadonlySet<CloseReason> = new Set(['server-closed', 'broken', 'validation-failed']);

/**
 * Pool metrics for one pool, until {@link PoolMetrics.stop}.
 *
 * @example
 * const metrics = new PoolMetrics(pool, meter);
 * // ... collections read the pool, events are counted ...
 * metrics.stop();
 */
export class PoolMetrics {
  readonly #pool: Pool;
  readonly #meter: Meter;
  readonly #attributes: Attributes;
  readonly #undo: (() => void)[] = [];
  /** Connections lost and not yet replaced: each next connect is a reconnect. */
  #unreplaced = 0;

  constructor(pool: Pool, meter: Meter) {
    this.#pool = pool;
    this.#meter = meter;
    this.#attributes = { [ATTRIBUTES.poolName]: pool.name };
    this.#observeStats();
    this.#watchAcquires();
    this.#countEvents();
  }

  /** Stops reporting. Idempotent. */
  stop(): void {
    for (const undo of this.#undo.splice(0)) undo();
  }

  #observeStats(): void {
    const meter = this.#meter;
    const count = observableFor(meter, CONVENTION_METRICS.connectionCount);
    const idleMax = observableFor(meter, CONVENTION_METRICS.idleMax);
    const idleMin = observableFor(meter, CONVENTION_METRICS.idleMin);
    const limit = observableFor(meter, CONVENTION_METRICS.limit);
    const pending = observableFor(meter, CONVENTION_METRICS.pendingRequests);
    const attributes = this.#attributes;
    const state = (name: string): Attributes => ({
      ...attributes,
      [ATTRIBUTES.connectionState]: name,
    });
    const observe: BatchObservableCallback = (result) => {
      const stats = this.#pool.stats;
      result.observe(count, stats.idle, state(CONNECTION_STATES.idle));
      result.observe(count, stats.inUse, state(CONNECTION_STATES.used));
      // Every open connection may be idle at once, and none is kept open for its own sake.
      result.observe(idleMax, stats.max, attributes);
      result.observe(idleMin, 0, attributes);
      result.observe(limit, stats.max, attributes);
      result.observe(pending, stats.waiting, attributes);
    };
    const observables: Observable[] = [count, idleMax, idleMin, limit, pending];
    meter.addBatchObservableCallback(observe, observables);
    this.#undo.push(() => meter.removeBatchObservableCallback(observe, observables));
  }

  /** Checkouts of this pool that were traced (not the synchronous hot path): waits and timeouts. */
  #watchAcquires(): void {
    const waits = histogramFor(this.#meter, CONVENTION_METRICS.waitTime);
    const timeouts = counterFor(this.#meter, CONVENTION_METRICS.timeouts);
    const started = new WeakMap<object, number>();
    const mine = (context: AcquireTraceContext): boolean => context.poolName === this.#pool.name;
    const handlers: TracingChannelSubscribers<AcquireTraceContext> = {
      start: (context) => {
        if (mine(context)) started.set(context, performance.now());
      },
      end: () => {},
      asyncStart: () => {},
      asyncEnd: (context) => {
        const since = started.get(context);
        if (since === undefined) return;
        started.delete(context);
        if (context.error === undefined) {
          waits.record((performance.now() - since) / 1000, this.#attributes);
        } else if (context.error instanceof AcquireTimeoutError) {
          timeouts.add(1, this.#attributes);
        }
      },
      error: () => {},
    };
    acquireChannel.subscribe(handlers);
    this.#undo.push(() => acquireChannel.unsubscribe(handlers));
  }

  #countEvents(): void {
    const meter = this.#meter;
    const createTime = histogramFor(meter, CONVENTION_METRICS.createTime);
    const useTime = histogramFor(meter, CONVENTION_METRICS.useTime);
    const reconnects = counterFor(meter, GONEAWAY_METRICS.reconnects);
    const connectFailures = counterFor(meter, GONEAWAY_METRICS.connectFailures);
    const losses = counterFor(meter, GONEAWAY_METRICS.losses);
    const closes = counterFor(meter, GONEAWAY_METRICS.closes);
    const validations = counterFor(meter, GONEAWAY_METRICS.validations);
    const epochs = counterFor(meter, GONEAWAY_METRICS.epochs);
    const watchdog = counterFor(meter, GONEAWAY_METRICS.watchdogChecks);
    const abandoned = counterFor(meter, GONEAWAY_METRICS.abandonedSessions);
    const leaks = counterFor(meter, GONEAWAY_METRICS.leaks);
    const rollbacks = counterFor(meter, GONEAWAY_METRICS.scopeRollbacks);
    const commitFailures = counterFor(meter, GONEAWAY_METRICS.scopeCommitFailures);
    const jobErrors = counterFor(meter, GONEAWAY_METRICS.jobErrors);
    const base = this.#attributes;
    const count = (counter: Counter, attributes: Attributes = {}): void =>
      counter.add(1, { ...base, ...attributes });
    const seconds = (histogram: Histogram, ms: number): void => histogram.record(ms / 1000, base);

    this.#on('connect', ({ durationMs }) => {
      seconds(createTime, durationMs);
      if (this.#unreplaced > 0) {
        this.#unreplaced--;
        count(reconnects);
      }
    });
    this.#on('close', ({ reason }) => {
      if (LOST.has(reason)) this.#unreplaced++;
      count(closes, { [ATTRIBUTES.closeReason]: reason });
    });
    this.#on('connect-failed', ({ error }) => count(connectFailures, errorAttributes(error)));
    this.#on('loss', (event) => count(losses, { [ATTRIBUTES.lossWhile]: event.while }));
    this.#on('validate', ({ ok }) =>
      count(validations, { [ATTRIBUTES.validationResult]: ok ? 'ok' : 'failed' }),
    );
    this.#on('epoch', ({ cause }) => count(epochs, { [ATTRIBUTES.epochCause]: cause }));
    this.#on('watchdog', ({ verdict }) =>
      count(watchdog, { [ATTRIBUTES.watchdogVerdict]: verdict }),
    );
    this.#on('abandoned-session', ({ outcome }) =>
      count(abandoned, { [ATTRIBUTES.abandonedOutcome]: outcome }),
    );
    this.#on('leak', () => count(leaks));
    this.#on('scope-leak', () => count(leaks));
    this.#on('scope-rollback', () => count(rollbacks));
    this.#on('scope-commit-failed', ({ error }) => count(commitFailures, errorAttributes(error)));
    this.#on('job-error', ({ job, willRetry }) =>
      count(jobErrors, { [ATTRIBUTES.jobName]: job, [ATTRIBUTES.willRetry]: willRetry }),
    );
    this.#on('release', ({ useMs }) => seconds(useTime, useMs));
  }

  #on<E extends PoolEventName>(event: E, listener: (payload: GoneAwayEventMap[E]) => void): void {
    this.#pool.on(event, listener);
    this.#undo.push(() => this.#pool.off(event, listener));
  }
}
