/**
 * The adapter Prisma's query engine talks to once `PrismaGoneaway.connect()` has run: queries
 * go to goneaway's pool (any connection, with its retry rules), transactions to one connection
 * each (see `goneaway-transaction.ts`).
 */
import type {
  ConnectionInfo,
  IsolationLevel,
  SqlDriverAdapter,
  SqlQuery,
  SqlResultSet,
  Transaction,
} from '@prisma/driver-adapter-utils';
import { NotSupportedError } from '../errors/index.js';
import type { Pool } from '../pool/pool.js';
import type { ServerAddress } from './adapter-error.js';
import { startPrismaTransaction } from './goneaway-transaction.js';
import { affectedRowCount, queryResultSet } from './prisma-statement.js';

/** What the factory found out about the server and the database, for Prisma's query planner. */
export interface AdapterInfo {
  readonly adapterName: string;
  readonly address: ServerAddress;
  readonly database: string | undefined;
  readonly supportsRelationJoins: boolean;
}

/** One connected adapter: a goneaway pool seen through Prisma's `SqlDriverAdapter`. */
export class GoneawayAdapter implements SqlDriverAdapter {
  readonly provider = 'mysql';
  readonly adapterName: string;
  readonly #pool: Pool;
  readonly #info: AdapterInfo;
  readonly #dispose: () => Promise<void>;

  constructor(pool: Pool, info: AdapterInfo, dispose: () => Promise<void>) {
    this.#pool = pool;
    this.#info = info;
    this.#dispose = dispose;
    this.adapterName = info.adapterName;
  }

  /** The goneaway pool under this adapter: its `stats`, its events (`retry`, `loss`, ...). */
  get pool(): Pool {
    return this.#pool;
  }

  queryRaw(query: SqlQuery): Promise<SqlResultSet> {
    return queryResultSet(this.#pool, query, this.#info.address);
  }

  executeRaw(query: SqlQuery): Promise<number> {
    return affectedRowCount(this.#pool, query, this.#info.address);
  }

  /**
   * Not supported: goneaway runs one statement per call, so that it can read what each left
   * in the session. Prisma calls this only for migrations, which its CLI runs over its own
   * connection.
   */
  async executeScript(_script: string): Promise<void> {
    throw new NotSupportedError(
      'goneaway/prisma does not run multi-statement scripts: goneaway sends one statement per call. ' +
        "Run migrations with the Prisma CLI (it connects through the datasource url in prisma.config.ts), or send the script's statements one at a time with $executeRawUnsafe.",
      { outcome: 'not-sent', retryable: false, connectionUsable: true },
    );
  }

  startTransaction(isolationLevel?: IsolationLevel): Promise<Transaction> {
    return startPrismaTransaction(
      this.#pool,
      isolationLevel,
      this.#info.address,
      this.#info.adapterName,
    );
  }

  getConnectionInfo(): ConnectionInfo {
    return {
      schemaName: this.#info.database,
      supportsRelationJoins: this.#info.supportsRelationJoins,
    };
  }

  dispose(): Promise<void> {
    return this.#dispose();
  }
}
