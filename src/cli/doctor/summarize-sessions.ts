/**
 * The processlist in a few numbers: who is connected from where doing what, and which idle
 * sessions the server is about to close.
 */
import { hostWithoutPort, isIdle, isNearClose, type ProcessRow } from '../processlist.js';

/** A share of the sessions: a user, a host, a command or a state, and how many have it. */
export interface Tally {
  readonly name: string;
  readonly count: number;
}

/** An idle session and how long before `wait_timeout` ends it. */
export interface IdleSession {
  readonly id: number;
  readonly user: string;
  readonly host: string;
  readonly idleS: number;
  /** Seconds until the server closes it, if nothing uses it first (0: overdue). */
  readonly closesInS: number;
}

/** The processlist summary in the doctor report. */
export interface SessionSummary {
  /** `all` with PROCESS; `own` when only this account's sessions were visible. */
  readonly visible: 'all' | 'own';
  /** Sessions counted, not including the doctor's own. */
  readonly total: number;
  readonly running: number;
  readonly byUser: readonly Tally[];
  readonly byHost: readonly Tally[];
  readonly byCommand: readonly Tally[];
  readonly byState: readonly Tally[];
  readonly idle: {
    readonly count: number;
    /** The wait_timeout the countdown is measured against (the global value, in s). */
    readonly waitTimeoutS: number | null;
    /** Idle for more than half of wait_timeout. */
    readonly pastHalf: number;
    /** Idle past `NEAR_CLOSE_SHARE` (90%) of wait_timeout: closed soon. */
    readonly nearClose: number;
    /** The sessions closest to being closed, closest first. */
    readonly closest: readonly IdleSession[];
  };
}

/** Sessions that are the server's own threads, not clients. */
const SERVER_THREADS = new Set([
  'Daemon',
  'Binlog Dump',
  'Binlog Dump GTID',
  'Slave_IO',
  'Slave_SQL',
]);

/**
 * Summarizes a processlist, leaving out `ownId` (the doctor's own session) and the server's
 * own threads.
 *
 * @example
 * const summary = summarizeSessions(rows, { ownId: 42, waitTimeoutS: 60, visible: 'all' });
 * summary.idle.nearClose; // idle sessions with less than 6 s left
 */
export function summarizeSessions(
  rows: readonly ProcessRow[],
  options: {
    readonly ownId?: number;
    readonly waitTimeoutS: number | null;
    readonly visible: 'all' | 'own';
  },
): SessionSummary {
  const clients = rows.filter(
    (row) => row.id !== options.ownId && !SERVER_THREADS.has(row.command),
  );
  const idle = clients.filter(isIdle);
  const wait = options.waitTimeoutS;
  const countdown = idle
    .map((row) => ({
      id: row.id,
      user: row.user,
      host: row.host,
      idleS: row.timeS,
      closesInS: wait === null ? Number.POSITIVE_INFINITY : Math.max(0, wait - row.timeS),
    }))
    .sort((a, b) => a.closesInS - b.closesInS || b.idleS - a.idleS);
  return {
    visible: options.visible,
    total: clients.length,
    running: clients.length - idle.length,
    byUser: tally(clients.map((row) => row.user)),
    byHost: tally(clients.map((row) => hostWithoutPort(row.host))),
    byCommand: tally(clients.map((row) => row.command)),
    byState: tally(clients.filter((row) => row.state !== '').map((row) => row.state)),
    idle: {
      count: idle.length,
      waitTimeoutS: wait,
      pastHalf: wait === null ? 0 : idle.filter((row) => row.timeS > wait / 2).length,
      nearClose: idle.filter((row) => isNearClose(row, wait)).length,
      closest: wait === null ? [] : countdown.slice(0, 5),
    },
  };
}

/** Counts by name, most frequent first, then by name. */
function tally(names: readonly string[]): Tally[] {
  const counts = new Map<string, number>();
  for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1);
  return [...counts]
    .map(([name, count]) => ({ name, count }))
    .sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
}
