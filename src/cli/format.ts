/**
 * Small formatting helpers shared by the report and the live view.
 */

/**
 * Seconds as the report writes them: `60 s`, and for long values also in a unit a person
 * reads at a glance: `28800 s (8 h)`.
 *
 * @example
 * formatSeconds(28800); // '28800 s (8 h)'
 * formatSeconds(0.5); // '0.5 s'
 */
export function formatSeconds(seconds: number): string {
  const plain = `${trimNumber(seconds)} s`;
  if (seconds >= 86_400) return `${plain} (${trimNumber(seconds / 86_400)} d)`;
  if (seconds >= 3_600) return `${plain} (${trimNumber(seconds / 3_600)} h)`;
  if (seconds >= 120) return `${plain} (${trimNumber(seconds / 60)} min)`;
  return plain;
}

/**
 * A compact duration for narrow columns: `59s`, `12m`, `3h`, `2d`.
 *
 * @example
 * shortDuration(3700); // '1h'
 */
export function shortDuration(seconds: number): string {
  if (seconds < 100) return `${Math.floor(seconds)}s`;
  if (seconds < 6_000) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.floor(seconds / 3_600)}h`;
  return `${Math.floor(seconds / 86_400)}d`;
}

/**
 * Bytes in binary units: `16777216` → `16 MiB`.
 *
 * @example
 * formatBytes(16_777_216); // '16 MiB'
 */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${trimNumber(value)} ${units[unit]}`;
}

/**
 * A number with at most one decimal and no trailing `.0`.
 *
 * @example
 * trimNumber(1.25); // '1.3'
 */
export function trimNumber(value: number): string {
  return String(Math.round(value * 10) / 10);
}

/**
 * Text cut or padded to exactly `width` columns, `…`-less (ASCII `~` marks a cut) so it
 * renders the same in every terminal and locale.
 *
 * @example
 * fit('127.0.0.1:53122', 10); // '127.0.0.1~'
 */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  if (width <= 0) return '';
  const clean = printable(text);
  if (clean.length > width)
    return width === 1 ? clean.slice(0, 1) : `${clean.slice(0, width - 1)}~`;
  return align === 'left' ? clean.padEnd(width) : clean.padStart(width);
}

// Built from code points so the pattern holds no control character itself (C0, DEL, C1).
const CONTROL = new RegExp(
  `[${String.fromCharCode(0)}-${String.fromCharCode(0x1f)}${String.fromCharCode(0x7f)}-${String.fromCharCode(0x9f)}]+`,
  'g',
);

/**
 * Text with every control character (newlines, tabs, escape sequences) replaced by a space:
 * statement text from the server must not move the cursor or recolour the terminal.
 *
 * @example
 * printable('SELECT 1\nFROM t'); // 'SELECT 1 FROM t'
 */
export function printable(text: string): string {
  return text.replace(CONTROL, ' ');
}
