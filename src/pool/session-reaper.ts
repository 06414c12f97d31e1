/**
 * Ends, on the server, the sessions goneaway gave up on while the server may still hold them.
 *
 * When goneaway stops waiting on a connection (a black-holed path, a statement past its timeout,
 * a flow a NAT forgot), the server-side session lives on with its open transaction, its row
 * locks and perhaps a statement still running, until the server's `wait_timeout` (8 hours by
 * default): every other caller then waits on those locks. So each abandoned session is ended
 * with `KILL` from a side connection once the server answers again, retried from the pool's
 * housekeeping tick until the session is gone, the server restarted, or the session expired
 * by itself. A user may always kill its own sessions.
 *
 * A thread id is unique only within one run of the server, so before killing, the reaper checks
 * on the same side connection that the server has been up longer than the session has existed
 * and that the id belongs to the same user: it never kills a stranger that reused the id.
 */

import { askSide, type SideConfig } from '../connection/liveness.js';
import type { AbandonedSession } from '../connection/managed-connection.js';
import type { AbandonedOutcome } from './pool-events.js';

/** Sessions waiting to be ended, at most; the oldest are let go of (and reported) beyond it. */
const MAX_PENDING = 1_000;
/** KILLs sent per sweep; the rest wait for the next tick. */
const KILLS_PER_SWEEP = 16;
/** Keep trying to end a session with a statement in flight for this long at most. */
const GIVE_UP_AFTER_MS = 60 * 60_000;
/** An idle session ends by itself this long after its `wait_timeout` (timer slack on the server). */
const EXPIRY_SLACK_MS = 5_000;
/** The server's uptime has a 1 s granularity; a restart is only believed beyond this margin. */
const UPTIME_SLACK_MS = 2_000;

/** What the reaper needs from its pool. */
export interface ReaperHost {
  now(): number;
  side(): SideConfig;
  report(session: AbandonedSession, outcome: AbandonedOutcome): void;
}

/**
 * The reaper of one pool.
 *
 * @example
 * const reaper = new SessionReaper(host);
 * reaper.add(connection.abandoned);
 * await reaper.sweep(); // from the housekeeping tick
 */
export class SessionReaper {
  readonly #host: ReaperHost;
  readonly #pending: PendingSession[] = [];
  #sweeping: Promise<void> | undefined;
  /** No sweep before this time: the last one found the server unreachable. */
  #quietUntil = 0;
  #failedSweeps = 0;

  constructor(host: ReaperHost) {
    this.#host = host;
  }

  /** Sessions still to be ended. */
  get pending(): number {
    return this.#pending.length;
  }

  add(session: AbandonedSession): void {
    this.#host.report(session, 'pending');
    this.#pending.push({ ...session, killSent: false });
    while (this.#pending.length > MAX_PENDING) this.#host.report(this.#pending.shift()!, 'gave-up');
  }

  /** One pass over the pending sessions, unless one is under way or the server was just unreachable. */
  sweep(force = false): Promise<void> {
    if (this.#pending.length === 0) return Promise.resolve();
    if (this.#sweeping) return this.#sweeping;
    if (!force && this.#host.now() < this.#quietUntil) return Promise.resolve();
    this.#sweeping = this.#sweepOnce().finally(() => {
      this.#sweeping = undefined;
    });
    return this.#sweeping;
  }

  /** The pool is ending: one last bounded pass, then everything left is given up. */
  async close(): Promise<void> {
    await this.sweep(true);
    for (const session of this.#pending.splice(0)) this.#host.report(session, 'gave-up');
  }

  async #sweepOnce(): Promise<void> {
    const now = this.#host.now();
    for (const session of [...this.#pending]) {
      const expired =
        !session.statementInFlight && session.waitTimeoutMs !== undefined
          ? now - session.abandonedAt > session.waitTimeoutMs + EXPIRY_SLACK_MS
          : now - session.abandonedAt > GIVE_UP_AFTER_MS;
      if (expired) this.#settle(session, session.statementInFlight ? 'gave-up' : 'expired');
    }
    if (this.#pending.length === 0) return;
    const ids = this.#pending.map((session) => session.threadId);
    const answer = await askSide(
      this.#host.side(),
      'SELECT s.VARIABLE_VALUE AS uptime, p.ID AS id ' +
        'FROM information_schema.GLOBAL_STATUS s ' +
        'LEFT JOIN information_schema.PROCESSLIST p ' +
        "ON p.ID IN (?) AND p.USER = SUBSTRING_INDEX(USER(), '@', 1) " +
        "WHERE s.VARIABLE_NAME = 'UPTIME'",
      [ids],
    );
    if (answer.kind !== 'rows') {
      // Unreachable (or refusing side connections): back off, 1 s doubling to 30 s.
      this.#failedSweeps++;
      this.#quietUntil = this.#host.now() + Math.min(30_000, 1_000 * 2 ** (this.#failedSweeps - 1));
      return;
    }
    this.#failedSweeps = 0;
    const uptimeMs = Number(answer.rows[0]?.uptime) * 1000;
    const present = new Set(answer.rows.map((row) => Number(row.id)).filter((id) => id > 0));
    let kills = 0;
    for (const session of [...this.#pending]) {
      if (Number.isFinite(uptimeMs) && uptimeMs + UPTIME_SLACK_MS < now - session.openedAt) {
        this.#settle(session, 'server-restarted');
      } else if (!present.has(session.threadId)) {
        this.#settle(session, session.killSent ? 'killed' : 'gone');
      } else if (kills < KILLS_PER_SWEEP) {
        kills++;
        // The session may take a while to die (a rollback): it stays pending until it is gone.
        const killed = await askSide(this.#host.side(), `KILL CONNECTION ${session.threadId}`);
        if (killed.kind === 'rows') session.killSent = true;
        // 1094 Unknown thread id: it ended between the look and the KILL.
        else if (killed.kind === 'refused' && killed.errno === 1094) this.#settle(session, 'gone');
      }
    }
  }

  #settle(session: PendingSession, outcome: AbandonedOutcome): void {
    const index = this.#pending.indexOf(session);
    if (index >= 0) this.#pending.splice(index, 1);
    this.#host.report(session, outcome);
  }
}

/** An abandoned session, and whether a KILL for it was already sent. */
type PendingSession = AbandonedSession & { killSent: boolean };
