/** Request scopes under Fastify 5: `goneaway/fastify`, on a real HTTP server. */
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { scopePlugin } from '../../src/scope/fastify.js';
import { describeRequestScopes, type RunningApp } from '../support/scope-harness.js';

describeRequestScopes('fastify', async (db, options, routes, arrived): Promise<RunningApp> => {
  const app = Fastify({ forceCloseConnections: true });
  app.addHook('onRequest', (_request, _reply, next) => {
    arrived();
    next();
  });
  await app.register(scopePlugin, { db, ...options });
  for (const [route, handler] of Object.entries(routes)) {
    const [method, url] = route.split(' ') as ['GET' | 'POST', string];
    app.route({
      method,
      url,
      handler: async (request, reply) => {
        const answer = await handler(request.body);
        return reply.code(answer.status).send(answer.body);
      },
    });
  }
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => app.close() };
});
