/**
 * goneaway's test kit: a real throwaway MariaDB and a TCP fault proxy, for goneaway's own
 * tests and for applications that want to test their database code against real faults.
 *
 * @packageDocumentation
 */

export {
  type FakeMysqlServer,
  type FakeMysqlServerOptions,
  startFakeMysqlServer,
} from './fake-server.js';
export {
  type FaultProxy,
  type FaultProxyOptions,
  type FaultProxyStats,
  type FaultProxyTarget,
  type ProxiedConnection,
  startFaultProxy,
} from './fault-proxy.js';
export {
  type AdminResult,
  type KillFilter,
  type Sandbox,
  type SandboxOptions,
  startSandbox,
} from './sandbox.js';
export { findServerBinaries, type ServerBinaries } from './server-binaries.js';
export { testServer } from './test-server.js';
