/**
 * Number and label formatting shared by the markdown and HTML reports, so both say the same
 * thing the same way.
 */
import type { BenchResults, ContenderFaultResult, EndOutcome } from '../results.js';

/** `1234` → `'1.23 s'`; null → `'never'`. */
export function seconds(ms: number | null): string {
  if (ms === null) return 'never';
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/** `'before / during / after'` in successful statements per second. */
export function throughput(result: ContenderFaultResult): string {
  const { before, during, after } = result.throughput;
  return `${before.toFixed(0)} / ${during.toFixed(0)} / ${after.toFixed(0)}`;
}

/** Error kinds, most frequent first: `'ECONNRESET ×10, PROTOCOL_CONNECTION_LOST ×2'`. */
export function kinds(result: ContenderFaultResult): string {
  return Object.entries(result.errorsByKind)
    .sort((a, b) => b[1] - a[1])
    .map(([kind, count]) => `${kind} ×${count}`)
    .join(', ');
}

/** `'12 errors'`, `'12 errors, 4 hangs'`, or `'none'`. */
export function problems(result: ContenderFaultResult): string {
  const parts: string[] = [];
  if (result.errors > 0) parts.push(`${result.errors} error${result.errors === 1 ? '' : 's'}`);
  if (result.hangs > 0) parts.push(`${result.hangs} hang${result.hangs === 1 ? '' : 's'}`);
  return parts.length > 0 ? parts.join(', ') : 'none';
}

const END_TEXT: Readonly<Record<EndOutcome, string>> = {
  clean: 'clean',
  error: 'failed',
  hung: 'hung (stopped at bound)',
  'process-killed': 'process killed at bound',
  'not-started': 'did not start',
};

/** How the contender's own shutdown went, in words. */
export function endText(end: EndOutcome): string {
  return END_TEXT[end];
}

/** The contender's label, falling back to its id. */
export function labelOf(results: BenchResults, id: string): string {
  return results.contenders.find((c) => c.id === id)?.label ?? id;
}

/** A settings object as plain JSON data, regular expressions kept readable (`'/ECONNRESET/'`). */
export function jsonSafe(settings: object): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(settings, (_key, value: unknown) =>
      value instanceof RegExp ? String(value) : value,
    ),
  ) as Record<string, unknown>;
}

/** A settings object on one line; an empty one says it means the defaults. */
export function settingsJson(settings: object): string {
  const json = JSON.stringify(jsonSafe(settings));
  return json === '{}' ? '{} (defaults)' : json;
}

/** One line about the machine and the server, for headers. */
export function setupLine(results: BenchResults): string {
  const m = results.machine;
  return (
    `${m.cores} × ${m.cpu}, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}; ` +
    `MariaDB ${results.server.version}; ${m.network}; load average ${m.loadAverage.atStart} at ` +
    `the start, ${m.loadAverage.atEnd} at the end`
  );
}
