/**
 * Koa middleware (entry point `goneaway/koa`): one scope per request, ended when the response
 * has been sent or the client went away. With `atomic: true` the request runs in one
 * transaction, settled by `ctx.status` after the downstream middleware, before Koa responds.
 * Imports Koa's types only: the framework is an optional peer dependency.
 */
import type { Middleware } from 'koa';
import type { Pool } from '../pool/pool.js';
import { commitsOn, type RequestScopeOptions, requestScopes } from './request-scope.js';

export type { RequestScopeOptions } from './request-scope.js';

/**
 * A scope per request for Koa 2 and 3. Put it before the middleware that uses the database.
 * A failed commit is thrown, so Koa answers 500 instead of the handler's success.
 *
 * @example
 * import Koa from 'koa';
 * import { createPool } from 'goneaway';
 * import { scopeMiddleware } from 'goneaway/koa';
 *
 * const db = createPool(process.env.DATABASE_URL!);
 * const app = new Koa();
 * app.use(scopeMiddleware(db));
 * app.use(async (ctx) => {
 *   ctx.body = await db.query('SELECT id, title FROM post ORDER BY id DESC LIMIT 10');
 * });
 */
export function scopeMiddleware(db: Pool, options: RequestScopeOptions = {}): Middleware {
  const open = requestScopes(db, options);
  return async (ctx, next) => {
    const scope = open(ctx.method, ctx.path);
    ctx.res.once('close', () => void scope.end());
    try {
      await scope.enter(next);
    } catch (error) {
      await scope.settle(false).catch(() => undefined);
      throw error;
    }
    await scope.settle(commitsOn(ctx.status));
  };
}
