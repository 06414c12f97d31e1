/**
 * The resilience benchmark's report (bench/faults/): rendered from a small fixture of a real
 * run (not the 3-minute benchmark), opened in headless Chromium (Debian's `chromium`) with
 * every host name unresolvable, and checked that each fault's chart painted its lines. The
 * screenshot is kept as a build artifact: artifacts/bench-report.png (git-ignored).
 *
 * No database: the benchmark's runs are measured against a real server by `npm run
 * bench:faults`; what is tested here is that what it writes can be read by a person.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { before, describe, test } from 'node:test';
import { CHROMIUM_MISSING, findChromium, runChromium } from '../../bench/faults/report/chromium.js';
import { loadChartLibrary, renderHtmlReport } from '../../bench/faults/report/html.js';
import { renderMarkdown } from '../../bench/faults/report/markdown.js';
import { type BenchResults, RESULTS_SCHEMA } from '../../bench/faults/results.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const ARTIFACTS = join(ROOT, 'artifacts');
const FIXTURE = join(ROOT, 'bench', 'faults', 'fixtures', 'report-fixture.json');
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The value of `name="…"` on the page's <html> element. */
function htmlAttribute(dom: string, name: string): string | undefined {
  const tag = /<html\b[^>]*>/i.exec(dom)?.[0] ?? '';
  return new RegExp(`\\b${name}="([^"]*)"`).exec(tag)?.[1];
}

describe('resilience benchmark report', () => {
  let results: BenchResults;
  let chromium: string;

  before(() => {
    // Not a skip: a machine without Chromium cannot check the report, and must say so.
    const found = findChromium();
    assert.ok(found, CHROMIUM_MISSING);
    chromium = found;
    results = JSON.parse(readFileSync(FIXTURE, 'utf8')) as BenchResults;
    assert.equal(results.schema, RESULTS_SCHEMA, 'fixture written by this version of the bench');
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  test('the HTML is self-contained: the charting library is inlined, nothing is fetched', () => {
    const chart = loadChartLibrary();
    const html = renderHtmlReport(results, chart);
    assert.ok(html.includes(chart.source.slice(0, 200)), 'Chart.js inlined');
    assert.doesNotMatch(html, /\b(?:src|href)\s*=\s*["']?(?:https?:)?\/\//i);
    assert.doesNotMatch(html, /<link\b/i);
    for (const fault of results.faults) assert.ok(html.includes(`id="chart-${fault.id}"`));
  });

  test('in headless Chromium, offline, every fault chart paints its lines', async () => {
    const htmlPath = join(ARTIFACTS, 'bench-report.html');
    writeFileSync(htmlPath, renderHtmlReport(results, loadChartLibrary()));
    const dom = await runChromium(chromium, htmlPath, { kind: 'dump-dom' });
    assert.equal(htmlAttribute(dom, 'data-charts-expected'), String(results.faults.length));
    assert.equal(htmlAttribute(dom, 'data-charts-drawn'), String(results.faults.length));
    assert.doesNotMatch(dom, /data-error=/, 'no chart threw');

    const pngPath = join(ARTIFACTS, 'bench-report.png');
    await runChromium(chromium, htmlPath, {
      kind: 'screenshot',
      path: pngPath,
      width: 1280,
      height: 900 + 900 * results.faults.length,
    });
    const png = readFileSync(pngPath);
    assert.deepEqual(png.subarray(0, 8), PNG_SIGNATURE, 'a PNG');
    assert.ok(statSync(pngPath).size > 20_000, 'a picture with content, not a blank page');
  });

  test('the check fails when the charts cannot draw (no charting library)', async () => {
    const htmlPath = join(ARTIFACTS, 'bench-report-broken.html');
    writeFileSync(htmlPath, renderHtmlReport(results, { source: '', version: 'none' }));
    const dom = await runChromium(chromium, htmlPath, { kind: 'dump-dom' });
    assert.equal(htmlAttribute(dom, 'data-charts-drawn'), '0');
    assert.match(dom, /data-error="ReferenceError: Chart is not defined"/);
  });

  test('the markdown report has a row per contender in each fault table', () => {
    const markdown = renderMarkdown(results);
    for (const fault of results.faults) {
      const section = markdown.split(`## ${fault.title}\n`)[1]?.split('\n## ')[0] ?? '';
      const rows = section
        .split('\n')
        .filter((line) => line.startsWith('| ') && !line.startsWith('| contender'));
      assert.equal(rows.length, results.contenders.length, fault.title);
    }
    for (const contender of results.contenders) {
      assert.ok(markdown.includes(`${contender.library} ${contender.version}`), contender.id);
    }
  });
});
