/**
 * Request and job scopes (Django's connection model) against a real server: db.scope(),
 * db.job(), closeOldConnections(), and the policies pool: false, maxAgeMs and healthCheck.
 * The worker-loop tests sleep longer than the session's wait_timeout on purpose: that idle
 * time is the scenario. Everything else waits on events.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import mysql from 'mysql2/promise';
import {
  closeOldConnections,
  createPool,
  IntegrityError,
  InterfaceError,
  OperationalError,
  type Pool,
  ProgrammingError,
  type ScopeEventMap,
  SessionLostError,
} from '../../src/index.js';
import { type Sandbox, testServer } from '../../src/testing/index.js';
import { nextEvent } from '../support/events.js';

type IdRow = { id: number }[];
const ID_SQL = 'SELECT CONNECTION_ID() AS id';
const WAIT_TIMEOUT_S = 2;

let server: Sandbox;

before(async () => {
  server = await testServer();
  await server.admin(
    'CREATE TABLE goneaway.note (id INT AUTO_INCREMENT PRIMARY KEY, body VARCHAR(100) NOT NULL UNIQUE)',
  );
});

after(async () => {
  await server?.stop();
});

async function id(db: Pool): Promise<number> {
  const [row] = await db.query<IdRow>(ID_SQL);
  return row!.id;
}

async function notes(): Promise<string[]> {
  const rows = await server.admin<{ body: string }[]>('SELECT body FROM goneaway.note ORDER BY id');
  return rows.map((row) => row.body);
}

async function appSessions(): Promise<number[]> {
  const rows = await server.admin<{ ID: number }[]>(
    "SELECT ID FROM information_schema.PROCESSLIST WHERE USER = 'app'",
  );
  return rows.map((row) => Number(row.ID));
}

/** Collects every payload of a scope event until `stop()`. */
function record<E extends keyof ScopeEventMap>(db: Pool, event: E) {
  const seen: ScopeEventMap[E][] = [];
  const listener = (payload: ScopeEventMap[E]): void => {
    seen.push(payload);
  };
  db.on(event, listener as never);
  return { seen, stop: () => db.off(event, listener as never) };
}

