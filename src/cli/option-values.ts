/**
 * Typed reads of parsed option values, with usage errors that name the option.
 */
import { UsageError } from './cli-error.js';
import type { OptionValues } from './command.js';

/**
 * The value of a string option, or undefined when it was not given.
 *
 * @example
 * const host = stringOption(input.values, 'host');
 */
export function stringOption(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  if (Array.isArray(value)) return stringListOption(values, name).at(-1);
  return typeof value === 'string' ? value : undefined;
}

/**
 * Every value of a string option that may repeat (`multiple: true`).
 *
 * @example
 * const serverArgs = stringListOption(input.values, 'server-arg');
 */
export function stringListOption(values: OptionValues, name: string): string[] {
  const value = values[name];
  const list: readonly unknown[] = Array.isArray(value) ? value : [value];
  return list.filter((item): item is string => typeof item === 'string');
}

/**
 * Whether a boolean option was given.
 *
 * @example
 * if (booleanOption(input.values, 'json')) context.out.json(report);
 */
export function booleanOption(values: OptionValues, name: string): boolean {
  return values[name] === true;
}

/**
 * A whole number in `[min, max]` from a string option, `fallback` when not given.
 *
 * @example
 * const connectTimeoutMs = integerOption(input.values, 'connect-timeout-ms', 5000, { min: 1 });
 */
export function integerOption(
  values: OptionValues,
  name: string,
  fallback: number,
  range: { readonly min?: number; readonly max?: number } = {},
): number {
  const raw = stringOption(values, name);
  if (raw === undefined) return fallback;
  return parseInteger(raw, `--${name}`, range);
}

/**
 * Parses a whole number in `[min, max]`; throws a {@link UsageError} naming `label` otherwise.
 *
 * @example
 * parseInteger('3306', '--port', { min: 1, max: 65535 }); // 3306
 */
export function parseInteger(
  raw: string,
  label: string,
  range: { readonly min?: number; readonly max?: number } = {},
): number {
  const min = range.min ?? 0;
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  const value = /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    const bounds = range.max === undefined ? `at least ${min}` : `from ${min} to ${max}`;
    throw new UsageError(`${label} must be a whole number ${bounds}, got "${raw}"`);
  }
  return value;
}
