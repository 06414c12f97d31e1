/**
 * One server connection as the pool sees it: a mysql2 connection over a socket goneaway owns,
 * its lifecycle state, what the server reported about its session, and how long it has been
 * idle. It knows whether a statement's bytes reached the socket, so every failure leaves here
 * already classified with the right outcome.
 *
 * goneaway creates the TCP socket itself and hands it to mysql2 (its documented `stream`
 * option): socket events tell at once when an idle connection dies, `bytesWritten` tells
 * whether a statement was sent, `bytesRead` tells whether a statement in flight is making
 * progress, and `destroy()` really closes a black-holed socket (mysql2's own `destroy()` only
 * half-closes it and never calls back the command in flight).
 */
import { connect as netConnect, type Socket } from 'node:net';
import mysql from 'mysql2';
import { nameTlsPeer } from '../config/tls-options.js';
import { classify, type Flavor, flavorOf, type Phase, QueryTimeoutError } from '../errors/index.js';
import { type ConnectionState, transition } from './connection-state.js';
import { limitHandshakeBytes } from './handshake-byte-limit.js';
import {
  type OkPacketInfo,
  SessionTracker,
  TRACKING_SQL,
  WAIT_TIMEOUT_SQL,
} from './session-tracker.js';

/** Everything needed to open one connection. Built once per pool from its options. */
export interface ConnectionConfig {
  readonly host: string;
  readonly port: number;
  readonly socketPath: string | undefined;
  readonly connectTimeoutMs: number;
  /** Statements replayed on every new connection; they do not make the session dirty. */
  readonly initSql: readonly string[];
  /** mysql2 options goneaway does not interpret (user, password, database, ssl, typeCast, ...). */
  readonly driver: mysql.ConnectionOptions;
}

/** Which mysql2 command runs a statement. */
export type StatementKind = 'query' | 'execute';

/** mysql2's result options for one statement, as goneaway/mysql2 passes them through. */
export interface DriverStatementOptions {
  readonly rowsAsArray?: boolean;
  readonly nestTables?: boolean | string;
  readonly typeCast?: unknown;
  readonly namedPlaceholders?: boolean;
}

/** Bounds for one statement in flight. */
export interface RunOptions {
  /** mysql2's result options for this statement only (goneaway/mysql2). */
  readonly driverOptions?: DriverStatementOptions | undefined;
  /** Receives mysql2's column definitions when the statement succeeds (goneaway/mysql2). */
  readonly onFields?: ((fields: unknown) => void) | undefined;
  /** Fail with `QueryTimeoutError` after this many ms (the connection is closed). */
  readonly timeoutMs?: number | undefined;
  /** COMMIT in flight: a loss means the commit's outcome is unknown. */
  readonly committing?: boolean;
}

/** The raw result mysql2 returns: rows, or an OK packet for statements without rows. */
export type RawResult = unknown;

/** The subset of mysql2's callback `Connection` that goneaway uses. */
interface DriverConnection {
  query(options: DriverStatement, callback: DriverCallback): void;
  execute(options: DriverStatement, callback: DriverCallback): void;
  ping(callback: (error: Error | null) => void): void;
  end(callback?: (error: Error | null) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
  once(
    event: 'connect',
    listener: (handshake: { serverVersion: string; connectionId: number }) => void,
  ): void;
  once(event: 'error', listener: (error: Error) => void): void;
  removeAllListeners(event: 'connect' | 'error'): void;
}
type DriverCallback = (error: Error | null, result?: RawResult, fields?: unknown) => void;
type DriverStatement = { sql: string; values?: unknown } & DriverStatementOptions;

let nextLocalId = 1;

export class ManagedConnection {
  /** goneaway's own id, stable across the connection's life (the server's id is `threadId`). */
  readonly localId = nextLocalId++;
  readonly createdAt: number;
  readonly session = new SessionTracker();
  /** Server thread id (`CONNECTION_ID()`), known after the handshake. */
  threadId = 0;
  serverVersion = '';
  flavor: Flavor = 'mysql';
  /** When the last statement (or validation) finished; idle time is measured from here. */
  lastUsedAt: number;
  /** The pool's epoch when this connection was opened or last validated. */
  epoch = 0;
  /** Set by the pool's lifetime policy: retire when idle after this time. */
  retireAt = Number.POSITIVE_INFINITY;

