/**
 * `npm run bench:faults`: the resilience benchmark. goneaway beside the libraries people use
 * today (mysql2, mariadb, Knex, Sequelize, serverless-mysql), each configured as its docs
 * recommend, on the same faults in one run, against a throwaway MariaDB on 127.0.0.1.
 * See docs/benchmark.md.
 *
 * Prints a markdown table on stdout and writes `results.json`, `report.md` and a self-contained
 * `report.html` (one chart per fault) to `--out` (default `artifacts/bench-faults/`, git-ignored).
 *
 *   --faults a,b          run only these faults (ids in faults.ts)
 *   --contenders a,b      run only these contenders (ids in contenders.ts)
 *   --screenshot          also save report.png through headless Chromium
 *   --render FILE         no benchmark: render the reports of an earlier results.json
 *
 * Bounded: it gives up after 10 minutes.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CONTENDERS } from './contenders.js';
import { FAULTS } from './faults.js';
import { writeReports } from './report/write-reports.js';
import { type BenchResults, RESULTS_SCHEMA } from './results.js';
import { runBenchmark } from './run-benchmark.js';

const TOTAL_BOUND_MS = 10 * 60_000;

const USAGE = `usage: npm run bench:faults -- [options]   (see docs/benchmark.md)
  --out DIR           where to write results.json, report.md, report.html (artifacts/bench-faults)
  --faults a,b        only these faults: ${FAULTS.map((f) => f.id).join(', ')}
  --contenders a,b    only these contenders: ${CONTENDERS.map((c) => c.id).join(', ')}
  --screenshot        also report.png, through headless Chromium
  --render FILE       no benchmark: the reports of an earlier results.json
`;

const log = (line: string): void => {
  process.stderr.write(`bench:faults ${line}\n`);
};

function pick<T extends { readonly id: string }>(all: readonly T[], list: string | undefined): T[] {
  if (!list) return [...all];
  const wanted = list.split(',').map((s) => s.trim());
  const unknown = wanted.filter((id) => !all.some((item) => item.id === id));
  if (unknown.length > 0) {
    throw new Error(
      `unknown id(s) ${unknown.join(', ')}; known: ${all.map((i) => i.id).join(', ')}`,
    );
  }
  return all.filter((item) => wanted.includes(item.id));
}

function readResults(path: string): BenchResults {
  const results = JSON.parse(readFileSync(path, 'utf8')) as BenchResults;
  if (results.schema !== RESULTS_SCHEMA) {
    throw new Error(
      `${path} has results schema ${results.schema}; this bench reads ${RESULTS_SCHEMA}`,
    );
  }
  return results;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: 'artifacts/bench-faults' },
      faults: { type: 'string' },
      contenders: { type: 'string' },
      screenshot: { type: 'boolean', default: false },
      render: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const out = resolve(values.out ?? 'artifacts/bench-faults');
  const started = performance.now();
  const results = values.render
    ? readResults(values.render)
    : await runBenchmark(pick(FAULTS, values.faults), pick(CONTENDERS, values.contenders), log);
  const markdown = await writeReports(results, out, {
    json: !values.render,
    screenshot: values.screenshot ?? false,
    log,
  });
  process.stdout.write(markdown);
  log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

const bound = setTimeout(() => {
  log(`gave up: the run took longer than ${TOTAL_BOUND_MS / 60_000} minutes`);
  process.exit(2);
}, TOTAL_BOUND_MS);
bound.unref();

main().then(
  // The contender processes are gone; exit now rather than wait on any stray handle.
  () => process.exit(0),
  (error: unknown) => {
    log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
