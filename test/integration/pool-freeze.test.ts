/**
 * A frozen process (a serverless runtime between invocations, SIGSTOP, a laptop lid) thaws with
 * sockets that may have died unseen: here the path to the server goes dark while the process is
 * stopped, like a NAT that forgot the flow. goneaway must notice the freeze from its own late
 * timer and validate before reuse, instead of sending the statement into the dark.
 */
import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type FaultProxy,
  type Sandbox,
  startFaultProxy,
  testServer,
} from '../../src/testing/index.js';
import { viaPort } from '../support/events.js';

// The validation window is far longer than the freeze, so only freeze detection can trigger the ping.
const CHILD = `
  import { createInterface } from 'node:readline';
  import { createPool } from './src/index.ts';
  const db = createPool(process.env.URI, { validateAfterIdleMs: 60_000, validationTimeoutMs: 500, stallCheckMs: 0 });
  db.on('epoch', (e) => console.log('epoch ' + e.reason));
  await db.query('SELECT 1');
  console.log('ready');
  for await (const line of createInterface({ input: process.stdin })) {
    if (line !== 'go') continue;
    const started = performance.now();
    const rows = await db.query('SELECT 2 AS two');
    console.log('result ' + JSON.stringify({ rows, ms: Math.round(performance.now() - started), stats: db.stats }));
    await db.end();
    process.exit(0);
  }
`;

describe('frozen process', () => {
  let server: Sandbox;
  let proxy: FaultProxy;
  before(async () => {
    server = await testServer();
    proxy = await startFaultProxy({ target: { host: server.host, port: server.port } });
  });
  after(async () => {
    await proxy?.close();
    await server?.stop();
  });

  test('after a freeze during which the path went dark, the idle connection is validated, not trusted', async () => {
    const child: ChildProcessWithoutNullStreams = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', CHILD],
      { env: { ...process.env, URI: viaPort(server.uri, proxy.port) } },
    );
    const lines: string[] = [];
    const waiters: { match: RegExp; resolve: (line: string) => void }[] = [];
    createInterface({ input: child.stdout }).on('line', (line) => {
      lines.push(line);
      for (const waiter of waiters.filter((w) => w.match.test(line))) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    });
    const nextLine = (match: RegExp, timeoutMs = 15_000): Promise<string> =>
      new Promise((resolve, reject) => {
        const found = lines.find((line) => match.test(line));
        if (found) return resolve(found);
        const timer = setTimeout(
          () => reject(new Error(`no line ${match} (got: ${lines.join(' | ')})`)),
          timeoutMs,
        );
        waiters.push({
          match,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
      });
    try {
      await nextLine(/^ready$/);
      child.kill('SIGSTOP');
      // While the process is stopped, the path to the server goes dark: sockets stay open, nothing flows.
      for (const connection of proxy.connections) connection.blackhole();
      await sleep(3_000); // the freeze itself: this is the fault, not a synchronisation
      child.kill('SIGCONT');
      child.stdin.write('go\n');
      const epoch = await nextLine(/^epoch /);
      assert.match(epoch, /frozen/);
      const result = JSON.parse((await nextLine(/^result /)).slice('result '.length)) as {
        rows: { two: number }[];
        ms: number;
        stats: { validationFailures: number; opened: number };
      };
      assert.deepEqual(result.rows, [{ two: 2 }]);
      assert.equal(
        result.stats.validationFailures,
        1,
        'the dead connection failed its bounded ping',
      );
      assert.equal(result.stats.opened, 2, 'and a new connection answered');
      assert.ok(result.ms < 3_000, `answered in ${result.ms} ms`);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
