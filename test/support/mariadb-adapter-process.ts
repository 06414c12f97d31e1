/**
 * The official `@prisma/adapter-mariadb` under a generated Prisma client, in a child process the
 * fault tests drive. In its own process because its connector (mariadb 3.4) can reject a
 * promise nobody handles, or throw from a socket handler, when a connection it is setting up
 * dies (seen here on server restarts): in an application that ends the process, and in a test
 * process it would fail whichever test is running. Here each such event is reported to the
 * test as data (`crashes`) and the child goes on.
 *
 * The child is this same file (run with `--child`); the parent side is {@link MariadbAdapterProcess}.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TestPrismaClient } from './prisma-client.js';

/** How the child connects: as Prisma's documentation shows the adapter set up. */
export interface MariadbAdapterSettings {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
}

/** What a call did, as the child reports it. */
export type ChildOutcome =
  | { readonly ok: true; readonly value: unknown }
  | {
      readonly ok: false;
      readonly error: {
        readonly code: string;
        readonly message: string;
        /** The kind Prisma read from the adapter's error, and the code behind it. */
        readonly kind?: string;
        readonly originalCode?: string;
      };
    };

/** An error the connector let escape: an unhandled rejection or an exception from a handler. */
export interface Crash {
  readonly how: 'unhandled rejection' | 'uncaught exception';
  readonly code: string | undefined;
  readonly message: string;
}

/** The operations the child runs on its Prisma client. */
type Operation =
  | { readonly op: 'create'; readonly email: string }
  | { readonly op: 'findMany'; readonly prefix: string }
  | { readonly op: 'killInsideTransaction'; readonly prefix: string }
  | { readonly op: 'disconnect' };

type Request = Operation & { readonly id: number };
type Reply = { readonly id: number; readonly outcome: ChildOutcome } | { readonly crash: Crash };

const CALL_TIMEOUT_MS = 60_000;

/**
 * The parent's handle on the child.
 *
 * @example
 * const official = await MariadbAdapterProcess.start(settings);
 * const outcome = await official.run({ op: 'create', email: 'a@example.com' });
 * await official.stop();
 */
export class MariadbAdapterProcess {
  /** Everything the connector let escape so far. */
  readonly crashes: Crash[] = [];
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, (outcome: ChildOutcome) => void>();
  #nextId = 1;

  private constructor(child: ChildProcess) {
    this.#child = child;
    child.on('message', (reply: Reply) => {
      if ('crash' in reply) {
        this.crashes.push(reply.crash);
        return;
      }
      this.#pending.get(reply.id)?.(reply.outcome);
      this.#pending.delete(reply.id);
    });
    child.on('exit', (code) => {
      for (const settle of this.#pending.values()) {
        settle({
          ok: false,
          error: { code: 'CHILD_EXITED', message: `the child exited with ${code}` },
        });
      }
      this.#pending.clear();
    });
  }

  /** Starts the child and waits until its client is built. */
  static async start(settings: MariadbAdapterSettings): Promise<MariadbAdapterProcess> {
    const child = fork(fileURLToPath(import.meta.url), ['--child', JSON.stringify(settings)], {
      execArgv: ['--import', 'tsx'],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) =>
        reject(new Error(`the mariadb adapter child exited with ${code}`)),
      );
    });
    return new MariadbAdapterProcess(child);
  }

  /** Runs one operation in the child; bounded, so a hung call fails the test instead of hanging it. */
  run(operation: Operation): Promise<ChildOutcome> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(
          new Error(
            `the mariadb adapter child did not answer ${operation.op} within ${CALL_TIMEOUT_MS} ms`,
          ),
        );
      }, CALL_TIMEOUT_MS);
      this.#pending.set(id, (outcome) => {
        clearTimeout(timer);
        resolve(outcome);
      });
      this.#child.send({ ...operation, id } satisfies Request);
    });
  }

  /** Disconnects the client (bounded) and ends the child. */
  async stop(): Promise<void> {
    if (this.#child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    await Promise.race([this.run({ op: 'disconnect' }), exited]).catch(() => undefined);
    this.#child.kill();
    await exited;
  }
}

