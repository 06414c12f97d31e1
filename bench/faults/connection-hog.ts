/**
 * "Another client" that takes every free connection slot of the server, as a runaway service
 * or a connection storm does, and keeps taking slots as they free up until released.
 */
import mysql from 'mysql2/promise';

/** MariaDB/MySQL `ER_CON_COUNT_ERROR`, "Too many connections". */
const TOO_MANY_CONNECTIONS = 1040;
/** Opened side by side, so filling ~100 slots takes a fraction of a second. */
const PARALLEL = 8;
/** Bound on connections held, far above any sandbox's max_connections. */
const MAX_HELD = 2_000;

/**
 * @example
 * const hog = new ConnectionHog({ host, port, user: 'hog', password });
 * await hog.fill(); // every slot taken
 * await hog.release();
 */
export class ConnectionHog {
  readonly #options: mysql.ConnectionOptions;
  readonly #held: mysql.Connection[] = [];
  /** The last error other than "too many connections" (a real problem, not the point). */
  lastUnexpectedError: unknown;

  constructor(options: {
    readonly host: string;
    readonly port: number;
    readonly user: string;
    readonly password: string;
  }) {
    this.#options = { ...options, connectTimeout: 2_000 };
  }

  /** Connections held now. */
  get held(): number {
    return this.#held.length;
  }

  /** Opens connections until the server refuses with 1040; resolves with how many it added. */
  async fill(boundMs = 5_000): Promise<number> {
    const before = this.#held.length;
    const deadline = performance.now() + boundMs;
    let full = false;
    while (!full && this.#held.length < MAX_HELD && performance.now() < deadline) {
      const batch = await Promise.allSettled(
        Array.from({ length: PARALLEL }, () => mysql.createConnection(this.#options)),
      );
      for (const result of batch) {
        if (result.status === 'fulfilled') {
          result.value.on('error', () => {});
          this.#held.push(result.value);
        } else if ((result.reason as { errno?: number }).errno === TOO_MANY_CONNECTIONS) {
          full = true;
        } else {
          this.lastUnexpectedError = result.reason;
          full = true;
        }
      }
    }
    return this.#held.length - before;
  }

  /**
   * Takes one slot that was just freed, before anyone else does; resolves whether it got it.
   * Bounded: a few immediate attempts, since the slot is either there now or taken.
   */
  async grabOne(): Promise<boolean> {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const connection = await mysql.createConnection(this.#options);
        connection.on('error', () => {});
        this.#held.push(connection);
        return true;
      } catch (error) {
        if ((error as { errno?: number }).errno !== TOO_MANY_CONNECTIONS) {
          this.lastUnexpectedError = error;
          return false;
        }
      }
    }
    return false;
  }

  /**
   * Closes one held connection with a clean quit; resolves once the server has closed it, so
   * its slot is free (or about to be: the server counts it free as its thread ends).
   */
  async releaseOne(): Promise<boolean> {
    const connection = this.#held.pop();
    if (!connection) return false;
    await connection.end().catch(() => connection.destroy());
    return true;
  }

  /** Closes every held connection. */
  async release(): Promise<void> {
    const held = this.#held.splice(0);
    await Promise.all(held.map((c) => c.end().catch(() => c.destroy())));
  }
}
