import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { renderLifecycle } from '../../src/connection/connection-state.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const src = join(root, 'src');

/**
 * The layers, lowest first (docs/architecture.md). A folder may import at run time only from
 * folders with a lower rank; folders of equal rank may not import each other.
 */
const RANK: Readonly<Record<string, number>> = {
  sql: 0,
  errors: 1,
  config: 2,
  connection: 3,
  retry: 3,
  lease: 4,
  scope: 5,
  pool: 6,
  compat: 7,
  prisma: 7,
  otel: 7,
  testing: 3,
  cli: 9,
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Run-time imports (and re-exports) of one file: `import type` and `export type` are skipped. */
function runtimeImports(text: string): string[] {
  const found: string[] = [];
  const pattern = /^(import|export)\s+(type\s+)?(?:[^;]*?\sfrom\s+)?'([^']+)'/gms;
  for (const match of text.matchAll(pattern)) {
    if (match[2]) continue;
    const specifiers = /\{([^}]*)\}/.exec(match[0])?.[1];
    // `import { type A, type B } from` carries nothing at run time either.
    if (specifiers?.split(',').every((s) => /^\s*(type\s|$)/.test(s))) continue;
    found.push(match[3]!);
  }
  return found;
}

describe('architecture', () => {
  test('imports point one way: a folder never imports a higher or sibling layer at run time', () => {
    const violations: string[] = [];
    for (const file of sourceFiles(src)) {
      const folder = relative(src, file).split('/')[0]!;
      if (folder.endsWith('.ts')) continue; // src/index.ts sits on top of everything
      const rank = RANK[folder];
      assert.notEqual(rank, undefined, `add src/${folder}/ to the layers (docs/architecture.md)`);
      for (const specifier of runtimeImports(readFileSync(file, 'utf8'))) {
        if (!specifier.startsWith('../')) continue;
        const parts = relative(src, join(file, '..', specifier)).split('/');
        const target = parts[0]!;
        if (target === folder) continue;
        // src/index.ts, the package entry, sits just below the CLI.
        const targetRank = parts.length === 1 ? 8 : RANK[target];
        if (targetRank === undefined || targetRank >= rank!) {
          violations.push(`${relative(root, file)} imports ${specifier}`);
        }
      }
    }
    assert.deepEqual(violations, []);
  });

  test('docs/architecture.md draws the connection lifecycle exactly as the state table has it', () => {
    const path = join(root, 'docs', 'architecture.md');
    const text = readFileSync(path, 'utf8');
    const start = '<!-- lifecycle:start -->\n';
    const end = '<!-- lifecycle:end -->';
    const from = text.indexOf(start) + start.length;
    const to = text.indexOf(end);
    assert.ok(from > start.length && to > from - 1, 'the lifecycle markers are missing');
    const expected = `${renderLifecycle()}\n`;
    if (process.env.GONEAWAY_UPDATE_DOCS === '1') {
      writeFileSync(path, text.slice(0, from) + expected + text.slice(to));
      return;
    }
    assert.equal(
      text.slice(from, to),
      expected,
      'docs/architecture.md is out of date: GONEAWAY_UPDATE_DOCS=1 node --import tsx --test test/unit/architecture.test.ts',
    );
  });
});
