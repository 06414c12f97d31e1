/**
 * The one source of truth for what a server session holds beyond a fresh connection: an open
 * transaction, and session state (user variables, temporary tables, changed session variables,
 * named locks, ...). Everything that decides whether a connection may be reused, or whether a
 * statement may move to another connection, reads it here.
 *
 * It is fed from three places, and only widens the doubt it has, never narrows it by guessing:
 *
 * - **The server's reports**, from every result shape: a single OK packet, and every OK packet
 *   in an array of results (a `CALL` returns its rows and then an OK packet whose status says
 *   whether the procedure left a transaction open). With session tracking on (goneaway turns
 *   it on ahead of the first statement, see {@link TRACKING_SQL}), an OK packet names the
 *   changed session variables, the default database, and flags other state changes (user
 *   variables, temporary tables, prepared statements).
 * - **The statement classifier's effects** (named locks, table locks, handlers, stored code
 *   whose effects cannot be known, ...), recorded *before* the statement is sent, so that a
 *   statement that fails after taking a lock or assigning a variable still leaves its mark.
 * - Nothing else. An error packet carries no status: a failed statement changes nothing here
 *   except through its classifier effects.
 *
 * Limits, measured on MariaDB 10.11: named locks raise no state-change flag, and a statement that
 * returns rows reports nothing through mysql2 (its final packet is not exposed). The classifier
 * covers both.
 */

import type { SessionEffect } from '../sql/statement-classifier.js';
import { opensTransaction, type TransactionControl } from '../sql/transaction-control.js';

/** Status flag bits from `mysql_com.h` (stable since MySQL 4.1). */
const SERVER_STATUS_IN_TRANS = 0x0001;
const SERVER_STATUS_AUTOCOMMIT = 0x0002;

/** The part of mysql2's `ResultSetHeader` (an OK packet) that the session state reads. */
export interface OkPacketInfo {
  readonly serverStatus?: number;
  readonly stateChanges?: {
    readonly systemVariables: Readonly<Record<string, string>>;
    readonly schema: string | null;
    readonly trackStateChange: string | null;
  } | null;
}

/**
 * goneaway's session set-up, sent ahead of the caller's first statement without waiting for it
 * (see `ManagedConnection.open`): turns on tracking of every session variable by name and of
 * other state changes, and, by assigning `wait_timeout` to itself, makes the server report the
 * session's idle limit in the same OK packet. MySQL 5.7+, MariaDB 10.3+.
 */
export const TRACKING_SQL =
  "SET SESSION session_track_system_variables = '*', session_track_state_change = ON, " +
  'wait_timeout = @@session.wait_timeout';

/** For servers without session tracking: one `SELECT` for the idle limit. */
export const WAIT_TIMEOUT_SQL = 'SELECT @@session.wait_timeout AS wait_timeout';

const TRANSACTION_CHARACTERISTICS: SessionEffect = 'transaction characteristics';
const XA_TRANSACTION: SessionEffect = 'XA transaction';

/** What the server's state-change flag stands for when no variable or schema explains it. */
export const UNNAMED_STATE_CHANGE = 'user variables, temporary tables or prepared statements';

/**
 * The session of one managed connection. Owned by that connection; only it feeds it.
 *
 * @example
 * const session = new SessionState();
 * session.observe({ serverStatus: 0x0003 }); // an OK packet: transaction open
 * session.inTransaction; // true
 */
export class SessionState {
  /** A transaction is open, or autocommit is off (every statement then opens one). */
  inTransaction = false;
  /** The session's `wait_timeout` in ms, when the server has told it. */
  waitTimeoutMs: number | undefined;
  /** Whether the server reports state changes (session tracking is on). */
  tracked = false;
  /** An XA branch was prepared on this session and not yet committed or rolled back. */
  xaPrepared = false;
  /** What the session holds that a fresh connection would not, by label. */
  readonly #held = new Set<string>();

