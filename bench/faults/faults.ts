/**
 * The faults, each injected once into a run where every contender works at the same time
 * against the same server, each through its own fault proxy, each with its own MariaDB user
 * (so the processlist tells whose session is whose) and its own fresh table.
 *
 * `inject` runs at the planned moment; the time from its call to its return is the fault
 * window the report shades. It resolves with a line saying what it did.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { FaultProxy, Sandbox } from '../../src/testing/index.js';
import type { AdminSession } from './admin-session.js';
import { ConnectionHog } from './connection-hog.js';

/** What a fault may act on. */
export interface FaultContext {
  readonly server: Sandbox;
  readonly admin: AdminSession;
  /** One per contender, in front of the server. */
  readonly proxies: readonly FaultProxy[];
  /** This run's tables, one per contender, in `database`. */
  readonly tables: readonly string[];
  readonly database: string;
  /** The contenders' MariaDB users. */
  readonly users: readonly string[];
  /** A user with no privileges, for the client that hogs connections. */
  readonly hog: { readonly user: string; readonly password: string };
}

/** One fault. */
export interface FaultSpec {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  /** The workload starts no statement for this long from the fault on (the idle fault). */
  readonly pauseMs?: number;
  /** Runs before the contenders connect; resolves with the matching undo. */
  setup?(context: FaultContext): Promise<() => Promise<void>>;
  inject(context: FaultContext): Promise<string>;
}

const IDLE_WAIT_TIMEOUT_S = 2;
const IDLE_PAUSE_MS = 3_500;
const RESTART_DOWN_MS = 1_000;
const BLACKHOLE_MS = 4_000;
const RESETS = 5;
const RESET_EVERY_MS = 800;
const HOG_MS = 4_000;
/** How often the hog grabs slots freed while it holds the server full. */
const HOG_REFILL_MS = 25;
/** Statements pile up behind the lock at least this long before the KILL. */
const LOCK_MIN_MS = 300;
const LOCK_MAX_MS = 1_500;

/**
 * Every fault, in run order.
 *
 * @example
 * for (const fault of FAULTS) console.log(fault.id, fault.title);
 */