/** Resolves with the next scope event; rejects after `timeoutMs`. */
function nextScopeEvent<E extends keyof ScopeEventMap>(
  db: Pool,
  event: E,
  timeoutMs = 10_000,
): Promise<ScopeEventMap[E]> {
  return new Promise((resolve, reject) => {
    const listener = (payload: ScopeEventMap[E]): void => {
      clearTimeout(timer);
      resolve(payload);
    };
    const timer = setTimeout(() => {
      db.off(event, listener as never);
      reject(new Error(`no '${event}' event within ${timeoutMs} ms`));
    }, timeoutMs);
    db.once(event, listener as never);
  });
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

function withPool(run: (db: Pool) => Promise<void>, options = {}): () => Promise<void> {
  return async () => {
    await server.admin('DELETE FROM goneaway.note');
    const db = createPool(server.uri, options);
    try {
      await run(db);
    } finally {
      await db.end();
    }
  };
}

describe('db.scope()', () => {
  test(
    'every statement of a scope runs on one connection, borrowed on the first and returned at the end',
    withPool(async (db) => {
      const ids = await db.scope(async () => {
        assert.equal(db.stats.total, 0, 'nothing is borrowed before the first statement');
        const first = await id(db);
        const [executed] = await db.execute<IdRow>(ID_SQL);
        const concurrent = await Promise.all([id(db), id(db), id(db)]);
        const inTransaction = await db.transaction(async (tx) => {
          const [row] = await tx.query<IdRow>(ID_SQL);
          return [row!.id, await id(db)];
        });
        assert.equal(db.stats.inUse, 1);
        return [first, executed!.id, ...concurrent, ...inTransaction];
      });
      assert.equal(new Set(ids).size, 1, `one connection: ${ids.join(', ')}`);
      assert.deepEqual(
        { opened: db.stats.opened, inUse: db.stats.inUse, idle: db.stats.idle },
        { opened: 1, inUse: 0, idle: 1 },
      );
    }),
  );

  test(
    'concurrent scopes each get their own connection',
    withPool(async (db) => {
      let arrived = 0;
      let release!: () => void;
      const bothIn = new Promise<void>((resolve) => {
        release = resolve;
      });
      const run = () =>
        db.scope(async () => {
          const first = await id(db);
          if (++arrived === 2) release();
          await bothIn;
          return [first, await id(db)];
        });
      const [a, b] = await Promise.all([run(), run()]);
      assert.equal(a![0], a![1]);
      assert.equal(b![0], b![1]);
      assert.notEqual(a![0], b![0]);
      assert.equal(db.stats.opened, 2);
    }),
  );

  test(
    'a scope that runs no statement takes no connection',
    withPool(async (db) => {
      const ended = nextScopeEvent(db, 'scope-end');
      assert.equal(
        await db.scope(async () => 'no database needed', { name: 'static' }),
        'no database needed',
      );
      const event = await ended;
      assert.deepEqual(
        { scope: event.scope, connectionId: event.connectionId, statements: event.statements },
        { scope: 'static', connectionId: 0, statements: 0 },
      );
      assert.equal(db.stats.opened, 0);
    }),
  );

  test(
    'a nested scope joins the outer one',
    withPool(async (db) => {
      await db.scope(async () => {
        const outer = await id(db);
        const inner = await db.scope(() => id(db));
        assert.equal(inner, outer);
        assert.equal(db.stats.inUse, 1, 'the inner scope did not return the connection');
      });
      assert.equal(db.stats.inUse, 0);
    }),
  );

  test(
    'a transaction left open is rolled back at the end, said so, and nothing after it runs outside it',
    withPool(async (db) => {
      const rolledBack = nextScopeEvent(db, 'scope-rollback');
      const gate = deferred();
      let later!: Promise<unknown>;
      let connectionId = 0;
      await db.scope(
        async () => {
          await db.query('START TRANSACTION');
          await db.query('INSERT INTO note (body) VALUES (?)', ['left open']);
          connectionId = await id(db);
          // Runs in the scope's async context, after the scope has ended.
          later = gate.promise.then(() =>
            db.query('INSERT INTO note (body) VALUES (?)', ['after the end']),
          );
        },
        { name: 'forgetful' },
      );
      assert.deepEqual(await rolledBack, { scope: 'forgetful', connectionId, atomic: false });
      gate.resolve();
      await assert.rejects(later, InterfaceError);
      assert.deepEqual(await notes(), []);
    }),
  );

  test(
    'after a scope with a clean session ends, code still running in its context uses the pool as usual',
    withPool(async (db) => {
      const gate = deferred();
      let later!: Promise<number>;
      await db.scope(async () => {
        await id(db);
        later = gate.promise.then(() => id(db));
      });
      gate.resolve();
      assert.ok((await later) > 0);
      assert.equal(db.stats.inUse, 0);
    }),
  );

  test(
    'atomic: committed when the function resolves, rolled back when it throws',
    withPool(async (db) => {
      await db.scope(() => db.query('INSERT INTO note (body) VALUES (?)', ['kept']), {
        atomic: true,
      });
      await assert.rejects(
        db.scope(
          async () => {
            await db.query('INSERT INTO note (body) VALUES (?)', ['undone']);
            throw new Error('handler failed');
          },
          { atomic: true },
        ),
        /handler failed/,
      );
      assert.deepEqual(await notes(), ['kept']);
    }),
  );

  test(
    'atomic: db.transaction() inside is a savepoint; its failure undoes only its own work',
    withPool(async (db) => {
      await db.scope(
        async () => {
          await db.query('INSERT INTO note (body) VALUES (?)', ['outer']);
          await assert.rejects(
            db.transaction(async (tx) => {
              await tx.query('INSERT INTO note (body) VALUES (?)', ['inner']);
              throw new Error('inner failed');
            }),
            /inner failed/,
          );
          await db.transaction((tx) =>
            tx.query('INSERT INTO note (body) VALUES (?)', ['inner ok']),
          );
          await assert.rejects(
            db.transaction(async () => undefined, { readOnly: true }),
            /cannot set isolationLevel or readOnly/,
          );
        },
        { atomic: true },
      );
      assert.deepEqual(await notes(), ['outer', 'inner ok']);
    }),
  );

  test(
    'transactions started side by side in one scope run one after the other',
    withPool(async (db) => {
      const order: string[] = [];
      const work = (name: string) =>
        db.transaction(async (tx) => {
          order.push(`${name} begins`);
          await tx.query('INSERT INTO note (body) VALUES (?)', [name]);
          await tx.query('SELECT SLEEP(0.05)');
          order.push(`${name} commits`);
        });
      await db.scope(() => Promise.all([work('a'), work('b')]));
      assert.deepEqual(order, ['a begins', 'a commits', 'b begins', 'b commits']);
      assert.deepEqual(await notes(), ['a', 'b']);
    }),
  );

  test(
    'pool: false opens one server connection per scope and leaves none after it',
    withPool(async (db) => {
      const seen: number[] = [];
      for (let run = 0; run < 2; run++) {
        await db.scope(
          async () => {
            seen.push(await id(db), await id(db));
            assert.deepEqual(await appSessions(), [seen.at(-1)]);
          },
          { pool: false },
        );
        assert.deepEqual(await appSessions(), [], 'closed at the end of the scope');
      }
      assert.equal(seen[0], seen[1]);
      assert.equal(seen[2], seen[3]);
      assert.notEqual(seen[0], seen[2]);
      assert.equal(db.stats.closed['scope-ended'], 2);
      assert.equal(db.stats.total, 0);
    }),
  );

  test(
    'maxAgeMs: a connection older than that is closed at the end of the scope, not returned',
    withPool(async (db) => {
      const closed = nextEvent(db, 'close');
      const used = await db.scope(() => id(db), { maxAgeMs: 0 });
      const event = await closed;
      assert.deepEqual(
        { id: event.connectionId, reason: event.reason },
        { id: used, reason: 'lifetime' },
      );
      await db.scope(() => id(db), { maxAgeMs: 60_000 });
      assert.equal(db.stats.idle, 1, 'a younger one goes back to the pool');
    }),
  );

  test(
    'healthCheck: a reused connection is pinged before the first statement, however recently used',
    withPool(
      async (db) => {
        const used = await id(db);
        const validated = nextEvent(db, 'validate');
        const reused = await db.scope(() => id(db), { healthCheck: true });
        const event = await validated;
        assert.deepEqual({ id: event.connectionId, ok: event.ok }, { id: used, ok: true });
        assert.equal(reused, used);
      },
      { validateAfterIdleMs: 60_000 },
    ),
  );

  test(
    'an error that leaves the connection in doubt closes it at the end; a duplicate key does not',
    withPool(async (db) => {
      const duplicate = await db.scope(async () => {
        await db.query('INSERT INTO note (body) VALUES (?)', ['once']);
        await assert.rejects(
          db.query('INSERT INTO note (body) VALUES (?)', ['once']),
          IntegrityError,
        );
        return id(db);
      });
      assert.equal(db.stats.idle, 1, 'returned after an integrity error');

      const closed = nextEvent(db, 'close');
      const doubtful = await db.scope(async () => {
        // The server's "error during COMMIT" (1180), raised on demand.
        const signal =
          "SIGNAL SQLSTATE 'HY000' SET MESSAGE_TEXT = 'engine failed', MYSQL_ERRNO = 1180";
        await assert.rejects(db.query(signal), OperationalError);
        return id(db);
      });
      assert.equal(doubtful, duplicate);
      const event = await closed;
      assert.deepEqual(
        { id: event.connectionId, reason: event.reason },
        { id: doubtful, reason: 'broken' },
      );
    }),
  );

  test(
    'the connection dies between two statements of a clean scope: the scope moves on unnoticed',
    withPool(async (db) => {
      await db.scope(async () => {
        const before = await id(db);
        const lost = nextEvent(db, 'loss');
        assert.deepEqual(await server.killConnections({ command: 'Sleep' }), [before]);
        await lost;
        const afterKill = await id(db);
        assert.notEqual(afterKill, before);
        assert.equal(await id(db), afterKill);
      });
    }),
  );

  test(
    'the connection dies under a session with state: that statement and every later one fails, until closeOldConnections()',
    withPool(async (db) => {
      await db.scope(async () => {
        await db.query('SET @cart = 42');
        const lost = nextEvent(db, 'loss');
        await server.killConnections({ command: 'Sleep' });
        await lost;
        await assert.rejects(db.query('SELECT @cart AS cart'), SessionLostError);
        await assert.rejects(db.query('SELECT 1'), SessionLostError, 'still refused');
        assert.equal(await closeOldConnections(), 1, 'Django recipe: let the lost session go');
        const [row] = await db.query<{ cart: unknown }[]>('SELECT @cart AS cart');
        assert.equal(row!.cart, null, 'a new session, knowingly');
      });
      assert.equal((await db.scope(() => id(db))) > 0, true);
    }),
  );

  test(
    'db.transaction() in a scope re-runs on a new connection when the loss took only the transaction',
    withPool(async (db) => {
      const runs: number[] = [];
      await db.scope(async () => {
        const first = await id(db);
        await db.transaction(
          async (tx) => {
            runs.push(tx.threadId);
            await tx.query('INSERT INTO note (body) VALUES (?)', [`run ${tx.attempt}`]);
            if (tx.attempt === 1) {
              const lost = nextEvent(db, 'loss');
              await server.killConnections();
              await lost;
            }
            await tx.query('SELECT 1');
          },
          { attempts: 2 },
        );
        assert.equal(runs[0], first);
        assert.notEqual(runs[1], first);
        assert.equal(await id(db), runs[1], 'the scope goes on with the new connection');
      });
      assert.deepEqual(await notes(), ['run 2']);
    }),
  );

  test(
    'a scope that never ends is reported with where it started',
    withPool(
      async (db) => {
        let finish!: () => void;
        const hung = new Promise<void>((resolve) => {
          finish = resolve;
        });
        const leak = nextScopeEvent(db, 'scope-leak');
        const running = db.scope(
          async () => {
            await id(db);
            await hung;
          },
          { name: 'GET /hangs', leakWarningMs: 200 },
        );
        const report = await leak;
        assert.equal(report.scope, 'GET /hangs');
        assert.ok(report.connectionId > 0);
        assert.ok(report.openMs >= 200);
        assert.match(report.stack, /scope-core\.test\.ts/);
        finish();
        await running;
      },
      { leakWarningMs: 0 },
    ),
  );
});

describe('db.job()', () => {
  test('a worker that sleeps past wait_timeout between runs: every run succeeds (the server closes the idle connection)', async () => {
    const db = createPool(server.uri, {
      initSql: [`SET SESSION wait_timeout = ${WAIT_TIMEOUT_S}`],
      // Far above wait_timeout, so the server, not goneaway, closes the idle connection.
      idleTimeoutMs: 60_000,
    });
    const errors = record(db, 'job-error');
    try {
      const ids: number[] = [];
      for (let run = 0; run < 3; run++) {
        ids.push(await db.job(() => id(db), { name: 'poller' }));
        if (run < 2) await sleep(WAIT_TIMEOUT_S * 1_000 + 1_000);
      }
      assert.equal(new Set(ids).size, 3, 'each run after a sleep had a new connection');
      assert.equal(
        db.stats.closed['server-closed'],
        2,
        'the server closed the idle connection twice',
      );
      assert.deepEqual(errors.seen, []);
    } finally {
      errors.stop();
      await db.end();
    }
  });

  test("the same loop with idleTimeoutMs 'auto': goneaway retires the connection before the server would", async () => {
    const waitTimeoutS = 3;
    const db = createPool(server.uri, { initSql: [`SET SESSION wait_timeout = ${waitTimeoutS}`] });
    const losses: unknown[] = [];
    db.on('loss', (loss) => losses.push(loss));
    try {
      for (let run = 0; run < 2; run++) {
        assert.ok((await db.job(() => id(db))) > 0);
        // Past goneaway's limit (wait_timeout less 500 ms), short of the server's.
        if (run === 0) await sleep(waitTimeoutS * 1_000 - 300);
      }
      assert.equal(db.stats.closed['idle-timeout'], 1);
      assert.equal(db.stats.closed['server-closed'], 0);
      assert.deepEqual(losses, []);
    } finally {
      await db.end();
    }
  });

  test('for contrast, the seed with plain mysql2: one long-lived connection fails every run after the first idle period', async (t) => {
    // Django keeps one connection per worker thread; mysql2's createConnection is that.
    const connection = await mysql.createConnection({ uri: server.uri });
    const emitted: { code?: string; message: string }[] = [];
    const closed = new Promise<void>((resolve) => {
      connection.on('error', (error: NodeJS.ErrnoException) => {
        emitted.push({ code: error.code, message: error.message });
        resolve();
      });
    });
    try {
      await connection.query(`SET SESSION wait_timeout = ${WAIT_TIMEOUT_S}`);
      const runs: string[] = [];
      const job = async () => {
        try {
          await connection.query(ID_SQL);
          runs.push('ok');
        } catch (error) {
          runs.push((error as Error).message);
        }
      };
      await job();
      await Promise.race([
        closed,
        sleep(WAIT_TIMEOUT_S * 1_000 + 8_000).then(() => {
          throw new Error('the server did not close the idle connection');
        }),
      ]);
      for (let run = 0; run < 3; run++) await job();
      t.diagnostic(`mysql2 emitted ${JSON.stringify(emitted)}; runs: ${JSON.stringify(runs)}`);
      // PyMySQL first reports 2013 and then InterfaceError(0, '') forever; mysql2 sees the
      // close at once (an 'error' event) and then fails every call the same way.
      assert.equal(emitted[0]?.code, 'ECONNRESET');
      assert.deepEqual(runs, [
        'ok',
        ...Array(3).fill("Can't add new command when connection is in closed state"),
      ]);
    } finally {
      connection.destroy();
    }
  });

  test('a run that lost its connection is reported with the job name and run again', async () => {
    const db = createPool(server.uri);
    const errors = record(db, 'job-error');
    try {
      const result = await db.job(
        async ({ attempt }) => {
          await db.query('SET @step = ?', [attempt]);
          if (attempt === 1) {
            const lost = nextEvent(db, 'loss');
            await server.killConnections({ command: 'Sleep' });
            await lost;
          }
          const [row] = await db.query<{ step: number }[]>('SELECT @step AS step');
          return row!.step;
        },
        { name: 'reindex', attempts: 2, retryDelayMs: 10 },
      );
      assert.equal(result, 2);
      assert.equal(errors.seen.length, 1);
      const [report] = errors.seen;
      assert.equal(report!.job, 'reindex');
      assert.equal(report!.attempt, 1);
      assert.equal(report!.willRetry, true);
      assert.ok(report!.classified instanceof SessionLostError);
    } finally {
      errors.stop();
      await db.end();
    }
  });

  test('a run that failed for another reason is reported and not run again', async () => {
    const db = createPool(server.uri);
    const errors = record(db, 'job-error');
    try {
      await assert.rejects(
        db.job(
          async function nightly() {
            await db.query('SELEC 1');
          },
          { attempts: 3 },
        ),
        ProgrammingError,
      );
      await assert.rejects(
        db.job(
          async () => {
            throw new TypeError('a bug in the job');
          },
          { name: 'buggy', attempts: 3 },
        ),
        TypeError,
      );
      assert.deepEqual(
        errors.seen.map((e) => [e.job, e.attempt, e.willRetry, e.classified?.name]),
        [
          ['nightly', 1, false, 'ProgrammingError'],
          ['buggy', 1, false, undefined],
        ],
      );
    } finally {
      errors.stop();
      await db.end();
    }
  });

  test('closeOldConnections() closes idle connections older than maxAgeMs', async () => {
    const db = createPool(server.uri);
    try {
      await Promise.all([id(db), id(db)]);
      assert.equal(db.stats.idle, 2);
      assert.equal(await closeOldConnections(db, { maxAgeMs: 60_000 }), 0);
      assert.equal(await closeOldConnections(db, { maxAgeMs: 0 }), 2);
      assert.equal(db.stats.closed.lifetime, 2);
      assert.deepEqual(await appSessions(), []);
    } finally {
      await db.end();
    }
  });
});
