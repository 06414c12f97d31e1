/**
 * goneaway's pool metrics on a Prometheus endpoint, through OpenTelemetry.
 *
 *   npm run build                                   # the example imports the built package
 *   node --import tsx examples/otel-prometheus.ts   # a throwaway MariaDB, then serves metrics
 *   DATABASE_URL=mysql://app:secret@127.0.0.1:3306/shop node --import tsx examples/otel-prometheus.ts
 *
 * It serves http://127.0.0.1:9464/metrics (loopback only) and runs a small workload: reads, a
 * KILL of the pool's idle connection from another session (when it runs its own server), and
 * a wait for the only connection. With `--once` it prints one scrape and exits.
 */
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { createPool } from 'goneaway';
import { instrument } from 'goneaway/otel';
import { type Sandbox, startSandbox } from 'goneaway/testing';

const PORT = Number(process.env.METRICS_PORT ?? 9464);
const once = process.argv.includes('--once');

const server: Sandbox | undefined = process.env.DATABASE_URL ? undefined : await startSandbox();
const uri = process.env.DATABASE_URL ?? server?.uri ?? '';

const exporter = new PrometheusExporter({ host: '127.0.0.1', port: PORT });
const meterProvider = new MeterProvider({ readers: [exporter] });
const db = createPool(uri, { name: 'example', max: 2 });
const telemetry = instrument(db, { meterProvider });

// Reads, some at once so that one of them waits for a connection.
await Promise.all([1, 2, 3].map((n) => db.query('SELECT SLEEP(0.05) AS s, ? AS n', [n])));
if (server) {
  // An admin kills the idle connections: the next statements never see it, the metrics do.
  const closed = new Promise((resolve) => db.once('close', resolve));
  await server.killConnections({ command: 'Sleep' });
  await closed;
}
await db.query('SELECT 1');

const url = `http://127.0.0.1:${PORT}/metrics`;
if (once) {
  const response = await fetch(url);
  process.stdout.write(await response.text());
  telemetry.stop();
  await db.end();
  await meterProvider.shutdown();
  await server?.stop();
} else {
  console.log(`Metrics at ${url}; Ctrl-C to stop.`);
  const tick = setInterval(() => void db.query('SELECT 1').catch(() => {}), 1_000);
  process.once('SIGINT', async () => {
    clearInterval(tick);
    telemetry.stop();
    await db.end();
    await meterProvider.shutdown();
    await server?.stop();
  });
}
