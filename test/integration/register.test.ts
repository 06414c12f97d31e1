/**
 * Zero-code adoption: `node --import goneaway/register app` makes `import 'mysql2'`,
 * `import 'mysql2/promise'`, `require('mysql2')` and `require('mysql2/promise')` load goneaway's
 * facade, for applications and for frameworks that load mysql2 themselves (Knex with
 * `client: 'mysql2'`, MikroORM 7's MySQL driver). Each application in test/fixtures/register
 * runs in a child process against a real server, once with the flag and once without, and says
 * what it ran on; the run without the flag shows that nothing else made the difference.
 *
 * This runs on the Node that runs the tests (20 here). On Node 22.15+ `goneaway/register` takes
 * another path (`module.registerHooks`); docs/orms.md says how it was checked there.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type Sandbox, testServer } from '../../src/testing/index.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/register/', import.meta.url));
const RUN_TIMEOUT_MS = 60_000;

describe('goneaway/register', () => {
  let server: Sandbox;
  before(async () => {
    server = await testServer();
    await server.admin(
      'CREATE TABLE goneaway.mikro_note (id INT AUTO_INCREMENT PRIMARY KEY, body VARCHAR(64) NOT NULL)',
    );
  });
  after(() => server?.stop());

  /** Runs a fixture application and returns the JSON line it printed. */
  async function run(fixture: string, register: boolean): Promise<Record<string, unknown>> {
    const args = [...(register ? ['--import', 'goneaway/register'] : []), fixture];
    const { stdout } = await promisify(execFile)(process.execPath, args, {
      cwd: FIXTURES,
      timeout: RUN_TIMEOUT_MS,
      env: { ...process.env, DATABASE_URL: server.uri },
    });
    return JSON.parse(stdout.trim().split('\n').pop() ?? '{}');
  }

  test("an ES module's import of mysql2 and mysql2/promise loads the facade", async () => {
    assert.deepEqual(await run('imports.mjs', true), {
      callbackFacade: true,
      promiseFacade: true,
      two: 2,
    });
    assert.deepEqual(await run('imports.mjs', false), {
      callbackFacade: false,
      promiseFacade: false,
      two: 2,
    });
  });

  test("a CommonJS module's require of mysql2 and mysql2/promise loads the facade", async () => {
    assert.deepEqual(await run('requires.cjs', true), {
      callbackFacade: true,
      promiseFacade: true,
      two: 2,
    });
    assert.deepEqual(await run('requires.cjs', false), {
      callbackFacade: false,
      promiseFacade: false,
      two: 2,
    });
  });

  test("Knex with client: 'mysql2', unchanged, runs on goneaway sessions", async () => {
    assert.deepEqual(await run('knex-app.cjs', true), { facade: true, two: 2 });
    assert.deepEqual(await run('knex-app.cjs', false), { facade: false, two: 2 });
  });

  test("MikroORM 7's MySQL driver, unchanged, runs on a goneaway pool", async () => {
    assert.deepEqual(await run('mikro-orm-app.mjs', true), { facade: true, notes: ['hello'] });
    assert.deepEqual(await run('mikro-orm-app.mjs', false), {
      facade: false,
      notes: ['hello', 'hello'],
    });
  });
});