// ── the child ─────────────────────────────────────────────────────────────────────────────────

async function child(settings: MariadbAdapterSettings): Promise<void> {
  const report = (reply: Reply): void => {
    process.send?.(reply);
  };
  process.on('unhandledRejection', (error) =>
    report({ crash: crashOf('unhandled rejection', error) }),
  );
  process.on('uncaughtException', (error) =>
    report({ crash: crashOf('uncaught exception', error) }),
  );
  const [{ PrismaMariaDb }, { generatedPrisma }, mysql] = await Promise.all([
    import('@prisma/adapter-mariadb'),
    import('./prisma-client.js'),
    import('mysql2/promise'),
  ]);
  const { PrismaClient } = await generatedPrisma();
  const prisma = new PrismaClient({
    adapter: new PrismaMariaDb({ ...settings, connectionLimit: 5 }),
  });

  const operations: Record<Operation['op'], (request: Request) => Promise<unknown>> = {
    create: async (request) => {
      const { email } = request as Extract<Request, { op: 'create' }>;
      return (await prisma.user.create({ data: { email } })).email;
    },
    findMany: async (request) => {
      const { prefix } = request as Extract<Request, { op: 'findMany' }>;
      return (await prisma.user.findMany({ where: { email: { startsWith: prefix } } })).map(
        (row) => row.email,
      );
    },
    // Kills the transaction's own session from a second session of the same user (allowed
    // without privileges), then goes on as an application that swallows the error would.
    killInsideTransaction: async (request) => {
      const { prefix } = request as Extract<Request, { op: 'killInsideTransaction' }>;
      const errors: (ChildOutcome & { ok: false })['error'][] = [];
      const end = await outcomeOf(
        prisma.$transaction(async (tx: TestPrismaClient) => {
          await tx.user.create({ data: { email: `${prefix}1@example.com` } });
          const [session] = await tx.$queryRawUnsafe<{ id: bigint }[]>(
            'SELECT CONNECTION_ID() AS id',
          );
          const killer = await mysql.default.createConnection({ ...settings });
          await killer.query('KILL CONNECTION ?', [Number(session?.id)]);
          await killer.end();
          for (const n of [2, 3]) {
            const outcome = await outcomeOf(
              tx.user.create({ data: { email: `${prefix}${n}@example.com` } }),
            );
            if (!outcome.ok) errors.push(outcome.error);
          }
        }),
      );
      return { errors, end };
    },
    disconnect: async () => {
      await prisma.$disconnect();
    },
  };

  process.on('message', async (request: Request) => {
    const outcome = await outcomeOf(operations[request.op](request));
    report({ id: request.id, outcome });
    if (request.op === 'disconnect') process.disconnect();
  });
  process.send?.('ready');
}

async function outcomeOf(work: Promise<unknown>): Promise<ChildOutcome> {
  try {
    return { ok: true, value: await work };
  } catch (thrown) {
    const error = thrown as Error & {
      code?: unknown;
      meta?: { driverAdapterError?: { cause?: { kind?: string; originalCode?: string } } };
    };
    const cause = error.meta?.driverAdapterError?.cause;
    return {
      ok: false,
      error: {
        code: String(error.code),
        message: error.message,
        ...(cause?.kind ? { kind: cause.kind } : {}),
        ...(cause?.originalCode ? { originalCode: cause.originalCode } : {}),
      },
    };
  }
}

function crashOf(how: Crash['how'], thrown: unknown): Crash {
  const error = thrown as { code?: unknown; message?: unknown };
  return {
    how,
    code: typeof error?.code === 'string' ? error.code : undefined,
    message: String(error?.message ?? thrown),
  };
}

if (process.argv[2] === '--child') {
  await child(JSON.parse(process.argv[3] ?? '{}') as MariadbAdapterSettings);
}
