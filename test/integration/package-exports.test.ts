/**
 * The package as users get it: `npm pack`, unpacked into a fresh project's node_modules, then
 * every entry of package.json's `exports` imported at run time and type-checked the way a
 * TypeScript user's project would (`moduleResolution: nodenext`). A broken entry point (a file
 * missing from `files`, a wrong path in `exports`, a declaration that does not resolve) fails
 * here, not at a user's.
 *
 * The fresh project borrows the repository's installed dependencies (mysql2, the optional peers,
 * TypeScript) through symlinks: what is under test is goneaway's own packaging.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  name: string;
  exports: Record<string, unknown>;
};
const entries = Object.keys(manifest.exports)
  .filter((key) => key !== './package.json')
  .map((key) => (key === '.' ? manifest.name : `${manifest.name}/${key.slice(2)}`));

describe('the packed package', () => {
  let project = '';
  before(() => {
    project = mkdtempSync(join(tmpdir(), 'goneaway-pack-'));
    const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', project], {
      cwd: root,
      encoding: 'utf8',
    }).trim();
    const modules = join(project, 'node_modules');
    const unpacked = join(modules, manifest.name);
    mkdirSync(unpacked, { recursive: true });
    execFileSync('tar', ['-xzf', join(project, tarball), '-C', unpacked, '--strip-components=1']);
    for (const name of readdirSync(join(root, 'node_modules'))) {
      if (name === manifest.name || name.startsWith('.')) continue;
      symlinkSync(join(root, 'node_modules', name), join(modules, name));
    }
    writeFileSync(join(project, 'package.json'), JSON.stringify({ type: 'module', private: true }));
  });
  after(() => rmSync(project, { recursive: true, force: true }));

  test('holds no source, test or scratch files, only what a user needs', () => {
    const files = execFileSync(
      'tar',
      ['-tzf', readdirSync(project).find((f) => f.endsWith('.tgz'))!],
      {
        cwd: project,
        encoding: 'utf8',
      },
    ).split('\n');
    assert.ok(files.includes('package/dist/index.js'));
    assert.deepEqual(
      files.filter((file) => /^package\/(src|test|\.scratch|bench)\//.test(file)),
      [],
    );
  });

  for (const entry of entries) {
    test(`'${entry}' imports at run time`, () => {
      const output = execFileSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const m = await import('${entry}'); console.log(Object.keys(m).length);`,
        ],
        { cwd: project, encoding: 'utf8' },
      );
      // goneaway/register works by being loaded (it installs module hooks) and exports nothing.
      if (entry !== `${manifest.name}/register`) {
        assert.ok(Number(output.trim()) > 0, `${entry} exports nothing`);
      }
    });
  }

  test('every entry type-checks in a strict nodenext project', () => {
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          skipLibCheck: false,
          types: ['node'],
        },
        files: ['check.ts'],
      }),
    );
    writeFileSync(
      join(project, 'check.ts'),
      entries
        .map((entry, i) => `import * as entry${i} from '${entry}';\nvoid entry${i};\n`)
        .join(''),
    );
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    let output = '';
    try {
      execFileSync(process.execPath, [tsc, '-p', project, '--pretty', 'false'], {
        cwd: project,
        encoding: 'utf8',
      });
    } catch (error) {
      output = (error as { stdout?: string }).stdout ?? String(error);
    }
    // Declarations of other packages (optional peers' @types) are theirs to fix: only goneaway's
    // own declarations and the importing file are judged.
    const ours = output
      .split('\n')
      .filter((line) => /^(check\.ts|node_modules\/goneaway\/)/.test(line));
    assert.deepEqual(ours, [], `the published declarations do not type-check:\n${output}`);
  });
});
