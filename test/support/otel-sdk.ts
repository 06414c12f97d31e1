/**
 * The real OpenTelemetry SDK, wired to in-memory exporters: what `goneaway/otel` reports, read
 * back the way a collector would get it.
 */
import type { Attributes } from '@opentelemetry/api';
import {
  AggregationTemporality,
  type DataPoint,
  DataPointType,
  type Histogram,
  InMemoryMetricExporter,
  MeterProvider,
  type MetricData,
  type MetricDescriptor,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';

/** The instrument behind an exported metric, as the conventions' tables name it. */
export type ExportedInstrument = 'histogram' | 'counter' | 'updowncounter' | 'other';

/** One exported metric: its descriptor, the instrument it came from, and its points. */
export interface CollectedMetric {
  readonly descriptor: MetricDescriptor;
  readonly instrument: ExportedInstrument;
  readonly points: readonly DataPoint<number | Histogram>[];
}

/** An SDK pair with in-memory exporters. */
export interface TestSdk {
  readonly meterProvider: MeterProvider;
  readonly tracerProvider: BasicTracerProvider;
  /** Every metric collected now (cumulative since the start), by name. */
  metrics(): Promise<Map<string, CollectedMetric>>;
  /** Every span ended so far. */
  spans(): ReadableSpan[];
  shutdown(): Promise<void>;
}

/**
 * A meter provider and a tracer provider of the real SDK, exporting into memory.
 *
 * @example
 * const sdk = testSdk();
 * const telemetry = instrument(db, sdk);
 */
export function testSdk(): TestSdk {
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  // Collected on demand (forceFlush), never on a timer.
  const reader = new PeriodicExportingMetricReader({
    exporter: metricExporter,
    exportIntervalMillis: 3_600_000,
  });
  const meterProvider = new MeterProvider({ readers: [reader] });
  const spanExporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(spanExporter)],
  });
  return {
    meterProvider,
    tracerProvider,
    async metrics() {
      metricExporter.reset();
      await reader.forceFlush();
      const found = new Map<string, CollectedMetric>();
      for (const resource of metricExporter.getMetrics()) {
        for (const scope of resource.scopeMetrics) {
          for (const metric of scope.metrics) {
            found.set(metric.descriptor.name, {
              descriptor: metric.descriptor,
              instrument: instrumentOf(metric),
              points: metric.dataPoints as DataPoint<number | Histogram>[],
            });
          }
        }
      }
      return found;
    },
    spans: () => spanExporter.getFinishedSpans(),
    async shutdown() {
      await meterProvider.shutdown();
      await tracerProvider.shutdown();
    },
  };
}

/** A counter exports a monotonic sum, an up-down counter a non-monotonic one. */
function instrumentOf(metric: MetricData): ExportedInstrument {
  if (metric.dataPointType === DataPointType.HISTOGRAM) return 'histogram';
  if (metric.dataPointType === DataPointType.SUM) {
    return metric.isMonotonic ? 'counter' : 'updowncounter';
  }
  return 'other';
}

/** The sum of a counter's points whose attributes include `match`. */
export function counted(
  metrics: Map<string, CollectedMetric>,
  name: string,
  match: Attributes = {},
): number {
  return pointsOf(metrics, name, match).reduce((sum, point) => sum + (point.value as number), 0);
}

/** The histogram points of `name` whose attributes include `match`. */
export function histogramPoints(
  metrics: Map<string, CollectedMetric>,
  name: string,
  match: Attributes = {},
): Histogram[] {
  return pointsOf(metrics, name, match).map((point) => point.value as Histogram);
}

function pointsOf(
  metrics: Map<string, CollectedMetric>,
  name: string,
  match: Attributes,
): DataPoint<number | Histogram>[] {
  return (metrics.get(name)?.points ?? []).filter((point) =>
    Object.entries(match).every(([key, value]) => point.attributes[key] === value),
  );
}