  /**
   * What the session holds that a fresh one would not, e.g.
   * `['session variable sql_mode', 'named locks']`. Empty for a clean session.
   */
  get held(): readonly string[] {
    return [...this.#held];
  }

  /** Holds state beyond a fresh connection's (an open transaction does not count here). */
  get dirty(): boolean {
    return this.#held.size > 0;
  }

  /** Neither a transaction nor any session state: a fresh connection would be the same. */
  get isClean(): boolean {
    return this.#held.size === 0 && !this.inTransaction;
  }

  /**
   * Reads whatever a statement resolved to: an OK packet, rows (nothing to read), or an array of
   * results holding OK packets (`CALL`, several statements). Cheap for rows: one or two checks.
   */
  observe(result: unknown): void {
    if (result === null || typeof result !== 'object') return;
    if (!Array.isArray(result)) {
      this.#observeOk(result as OkPacketInfo);
      return;
    }
    // Rows of a plain SELECT are objects whose first one is no OK packet: stop at once. An array
    // of results starts with an array of rows or with an OK packet.
    const first: unknown = result[0];
    if (!Array.isArray(first) && !isOkPacket(first)) return;
    for (const item of result) if (isOkPacket(item)) this.#observeOk(item);
  }

  /** Records state a statement creates that the server does not report (from the classifier). */
  expect(effects: readonly string[]): void {
    for (const effect of effects) this.#held.add(effect);
  }

  /**
   * A statement that controls a transaction succeeded: what it used up or ended is no longer
   * held. `SET TRANSACTION` characteristics are used up by the transaction that begins next; an
   * XA branch ends with XA COMMIT or XA ROLLBACK, and is prepared (surviving any loss) in between.
   */
  completed(control: TransactionControl): void {
    if (opensTransaction(control)) this.#held.delete(TRANSACTION_CHARACTERISTICS);
    if (control === 'xa-prepare') this.xaPrepared = true;
    else if (control === 'xa-commit' || control === 'xa-rollback') {
      this.xaPrepared = false;
      this.#held.delete(XA_TRANSACTION);
    }
  }

  /** Forgets what goneaway's own set-up (tracking, `initSql`) changed: that is the baseline. */
  markBaseline(): void {
    this.#held.clear();
  }

  /**
   * Reads the OK packet of goneaway's own tracking statement: the idle limit and the transaction
   * state, nothing that makes the session dirty.
   */
  observeSetUp(ok: { readonly serverStatus: number; readonly waitTimeoutS?: number }): void {
    this.tracked = true;
    this.#observeStatus(ok.serverStatus);
    if (ok.waitTimeoutS !== undefined) this.waitTimeoutMs = ok.waitTimeoutS * 1000;
  }

  #observeOk(ok: OkPacketInfo): void {
    if (ok.serverStatus !== undefined) this.#observeStatus(ok.serverStatus);
    const changes = ok.stateChanges;
    if (!changes) return;
    let named = false;
    for (const [name, value] of Object.entries(changes.systemVariables)) {
      if (name === 'wait_timeout') this.waitTimeoutMs = Number(value) * 1000;
      this.#held.add(`session variable ${name}`);
      named = true;
    }
    if (changes.schema !== null) {
      this.#held.add(`default database (USE ${changes.schema})`);
      named = true;
    }
    // The flag is raised by any change, including the ones named above; alone, it stands for
    // what tracking does not name.
    if (changes.trackStateChange !== null && !named) this.#held.add(UNNAMED_STATE_CHANGE);
  }

  #observeStatus(status: number): void {
    this.inTransaction =
      (status & SERVER_STATUS_IN_TRANS) !== 0 || (status & SERVER_STATUS_AUTOCOMMIT) === 0;
  }
}

/** mysql2's OK packet (`ResultSetHeader`), as opposed to a row. */
function isOkPacket(value: unknown): value is OkPacketInfo {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    value.constructor?.name === 'ResultSetHeader'
  );
}
