/**
 * A real generated Prisma 7 client for goneaway's Prisma tests, made by the tests themselves so
 * that `npm test` on a clean clone needs no step done by hand.
 *
 * `prisma generate` reads the schema with Prisma's WebAssembly schema parser and writes the
 * client; it does not run the schema engine, but without `PRISMA_SCHEMA_ENGINE_BINARY` naming an
 * executable it first tries to download that engine from binaries.prisma.sh, which this
 * machine cannot reach. So the variable names a stub that fails loudly if it is ever run.
 * Verified with Prisma 7.10 inside a network namespace with no network at all
 * (`unshare -rn`): the client is generated and nothing is fetched.
 *
 * The client goes to `node_modules/.cache/goneaway-prisma/<hash of schema and Prisma version>/`
 * (inside the tree, so its imports of `@prisma/client` resolve; ignored by git, lint and
 * typecheck). Test files running in parallel each generate into a temp dir and rename it into
 * place; the first rename wins and the others drop theirs.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { Sandbox } from '../../src/testing/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const SCHEMA = join(here, 'prisma', 'schema.prisma');
const NO_SCHEMA_ENGINE = join(here, 'prisma', 'no-schema-engine.sh');
const require = createRequire(import.meta.url);
const PRISMA_PACKAGE = require.resolve('prisma/package.json');
const CACHE = join(
  dirname(require.resolve('@prisma/client/package.json')),
  '..',
  '..',
  '.cache',
  'goneaway-prisma',
);
const GENERATE_TIMEOUT_MS = 120_000;

/** A row as the generated client returns it. */
export type PrismaRow = Record<string, unknown>;

/** The parts of a generated model delegate the tests use. */
export interface ModelDelegate {
  create(args: object): Promise<PrismaRow>;
  createMany(args: object): Promise<{ count: number }>;
  findUnique(args: object): Promise<PrismaRow | null>;
  findMany(args?: object): Promise<PrismaRow[]>;
  update(args: object): Promise<PrismaRow>;
  delete(args: object): Promise<PrismaRow>;
  deleteMany(args?: object): Promise<{ count: number }>;
  count(args?: object): Promise<number>;
}

/**
 * The generated `PrismaClient`, as far as the tests use it. Typed here rather than imported: the
 * generated types do not exist until the tests have run once, and `npm run typecheck` comes first.
 */
export interface TestPrismaClient {
  readonly user: ModelDelegate;
  readonly post: ModelDelegate;
  $transaction<T>(
    fn: (tx: TestPrismaClient) => Promise<T>,
    options?: { isolationLevel?: string; timeout?: number; maxWait?: number },
  ): Promise<T>;
  $transaction(batch: readonly Promise<unknown>[]): Promise<unknown[]>;
  $queryRawUnsafe<T = PrismaRow[]>(sql: string, ...values: unknown[]): Promise<T>;
  $executeRawUnsafe(sql: string, ...values: unknown[]): Promise<number>;
  $disconnect(): Promise<void>;
}

/** The generated module: the client class and the `Prisma` namespace (error classes). */
export interface GeneratedPrisma {
  readonly PrismaClient: new (options: { adapter: unknown }) => TestPrismaClient;
  readonly Prisma: {
    readonly PrismaClientKnownRequestError: new (
      ...args: never[]
    ) => Error & {
      readonly code: string;
      readonly meta?: Record<string, unknown>;
    };
  };
}

let generated: Promise<GeneratedPrisma> | undefined;

/**
 * Generates the client (once per schema and Prisma version) and imports it.
 *
 * @example
 * const { PrismaClient } = await generatedPrisma();
 * const prisma = new PrismaClient({ adapter: new PrismaGoneaway(server.uri) });
 */
export function generatedPrisma(): Promise<GeneratedPrisma> {
  generated ??= generate();
  return generated;
}

async function generate(): Promise<GeneratedPrisma> {
  const prismaVersion = (JSON.parse(readFileSync(PRISMA_PACKAGE, 'utf8')) as { version: string })
    .version;
  const key = createHash('sha256')
    .update(readFileSync(SCHEMA))
    .update(prismaVersion)
    .digest('hex')
    .slice(0, 16);
  const target = join(CACHE, key);
  const entry = join(target, 'client', 'client.ts');
  if (!existsSync(entry)) {
    await mkdir(CACHE, { recursive: true });
    const work = await mkdtemp(join(CACHE, 'generating-'));
    try {
      await copyFile(SCHEMA, join(work, 'schema.prisma'));
      await promisify(execFile)(
        process.execPath,
        [
          join(dirname(PRISMA_PACKAGE), 'build', 'index.js'),
          'generate',
          '--schema',
          join(work, 'schema.prisma'),
        ],
        {
          cwd: work,
          timeout: GENERATE_TIMEOUT_MS,
          env: {
            ...process.env,
            PRISMA_SCHEMA_ENGINE_BINARY: NO_SCHEMA_ENGINE,
            CHECKPOINT_DISABLE: '1',
            PRISMA_HIDE_UPDATE_MESSAGE: '1',
          },
        },
      );
      await rename(work, target).catch((error: NodeJS.ErrnoException) => {
        // Another test file got there first: use its copy.
        if (!existsSync(entry)) throw error;
      });
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }
  return (await import(pathToFileURL(entry).href)) as GeneratedPrisma;
}

/**
 * The tables of test/support/prisma/schema.prisma, as `prisma db push` would create them on
 * MySQL/MariaDB (names, types, the unique index and the foreign key Prisma expects).
 */
const tables = (db: string): string[] => [
  `CREATE TABLE \`${db}\`.\`User\` (
    id INT NOT NULL AUTO_INCREMENT,
    email VARCHAR(191) NOT NULL,
    name VARCHAR(64) NULL,
    role ENUM('USER', 'ADMIN') NOT NULL DEFAULT 'USER',
    visits BIGINT NOT NULL DEFAULT 0,
    balance DECIMAL(12, 2) NOT NULL DEFAULT 0,
    score DOUBLE NOT NULL DEFAULT 0,
    active BOOLEAN NOT NULL DEFAULT true,
    born DATE NULL,
    createdAt DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    profile JSON NULL,
    avatar LONGBLOB NULL,
    UNIQUE INDEX \`User_email_key\` (email),
    PRIMARY KEY (id)
  ) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4`,
  `CREATE TABLE \`${db}\`.\`Post\` (
    id INT NOT NULL AUTO_INCREMENT,
    title VARCHAR(191) NOT NULL,
    authorId INT NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT \`Post_authorId_fkey\` FOREIGN KEY (authorId) REFERENCES \`${db}\`.\`User\` (id)
      ON DELETE RESTRICT ON UPDATE CASCADE
  ) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4`,
];

/**
 * Creates the schema's tables in the server's test database.
 *
 * @example
 * await createPrismaTables(server);
 */
export async function createPrismaTables(server: Sandbox): Promise<void> {
  for (const ddl of tables(server.database)) await server.admin(ddl);
}
