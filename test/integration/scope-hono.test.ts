/** Request scopes under Hono 4 on `@hono/node-server`: `goneaway/hono`, on a real HTTP server. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { scopeMiddleware } from '../../src/scope/hono.js';
import { describeRequestScopes, type RunningApp } from '../support/scope-harness.js';

describeRequestScopes('hono', async (db, options, routes, arrived): Promise<RunningApp> => {
  const app = new Hono();
  app.use((_c, next) => {
    arrived();
    return next();
  });
  app.use(scopeMiddleware(db, options));
  // Hono's default error handler logs to stderr; answer 500 quietly instead.
  app.onError((_error, c) => c.text('Internal Server Error', 500));
  for (const [route, handler] of Object.entries(routes)) {
    const [method, path] = route.split(' ') as [string, string];
    app.on(method, path, async (c) => {
      const reply = await handler(method === 'POST' ? await c.req.json() : undefined);
      return c.json(reply.body, reply.status as ContentfulStatusCode);
    });
  }
  const server = await new Promise<Server>((resolve) => {
    const started = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () =>
      resolve(started as Server),
    );
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
});
