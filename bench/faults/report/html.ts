/**
 * The self-contained HTML report: Chart.js, the drawing script and the results are all inlined,
 * so the file opens from disk with no network. One timeline chart per fault (successful
 * statements/s per contender, errors/s as crosses, the fault window shaded) followed by that
 * fault's table, then every contender's version and settings.
 *
 * Chart.js over hand-drawn SVG or uPlot: it is the most used maintained charting library,
 * ships a single UMD file that inlines as it is, and gives legends, dual axes, dashed lines
 * and filled spans out of the box (see docs/benchmark.md).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { BenchResults } from '../results.js';
import {
  endText,
  kinds,
  labelOf,
  problems,
  seconds,
  settingsJson,
  setupLine,
  throughput,
} from './format.js';

/** The charting library's source and version, read from node_modules. */
export interface ChartLibrary {
  readonly source: string;
  readonly version: string;
}

/**
 * Reads Chart.js's UMD build from node_modules, to be inlined.
 *
 * @example
 * const chart = loadChartLibrary();
 * chart.version; // '4.6.1'
 */
export function loadChartLibrary(): ChartLibrary {
  // chart.js's exports map hides package.json; its entry point sits in dist/.
  const dist = dirname(createRequire(import.meta.url).resolve('chart.js'));
  const source = readFileSync(join(dist, 'chart.umd.min.js'), 'utf8');
  const pkg = JSON.parse(readFileSync(join(dist, '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  return { source, version: pkg.version };
}

const DRAW_SCRIPT = readFileSync(new URL('./draw-charts.js', import.meta.url), 'utf8');

/**
 * @example
 * writeFileSync('report.html', renderHtmlReport(results, loadChartLibrary()));
 */
export function renderHtmlReport(results: BenchResults, chart: ChartLibrary): string {
  const faults = results.faults
    .map((fault) => {
      const rows = fault.contenders
        .map(
          (r) =>
            `<tr><td>${esc(labelOf(results, r.contender))}</td><td>${r.errors}</td>` +
            `<td class="kinds">${esc(kinds(r))}</td><td>${r.hangs}</td>` +
            `<td>${seconds(r.longestStallMs)}</td><td>${seconds(r.firstSuccessAfterMs)}</td>` +
            `<td>${throughput(r)}</td><td>${r.audit.missing}</td><td>${r.audit.duplicates}</td>` +
            `<td>${r.audit.failedButPresent}</td><td>${esc(endText(r.end))}</td></tr>`,
        )
        .join('\n');
      const samples = fault.contenders
        .flatMap((r) =>
          Object.entries(r.samples).map(
            ([kind, message]) =>
              `<li><b>${esc(labelOf(results, r.contender))}</b> <code>${esc(kind)}</code>: ${esc(message)}</li>`,
          ),
        )
        .join('\n');
      return `
<section class="fault" id="fault-${esc(fault.id)}">
  <h2>${esc(fault.title)}</h2>
  <p>${esc(fault.description)} <em>This run: ${esc(fault.details)}.</em></p>
  <div class="chart"><canvas id="chart-${esc(fault.id)}" role="img"
    aria-label="${esc(`${fault.title}: successful statements and errors per second for each contender`)}"></canvas></div>
  <table>
    <thead><tr><th>contender</th><th>errors</th><th>by kind</th><th>hangs</th><th>longest stall</th>
      <th>first success after</th><th>ok/s before / during / after</th><th>acked writes missing</th>
      <th>written twice</th><th>failed but written</th><th>shutdown</th></tr></thead>
    <tbody>
${rows}
    </tbody>
  </table>
  ${samples ? `<details><summary>One message per error kind</summary><ul>${samples}</ul></details>` : ''}
</section>`;
    })
    .join('\n');

  const summaryHead = results.faults.map((f) => `<th>${esc(f.title)}</th>`).join('');
  const summaryRows = results.contenders
    .map((c) => {
      const cells = results.faults
        .map((fault) => {
          const r = fault.contenders.find((x) => x.contender === c.id);
          if (!r) return '<td>—</td>';
          const bad = r.audit.missing + r.audit.duplicates;
          const cls = r.errors + r.hangs + bad === 0 ? 'good' : 'bad';
          const data = bad > 0 ? `<br><b>${bad} bad writes</b>` : '';
          return `<td class="${cls}">${esc(problems(r))}<br><small>stall ${seconds(r.longestStallMs)}</small>${data}</td>`;
        })
        .join('');
      return `<tr><th>${esc(c.label)}</th>${cells}</tr>`;
    })
    .join('\n');

  const contenders = results.contenders
    .map(
      (c) =>
        `<tr><td>${esc(c.label)}</td><td>${esc(c.library)} ${esc(c.version)}</td><td>${esc(c.variant)}</td>` +
        `<td><code>${esc(settingsJson(c.settings))}</code></td><td>${esc(c.notes)}</td></tr>`,
    )
    .join('\n');
  const server = Object.entries(results.server.settings)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  const tools = Object.entries({ ...results.tools, 'chart.js': chart.version })
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Resilience benchmark, ${esc(results.startedAt.slice(0, 10))}</title>
<style>
  body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1240px; padding: 0 16px; color: #222; }
  h1 { font-size: 24px; } h2 { font-size: 19px; margin-top: 36px; }
  table { border-collapse: collapse; width: 100%; margin: 8px 0; font-size: 13px; }
  th, td { border: 1px solid #ddd; padding: 4px 6px; text-align: left; vertical-align: top; }
  thead th { background: #f4f4f4; }
  td.good { background: #eef8ee; } td.bad { background: #fdf0ef; }
  td.kinds { max-width: 360px; word-break: break-word; }
  .chart { position: relative; height: 380px; }
  code { font-size: 12px; word-break: break-word; }
  .meta { color: #555; }
</style>
</head>
<body>
<h1>Resilience benchmark, ${esc(results.startedAt.slice(0, 10))}</h1>
<p class="meta">${esc(setupLine(results))}. Whole run ${seconds(results.elapsedMs)}.</p>
<p>${esc(results.workload.description)} Every contender ran at the same time as the others,
in its own process, through its own TCP proxy, as its own MariaDB user, on its own fresh table;
each fault was injected once into all of them. A statement with no answer and no error by the
end of the run is a <b>hang</b>. After each run an admin session audited the tables:
acknowledged inserts missing, inserts present twice, and failed inserts that were written anyway.</p>
<h2>Summary: what reached the caller</h2>
<table><thead><tr><th>contender</th>${summaryHead}</tr></thead><tbody>
${summaryRows}
</tbody></table>
${faults}
<h2>Contenders and settings</h2>
<table><thead><tr><th>contender</th><th>library</th><th>variant</th><th>settings</th><th>notes</th></tr></thead>
<tbody>
${contenders}
</tbody></table>
<p class="meta">Server: MariaDB ${esc(results.server.version)} (${esc(server)}). Report drawn with ${esc(tools)}.</p>
<script type="application/json" id="bench-data">${jsonForScript(results)}</script>
<script>${scriptText(chart.source)}</script>
<script>${scriptText(DRAW_SCRIPT)}</script>
</body>
</html>
`;
}

/** HTML-escapes text for element content and attribute values. */
function esc(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** JSON that cannot end its <script> element early. */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

/** Script text that cannot end its <script> element early. */
function scriptText(source: string): string {
  return source.replace(/<\/script/gi, '<\\/script');
}
