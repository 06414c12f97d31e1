/**
 * `closeOldConnections()`: Django's `close_old_connections()` for goneaway. Django calls it at
 * the start and end of every request; goneaway's pool already retires idle connections before
 * the server would and discards dead ones as their sockets close, so an application calls it
 * only where it wants that to happen now: around a unit of work in a worker (`db.job()` does),
 * or after catching a lost session inside a long scope, to go on with a new connection.
 */
import { ConfigurationError } from '../errors/index.js';
import type { Pool } from '../pool/pool.js';
import { Scope } from './scope.js';
import { type ScopeHost, scopeHostOf, scopeStorage } from './scope-host.js';

/** Options for {@link closeOldConnections}. */
export interface CloseOldConnectionsOptions {
  /** Also close connections older than this. Default: the open scope's `maxAgeMs`, if any. */
  readonly maxAgeMs?: number;
}

/**
 * Closes the connections no one should use again: idle ones that are lost or past their idle
 * limit, lifetime or `maxAgeMs`; and, inside a scope, the scope's own connection when it was
 * lost (with the session it held), is past its age or saw an error that leaves it in doubt,
 * unless a transaction is open on it. The scope's next statement then borrows a new one.
 * Without `db`, acts on the pools of the scopes open in the current async context.
 * Resolves to how many connections it closed or let go of.
 *
 * @example
 * import { closeOldConnections } from 'goneaway';
 * worker.on('task', async (task) => {
 *   await closeOldConnections(db);
 *   await handle(task);
 * });
 */
export async function closeOldConnections(
  db?: Pool,
  options: CloseOldConnectionsOptions = {},
): Promise<number> {
  const { maxAgeMs: explicit } = options;
  if (explicit !== undefined && (!Number.isFinite(explicit) || explicit < 0)) {
    throw new ConfigurationError(
      `closeOldConnections option 'maxAgeMs' is ${explicit}; expected a finite number of ms, 0 or more.`,
    );
  }
  const frame = scopeStorage.getStore();
  const hosts: readonly ScopeHost[] = db ? [scopeHostOf(db)] : [...(frame?.keys() ?? [])];
  let closed = 0;
  for (const host of hosts) {
    const scope = frame?.get(host);
    const open = scope instanceof Scope && scope.isOpen ? scope : undefined;
    const maxAgeMs = explicit ?? open?.policy.maxAgeMs;
    if (open) closed += await open.closeIfObsolete(maxAgeMs);
    closed += await host.closeOld(maxAgeMs);
  }
  return closed;
}
