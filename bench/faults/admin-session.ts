/**
 * One root session the orchestrator keeps for injecting faults and auditing. Kept open (not
 * one connection per statement) because `LOCK TABLES` lives in a session, and because while
 * another client holds every connection slot only this already-open session can still act.
 * It reconnects by itself after a server restart.
 */
import mysql from 'mysql2/promise';

/**
 * @example
 * const admin = new AdminSession({ host: '127.0.0.1', port: server.port });
 * await admin.query('SET GLOBAL wait_timeout = ?', [2]);
 * await admin.close();
 */
export class AdminSession {
  readonly #host: string;
  readonly #port: number;
  readonly #socketPath: string | undefined;
  #connection: mysql.Connection | undefined;
  #broken = false;

  constructor(server: {
    readonly host: string;
    readonly port: number;
    readonly socketPath?: string;
  }) {
    this.#host = server.host;
    this.#port = server.port;
    // A sandbox's root is reachable only through its unix socket.
    this.#socketPath = server.socketPath || undefined;
  }

  /** Opens the session now (before a fault that may leave no slot to open it later). */
  async open(): Promise<void> {
    await this.#session();
  }

  async query<T = Record<string, unknown>[]>(sql: string, values?: readonly unknown[]): Promise<T> {
    const connection = await this.#session();
    try {
      const [result] = await connection.query(sql, values as unknown[] | undefined);
      return result as T;
    } catch (error) {
      if ((error as { fatal?: boolean }).fatal) this.#broken = true;
      throw error;
    }
  }

  /** `KILL CONNECTION id`; false if the session had already ended (1094 Unknown thread id). */
  async kill(id: number): Promise<boolean> {
    try {
      await this.query('KILL CONNECTION ?', [id]);
      return true;
    } catch (error) {
      if ((error as { errno?: number }).errno === 1094) return false;
      throw error;
    }
  }

  async close(): Promise<void> {
    const connection = this.#connection;
    this.#connection = undefined;
    await connection?.end().catch(() => connection.destroy());
  }

  async #session(): Promise<mysql.Connection> {
    if (this.#connection && !this.#broken) return this.#connection;
    this.#connection?.destroy();
    this.#broken = false;
    const connection = await mysql.createConnection({
      ...(this.#socketPath
        ? { socketPath: this.#socketPath }
        : { host: this.#host, port: this.#port }),
      user: 'root',
      connectTimeout: 5_000,
    });
    // A restart ends the session while it sits idle; the next query opens a new one.
    connection.on('error', () => {
      this.#broken = true;
    });
    this.#connection = connection;
    return connection;
  }
}
