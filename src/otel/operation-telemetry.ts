/**
 * One span and one `db.client.operation.duration` point per logical operation of one pool, read
 * from the `goneaway:query` and `goneaway:transaction` tracing channels, and the retry counters.
 *
 * A statement's span covers all its attempts: an `attempt` event where each began (on which
 * connection, how it failed), and a `retry` or `no-retry` event with the decision's reason, so a
 * trace reads "lost connection, not sent, re-run on a new connection". A transaction's span
 * does the same for the runs of its function. Statement values are never read; the statement
 * text goes into `db.query.text` only when asked for, with its literals replaced by `?`.
 *
 * The channels are process-wide, so contexts of other pools are skipped by their `poolName`.
 * The pool's `retry`/`no-retry` events find their operation through an AsyncLocalStorage bound
 * to the channels' `start`: a decision is published from inside its operation's async flow.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { TracingChannel, TracingChannelSubscribers } from 'node:diagnostics_channel';
import {
  type Attributes,
  context as activeContext,
  type Counter,
  type Histogram,
  type Meter,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
} from '@opentelemetry/api';
import {
  type AttemptRecord,
  type QueryTraceContext,
  queryChannel,
  type TraceTarget,
  type TransactionTraceContext,
  transactionChannel,
} from '../connection/tracing-channels.js';
import type { Flavor, GoneAwayError } from '../errors/index.js';
import type { Pool } from '../pool/pool.js';
import type { GoneAwayEventMap } from '../pool/pool-events.js';
import { parameterizedText } from '../sql/parameterized-text.js';
import { statementKeyword } from '../sql/statement-keyword.js';
import { errorAttributes } from './error-attributes.js';
import { counterFor, histogramFor } from './instruments.js';
import { ATTRIBUTES, CONVENTION_METRICS, GONEAWAY_METRICS } from './semantic-names.js';

type OperationContext = QueryTraceContext | TransactionTraceContext;

/** A decision as the pool published it, and when. */
interface Decision {
  readonly retry: boolean;
  readonly at: number;
}

/** What is kept about one operation between its start and its end. */
interface Operation {
  readonly span: Span;
  /** `performance.now()` at the start. */
  readonly startedAt: number;
  readonly decisions: Decision[];
}

/** Options of {@link OperationTelemetry}. */
export interface OperationTelemetryOptions {
  /** Put the statement text, literals replaced by `?`, in `db.query.text` on spans. */
  readonly captureQueryText: boolean;
}

/** A `performance.now()` reading as milliseconds since the epoch: what span times take. */
function epochMs(now = performance.now()): number {
  return performance.timeOrigin + now;
}

/**
 * Spans, the operation-duration histogram and the retry counters for one pool, until
 * {@link OperationTelemetry.stop}.
 *
 * @example
 * const telemetry = new OperationTelemetry(pool, meter, tracer, { captureQueryText: false });
 * // ... statements run, spans and points are reported ...
 * telemetry.stop();
 */
export class OperationTelemetry {
  readonly #pool: Pool;
  readonly #tracer: Tracer;
  readonly #options: OperationTelemetryOptions;
  readonly #duration: Histogram;
  readonly #retries: Counter;
  readonly #refusals: Counter;
  readonly #operations = new WeakMap<object, Operation>();
  /** The innermost operation whose async flow is running, as bound to the channels' `start`. */
  readonly #current = new AsyncLocalStorage<unknown>();
  /** The server flavour last seen on this pool: an operation that got no connection has none. */
  #flavor: Flavor | undefined;
  readonly #undo: (() => void)[] = [];

  constructor(pool: Pool, meter: Meter, tracer: Tracer, options: OperationTelemetryOptions) {
    this.#pool = pool;
    this.#tracer = tracer;
    this.#options = options;
    this.#duration = histogramFor(meter, CONVENTION_METRICS.operationDuration);
    this.#retries = counterFor(meter, GONEAWAY_METRICS.retries);
    this.#refusals = counterFor(meter, GONEAWAY_METRICS.refusals);
    this.#watch(queryChannel, (context) => this.#queryStarted(context));
    this.#watch(transactionChannel, (context) => this.#transactionStarted(context));
    const onRetry = (event: GoneAwayEventMap['retry']): void => this.#decided(true, event.error);
    const onNoRetry = (event: GoneAwayEventMap['no-retry']): void =>
      this.#decided(false, event.error);
    pool.on('retry', onRetry).on('no-retry', onNoRetry);
    this.#undo.push(() => pool.off('retry', onRetry).off('no-retry', onNoRetry));
  }

  /** Stops reporting; operations in flight end unreported. Idempotent. */
  stop(): void {
    for (const undo of this.#undo.splice(0)) undo();
  }

  #watch<C extends OperationContext>(
    channel: TracingChannel<unknown, C>,
    started: (context: C) => void,
  ): void {
    const mine = (context: TraceTarget): boolean => context.poolName === this.#pool.name;
    const handlers: TracingChannelSubscribers<C> = {
      start: (context) => {
        if (mine(context)) started(context);
      },
      // A function that throws at once ends here; one that returns a promise ends in asyncEnd.
      end: (context) => {
        if (mine(context) && 'error' in context) this.#ended(context);
      },
      asyncStart: () => {},
      asyncEnd: (context) => {
        if (mine(context)) this.#ended(context);
      },
      error: () => {},
    };
    channel.subscribe(handlers);
    channel.start.bindStore(this.#current, (context) => context);
    this.#undo.push(() => {
      channel.unsubscribe(handlers);
      channel.start.unbindStore(this.#current);
    });
  }

