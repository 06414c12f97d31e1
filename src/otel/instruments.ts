/**
 * Creates OpenTelemetry instruments from rows of the metric table, so a metric's name,
 * instrument and unit are written once (`semantic-names.ts`).
 */
import type { Counter, Histogram, Meter, ObservableUpDownCounter } from '@opentelemetry/api';
import { DURATION_BUCKETS_S, type MetricSpec } from './semantic-names.js';

function checked(spec: MetricSpec, instrument: MetricSpec['instrument']): MetricSpec {
  if (spec.instrument !== instrument) {
    throw new TypeError(
      `${spec.name} is a ${spec.instrument} in the metric table, not a ${instrument}.`,
    );
  }
  return spec;
}

/**
 * The counter a table row names.
 *
 * @example
 * const retries = counterFor(meter, GONEAWAY_METRICS.retries);
 */
export function counterFor(meter: Meter, spec: MetricSpec): Counter {
  const { name, unit, description } = checked(spec, 'counter');
  return meter.createCounter(name, { unit, description });
}

/**
 * The histogram a table row names; one in seconds gets the conventions' advised buckets.
 *
 * @example
 * const waits = histogramFor(meter, CONVENTION_METRICS.waitTime);
 */
export function histogramFor(meter: Meter, spec: MetricSpec): Histogram {
  const { name, unit, description } = checked(spec, 'histogram');
  const advice = unit === 's' ? { explicitBucketBoundaries: DURATION_BUCKETS_S } : undefined;
  return meter.createHistogram(name, { unit, description, ...(advice ? { advice } : {}) });
}

/**
 * The observable up-down counter a table row names (its value is read when metrics are collected).
 *
 * @example
 * const limit = observableFor(meter, CONVENTION_METRICS.limit);
 */
export function observableFor(meter: Meter, spec: MetricSpec): ObservableUpDownCounter {
  const { name, unit, description } = checked(spec, 'updowncounter');
  return meter.createObservableUpDownCounter(name, { unit, description });
}
