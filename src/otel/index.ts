/**
 * `goneaway/otel`: OpenTelemetry metrics and spans for a goneaway pool, with the names of the
 * semantic conventions for database clients. Needs `@opentelemetry/api` (an optional peer
 * dependency); nothing of OpenTelemetry is loaded unless this entry is imported.
 *
 * @example
 * import { instrument } from 'goneaway/otel';
 * const telemetry = instrument(db, { meterProvider, tracerProvider });
 * process.once('SIGTERM', () => telemetry.stop());
 *
 * @packageDocumentation
 */
export {
  INSTRUMENTATION_SCOPE,
  type Instrumentation,
  type InstrumentOptions,
  instrument,
} from './instrument.js';
export {
  ATTRIBUTES,
  CONVENTION_METRICS,
  GONEAWAY_METRICS,
  type InstrumentKind,
  type MetricSpec,
} from './semantic-names.js';
