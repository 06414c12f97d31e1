/**
 * Express middleware (entry point `goneaway/express`): one scope per request, ended when the
 * response has been sent or the client went away. With `atomic: true` the request runs in one
 * transaction, settled by the response status just before the response's first byte is sent.
 * Imports Express's types only: the framework is an optional peer dependency.
 */
import type { ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import type { Pool } from '../pool/pool.js';
import { commitsOn, type RequestScopeOptions, requestScopes } from './request-scope.js';
import type { Scope } from './scope.js';

export type { RequestScopeOptions } from './request-scope.js';

/**
 * A scope per request for Express 4 and 5: every `db.query`, `db.execute` and
 * `db.transaction` of the request shares one connection, borrowed on the first statement and
 * returned when the response ends or the client aborts.
 *
 * @example
 * import express from 'express';
 * import { createPool } from 'goneaway';
 * import { scopeMiddleware } from 'goneaway/express';
 *
 * const db = createPool(process.env.DATABASE_URL!);
 * const app = express();
 * app.use(scopeMiddleware(db, { atomic: true }));
 * app.post('/orders', async (req, res) => {
 *   await db.query('INSERT INTO orders (customer) VALUES (?)', [req.body.customer]);
 *   res.status(201).json({ ok: true }); // committed before this response is sent
 * });
 */
export function scopeMiddleware(db: Pool, options: RequestScopeOptions = {}): RequestHandler {
  const open = requestScopes(db, options);
  return (req, res, next) => {
    const scope = open(req.method, req.path);
    res.once('close', () => void scope.end());
    if (scope.policy.atomic) settleBeforeResponse(scope, res);
    scope.enter(() => next());
  };
}

/**
 * Express writes the response from inside the handler, so the commit is made to come first by
 * holding the response's first `write()`/`end()` (and those after it, in order) until the
 * transaction is settled. A failed commit turns the response into a 500.
 */
function settleBeforeResponse(scope: Scope, res: ServerResponse): void {
  const write = res.write;
  const end = res.end;
  const queued: (() => unknown)[] = [];
  const restore = (): void => {
    res.write = write;
    res.end = end;
  };
  const hold = (send: () => unknown): void => {
    queued.push(send);
    if (queued.length > 1) return;
    scope.settle(commitsOn(res.statusCode)).then(
      () => {
        restore();
        for (const next of queued.splice(0)) next();
      },
      () => {
        restore();
        failResponse(res, end);
      },
    );
  };
  res.write = function heldWrite(...args: unknown[]): boolean {
    hold(() => Reflect.apply(write, res, args));
    return true;
  } as typeof res.write;
  res.end = function heldEnd(...args: unknown[]): ServerResponse {
    hold(() => Reflect.apply(end, res, args));
    return res;
  } as typeof res.end;
}

/** The commit failed (published as `scope-commit-failed`): the client must not see a success. */
function failResponse(res: ServerResponse, end: ServerResponse['end']): void {
  if (res.writableEnded) return;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  for (const name of res.getHeaderNames()) res.removeHeader(name);
  res.statusCode = 500;
  res.setHeader('content-type', 'text/plain; charset=utf-8');
  Reflect.apply(end, res, ['Internal Server Error: the transaction could not be committed.']);
}
