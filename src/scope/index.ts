/**
 * Request and job scopes (Django's connection model): `db.scope()`, `db.job()`,
 * `closeOldConnections()`. Loading this module installs the scope implementation behind the
 * pool's `scope()` and `job()` (the pool only knows the contract in `pool/scope-context.ts`).
 * The framework middlewares have their own entry points: `goneaway/express`, `goneaway/fastify`,
 * `goneaway/koa`, `goneaway/hono`.
 *
 * @packageDocumentation
 */
import { installScopes } from '../pool/scope-context.js';
import { runJob } from './job.js';
import { runScope } from './run-scope.js';

installScopes({ scope: runScope, job: runJob });

export type {
  ConnectionFacts,
  JobOptions,
  JobRun,
  ScopeEventMap,
  ScopeEventName,
  ScopeOptions,
} from '../pool/scope-context.js';
export { DOUBTFUL_ERRORS, leavesConnectionDoubtful } from '../retry/close-on-doubt.js';
export {
  type CloseOldConnectionsOptions,
  closeOldConnections,
} from './close-old-connections.js';
export type { RequestScopeOptions } from './request-scope.js';
