/**
 * Hono middleware (entry point `goneaway/hono`): one scope per request. On Node
 * (`@hono/node-server`) it ends when the response has been sent or the client went away; on
 * other runtimes, when the handler has returned its response or the request was aborted. With
 * `atomic: true` the request runs in one transaction, settled by the response status before
 * the response leaves. Imports Hono's types only: the framework is an optional peer dependency.
 */
import type { EventEmitter } from 'node:events';
import type { MiddlewareHandler } from 'hono';
import type { Pool } from '../pool/pool.js';
import { commitsOn, type RequestScopeOptions, requestScopes } from './request-scope.js';

export type { RequestScopeOptions } from './request-scope.js';

/**
 * A scope per request for Hono 4. A failed commit is thrown, so Hono's error handler answers
 * instead of the handler's success.
 *
 * @example
 * import { Hono } from 'hono';
 * import { serve } from '@hono/node-server';
 * import { createPool } from 'goneaway';
 * import { scopeMiddleware } from 'goneaway/hono';
 *
 * const db = createPool(process.env.DATABASE_URL!);
 * const app = new Hono();
 * app.use(scopeMiddleware(db));
 * app.get('/posts/:id', async (c) => {
 *   const [post] = await db.query('SELECT * FROM post WHERE id = ?', [c.req.param('id')]);
 *   return post ? c.json(post) : c.notFound();
 * });
 * serve({ fetch: app.fetch, port: 3000 });
 */
export function scopeMiddleware(db: Pool, options: RequestScopeOptions = {}): MiddlewareHandler {
  const open = requestScopes(db, options);
  return async (c, next) => {
    const scope = open(c.req.method, c.req.path);
    const end = (): void => void scope.end();
    const outgoing = nodeResponse(c.env);
    if (outgoing) outgoing.once('close', end);
    else c.req.raw.signal.addEventListener('abort', end, { once: true });
    try {
      await scope.enter(next);
      // Hono catches a handler's error and answers with its error handler; c.error keeps it.
      await scope.settle(!c.error && commitsOn(c.res.status));
    } catch (error) {
      await scope.settle(false).catch(() => undefined);
      throw error;
    } finally {
      if (!outgoing) end();
    }
  };
}

/** `@hono/node-server` passes `{ incoming, outgoing }` as the environment. */
function nodeResponse(env: unknown): EventEmitter | undefined {
  if (typeof env !== 'object' || env === null || !('outgoing' in env)) return undefined;
  const { outgoing } = env as { outgoing: unknown };
  const emitter = outgoing as EventEmitter | undefined;
  return typeof emitter?.once === 'function' ? emitter : undefined;
}
