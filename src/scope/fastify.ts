/**
 * Fastify plugin (entry point `goneaway/fastify`): one scope per request, ended when the
 * response has been sent or the client went away. With `atomic: true` the request runs in one
 * transaction, settled by the reply status in `onSend`, before the payload is sent. Imports
 * Fastify's types only: the framework is an optional peer dependency.
 */
import type { FastifyPluginCallback, FastifyRequest } from 'fastify';
import type { Pool } from '../pool/pool.js';
import { commitsOn, type RequestScopeOptions, requestScopes } from './request-scope.js';
import type { Scope } from './scope.js';

/** Options of {@link scopePlugin}: the pool, and the scope's options. */
export interface FastifyScopeOptions extends RequestScopeOptions {
  readonly db: Pool;
}

/**
 * A scope per request for Fastify 4 and 5, registered for the whole application (it is not
 * encapsulated). A failed commit is thrown from `onSend`, so Fastify answers with its error
 * handler instead of the handler's success.
 *
 * @example
 * import Fastify from 'fastify';
 * import { createPool } from 'goneaway';
 * import { scopePlugin } from 'goneaway/fastify';
 *
 * const db = createPool(process.env.DATABASE_URL!);
 * const app = Fastify();
 * await app.register(scopePlugin, { db, atomic: true });
 * app.post('/orders', async (request, reply) => {
 *   await db.query('INSERT INTO orders (customer) VALUES (?)', [7]);
 *   return reply.code(201).send({ ok: true });
 * });
 */
export const scopePlugin: FastifyPluginCallback<FastifyScopeOptions> = (app, options, done) => {
  const { db, ...scopeOptions } = options;
  const open = requestScopes(db, scopeOptions);
  const scopes = new WeakMap<FastifyRequest, Scope>();
  app.addHook('onRequest', (request, reply, next) => {
    const scope = open(request.method, request.routeOptions.url ?? request.url.split('?')[0]!);
    scopes.set(request, scope);
    reply.raw.once('close', () => void scope.end());
    scope.enter(next);
  });
  // Re-entered after body parsing: a content-type parser an application registers may call
  // back from outside the request's async context.
  const bindAgain = (request: FastifyRequest, _reply: unknown, next: () => void): void => {
    const scope = scopes.get(request);
    if (scope) scope.enter(next);
    else next();
  };
  app.addHook('preValidation', bindAgain);
  app.addHook('preHandler', bindAgain);
  if (scopeOptions.atomic) {
    app.addHook('onSend', async (request, reply, payload) => {
      await scopes.get(request)?.settle(commitsOn(reply.statusCode));
      return payload;
    });
  }
  done();
};

// What fastify-plugin does: hooks added here apply to the whole application, not a child context.
Object.assign(scopePlugin, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: 'goneaway-scope',
});
