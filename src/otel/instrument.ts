/**
 * `instrument(pool)`: OpenTelemetry metrics and spans for one pool, on the providers given or
 * the global ones. Read docs/observability.md for every metric, attribute and span event.
 */
import { type MeterProvider, metrics, type TracerProvider, trace } from '@opentelemetry/api';
import { ConfigurationError } from '../errors/index.js';
import type { Pool } from '../pool/pool.js';
import { OperationTelemetry } from './operation-telemetry.js';
import { PoolMetrics } from './pool-metrics.js';

/**
 * The instrumentation scope goneaway's meters and tracers are named after (Prometheus shows it as
 * `otel_scope_name`).
 *
 * @example
 * const view = { meterName: INSTRUMENTATION_SCOPE }; // select goneaway's metrics in an SDK view
 */
export const INSTRUMENTATION_SCOPE = 'goneaway';

/**
 * Options of {@link instrument}.
 *
 * @example
 * const options: InstrumentOptions = { meterProvider, captureQueryText: true };
 */
export interface InstrumentOptions {
  /** Where metrics go. Default: the global meter provider (`metrics.getMeterProvider()`). */
  readonly meterProvider?: MeterProvider;
  /** Where spans go. Default: the global tracer provider (`trace.getTracerProvider()`). */
  readonly tracerProvider?: TracerProvider;
  /**
   * Put each statement's text in `db.query.text` on its span, with every literal replaced by `?`
   * (values passed separately are never read). Default false: statement text can reveal more
   * than its values, and the conventions leave it to the user.
   */
  readonly captureQueryText?: boolean;
}

/**
 * What {@link instrument} returns.
 *
 * @example
 * const telemetry: Instrumentation = instrument(db);
 * process.once('SIGTERM', () => telemetry.stop());
 */
export interface Instrumentation {
  /** Stops reporting for this pool: listeners removed, channels unsubscribed. Idempotent. */
  stop(): void;
}

/** Pools instrumented now, by name, and how many times: the channels tell pools apart by name. */
const instrumented = new Map<string, { readonly pool: Pool; count: number }>();

/**
 * Reports one pool's metrics and spans through OpenTelemetry until `stop()`.
 *
 * @throws ConfigurationError when another pool with the same `name` is instrumented already
 *
 * @example
 * import { createPool } from 'goneaway';
 * import { instrument } from 'goneaway/otel';
 *
 * const db = createPool(process.env.DATABASE_URL!, { name: 'shop' });
 * const telemetry = instrument(db); // the global providers
 * // ...
 * telemetry.stop();
 */
export function instrument(pool: Pool, options: InstrumentOptions = {}): Instrumentation {
  const name = pool.name;
  const holder = instrumented.get(name);
  if (holder !== undefined && holder.pool !== pool) {
    throw new ConfigurationError(
      `Another pool named '${name}' is instrumented already; telemetry could not tell them apart. Give each pool its own name (createPool(uri, { name })).`,
    );
  }
  const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(
    INSTRUMENTATION_SCOPE,
  );
  const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(
    INSTRUMENTATION_SCOPE,
  );
  const parts = [
    new PoolMetrics(pool, meter),
    new OperationTelemetry(pool, meter, tracer, {
      captureQueryText: options.captureQueryText ?? false,
    }),
  ];
  const entry = holder ?? { pool, count: 0 };
  entry.count++;
  instrumented.set(name, entry);
  let stopped = false;
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      for (const part of parts) part.stop();
      if (--entry.count === 0) instrumented.delete(name);
    },
  };
}