  readonly #config: ConnectionConfig;
  readonly #now: () => number;
  #state: ConnectionState = 'connecting';
  #socket: Socket | undefined;
  #driver: DriverConnection | undefined;
  /** Why the socket died, once it has. A statement is never handed to a dead connection. */
  #lostWith: Error | undefined;
  #onLost: ((connection: ManagedConnection, cause: Error) => void) | undefined;
  #busy = false;
  /** Session tracking is still to be turned on, right behind the first statement. */
  #trackingDeferred = false;
  #statementCount = 0;
  /** Settles the command in flight; set only while one is. */
  #settle: ((error: Error | null, result?: RawResult) => void) | undefined;
  #watchedBytes = 0;
  #watchedSince = 0;
  /** When the statement in flight was started. */
  busySince = 0;

  constructor(config: ConnectionConfig, now: () => number) {
    this.#config = config;
    this.#now = now;
    this.createdAt = now();
    this.lastUsedAt = this.createdAt;
  }

  /** The session's `wait_timeout` in ms, when the server has told it. */
  get waitTimeoutMs(): number | undefined {
    return this.session.waitTimeoutMs;
  }

  get state(): ConnectionState {
    return this.#state;
  }

  /** Moves the lifecycle state; throws on a move the state table does not allow. */
  moveTo(state: ConnectionState): void {
    this.#state = transition(this.#state, state);
  }

  /** Whether a statement is in flight. */
  get busy(): boolean {
    return this.#busy;
  }

  /** Whether the socket is known to be dead (closed, reset, errored). */
  get isLost(): boolean {
    return this.#lostWith !== undefined;
  }

  idleMs(now = this.#now()): number {
    return now - this.lastUsedAt;
  }

  /** Registers the one listener told when the socket dies (first death only). */
  onLost(listener: (connection: ManagedConnection, cause: Error) => void): void {
    this.#onLost = listener;
  }

  /**
   * Connects, authenticates, turns on session tracking and reads `wait_timeout`, then runs the
   * pool's init statements. Rejects with a classified error (phase `connecting`). The TCP
   * connect and handshake are bounded by `timeoutMs` (default: the pool's `connectTimeoutMs`).
   */
  async open(timeoutMs = this.#config.connectTimeoutMs): Promise<void> {
    const { host, port, socketPath, driver } = this.#config;
    const socket = socketPath ? netConnect(socketPath) : netConnect({ host, port });
    this.#socket = socket;
    if (!socketPath) {
      socket.setNoDelay(true);
      socket.setKeepAlive(true, 30_000);
      nameTlsPeer(socket, host);
    }
    const handshakeLimit = limitHandshakeBytes(socket, socketPath ?? `${host}:${port}`);
    // Attach before mysql2 does, so the first death is seen here even if mysql2 swallows it.
    socket.once('close', () => this.#markLost(new ConnectionLostSignal('socket closed')));
    socket.on('error', (error) => this.#markLost(error));
    socket.once('end', () =>
      this.#markLost(new ConnectionLostSignal('server closed the connection')),
    );

    const connection = mysql.createConnection({
      ...driver,
      host,
      port,
      connectTimeout: timeoutMs,
      stream: () => socket,
    }) as unknown as DriverConnection;
    this.#driver = connection;
    // mysql2 emits 'error' for a fatal error with no command to report it to.
    connection.on('error', (error) => this.#markLost(error));

    try {
      await new Promise<void>((resolve, reject) => {
        connection.once('connect', (handshake) => {
          this.threadId = handshake.connectionId;
          this.serverVersion = handshake.serverVersion;
          this.flavor = flavorOf(handshake.serverVersion);
          resolve();
        });
        connection.once('error', reject);
      });
      connection.removeAllListeners('connect');
      handshakeLimit.end();
      if (this.#config.initSql.length > 0) {
        await this.#configureSession();
        this.session.markBaseline();
      } else {
        // Nothing must run before the caller's first statement, so goneaway's own set-up goes
        // out right behind it instead of in front: a new connection costs no extra round trip.
        this.#trackingDeferred = true;
      }
      this.lastUsedAt = this.#now();
    } catch (error) {
      handshakeLimit.end();
      this.destroy();
      throw classify(handshakeLimit.error ?? error, this.#context('connecting'));
    }
  }

  /**
   * Queues the tracking statement behind the statement just sent, without anyone waiting on
   * it; its OK packet tells `wait_timeout`. Uses the driver directly: `#call`'s settle slot
   * belongs to the caller's statement.
   */
  #configureSessionLater(): void {
    this.#trackingDeferred = false;
    this.#driver?.query({ sql: TRACKING_SQL }, (error, ok) => {
      if (!error) this.session.observeOwn(ok as OkPacketInfo);
      else if (!this.isLost) {
        this.#driver?.query({ sql: WAIT_TIMEOUT_SQL }, (_, rows) => {
          const value = (rows as { wait_timeout?: number }[] | undefined)?.[0]?.wait_timeout;
          if (value !== undefined) this.session.waitTimeoutMs = Number(value) * 1000;
        });
      }
    });
  }

