/**
 * `PrismaGoneaway`: the driver adapter factory Prisma 7 takes as `new PrismaClient({ adapter })`
 * for `provider = "mysql"`, running Prisma's queries on a goneaway pool.
 */
import type { SqlDriverAdapter, SqlDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { flavorOf } from '../errors/index.js';
import { createPool, Pool } from '../pool/pool.js';
import { type PoolOptions, resolvePoolOptions } from '../pool/pool-options.js';
import type { ServerAddress } from './adapter-error.js';
import { GoneawayAdapter } from './goneaway-adapter.js';

/** The name Prisma shows for this adapter (in logs and in its errors). */
export const ADAPTER_NAME = 'goneaway';

/** Options of {@link PrismaGoneaway} beyond goneaway's pool options. */
export interface PrismaGoneawayOptions {
  /**
   * Whether the server can load relations with one joined query (Prisma's
   * `relationLoadStrategy: 'join'`): MySQL 8.0.13 and later can, MariaDB cannot. Default:
   * asked from the server (`SELECT VERSION()`) when Prisma first connects.
   */
  readonly relationJoins?: boolean;
}

type Source =
  | {
      readonly kind: 'own';
      readonly uriOrOptions: string | PoolOptions;
      readonly options?: PoolOptions;
    }
  | { readonly kind: 'shared'; readonly pool: Pool };

/**
 * A Prisma driver adapter factory (`provider = "mysql"`) on goneaway's pool: Prisma's queries
 * get goneaway's guarantees (idle death invisible, no statement run twice by accident, a
 * transaction never continued on another connection, every wait bounded), and goneaway's
 * errors become Prisma's codes: a lost connection P1017, an unreachable server P1001, a timeout
 * P1008, a deadlock P2034, with the goneaway error behind each (see `goneawayErrorOf`).
 *
 * Takes a URI or goneaway's pool options (each `connect()` opens a pool of its own, which
 * `$disconnect()` ends), or an existing goneaway pool (shared with the rest of the
 * application, and inside `db.scope()` Prisma's statements run on the scope's connection; it is
 * never ended by the adapter).
 *
 * @example
 * import { PrismaClient } from './generated/prisma/client.js';
 * import { PrismaGoneaway } from 'goneaway/prisma';
 *
 * const prisma = new PrismaClient({
 *   adapter: new PrismaGoneaway(process.env.DATABASE_URL!, { max: 10, acquireTimeoutMs: 10_000 }),
 * });
 */
export class PrismaGoneaway implements SqlDriverAdapterFactory {
  readonly provider = 'mysql';
  readonly adapterName = ADAPTER_NAME;
  readonly #source: Source;
  readonly #address: ServerAddress;
  readonly #database: string | undefined;
  /** Known once a server answered; asked again on the next connect() if it did not. */
  #relationJoins: boolean | undefined;

  constructor(
    uriOrPool: string | PoolOptions | Pool,
    options: PoolOptions & PrismaGoneawayOptions = {},
  ) {
    const { relationJoins, ...poolOptions } = options;
    this.#relationJoins = relationJoins;
    if (uriOrPool instanceof Pool) {
      this.#source = { kind: 'shared', pool: uriOrPool };
      this.#address = {};
      this.#database = undefined;
      return;
    }
    // Resolved here too, so a bad option fails at construction, not at the first query.
    const resolved = resolvePoolOptions(uriOrPool, poolOptions);
    const { host, port, socketPath, driver } = resolved.connection;
    this.#source = { kind: 'own', uriOrOptions: uriOrPool, options: poolOptions };
    this.#address = socketPath ? { host: socketPath } : { host, port };
    this.#database = driver.database;
  }

  /** Called by Prisma when it first needs the database. */
  async connect(): Promise<SqlDriverAdapter> {
    const source = this.#source;
    const pool =
      source.kind === 'shared' ? source.pool : createPool(source.uriOrOptions, source.options);
    this.#relationJoins ??= await relationJoinsOf(pool);
    return new GoneawayAdapter(
      pool,
      {
        adapterName: ADAPTER_NAME,
        address: this.#address,
        database: this.#database,
        supportsRelationJoins: this.#relationJoins ?? false,
      },
      source.kind === 'own' ? () => pool.end() : async () => {},
    );
  }
}

/**
 * Whether the server can run Prisma's joined relation queries (they need LATERAL joins:
 * MySQL 8.0.13+). Undefined if the server did not answer: the first query then reports why,
 * with its own error, and the next connect() asks again.
 */
async function relationJoinsOf(pool: Pool): Promise<boolean | undefined> {
  let version: string;
  try {
    const [row] = await pool.query<{ version: string }[]>('SELECT VERSION() AS version');
    version = String(row?.version ?? '');
  } catch {
    return undefined;
  }
  if (flavorOf(version) === 'mariadb') return false;
  const [major = 0, minor = 0, patch = 0] = version.split(/[.-]/, 3).map(Number);
  return major > 8 || (major === 8 && (minor > 0 || patch >= 13));
}
