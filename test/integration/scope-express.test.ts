/** Request scopes under Express 5: `goneaway/express`, on a real HTTP server. */
import type { AddressInfo } from 'node:net';
import express from 'express';
import { scopeMiddleware } from '../../src/scope/express.js';
import { describeRequestScopes, type RunningApp } from '../support/scope-harness.js';

describeRequestScopes('express', async (db, options, routes, arrived): Promise<RunningApp> => {
  const app = express();
  // Express's final handler prints every error's stack unless env is 'test'.
  app.set('env', 'test');
  app.use((_req, _res, next) => {
    arrived();
    next();
  });
  app.use(express.json());
  app.use(scopeMiddleware(db, options));
  for (const [route, handler] of Object.entries(routes)) {
    const [method, path] = route.split(' ') as [string, string];
    app[method === 'POST' ? 'post' : 'get'](path, async (req, res) => {
      const reply = await handler(req.body);
      res.status(reply.status).json(reply.body);
    });
  }
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
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
