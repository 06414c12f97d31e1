/**
 * The request-scope suite every framework's test file runs: a real HTTP server on 127.0.0.1
 * in front of a real MariaDB. Each framework file supplies only how to build its app from the
 * framework-neutral routes below.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { createPool, type Pool, type ScopeEventMap } from '../../src/index.js';
import { type Sandbox, testServer } from '../../src/testing/index.js';
import { nextEvent } from './events.js';

/** What a route answers; a route may also throw. */
export interface Reply {
  readonly status: number;
  readonly body: unknown;
}

/** A framework-neutral route: `'GET /ids'` → handler of the parsed JSON body. */
export type Routes = Readonly<Record<string, (body: unknown) => Promise<Reply>>>;

/** A running app: its base URL and how to stop it. */
export interface RunningApp {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Builds and starts the framework's app with the scope middleware and the routes. `arrived`
 * must be called as early as the framework allows (before body parsing): the tests send a
 * request body only then, so the body is read from the socket's later events, not at once.
 */
export type StartApp = (
  db: Pool,
  options: { atomic: boolean },
  routes: Routes,
  arrived: () => void,
) => Promise<RunningApp>;

interface Deferred {
  readonly promise: Promise<void>;
  resolve(): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/** Lets `count` requests through only once all of them have arrived. */
class Barrier {
  #waiting = 0;
  #count = 1;
  #all = deferred();

  reset(count: number): void {
    this.#waiting = 0;
    this.#count = count;
    this.#all = deferred();
  }

