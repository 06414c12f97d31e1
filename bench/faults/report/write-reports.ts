/**
 * Writes a run's reports to a folder: `results.json` (unless the results came from that file),
 * `report.md`, the self-contained `report.html`, and on request `report.png` through headless
 * Chromium.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchResults } from '../results.js';
import { findChromium, runChromium } from './chromium.js';
import { loadChartLibrary, renderHtmlReport } from './html.js';
import { renderMarkdown } from './markdown.js';

/** What {@link writeReports} should write besides the markdown and HTML. */
export interface WriteOptions {
  readonly json: boolean;
  readonly screenshot: boolean;
  readonly log: (line: string) => void;
}

/**
 * Writes the reports and resolves with the markdown (for stdout).
 *
 * @example
 * const markdown = await writeReports(results, 'artifacts/bench-faults', {
 *   json: true, screenshot: false, log: console.error,
 * });
 */
export async function writeReports(
  results: BenchResults,
  out: string,
  options: WriteOptions,
): Promise<string> {
  mkdirSync(out, { recursive: true });
  const written: string[] = [];
  if (options.json) {
    writeFileSync(join(out, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
    written.push('results.json');
  }
  const markdown = renderMarkdown(results);
  writeFileSync(join(out, 'report.md'), markdown);
  const htmlPath = join(out, 'report.html');
  writeFileSync(htmlPath, renderHtmlReport(results, loadChartLibrary()));
  written.push('report.md', 'report.html');
  if (options.screenshot) {
    const chromium = findChromium();
    if (chromium) {
      // Tall enough for the whole page: about 950 px per fault section plus the tables.
      const height = 1_600 + 950 * results.faults.length;
      const path = join(out, 'report.png');
      await runChromium(chromium, htmlPath, { kind: 'screenshot', path, width: 1280, height });
      written.push('report.png');
    } else {
      options.log('no headless Chromium: no screenshot (Debian: apt-get install -y chromium)');
    }
  }
  options.log(`wrote ${written.join(', ')} to ${out}`);
  return markdown;
}