  #queryStarted(context: QueryTraceContext): void {
    const attributes: Attributes = {
      ...targetAttributes(context),
      ...operationName(context.query),
      ...(this.#options.captureQueryText
        ? { [ATTRIBUTES.dbQueryText]: parameterizedText(context.query) }
        : {}),
    };
    this.#begin(context, spanName(statementKeyword(context.query), context), attributes);
  }

  #transactionStarted(context: TransactionTraceContext): void {
    const attributes: Attributes = {
      ...targetAttributes(context),
      ...(context.isolationLevel ? { [ATTRIBUTES.isolationLevel]: context.isolationLevel } : {}),
    };
    this.#begin(context, spanName('TRANSACTION', context), attributes);
  }

  #begin(context: OperationContext, name: string, attributes: Attributes): void {
    const span = this.#tracer.startSpan(
      name,
      { kind: SpanKind.CLIENT, attributes },
      activeContext.active(),
    );
    this.#operations.set(context, { span, startedAt: performance.now(), decisions: [] });
  }

  /**
   * A `retry`/`no-retry` decision of this pool: counted, and kept for the span of the operation
   * whose flow published it.
   */
  #decided(retry: boolean, error: GoneAwayError): void {
    // Only goneaway's operations set this store (see #watch), so it holds one or nothing.
    const context = this.#current.getStore() as OperationContext | undefined;
    const operation = context && this.#operations.get(context);
    const attributes = {
      [ATTRIBUTES.retryKind]: context && !('query' in context) ? 'transaction' : 'statement',
      ...errorAttributes(error),
    };
    (retry ? this.#retries : this.#refusals).add(1, attributes);
    operation?.decisions.push({ retry, at: epochMs() });
  }

  #ended(context: OperationContext): void {
    const operation = this.#operations.get(context);
    if (!operation) return;
    this.#operations.delete(context);
    const { span, startedAt, decisions } = operation;
    const seconds = (performance.now() - startedAt) / 1000;
    const failed = context.error !== undefined;
    const outcome: Attributes = {
      [ATTRIBUTES.dbSystemName]: this.#flavorOf(context.attempts, context.error),
      ...(failed ? errorAttributes(context.error) : {}),
    };
    span.setAttributes({ ...outcome, [ATTRIBUTES.attempts]: context.attempts.length });
    addAttemptEvents(span, context.attempts, decisions, epochMs(startedAt));
    if (failed) {
      // The status names the error, never its message (it can quote the statement's values).
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: String(outcome[ATTRIBUTES.errorType]),
      });
    }
    span.end();
    // A transaction is not an operation of its own: its statements are measured one by one.
    if ('query' in context) {
      this.#duration.record(seconds, {
        ...targetAttributes(context),
        ...operationName(context.query),
        ...outcome,
      });
    }
  }

  /** The flavour of the last connection the operation ran on, else the pool's last known. */
  #flavorOf(attempts: readonly AttemptRecord[], error: unknown): Flavor {
    const seen =
      attempts.findLast((record) => record.flavor !== undefined)?.flavor ??
      (error as { flavor?: Flavor } | undefined)?.flavor;
    if (seen) this.#flavor = seen;
    // Before any connection has told, MySQL's name (MariaDB speaks its protocol).
    return this.#flavor ?? 'mysql';
  }
}

/** `db.namespace`, `server.address`, `server.port` of a trace context. */
function targetAttributes(target: TraceTarget): Attributes {
  return {
    ...(target.database ? { [ATTRIBUTES.dbNamespace]: target.database } : {}),
    [ATTRIBUTES.serverAddress]: target.serverAddress,
    ...(target.serverPort === undefined ? {} : { [ATTRIBUTES.serverPort]: target.serverPort }),
  };
}

/** `db.operation.name`: the statement's leading keyword (goneaway sends one statement at a time). */
function operationName(query: string): Attributes {
  const keyword = statementKeyword(query);
  return keyword ? { [ATTRIBUTES.dbOperationName]: keyword } : {};
}

/** The conventions' span name: `{operation} {namespace}`, or whichever of the two is known. */
function spanName(operation: string | undefined, target: TraceTarget): string {
  return [operation, target.database].filter(Boolean).join(' ') || 'goneaway';
}

/**
 * One `attempt` event where each attempt began (the first at the start, each next one where the
 * retry that led to it was decided) and one `retry`/`no-retry` event per decision.
 */
function addAttemptEvents(
  span: Span,
  attempts: readonly AttemptRecord[],
  decisions: readonly Decision[],
  startedAt: number,
): void {
  const retryTimes = decisions.filter((d) => d.retry).map((d) => d.at);
  const refusalTime = decisions.find((d) => !d.retry)?.at;
  let beganAt = startedAt;
  let retries = 0;
  for (const record of attempts) {
    const failure = record.error ? errorAttributes(record.error) : {};
    span.addEvent(
      'attempt',
      {
        [ATTRIBUTES.attempt]: record.attempt,
        [ATTRIBUTES.connectionId]: record.connectionId,
        ...failure,
      },
      beganAt,
    );
    const decision = record.decision;
    if (!decision) continue;
    const at = (decision.retry ? retryTimes[retries++] : refusalTime) ?? epochMs();
    span.addEvent(
      decision.retry ? 'retry' : 'no-retry',
      { [ATTRIBUTES.attempt]: record.attempt, [ATTRIBUTES.reason]: decision.reason, ...failure },
      at,
    );
    beganAt = at;
  }
}