  arrive(): Promise<void> {
    if (++this.#waiting >= this.#count) this.#all.resolve();
    return this.#all.promise;
  }
}

async function connectionId(db: Pool): Promise<number> {
  const [row] = await db.query<{ id: number }[]>('SELECT CONNECTION_ID() AS id');
  return row!.id;
}

function routesFor(
  db: Pool,
  barrier: Barrier,
  hang: { started: Deferred; gate: Deferred },
  kill: (connectionId: number) => Promise<void>,
): Routes {
  return {
    'GET /ids': async () => {
      const first = await connectionId(db);
      await barrier.arrive();
      return { status: 200, body: { first, second: await connectionId(db) } };
    },
    'GET /static': async () => ({ status: 200, body: { ok: true } }),
    'GET /hang': async () => {
      await connectionId(db);
      hang.started.resolve();
      await hang.gate.promise;
      return { status: 200, body: { ok: true } };
    },
    'POST /notes': async (input) => {
      const { note, outcome } = input as {
        note: string;
        outcome: 'ok' | 'throw' | 'reject' | 'lose';
      };
      await db.query('INSERT INTO note (body) VALUES (?)', [note]);
      if (outcome === 'throw') throw new Error('the handler failed after writing');
      if (outcome === 'lose') await kill(await connectionId(db));
      return outcome === 'reject'
        ? { status: 400, body: { error: 'invalid' } }
        : { status: 200, body: { stored: note } };
    },
  };
}

/**
 * One HTTP request without keep-alive; resolves to the status and parsed JSON body (or text).
 * A body is sent only once `bodyWhen` resolves (the headers go first).
 */
export function send(
  url: string,
  method: string,
  body?: unknown,
  bodyWhen: Promise<void> = Promise.resolve(),
): { readonly response: Promise<Reply>; abort(): void } {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const req = httpRequest(url, {
    method,
    agent: false,
    headers: payload
      ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
      : {},
  });
  const response = new Promise<Reply>((resolve, reject) => {
    req.once('error', reject);
    req.once('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.once('end', () => {
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // Not JSON (an error page): keep the text.
        }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
    });
  });
  if (payload === undefined) req.end();
  else {
    req.flushHeaders();
    void bodyWhen.then(() => req.end(payload));
  }
  return { response, abort: () => req.destroy() };
}

/** Resolves with the next scope event of `db` that matches; rejects after `timeoutMs`. */
function nextScopeEvent<E extends keyof ScopeEventMap>(
  db: Pool,
  event: E,
  match: (payload: ScopeEventMap[E]) => boolean = () => true,
  timeoutMs = 10_000,
): Promise<ScopeEventMap[E]> {
  return new Promise((resolve, reject) => {
    const listener = (payload: ScopeEventMap[E]): void => {
      if (!match(payload)) return;
      clearTimeout(timer);
      db.off(event, listener as never);
      resolve(payload);
    };
    const timer = setTimeout(() => {
      db.off(event, listener as never);
      reject(new Error(`no '${event}' event within ${timeoutMs} ms`));
    }, timeoutMs);
    db.on(event, listener as never);
  });
}

/**
 * Registers the request-scope tests for one framework: one sandbox, two apps (plain and
 * `atomic: true`), each with its own pool.
 */
export function describeRequestScopes(framework: string, start: StartApp): void {
  describe(`${framework}: a scope per request`, () => {
    let server: Sandbox;
    let db: Pool;
    let atomicDb: Pool;
    let app: RunningApp;
    let atomicApp: RunningApp;
    const barrier = new Barrier();
    let hang = { started: deferred(), gate: deferred() };
    let arrival = deferred();
    const arrived = (): void => arrival.resolve();

    /** POSTs `body` slowly: the body leaves only once the app has seen the request arrive. */
    /** KILLs one connection of `pool` from an admin session and waits until the pool saw it. */
    const killer =
      (pool: () => Pool) =>
      async (connectionId: number): Promise<void> => {
        const lost = nextEvent(pool(), 'loss', (e) => e.connectionId === connectionId);
        await server.admin(`KILL CONNECTION ${Number(connectionId)}`);
        await lost;
      };

    function post(url: string, body: unknown): Promise<Reply> {
      arrival = deferred();
      return send(url, 'POST', body, arrival.promise).response;
    }

    before(async () => {
      server = await testServer();
      await server.admin(
        'CREATE TABLE goneaway.note (id INT AUTO_INCREMENT PRIMARY KEY, body VARCHAR(100) NOT NULL)',
      );
      db = createPool(server.uri);
      atomicDb = createPool(server.uri);
      // The routes read `hang` through this object, so each test can give them a fresh one.
      const hangView = {
        get started() {
          return hang.started;
        },
        get gate() {
          return hang.gate;
        },
      };
      app = await start(
        db,
        { atomic: false },
        routesFor(
          db,
          barrier,
          hangView,
          killer(() => db),
        ),
        arrived,
      );
      atomicApp = await start(
        atomicDb,
        { atomic: true },
        routesFor(
          atomicDb,
          barrier,
          hangView,
          killer(() => atomicDb),
        ),
        arrived,
      );
    });

    after(async () => {
      hang.gate.resolve();
      await app?.close();
      await atomicApp?.close();
      await db?.end();
      await atomicDb?.end();
      await server?.stop();
    });

    async function notes(): Promise<string[]> {
      const rows = await server.admin<{ body: string }[]>(
        'SELECT body FROM goneaway.note ORDER BY id',
      );
      return rows.map((row) => row.body);
    }

    test('concurrent requests each get their own connection; the statements of one request share it', async () => {
      barrier.reset(3);
      const replies = await Promise.all(
        [1, 2, 3].map(() => send(`${app.url}/ids`, 'GET').response),
      );
      const ids = replies.map((reply) => {
        assert.equal(reply.status, 200);
        const { first, second } = reply.body as { first: number; second: number };
        assert.equal(first, second, 'one connection within a request');
        return first;
      });
      assert.equal(new Set(ids).size, 3, `three connections: ${ids.join(', ')}`);
    });

    test('a request that runs no statement takes no connection', async () => {
      const opened = db.stats.opened;
      const ended = nextScopeEvent(db, 'scope-end', (e) => e.scope === 'GET /static');
      const reply = await send(`${app.url}/static`, 'GET').response;
      assert.equal(reply.status, 200);
      const event = await ended;
      assert.equal(event.connectionId, 0);
      assert.equal(db.stats.opened, opened);
    });

    test('the connection goes back to the pool when the response ends', async () => {
      barrier.reset(1);
      const ended = nextScopeEvent(db, 'scope-end', (e) => e.scope === 'GET /ids');
      const reply = await send(`${app.url}/ids`, 'GET').response;
      const event = await ended;
      assert.equal(event.connectionId, (reply.body as { first: number }).first);
      assert.equal(db.stats.inUse, 0);
    });

    test('the connection goes back to the pool when the client aborts mid-request', async () => {
      hang = { started: deferred(), gate: deferred() };
      const ended = nextScopeEvent(db, 'scope-end', (e) => e.scope === 'GET /hang');
      const call = send(`${app.url}/hang`, 'GET');
      call.response.catch(() => undefined);
      await hang.started.promise;
      assert.equal(db.stats.inUse, 1, 'the hung request holds its connection');
      call.abort();
      const event = await ended;
      assert.ok(event.connectionId > 0);
      assert.equal(db.stats.inUse, 0, 'returned while the handler is still waiting');
      hang.gate.resolve();
    });

    test('the server kills the idle connection between two requests: the next request succeeds', async () => {
      barrier.reset(1);
      const first = await send(`${app.url}/ids`, 'GET').response;
      const lost = nextEvent(db, 'loss');
      const killed = await server.killConnections({ command: 'Sleep' });
      assert.ok(killed.includes((first.body as { first: number }).first));
      await lost;
      const second = await send(`${app.url}/ids`, 'GET').response;
      assert.equal(second.status, 200);
      const ids = second.body as { first: number; second: number };
      assert.notEqual(ids.first, (first.body as { first: number }).first);
      assert.equal(ids.first, ids.second);
    });

    test('atomic: a handler that writes then throws leaves nothing committed', async () => {
      await server.admin('DELETE FROM goneaway.note');
      const reply = await post(`${atomicApp.url}/notes`, { note: 'thrown', outcome: 'throw' });
      assert.equal(reply.status, 500);
      assert.deepEqual(await notes(), []);
    });

    test('atomic: a handler that writes then answers 400 leaves nothing committed', async () => {
      await server.admin('DELETE FROM goneaway.note');
      const reply = await post(`${atomicApp.url}/notes`, { note: 'bad', outcome: 'reject' });
      assert.equal(reply.status, 400);
      assert.deepEqual(await notes(), []);
    });

    test('atomic: a handler that writes and answers 200 commits, before the response arrives', async () => {
      await server.admin('DELETE FROM goneaway.note');
      const reply = await post(`${atomicApp.url}/notes`, { note: 'kept', outcome: 'ok' });
      assert.equal(reply.status, 200);
      // Read at once, from another session: committed before the client was told.
      assert.deepEqual(await notes(), ['kept']);
    });

    test('atomic: the commit fails (its connection was killed): the client gets an error, not the success', async () => {
      await server.admin('DELETE FROM goneaway.note');
      const failed = nextScopeEvent(atomicDb, 'scope-commit-failed');
      const reply = await post(`${atomicApp.url}/notes`, { note: 'lost', outcome: 'lose' });
      assert.equal(reply.status, 500);
      assert.equal((await failed).error.name, 'TransactionLostError');
      assert.deepEqual(await notes(), []);
    });

    test('atomic: the client aborts mid-request: its transaction is rolled back', async () => {
      hang = { started: deferred(), gate: deferred() };
      const rolledBack = nextScopeEvent(atomicDb, 'scope-rollback', (e) => e.scope === 'GET /hang');
      const ended = nextScopeEvent(atomicDb, 'scope-end', (e) => e.scope === 'GET /hang');
      const call = send(`${atomicApp.url}/hang`, 'GET');
      call.response.catch(() => undefined);
      await hang.started.promise;
      call.abort();
      const event = await rolledBack;
      assert.equal(event.atomic, true);
      await ended;
      assert.equal(atomicDb.stats.inUse, 0, 'rolled back and returned');
      hang.gate.resolve();
    });
  });
}
