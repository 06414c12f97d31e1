import mysql from 'mysql2/promise';
import { parseConnectionUri, singleHost } from '../config/connection-uri.js';
import {
  type AdminResult,
  type KillFilter,
  killSessions,
  type Sandbox,
  type SandboxOptions,
  startSandbox,
} from './sandbox.js';

/**
 * The server a test suite should use: the one named by `GONEAWAY_TEST_URI` when set
 * (with `GONEAWAY_TEST_ADMIN_URI` for admin statements, defaulting to the same URI), otherwise
 * a fresh {@link startSandbox}. An existing server cannot be restarted, killed or frozen:
 * `canRestart` is false and those methods throw, so fault tests can skip themselves
 * (visibly) instead of passing without a fault.
 *
 * @example
 * import { testServer } from 'goneaway/testing';
 * const server = await testServer();
 * after(() => server.stop());
 */
export async function testServer(options: SandboxOptions = {}): Promise<Sandbox> {
  const uri = process.env.GONEAWAY_TEST_URI;
  if (!uri) return startSandbox(options);
  return new ExistingServer(uri, process.env.GONEAWAY_TEST_ADMIN_URI ?? uri);
}

class ExistingServer implements Sandbox {
  readonly host: string;
  readonly port: number;
  readonly socketPath = '';
  readonly user: string;
  readonly password: string;
  readonly database: string;
  readonly version = '';
  readonly startupMs = 0;
  readonly running = true;
  readonly canRestart = false;
  readonly uri: string;
  readonly #adminUri: string;

  constructor(uri: string, adminUri: string) {
    const parsed = parseConnectionUri(uri, 'GONEAWAY_TEST_URI');
    const server = singleHost(parsed, 'GONEAWAY_TEST_URI');
    this.uri = uri;
    this.#adminUri = adminUri;
    this.host = server?.host ?? 'localhost';
    this.port = server?.port ?? 3306;
    this.user = parsed.user ?? '';
    this.password = parsed.password ?? '';
    this.database = parsed.database ?? '';
  }

  async admin<T extends AdminResult = Record<string, unknown>[]>(
    sql: string,
    values?: readonly unknown[],
  ): Promise<T> {
    const connection = await mysql.createConnection({ uri: this.#adminUri, connectTimeout: 5_000 });
    try {
      const [result] = await connection.query(sql, values as unknown[] | undefined);
      return result as unknown as T;
    } finally {
      // A clean COM_QUIT: a dropped connection would count in the server's Aborted_clients,
      // which tests read to tell clean goodbyes from dropped connections.
      await connection.end().catch(() => connection.destroy());
    }
  }

  killConnections(filter: KillFilter = {}): Promise<number[]> {
    return killSessions(this, filter);
  }

  restart(): Promise<void> {
    return Promise.reject(notSupported('restart()'));
  }

  kill(): Promise<void> {
    return Promise.reject(notSupported('kill()'));
  }

  freeze(): Promise<void> {
    return Promise.reject(notSupported('freeze()'));
  }

  thaw(): void {
    throw notSupported('thaw()');
  }

  async stop(): Promise<void> {}

  async [Symbol.asyncDispose](): Promise<void> {}
}

function notSupported(what: string): Error {
  return new Error(
    `goneaway test kit: ${what} needs a sandbox server; GONEAWAY_TEST_URI points at an existing one. ` +
      'Unset it to run fault tests against a throwaway MariaDB.',
  );
}
