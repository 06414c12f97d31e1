/**
 * Markdown output: padded pipe tables (readable as plain text too) and number formats.
 */
import type { RatioSummary, Verdict } from './stats.js';

/**
 * A markdown table; columns after the first `leftColumns` are right-aligned.
 *
 * @example
 * table(['pool', 'ops/s'], [['mysql2', '100']]);
 */
export function table(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  leftColumns = 1,
): string {
  const widths = headers.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length), 3),
  );
  const line = (cells: readonly string[]): string =>
    `| ${cells
      .map((cell, i) => (i < leftColumns ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (i < leftColumns ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`;
  return [line(headers), rule, ...rows.map(line)].join('\n');
}

/**
 * @example
 * ratioCell(summary); // '0.982× (0.961–1.004)'
 */
export function ratioCell(summary: RatioSummary): string {
  if (!Number.isFinite(summary.median)) return 'n/a';
  return `${summary.median.toFixed(3)}× (${summary.q1.toFixed(3)}–${summary.q3.toFixed(3)})`;
}

/** A verdict as printed. */
export function verdictCell(value: Verdict): string {
  return value === 'meets' ? 'meets' : value === 'misses' ? '**misses**' : `_${value}_`;
}

/** Milliseconds with one decimal below 100, none above. */
export function ms(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  return value < 100 ? value.toFixed(1) : value.toFixed(0);
}

/** Integers with thin grouping for readability. */
export function int(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '—';
}

/** Bytes as MiB or KiB with one decimal, or B below 1 KiB. */
export function bytes(value: number): string {
  if (!Number.isFinite(value)) return '—';
  if (Math.abs(value) >= 4 * 1024 * 1024) return `${(value / 2 ** 20).toFixed(1)} MiB`;
  return Math.abs(value) >= 1024 ? `${(value / 1024).toFixed(1)} KiB` : `${Math.round(value)} B`;
}
