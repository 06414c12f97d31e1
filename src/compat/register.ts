/**
 * `goneaway/register`: zero-code adoption. Loaded with `node --import goneaway/register app.js`
 * (or `NODE_OPTIONS="--import goneaway/register"`), it makes every `import 'mysql2'`,
 * `import 'mysql2/promise'` and `require('mysql2')` / `require('mysql2/promise')` in the
 * application and its dependencies (Knex, MikroORM, AdonisJS Lucid, NestJS modules, ...) load
 * goneaway's facade instead, so frameworks that load mysql2 themselves get goneaway's
 * guarantees with no change to their code or configuration. goneaway's own imports of mysql2
 * still reach the real driver. Deep imports (`mysql2/lib/...`) are left alone.
 *
 * How, by Node version:
 * - with `module.registerHooks` (Node 22.15+, 23.5+): one synchronous resolve hook, run for
 *   `import` and `require` alike, in the application's thread;
 * - otherwise (Node 20): an asynchronous resolve hook (`module.register`) for `import`, and for
 *   `require` a wrapper around CommonJS's resolver, whose answer is an ES module that `require`
 *   loads as such (require of ES modules: Node 20.19+ and 22.12+).
 *
 * @example
 * // package.json: "start": "node --import goneaway/register dist/server.js"
 * import mysql from 'mysql2/promise'; // goneaway's facade, unchanged code
 *
 * @packageDocumentation
 */
import Module, * as nodeModule from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ConfigurationError } from '../errors/index.js';
import { type RedirectPlan, redirectOf } from './mysql2-redirect.js';

const plan: RedirectPlan = {
  targets: {
    mysql2: new URL('./index.js', import.meta.url).href,
    'mysql2/promise': new URL('./promise.js', import.meta.url).href,
  },
  ownPrefix: new URL('../', import.meta.url).href,
};

/** `module.registerHooks` where Node has it; not yet in the Node 20 typings. */
type RegisterHooks = (hooks: {
  resolve: (
    specifier: string,
    context: { parentURL?: string },
    nextResolve: (specifier: string, context: { parentURL?: string }) => { url: string },
  ) => { url: string; shortCircuit?: boolean; format?: string };
}) => unknown;
const registerHooks = (nodeModule as unknown as { registerHooks?: RegisterHooks }).registerHooks;

if (registerHooks) {
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const url = redirectOf(plan, specifier, context.parentURL);
      return url ? { url, shortCircuit: true, format: 'module' } : nextResolve(specifier, context);
    },
  });
} else {
  nodeModule.register('./mysql2-resolve-hooks.js', { parentURL: import.meta.url, data: plan });
  redirectRequire();
}

/** CommonJS's resolver, which Node 20 exposes only as this internal (but long-stable) function. */
type ResolveFilename = (
  request: string,
  parent: { filename?: string | null } | undefined,
  ...rest: unknown[]
) => string;

function redirectRequire(): void {
  const loader = Module as unknown as { _resolveFilename: ResolveFilename };
  const original = loader._resolveFilename;
  loader._resolveFilename = function resolveFilename(request, parent, ...rest) {
    const parentUrl = parent?.filename ? pathToFileURL(parent.filename).href : undefined;
    const url = redirectOf(plan, request, parentUrl);
    if (!url) return original.call(this, request, parent, ...rest);
    if (!process.features.require_module) {
      throw new ConfigurationError(
        `goneaway/register cannot redirect require('${request}') on Node ${process.version}: goneaway's facade is an ES module, ` +
          'which require() loads from Node 20.19 and 22.12 on. Upgrade Node, or import goneaway/mysql2 where the application creates its pool.',
      );
    }
    return fileURLToPath(url);
  };
}