export const FAULTS: readonly FaultSpec[] = [
  {
    id: 'idle',
    title: 'Idle past wait_timeout',
    description:
      `The server's wait_timeout is ${IDLE_WAIT_TIMEOUT_S} s for every contender session (SET ` +
      `GLOBAL before they connect). The workload pauses ${IDLE_PAUSE_MS / 1000} s, so the server ` +
      'closes every idle connection, then resumes: the shaded span is the pause.',
    pauseMs: IDLE_PAUSE_MS,
    setup: async ({ admin }) => {
      const [before] = await admin.query<{ wait: number; interactive: number }[]>(
        'SELECT @@GLOBAL.wait_timeout AS wait, @@GLOBAL.interactive_timeout AS interactive',
      );
      await admin.query('SET GLOBAL wait_timeout = ?, GLOBAL interactive_timeout = ?', [
        IDLE_WAIT_TIMEOUT_S,
        IDLE_WAIT_TIMEOUT_S,
      ]);
      return async () => {
        await admin.query('SET GLOBAL wait_timeout = ?, GLOBAL interactive_timeout = ?', [
          before?.wait ?? 28_800,
          before?.interactive ?? 28_800,
        ]);
      };
    },
    inject: async (context) => {
      const before = await contenderSessions(context);
      await sleep(IDLE_PAUSE_MS);
      const after = await contenderSessions(context);
      const closed = before.filter((s) => !after.some((a) => a.id === s.id)).length;
      return (
        `workload idle ${IDLE_PAUSE_MS / 1000} s with wait_timeout = ${IDLE_WAIT_TIMEOUT_S} s; ` +
        `${closed} of the ${before.length} contender sessions open when it began were gone at its end`
      );
    },
  },
  {
    id: 'kill-idle',
    title: 'Admin KILL of idle connections',
    description:
      'An admin session runs KILL CONNECTION on every contender session that is idle (processlist ' +
      "COMMAND 'Sleep') at that moment, as a DBA cleaning up does.",
    inject: async (context) => {
      const sessions = await contenderSessions(context, 'Sleep');
      let killed = 0;
      for (const session of sessions) if (await context.admin.kill(session.id)) killed++;
      return `killed ${killed} idle sessions (${perUser(sessions)})`;
    },
  },
  {
    id: 'kill-busy',
    title: 'KILL of busy connections',
    description:
      'An admin session locks every contender table (LOCK TABLES … WRITE) so statements pile up ' +
      'behind the lock, then runs KILL CONNECTION on every contender session that is executing a ' +
      'statement, then unlocks: the killing of stuck queries.',
    inject: async (context) => {
      const tables = context.tables.map((t) => `\`${context.database}\`.\`${t}\` WRITE`);
      await context.admin.query(`LOCK TABLES ${tables.join(', ')}`);
      try {
        const started = performance.now();
        let busy = await contenderSessions(context, 'Query');
        // Bounded: until every contender has a statement stuck, or LOCK_MAX_MS.
        for (let i = 0; i < 100 && performance.now() - started < LOCK_MAX_MS; i++) {
          const everyone = new Set(busy.map((s) => s.user)).size >= context.users.length;
          if (everyone && performance.now() - started >= LOCK_MIN_MS) break;
          await sleep(50);
          busy = await contenderSessions(context, 'Query');
        }
        let killed = 0;
        for (const session of busy) if (await context.admin.kill(session.id)) killed++;
        return `killed ${killed} sessions in the middle of a statement (${perUser(busy)})`;
      } finally {
        await context.admin.query('UNLOCK TABLES');
      }
    },
  },
  {
    id: 'restart',
    title: 'Server restart under load',
    description:
      `The server is shut down cleanly (SIGTERM), stays down ${RESTART_DOWN_MS / 1000} s, and is ` +
      'started again on the same port with the same data.',
    inject: async ({ server }) => {
      await server.restart({ downMs: RESTART_DOWN_MS });
      return `down ${RESTART_DOWN_MS / 1000} s, back up in ${server.startupMs} ms`;
    },
  },
  {
    id: 'proxy-reset',
    title: 'Network reset (proxy RST)',
    description:
      'Every proxied connection is reset (TCP RST to both sides) at once, as a restarted load ' +
      `balancer or NAT box does, ${RESETS} times ${RESET_EVERY_MS / 1000} s apart (one reset ` +
      'catches only the few statements in flight at that instant). The server is untouched.',
    inject: async ({ proxies }) => {
      let reset = 0;
      for (let i = 0; i < RESETS; i++) {
        if (i > 0) await sleep(RESET_EVERY_MS);
        reset += proxies.reduce((sum, proxy) => sum + proxy.resetAll(), 0);
      }
      return `reset ${reset} connections in ${RESETS} rounds`;
    },
  },
  {
    id: 'blackhole',
    title: 'Network black hole, then resume',
    description:
      `Every proxy forwards nothing for ${BLACKHOLE_MS / 1000} s: packets are dropped, sockets ` +
      'stay open, no error and no RST; new connections get no greeting. Then forwarding resumes ' +
      '(bytes dropped in the dark stay lost).',
    inject: async ({ proxies }) => {
      for (const proxy of proxies) proxy.blackhole();
      await sleep(BLACKHOLE_MS);
      for (const proxy of proxies) proxy.resume();
      return `dark ${BLACKHOLE_MS / 1000} s`;
    },
  },
  {
    id: 'max-connections',
    title: 'max_connections exhausted by another client',
    description:
      "Another client takes every free connection slot. An admin then kills the contenders' idle " +
      'sessions and the other client grabs the freed slots, so each contender has to connect ' +
      `while the server is full; the other client keeps grabbing any slot that frees up and lets ` +
      `go after ${HOG_MS / 1000} s. (A pool that keeps its connections would never notice a full ` +
      'server; the question is what one that needs a connection does then.)',
    inject: async (context) => {
      const { server, admin, hog: login } = context;
      const [row] = await admin.query<{ max: number }[]>('SELECT @@max_connections AS max');
      const hog = new ConnectionHog({ host: server.host, port: server.port, ...login });
      try {
        await hog.fill();
        const idle = await contenderSessions(context, 'Sleep');
        let killed = 0;
        let grabbed = 0;
        // Each freed slot is taken at once, before a contender's reconnect can have it.
        for (const session of idle) {
          if (!(await admin.kill(session.id))) continue;
          killed++;
          if (await hog.grabOne()) grabbed++;
        }
        await hog.fill();
        const until = performance.now() + HOG_MS;
        // Bounded by count and time.
        for (let i = 0; i < HOG_MS / HOG_REFILL_MS + 10 && performance.now() < until; i++) {
          await sleep(HOG_REFILL_MS);
          await hog.fill(Math.max(1, until - performance.now()));
        }
        return (
          `the other client held ${hog.held} connections (max_connections ${String(row?.max)}); ` +
          `${killed} idle contender sessions killed (${perUser(idle)}), ${grabbed} of their slots ` +
          'taken by the other client at once'
        );
      } finally {
        await hog.release();
      }
    },
  },
];

interface Session {
  readonly id: number;
  readonly user: string;
}

/** The contenders' sessions, all or those in one processlist `COMMAND` state. */
async function contenderSessions(context: FaultContext, command?: string): Promise<Session[]> {
  const rows = await context.admin.query<{ id: number; user: string }[]>(
    'SELECT ID AS id, USER AS user FROM information_schema.PROCESSLIST WHERE USER IN (?)' +
      (command ? ' AND COMMAND = ?' : ''),
    command ? [context.users, command] : [context.users],
  );
  return rows.map((row) => ({ id: Number(row.id), user: String(row.user) }));
}

function perUser(sessions: readonly Session[]): string {
  const counts = new Map<string, number>();
  for (const s of sessions) counts.set(s.user, (counts.get(s.user) ?? 0) + 1);
  return [...counts].map(([user, n]) => `${user.replace(/^bench_/, '')} ${n}`).join(', ') || 'none';
}