  async #configureSession(): Promise<void> {
    try {
      const ok = (await this.#call('query', TRACKING_SQL)) as OkPacketInfo;
      this.session.observe(ok);
    } catch (error) {
      // Servers without session tracking (MySQL < 5.7, MariaDB < 10.2): read it the plain way.
      if (this.isLost) throw error;
      const rows = (await this.#call('query', WAIT_TIMEOUT_SQL)) as { wait_timeout: number }[];
      this.session.waitTimeoutMs = Number(rows[0]?.wait_timeout) * 1000;
    }
    for (const sql of this.#config.initSql)
      this.session.observe((await this.#call('query', sql)) as OkPacketInfo);
  }

  /**
   * Runs one statement. Rejects with a classified `GoneAwayError` whose `outcome` is
   * `'not-sent'` only when no byte of the statement reached the socket.
   */
  async run(
    kind: StatementKind,
    sql: string,
    values: unknown,
    options: RunOptions = {},
  ): Promise<RawResult> {
    const idleMs = this.idleMs();
    const inTransaction = this.session.inTransaction;
    const socket = this.#socket;
    if (this.#lostWith || !socket) {
      throw classify(this.#lostWith ?? new ConnectionLostSignal('not connected'), {
        ...this.#context('sending', sql, idleMs),
        inTransaction,
      });
    }
    const writtenBefore = socket.bytesWritten;
    this.#busy = true;
    this.busySince = this.#now();
    this.#statementCount++;
    try {
      const pending = this.#call(kind, sql, values, options.timeoutMs, options);
      if (this.#trackingDeferred) this.#configureSessionLater();
      const result = await pending;
      if (result !== null && typeof result === 'object' && !Array.isArray(result)) {
        this.session.observe(result as OkPacketInfo);
      }
      return result;
    } catch (error) {
      const sent = socket.bytesWritten !== writtenBefore;
      const phase: Phase = !sent
        ? 'sending'
        : options.committing
          ? 'committing'
          : 'awaiting-result';
      throw classify(error, { ...this.#context(phase, sql, idleMs), inTransaction });
    } finally {
      this.#busy = false;
      this.lastUsedAt = this.#now();
    }
  }

  /**
   * Runs a mysql2 command and settles exactly once: by mysql2's callback, by the statement's
   * own timeout, or by {@link ManagedConnection.abort}. Timeouts and aborts destroy the socket
   * and settle the caller's promise here, because mysql2 never calls back a destroyed command.
   * No timer is armed unless the caller set a timeout: the hot path allocates one promise.
   */
  #call(
    kind: StatementKind,
    sql: string,
    values?: unknown,
    timeoutMs?: number,
    shape: Pick<RunOptions, 'driverOptions' | 'onFields'> = {},
  ): Promise<RawResult> {
    const driver = this.#driver;
    if (!driver) return Promise.reject(new ConnectionLostSignal('not connected'));
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const settle = (error: Error | null, result?: RawResult): void => {
        if (this.#settle !== settle) return;
        this.#settle = undefined;
        if (timer) clearTimeout(timer);
        if (error) reject(error);
        else resolve(result);
      };
      this.#settle = settle;
      if (timeoutMs) {
        timer = setTimeout(() => {
          this.destroy();
          settle(
            new QueryTimeoutError(
              `The statement did not finish within timeoutMs (${timeoutMs} ms); goneaway closed its connection. ` +
                'The server may or may not have applied it (outcome unknown). Raise timeoutMs for long statements.',
              { outcome: 'unknown' },
            ),
          );
        }, timeoutMs);
      }
      const statement: DriverStatement = {
        ...shape.driverOptions,
        sql,
        ...(values === undefined ? {} : { values }),
      };
      const callback: DriverCallback = (error, result, fields) => {
        if (!error && this.#settle === settle) shape.onFields?.(fields);
        settle(error, result);
      };
      if (kind === 'execute') driver.execute(statement, callback);
      else driver.query(statement, callback);
    });
  }

  /** Fails the statement in flight with `error` and closes the connection (the watchdog's verdict). */
  abort(error: Error): void {
    const settle = this.#settle;
    this.destroy();
    settle?.(error);
  }

  /**
   * For the in-flight watchdog: how long the statement in flight has gone without receiving a
   * byte, as seen at this and earlier calls (0 when idle). Progress is sampled, not evented, so
   * the hot path pays nothing for it.
   */
  silentForMs(now: number): number {
    if (!this.#busy) return 0;
    const read = this.#socket?.bytesRead ?? 0;
    if (read !== this.#watchedBytes || this.#watchedSince < this.busySince) {
      this.#watchedBytes = read;
      this.#watchedSince = this.#watchedSince < this.busySince ? this.busySince : now;
    }
    return now - this.#watchedSince;
  }

  /** The watchdog asked and the server is still running it: count silence from now. */
  resetSilence(now: number): void {
    this.#watchedSince = now;
  }

  /** Counts statements, so a late watchdog verdict cannot fail the next one. */
  get statementCount(): number {
    return this.#statementCount;
  }

  /**
   * COM_PING bounded by `timeoutMs`. Resolves true when the server answered; on no answer or an
   * error the connection is destroyed and it resolves false.
   */
  ping(timeoutMs: number): Promise<boolean> {
    const driver = this.#driver;
    if (!driver || this.#lostWith) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.destroy();
        resolve(false);
      }, timeoutMs);
      driver.ping((error) => {
        clearTimeout(timer);
        if (error) this.destroy();
        else this.lastUsedAt = this.#now();
        resolve(!error);
      });
    });
  }

  /** A clean COM_QUIT, bounded: the socket is destroyed if the server does not close it in time. */
  quit(boundMs = 1_000): Promise<void> {
    const socket = this.#socket;
    const driver = this.#driver;
    if (!socket || !driver || this.#lostWith || socket.destroyed) {
      this.destroy();
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.destroy(), boundMs);
      timer.unref();
      socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      // The server closes the connection once it reads COM_QUIT. Ending the socket ourselves
      // could cut off a COM_QUIT still queued behind a statement (mysql2 queues it).
      driver.end();
    });
  }

  /** Closes the socket now. Idempotent. Pending mysql2 callbacks are not called. */
  destroy(): void {
    this.#lostWith ??= new ConnectionLostSignal('closed by goneaway');
    this.#socket?.destroy();
  }

  #markLost(cause: Error): void {
    if (this.#lostWith) return;
    this.#lostWith = cause;
    this.#onLost?.(this, cause);
  }

  #context(phase: Phase, sql?: string, idleMs?: number) {
    return {
      phase,
      flavor: this.flavor,
      host: this.#config.socketPath ?? this.#config.host,
      port: this.#config.socketPath ? undefined : this.#config.port,
      sql,
      idleMs,
      waitTimeoutMs: this.session.waitTimeoutMs,
      // Blanked from every printed form of the error, in case a driver message ever carries it.
      secrets: this.#config.driver.password ? [this.#config.driver.password] : undefined,
    };
  }
}

/**
 * The error recorded when the socket closes with no error of its own. It carries the code
 * mysql2 uses for the same event, so classification treats both alike.
 */
class ConnectionLostSignal extends Error {
  readonly code = 'PROTOCOL_CONNECTION_LOST';
  readonly fatal = true;
  constructor(what: string) {
    super(`Connection lost: ${what}`);
    this.name = 'ConnectionLostSignal';
  }
}
