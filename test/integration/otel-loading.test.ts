/**
 * `@opentelemetry/api` is an optional peer dependency: a program that imports goneaway but not
 * `goneaway/otel` must load no OpenTelemetry module, even while it runs statements and
 * transactions (the tracing channels and events are published, but nobody subscribes).
 *
 * Each case runs in a child process that records every module it resolves (an ESM resolve hook)
 * and every CommonJS module in its cache. The second case imports `goneaway/otel` and must see
 * OpenTelemetry loaded: proof that the recording would have caught it.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { type Sandbox, testServer } from '../../src/testing/index.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));

const HOOKS = `
let port;
export function initialize(data) { port = data.port; }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  port.postMessage(result.url);
  return result;
}
`;

/** The child: records what it loads while it imports goneaway (and maybe goneaway/otel) and works. */
const CHILD = `
import { createRequire, register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';

const { port1, port2 } = new MessageChannel();
const resolved = [];
const SENTINEL = 'data:text/javascript,export default 1';
let sentinelSeen;
const allSeen = new Promise((resolve) => (sentinelSeen = resolve));
port1.on('message', (url) => (url === SENTINEL ? sentinelSeen() : resolved.push(url)));
register(process.env.HOOKS_URL, { data: { port: port2 }, transferList: [port2] });

const { createPool } = await import(process.env.ENTRY_URL);
if (process.env.OTEL_URL) {
  const { instrument } = await import(process.env.OTEL_URL);
  void instrument;
}
const db = createPool(process.env.DB_URI);
await db.query('SELECT 1');
await db.transaction((tx) => tx.query('SELECT 2'));
const lease = await db.acquire();
lease.release();
await db.end();
// Messages from the hooks thread arrive in order: once the sentinel is seen, all are in.
await import(SENTINEL);
await allSeen;
port1.close();
const cjs = Object.keys(createRequire(import.meta.url).cache);
console.log(JSON.stringify([...resolved, ...cjs].filter((name) => name.includes('@opentelemetry'))));
`;

describe('goneaway without goneaway/otel', () => {
  let server: Sandbox;
  let dir = '';
  before(async () => {
    server = await testServer();
    dir = mkdtempSync(join(tmpdir(), 'goneaway-otel-loading-'));
    writeFileSync(join(dir, 'hooks.mjs'), HOOKS);
    writeFileSync(join(dir, 'child.mjs'), CHILD);
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await server?.stop();
  });

  async function loadedBy(withOtel: boolean): Promise<string[]> {
    const url = (path: string): string => pathToFileURL(join(root, path)).href;
    const { stdout } = await run(process.execPath, ['--import', 'tsx', join(dir, 'child.mjs')], {
      cwd: root,
      timeout: 60_000,
      env: {
        ...process.env,
        HOOKS_URL: pathToFileURL(join(dir, 'hooks.mjs')).href,
        ENTRY_URL: url('src/index.ts'),
        ...(withOtel ? { OTEL_URL: url('src/otel/index.ts') } : {}),
        DB_URI: server.uri,
      },
    });
    const lines = stdout.trim().split('\n');
    return JSON.parse(lines[lines.length - 1] ?? '[]') as string[];
  }

  test('loads no OpenTelemetry module, while running statements, transactions and leases', async () => {
    assert.deepEqual(await loadedBy(false), []);
  });

  test('the recording sees OpenTelemetry once goneaway/otel is imported', async () => {
    const loaded = await loadedBy(true);
    assert.ok(
      loaded.some((name) => name.includes('@opentelemetry/api')),
      `expected @opentelemetry/api among ${JSON.stringify(loaded)}`,
    );
  });
});
