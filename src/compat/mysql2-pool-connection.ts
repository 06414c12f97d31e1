/**
 * A connection from the facade pool's `getConnection()`: one goneaway lease. `release()` gives
 * it back; goneaway rolls back a transaction left open and retires a session left with state.
 */
import type { FacadeSession } from './facade-session.js';
import { type DoneCallback, Mysql2Connection } from './mysql2-connection.js';
import type { SqlText } from './sql-text.js';

/**
 * mysql2's `PoolConnection`, backed by a goneaway lease.
 *
 * @example
 * const connection = await new Promise((resolve, reject) =>
 *   pool.getConnection((error, conn) => (error ? reject(error) : resolve(conn))),
 * );
 * try {
 *   connection.query('UPDATE stock SET n = n - 1 WHERE id = ?', [7], () => {});
 * } finally {
 *   connection.release();
 * }
 */
export class Mysql2PoolConnection extends Mysql2Connection {
  readonly #onRelease: (connection: Mysql2PoolConnection) => void;

  /** @internal Created by `Mysql2Pool.getConnection()`. */
  constructor(
    session: FacadeSession,
    config: Readonly<Record<string, unknown>>,
    text: SqlText,
    onRelease: (connection: Mysql2PoolConnection) => void,
  ) {
    super(session, config, text);
    this.#onRelease = onRelease;
  }

  /** Returns the connection to the pool. Idempotent. */
  release(): void {
    if (this.session.closed) return;
    this.session.close();
    this.#onRelease(this);
  }

  /** For a pool connection, as in mysql2: releases it. */
  end(callback?: DoneCallback): void {
    this.release();
    if (callback) process.nextTick(() => callback());
  }

  /**
   * Releases it. goneaway decides whether the server connection is reused: a broken one, one
   * with session state, or one inside a transaction (rolled back first) never is as it was.
   */
  destroy(): void {
    this.release();
  }

  [Symbol.dispose](): void {
    this.release();
  }
}
