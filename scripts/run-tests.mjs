#!/usr/bin/env node
// Runs the test suite with Node's own runner (tsx loads the TypeScript).
// Node 20's runner does not expand globs, so the files are listed here.
// After the run it checks the process table: a test kit that leaks a mariadbd fails the suite.
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const roots = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const passThrough = process.argv.slice(2).filter((a) => a.startsWith('-'));

function findTests(path) {
  if (statSync(path).isFile()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory()
        ? findTests(join(path, e.name))
        : e.name.endsWith('.test.ts')
          ? [join(path, e.name)]
          : [],
    )
    .sort();
}

function serverPids() {
  try {
    return new Set(
      execFileSync('pgrep', ['-x', 'mariadbd'], { encoding: 'utf8' }).split('\n').filter(Boolean),
    );
  } catch {
    return new Set();
  }
}

const files = (roots.length ? roots : ['test']).flatMap(findTests);
const before = serverPids();
const run = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    '--test-concurrency=2',
    '--test-timeout=180000',
    ...passThrough,
    ...files,
  ],
  { stdio: 'inherit' },
);
const leaked = [...serverPids()].filter((pid) => !before.has(pid));
if (leaked.length > 0) {
  console.error(`test kit leaked ${leaked.length} mariadbd process(es): ${leaked.join(', ')}`);
  process.exit(1);
}
process.exit(run.status ?? 1);
