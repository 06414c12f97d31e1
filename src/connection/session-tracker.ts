/**
 * What the server says about a session, read from the OK packets mysql2 already parses.
 *
 * The server puts status flags in every OK packet (and in the EOF packet after a result set,
 * which mysql2 does not expose), and, with session tracking on, the session state changes
 * the statement caused. goneaway turns tracking on in its first round trip after connect (see
 * {@link TRACKING_SQL}), so it learns of transactions, user variables, temporary tables,
 * `USE` and changed session variables from the server instead of from parsing SQL.
 *
 * Limits, measured on MariaDB 10.11: named locks (`GET_LOCK`) raise no state-change flag, and
 * statements that return rows report nothing through mysql2. The statement classifier covers
 * those.
 */

/** Status flag bits from `mysql_com.h` (stable since MySQL 4.1). */
const SERVER_STATUS_IN_TRANS = 0x0001;
const SERVER_STATUS_AUTOCOMMIT = 0x0002;

/** The part of mysql2's `ResultSetHeader` (an OK packet) that the tracker reads. */
export interface OkPacketInfo {
  readonly serverStatus?: number;
  readonly stateChanges?: {
    readonly systemVariables: Readonly<Record<string, string>>;
    readonly schema: string | null;
    readonly trackStateChange: string | null;
  };
}

/**
 * One statement sent right after connect: turns on session tracking and, by assigning
 * `wait_timeout` to itself, makes the server report the session's idle limit in the same
 * OK packet. One round trip for both (MySQL 5.7+, MariaDB 10.2+).
 */
export const TRACKING_SQL =
  "SET SESSION session_track_system_variables = CONCAT(@@session.session_track_system_variables, ',wait_timeout'), " +
  'session_track_state_change = ON, wait_timeout = @@session.wait_timeout';

/** Fallback for servers without session tracking: one `SELECT`. */
export const WAIT_TIMEOUT_SQL = 'SELECT @@session.wait_timeout AS wait_timeout';

/**
 * Accumulates what the server reported about one session. Owned by one managed connection;
 * only that connection calls {@link SessionTracker.observe}.
 */
export class SessionTracker {
  /** A transaction is open, or autocommit is off (every statement then opens one). */
  inTransaction = false;
  /** Session state beyond the pool's own set-up, as reported by the server. */
  readonly #dirty = new Set<string>();
  /** The session's `wait_timeout` in ms, when known. */
  waitTimeoutMs: number | undefined;

  /** What the session holds that a fresh connection would not have, e.g. `['user variables or temporary tables']`. */
  get dirtyState(): readonly string[] {
    return [...this.#dirty];
  }

  get isClean(): boolean {
    return this.#dirty.size === 0 && !this.inTransaction;
  }

  /** Reads one OK packet. Cheap when nothing changed: one bit test and one property read. */
  observe(ok: OkPacketInfo): void {
    if (ok.serverStatus !== undefined) {
      this.inTransaction =
        (ok.serverStatus & SERVER_STATUS_IN_TRANS) !== 0 ||
        (ok.serverStatus & SERVER_STATUS_AUTOCOMMIT) === 0;
    }
    const changes = ok.stateChanges;
    if (!changes) return;
    for (const [name, value] of Object.entries(changes.systemVariables)) {
      if (name === 'wait_timeout') {
        this.waitTimeoutMs = Number(value) * 1000;
      }
      this.#dirty.add(`session variable ${name}`);
    }
    if (changes.schema !== null) this.#dirty.add(`default database (USE ${changes.schema})`);
    // The server's STATE_CHANGE entry: user variables, temporary tables, prepared statements.
    if (changes.trackStateChange !== null) {
      this.#dirty.add('user variables, temporary tables or prepared statements');
    }
  }

  /**
   * Reads the OK packet of goneaway's own tracking statement when it ran after the caller's
   * first statement: it reports `wait_timeout` and the transaction state, and makes nothing dirty.
   */
  observeOwn(ok: OkPacketInfo): void {
    if (ok.serverStatus !== undefined) this.observe({ serverStatus: ok.serverStatus });
    const waitTimeout = ok.stateChanges?.systemVariables.wait_timeout;
    if (waitTimeout !== undefined) this.waitTimeoutMs = Number(waitTimeout) * 1000;
  }

  /** Forget changes made by the pool's own set-up statements. */
  markBaseline(): void {
    this.#dirty.clear();
  }

  /** Record state the server does not report (named locks), found by the classifier. */
  markDirty(what: string): void {
    this.#dirty.add(what);
  }
}
