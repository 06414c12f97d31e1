/**
 * The session-hygiene oracle (issue 12): whatever a caller did to its session, the next caller
 * gets exactly a fresh one. A `max: 1` pool, so the next caller is offered the very connection
 * the poison ran on; a poison statement from test/cases/session-poison-cases.ts, sent as the
 * first statement on a new connection and as a later one, through every way a caller reaches a
 * connection (`db.query`, `db.acquire()`, `db.scope()`, goneaway/mysql2's callback pool and its
 * promise connections); then the session the next caller gets is compared, fact by fact, with a
 * brand-new connection's (test/support/fresh-session.ts).
 *
 * Before the matrix, each case is checked on a plain mysql2 connection: a poison must leave a
 * difference the oracle sees, and a control must leave none. A case that fails there is a
 * broken case, not a goneaway bug.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import mysql from 'mysql2/promise';
import goneawayMysql2 from '../../src/compat/index.js';
import { createPool, type Pool } from '../../src/index.js';
import { type Sandbox, testServer } from '../../src/testing/index.js';
import {
  ORACLE_NAMES,
  ORACLE_PROCEDURES,
  ORACLE_SETUP,
  POISON_CASES,
  type PoisonCase,
} from '../cases/session-poison-cases.js';
import { type AdminSession, openAdminSession } from '../support/admin-session.js';
import {
  diffSessions,
  installOraclePlugins,
  ORACLE_SERVER_ARGS,
  type SessionSnapshot,
  snapshotSession,
} from '../support/fresh-session.js';

/**
 * Bounds for the oracle's pools. A next caller that cannot get the connection at all (issue 12
 * met a pool that rolled back, forever, a session left with autocommit off) fails in 1 s
 * instead of the default 30, and `end()` does not wait 10 s for such a connection.
 */
const BOUNDS = { acquireTimeoutMs: 1_000, endTimeoutMs: 500 } as const;
const ORACLE_POOL = { max: 1, ...BOUNDS } as const;
const FACADE_BOUNDS = BOUNDS;

/** Where the poison goes: the first statement on a new connection, or after one statement. */
type Position = 'first' | 'later';

/** One way a caller reaches a connection. `send` runs the statements in order, one per call. */
interface Path {
  readonly name: string;
  /**
   * Where the poison is tried. "first" matters where a connection is set up (the pool and a
   * lease); a scope and the facade run on a lease, so "later" covers what they add.
   */
  readonly positions: readonly Position[];
  /** Each statement may go to another connection: cases that need one session are not sent. */
  readonly statementPerCall?: true;
  /** The goneaway pool behind it (the next caller takes a lease from it) and how to end it. */
  open(uri: string): { readonly pool: Pool; send(statements: readonly string[]): Promise<void> };
}

const PATHS: readonly Path[] = [
  {
    name: 'db.query',
    positions: ['first', 'later'],
    statementPerCall: true,
    open(uri) {
      const pool = createPool(uri, ORACLE_POOL);
      return {
        pool,
        async send(statements) {
          for (const sql of statements) await pool.query(sql);
        },
      };
    },
  },
  {
    name: 'db.acquire()',
    positions: ['first', 'later'],
    open(uri) {
      const pool = createPool(uri, ORACLE_POOL);
      return {
        pool,
        async send(statements) {
          const lease = await pool.acquire();
          try {
            for (const sql of statements) await lease.query(sql);
          } finally {
            lease.release();
          }
        },
      };
    },
  },
  {
    name: 'db.scope()',
    positions: ['later'],
    open(uri) {
      const pool = createPool(uri, ORACLE_POOL);
      return {
        pool,
        send: (statements) =>
          pool.scope(async () => {
            for (const sql of statements) await pool.query(sql);
          }),
      };
    },
  },
  {
    name: 'goneaway/mysql2 pool.query(callback)',
    positions: ['later'],
    statementPerCall: true,
    open(uri) {
      const facade = goneawayMysql2.createPool({
        uri,
        connectionLimit: 1,
        goneaway: FACADE_BOUNDS,
      });
      return {
        pool: facade.goneaway,
        async send(statements) {
          for (const sql of statements) {
            await new Promise<void>((resolve, reject) =>
              facade.query(sql, (error) => (error ? reject(error) : resolve())),
            );
          }
        },
      };
    },
  },
  {
    name: 'goneaway/mysql2 promise getConnection()',
    positions: ['later'],
    open(uri) {
      const facade = goneawayMysql2.createPool({
        uri,
        connectionLimit: 1,
        goneaway: FACADE_BOUNDS,
      });
      return {
        pool: facade.goneaway,
        async send(statements) {
          const connection = await facade.promise().getConnection();
          try {
            for (const sql of statements) await connection.query(sql);
          } finally {
            connection.release();
          }
        },
      };
    },
  },
];

