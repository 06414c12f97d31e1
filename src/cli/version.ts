import { readFileSync } from 'node:fs';

/**
 * goneaway's version, read from package.json (two levels up from both `src/cli/` and
 * `dist/cli/`, so it is the same file in development and when installed).
 *
 * @example
 * console.log(`goneaway ${packageVersion()}`);
 */
export function packageVersion(): string {
  try {
    const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
    const version: unknown = JSON.parse(text).version;
    return typeof version === 'string' ? version : 'unknown';
  } catch {
    return 'unknown';
  }
}
