/** Request scopes under Koa 3: `goneaway/koa`, on a real HTTP server. */
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { scopeMiddleware } from '../../src/scope/koa.js';
import { describeRequestScopes, type RunningApp } from '../support/scope-harness.js';

async function readJson(req: IncomingMessage): Promise<unknown> {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text ? JSON.parse(text) : undefined;
}

describeRequestScopes('koa', async (db, options, routes, arrived): Promise<RunningApp> => {
  const app = new Koa();
  // Koa logs every error to stderr unless silent; the tests assert on the responses instead.
  app.silent = true;
  app.use((_ctx, next) => {
    arrived();
    return next();
  });
  app.use(scopeMiddleware(db, options));
  app.use(async (ctx) => {
    const handler = routes[`${ctx.method} ${ctx.path}`];
    if (!handler) return;
    const reply = await handler(ctx.method === 'POST' ? await readJson(ctx.req) : undefined);
    ctx.status = reply.status;
    ctx.body = reply.body;
  });
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