describe('session-hygiene oracle: the next caller always gets a fresh session', () => {
  let server: Sandbox;
  let admin: AdminSession;
  /** A brand-new goneaway connection's session, read the same way as every next caller's. */
  let fresh: SessionSnapshot;

  before(async () => {
    server = await testServer({ serverArgs: ORACLE_SERVER_ARGS });
    admin = await openAdminSession(server);
    await installOraclePlugins(admin);
    for (const sql of ORACLE_SETUP) await admin.query(sql.replaceAll('{user}', server.user));
    const app = await mysql.createConnection({ uri: server.uri });
    try {
      for (const sql of ORACLE_PROCEDURES) await app.query(sql);
    } finally {
      await app.end();
    }
    const db = createPool(server.uri, ORACLE_POOL);
    try {
      const lease = await db.acquire();
      try {
        fresh = await snapshotSession(lease, admin, ORACLE_NAMES);
      } finally {
        lease.release();
      }
    } finally {
      await db.end();
    }
  });

  after(async () => {
    await admin?.close();
    await server?.stop();
  });

  /** A prepared XA branch outlives its session; roll it back so later cases start clean. */
  async function rollBackPreparedBranches(): Promise<void> {
    for (const branch of await admin.query('XA RECOVER')) {
      await admin.query(`XA ROLLBACK '${String(branch.data)}'`).catch(() => undefined);
    }
  }

  /** Sends the case's statements; the last one must fail with its errno if it says so. */
  async function sendCase(
    poison: PoisonCase,
    send: (statements: readonly string[]) => Promise<void>,
  ): Promise<void> {
    const leading = poison.statements.slice(0, -1);
    const last = poison.statements.slice(-1);
    if (poison.failsWith === undefined) return send(poison.statements);
    await assert.rejects(send([...leading, ...last]), (error: { errno?: number }) => {
      assert.equal(error.errno, poison.failsWith, `the case fails as designed: ${String(error)}`);
      return true;
    });
  }

  describe('each case, on a plain mysql2 connection, leaves what it claims to', () => {
    for (const poison of POISON_CASES) {
      test(poison.name, async () => {
        const connection = await mysql.createConnection({ uri: server.uri });
        connection.on('error', () => {});
        const session = {
          threadId: connection.threadId,
          query: async (sql: string) => (await connection.query(sql))[0],
        };
        try {
          const before = await snapshotSession(session, admin, ORACLE_NAMES);
          await sendCase(poison, async (statements) => {
            for (const sql of statements) await connection.query(sql);
          });
          const differences = diffSessions(
            before,
            await snapshotSession(session, admin, ORACLE_NAMES),
          );
          if (poison.clean) assert.deepEqual(differences, [], 'a control leaves nothing');
          else assert.notDeepEqual(differences, [], 'a poison leaves something the oracle sees');
        } finally {
          connection.destroy();
          await rollBackPreparedBranches();
        }
      });
    }
  });

  for (const path of PATHS) {
    for (const position of path.positions) {
      describe(`through ${path.name}, as the ${position} statement`, () => {
        for (const poison of POISON_CASES) {
          if (poison.oneSession && path.statementPerCall) continue;
          test(poison.name, async () => {
            const { pool, send } = path.open(server.uri);
            try {
              await sendCase(poison, (statements) =>
                send(position === 'first' ? statements : ['SELECT 1 AS warm_up', ...statements]),
              );
              const lease = await pool.acquire().catch((error: unknown) => {
                throw new Error(
                  `the next caller got no session at all within ${BOUNDS.acquireTimeoutMs} ms: the poisoned connection was neither handed on nor closed (${String(error)})`,
                );
              });
              let differences: string[];
              try {
                differences = diffSessions(
                  fresh,
                  await snapshotSession(lease, admin, ORACLE_NAMES),
                );
              } finally {
                lease.release();
              }
              assert.deepEqual(differences, [], 'the next caller got exactly a fresh session');
            } finally {
              await pool.end();
              await rollBackPreparedBranches();
            }
          });
        }
      });
    }
  }
});
