/**
 * Request and job scopes (Django's connection model): `db.scope()`, `db.job()`,
 * `closeOldConnections()`. The pool calls the scope runtime directly; this module gathers the
 * public names. The framework middlewares have their own entry points: `goneaway/express`,
 * `goneaway/fastify`, `goneaway/koa`, `goneaway/hono`.
 *
 * @packageDocumentation
 */
export type { ConnectionFacts } from '../lease/lease.js';
export { DOUBTFUL_ERRORS, leavesConnectionDoubtful } from '../retry/close-on-doubt.js';
export {
  type CloseOldConnectionsOptions,
  closeOldConnections,
} from './close-old-connections.js';
export type { RequestScopeOptions } from './request-scope.js';
export type {
  JobOptions,
  JobRun,
  ScopeEventMap,
  ScopeEventName,
  ScopeOptions,
} from './scope-options.js';
