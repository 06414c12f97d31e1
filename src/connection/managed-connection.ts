/**
 * One server connection as the pool sees it: a mysql2 connection over a socket goneaway owns,
 * its lifecycle state (see `connection-state.ts`: every move goes through a named method here),
 * what the server and the classifier say its session holds (`session-state.ts`), and how long
 * it has been idle. It knows whether a statement's bytes reached the socket, so every failure
 * leaves here already classified with the right outcome.
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
import {
  CommitOutcomeUnknownError,
  classify,
  type Flavor,
  flavorOf,
  type GoneAwayError,
  type Phase,
  QueryTimeoutError,
} from '../errors/index.js';
import { classifyStatement, type StatementInfo } from '../sql/statement-classifier.js';
import { commitsTransaction } from '../sql/transaction-control.js';
import { type ConnectionState, transition } from './connection-state.js';
import { limitHandshakeBytes } from './handshake-byte-limit.js';
import { SessionState, TRACKING_SQL, WAIT_TIMEOUT_SQL } from './session-state.js';
import { queryPacket, readSetUpReply } from './set-up-reply.js';
import { type ConnectTraceContext, connectChannel, type TraceTarget } from './tracing-channels.js';

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

/** Bounds and result shaping for one statement in flight. */
export interface RunOptions {
  /** mysql2's result options for this statement only (goneaway/mysql2). */
  readonly driverOptions?: DriverStatementOptions | undefined;
  /** Receives mysql2's column definitions when the statement succeeds (goneaway/mysql2). */
  readonly onFields?: ((fields: unknown) => void) | undefined;
  /** Fail with `QueryTimeoutError` after this many ms (the connection is closed). */
  readonly timeoutMs?: number | undefined;
  /** COMMIT in flight (also recognised from the text): a loss means the commit's outcome is unknown. */
  readonly committing?: boolean;
}

/** The raw result mysql2 returns: rows, an OK packet, or an array of results. */
export type RawResult = unknown;

/**
 * A session goneaway gave up on while the server may still hold it (the path went silent, a
 * bound ran out): it may keep its transaction and locks until the server's `wait_timeout`, so
 * the pool ends it with `KILL` from a side connection once the server answers again.
 */
export interface AbandonedSession {
  /** The server's id for the session (`CONNECTION_ID()`). */
  readonly threadId: number;
  /** When the connection was opened (pool clock), to tell a restarted server from the same one. */
  readonly openedAt: number;
  /** When goneaway gave up on it (pool clock). */
  readonly abandonedAt: number;
  /** Whether a statement was in flight: the server may still be running it. */
  readonly statementInFlight: boolean;
  /** The session's `wait_timeout`, after which an idle session ends by itself. */
  readonly waitTimeoutMs: number | undefined;
  /** Why goneaway gave up, for the event. */
  readonly why: string;
}

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

/**
 * mysql2 internals the set-up pipelining touches: writing raw bytes on the connection's current
 * stream (plain or TLS), and the one function every received packet goes through. Both have been
 * stable across mysql2 3.x; a test runs the whole suite through them.
 */
interface DriverInternals {
  write(buffer: Buffer): void;
  handlePacket(packet?: ReceivedPacket): void;
  readonly config?: { readonly compress?: boolean };
}
interface ReceivedPacket {
  readonly buffer: Buffer;
  readonly offset: number;
  readonly end: number;
}

let nextLocalId = 1;

/**
 * One managed connection. Created by the pool; its state changes only through `open`, `lend`,
 * `park`, `validate`, `retire`, `discard`, and its socket's death.
 *
 * @example
 * const connection = new ManagedConnection(config, performance.now.bind(performance), target);
 * await connection.open();
 * connection.lend();
 * const rows = await connection.run('query', 'SELECT 1 AS one', undefined);
 * connection.park();
 */
export class ManagedConnection {
  /** goneaway's own id, stable across the connection's life (the server's id is `threadId`). */
  readonly localId = nextLocalId++;
  readonly createdAt: number;
  readonly session = new SessionState();
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
  /** What the classifier said of the statement last run (or in flight). */
  statement: StatementInfo | undefined;
  /** When the statement in flight was started. */
  busySince = 0;

  readonly #config: ConnectionConfig;
  readonly #now: () => number;
  /** Where it connects, as its pool names it in `goneaway:connect` traces. */
  readonly #target: TraceTarget;
  #state: ConnectionState = 'connecting';
  #socket: Socket | undefined;
  #driver: DriverConnection | undefined;
  /** Why the socket died, once it has. A statement is never handed to a dead connection. */
  #lostWith: Error | undefined;
  /** The server closed or reset the connection itself: its session is gone. */
  #closedByServer = false;
  #abandoned: AbandonedSession | undefined;
  #onLost: ((connection: ManagedConnection, cause: Error) => void) | undefined;
  #busy = false;
  #statementCount = 0;
  /** Settles the command in flight; set only while one is. */
  #settle: ((error: Error | null, result?: RawResult) => void) | undefined;
  #watchedBytes = 0;
  #watchedSince = 0;

  constructor(config: ConnectionConfig, now: () => number, target: TraceTarget) {
    this.#config = config;
    this.#now = now;
    this.#target = target;
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

  /** Whether a statement is in flight. */
  get busy(): boolean {
    return this.#busy;
  }

  /** Whether the socket is known to be dead (closed, reset, errored, or given up on). */
  get isDead(): boolean {
    return this.#lostWith !== undefined;
  }

  /**
   * Set once goneaway closed this connection while the server may still hold its session; the
   * pool hands it to its reaper. Undefined while alive, or when the server ended the session.
   */
  get abandoned(): AbandonedSession | undefined {
    return this.#abandoned;
  }

  idleMs(now = this.#now()): number {
    return now - this.lastUsedAt;
  }

  /** Registers the one listener told when the socket dies by itself (first death only). */
  onLost(listener: (connection: ManagedConnection, cause: Error) => void): void {
    this.#onLost = listener;
  }

  // ── named transitions ────────────────────────────────────────────────────────────────────

  /**
   * Connects and authenticates, sends goneaway's session set-up ahead of the caller's first
   * statement, and runs the pool's `initSql`. All of it is bounded by `timeoutMs` (default: the
   * pool's `connectTimeoutMs`): a server that freezes half-way costs the bound, never more.
   * Rejects with a classified error (phase `connecting`); the connection is then `closed`.
   */
  open(timeoutMs = this.#config.connectTimeoutMs): Promise<void> {
    if (!connectChannel.hasSubscribers) return this.#open(timeoutMs);
    const trace: ConnectTraceContext = { ...this.#target, user: this.#config.driver.user };
    return connectChannel.tracePromise(async () => {
      try {
        await this.#open(timeoutMs);
      } finally {
        if (this.threadId) trace.connectionId = this.threadId;
      }
    }, trace);
  }

  async #open(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new OpenTimeoutSignal(timeoutMs)), timeoutMs);
    });
    try {
      await Promise.race([this.#connectAndSetUp(timeoutMs), bound]);
      this.lastUsedAt = this.#now();
    } catch (error) {
      this.discard();
      throw classify(error, this.#context('connecting'));
    } finally {
      clearTimeout(timer);
    }
  }

  /** Hands the connection to a caller: after `open`, or straight from idle. */
  lend(): void {
    this.#move('in-use');
  }

  /** Takes the connection back from its caller into the idle stack. */
  park(): void {
    this.#move('idle');
  }

  /**
   * Pings an idle connection before it is lent, bounded by `timeoutMs`. True: it answered and
   * is now `in-use`. False: it is `closed`.
   */
  async validate(timeoutMs: number): Promise<boolean> {
    this.#move('validating');
    const answered = await this.#ping(timeoutMs);
    if (answered && this.#state === 'validating') {
      this.#move('in-use');
      return true;
    }
    this.discard();
    return false;
  }

  /**
   * Closes a healthy connection with a clean COM_QUIT, bounded by `boundMs`: the socket is
   * destroyed if the server does not close it in time. Resolves once it is `closed`.
   */
  retire(boundMs = 1_000): Promise<void> {
    this.#move('retiring');
    const socket = this.#socket;
    const driver = this.#driver;
    const closed = (): void => {
      if (this.#state === 'retiring') this.#move('closed');
    };
    if (!socket || !driver || this.#lostWith || socket.destroyed) {
      this.#destroySocket(new ConnectionLostSignal('closed by goneaway'));
      closed();
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(
        () => this.#destroySocket(new ConnectionLostSignal('closed by goneaway')),
        boundMs,
      );
      timer.unref();
      socket.once('close', () => {
        clearTimeout(timer);
        closed();
        resolve();
      });
      // The server closes the connection once it reads COM_QUIT. Ending the socket ourselves
      // could cut off a COM_QUIT still queued behind a statement (mysql2 queues it).
      driver.end();
    });
  }

  /**
   * Removes the connection without a goodbye (it is dead, or must not be trusted): the socket is
   * destroyed now. Idempotent. If the server may still hold the session, {@link abandoned} says so.
   */
  discard(): void {
    this.#destroySocket(new ConnectionLostSignal('closed by goneaway'));
    if (this.#state !== 'closed' && this.#state !== 'retiring') this.#move('closed');
  }

  #move(to: ConnectionState): void {
    this.#state = transition(this.#state, to);
  }

  // ── open ─────────────────────────────────────────────────────────────────────────────────

  async #connectAndSetUp(timeoutMs: number): Promise<void> {
    const { host, port, socketPath, driver: driverOptions } = this.#config;
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
    socket.once('end', () => {
      this.#closedByServer = true;
      this.#markLost(new ConnectionLostSignal('server closed the connection'));
    });

    const driver = mysql.createConnection({
      ...driverOptions,
      host,
      port,
      connectTimeout: timeoutMs,
      stream: () => socket,
    }) as unknown as DriverConnection;
    this.#driver = driver;
    // mysql2 emits 'error' for a fatal error with no command to report it to.
    driver.on('error', (error) => this.#markLost(error));

    let inline = false;
    try {
      await new Promise<void>((resolve, reject) => {
        driver.once('connect', (handshake) => {
          this.threadId = handshake.connectionId;
          this.serverVersion = handshake.serverVersion;
          this.flavor = flavorOf(handshake.serverVersion);
          inline = !this.#sendSetUpAhead(driver as unknown as DriverInternals);
          resolve();
        });
        driver.once('error', reject);
      });
    } catch (error) {
      // A server that floods the handshake is cut off: that, not the broken socket, is the story.
      throw handshakeLimit.error ?? error;
    } finally {
      handshakeLimit.end();
    }
    driver.removeAllListeners('connect');
    if (inline) await this.#setUpInline();
    if (this.#config.initSql.length > 0) {
      for (const sql of this.#config.initSql) this.session.observe(await this.#call('query', sql));
      // The set-up's reply came before initSql's (the server answers in order): what both
      // changed is the baseline every caller starts from.
      this.session.markBaseline();
    }
  }

  /**
   * Writes the tracking statement right behind the handshake, without waiting for its reply, and
   * takes that reply off the connection before mysql2 sees it. The caller's first statement goes
   * out behind it at once: tracking is on before it runs, and it costs no extra round trip.
   * Returns false when the connection's framing does not allow it (compression).
   */
  #sendSetUpAhead(driver: DriverInternals): boolean {
    if (driver.config?.compress) return false;
    const handlePacket = driver.handlePacket;
    driver.handlePacket = (packet) => {
      // mysql2 calls it without a packet to start a queued command: not the reply.
      if (!packet) return handlePacket.call(driver, packet);
      driver.handlePacket = handlePacket;
      this.#readSetUpReply(packet);
    };
    driver.write(queryPacket(TRACKING_SQL));
    return true;
  }

  #readSetUpReply(packet: ReceivedPacket): void {
    let reply: ReturnType<typeof readSetUpReply> | undefined;
    try {
      reply = readSetUpReply(packet.buffer, packet.offset, packet.end);
    } catch {
      // A reply goneaway cannot read: the session stays untracked (the classifier still watches).
    }
    if (reply?.ok) {
      this.session.observeSetUp(reply);
      if (reply.waitTimeoutS !== undefined) return;
    }
    // A server without session tracking: learn the idle limit the plain way, queued behind
    // whatever the caller sent (mysql2 queues it; nobody waits on it).
    this.#driver?.query({ sql: WAIT_TIMEOUT_SQL }, (error, rows) => {
      const value = (rows as { wait_timeout?: unknown }[] | undefined)?.[0]?.wait_timeout;
      if (!error && value !== undefined) this.session.waitTimeoutMs = Number(value) * 1000;
    });
  }

  /** The set-up as an ordinary statement, for framings that cannot carry it ahead. */
  async #setUpInline(): Promise<void> {
    try {
      const ok = (await this.#call('query', TRACKING_SQL)) as { serverStatus?: number };
      this.session.observeSetUp({ serverStatus: ok.serverStatus ?? 2 });
      const rows = (await this.#call('query', WAIT_TIMEOUT_SQL)) as { wait_timeout: number }[];
      this.session.waitTimeoutMs = Number(rows[0]?.wait_timeout) * 1000;
    } catch (error) {
      if (this.#lostWith) throw error;
    }
  }

  // ── statements ───────────────────────────────────────────────────────────────────────────

  /**
   * Runs one statement. Its session effects (from the classifier) are recorded before it is
   * sent and the server's reports after, whatever the result's shape. Rejects with a classified
   * `GoneAwayError` whose `outcome` is `'not-sent'` only when no byte of the statement reached
   * the socket.
   */
  async run(
    kind: StatementKind,
    sql: string,
    values: unknown,
    options: RunOptions = {},
  ): Promise<RawResult> {
    const idleMs = this.idleMs();
    const inTransaction = this.session.inTransaction;
    const statement = classifyStatement(sql, this.flavor);
    this.statement = statement;
    const socket = this.#socket;
    if (this.#lostWith || !socket) {
      throw this.#lossOfPreparedBranch(
        classify(this.#lostWith ?? new ConnectionLostSignal('not connected'), {
          ...this.#context('sending', sql, idleMs),
          inTransaction,
        }),
      );
    }
    // Before sending: a statement that fails after taking a lock still took it.
    if (statement.sessionEffects.length > 0) this.session.expect(statement.sessionEffects);
    const committing =
      options.committing ||
      ((inTransaction || this.session.xaPrepared) && commitsTransaction(statement.transaction));
    const writtenBefore = socket.bytesWritten;
    this.#busy = true;
    this.busySince = this.#now();
    this.#statementCount++;
    try {
      const result = await this.#call(kind, sql, values, options.timeoutMs, options);
      this.session.observe(result);
      if (statement.transaction !== 'none') this.session.completed(statement.transaction);
      return result;
    } catch (error) {
      const sent = socket.bytesWritten !== writtenBefore;
      const phase: Phase = !sent ? 'sending' : committing ? 'committing' : 'awaiting-result';
      throw this.#lossOfPreparedBranch(
        classify(error, { ...this.#context(phase, sql, idleMs), inTransaction }),
      );
    } finally {
      this.#busy = false;
      this.lastUsedAt = this.#now();
    }
  }

  /**
   * A prepared XA branch survives its connection, with its locks, until someone commits or rolls
   * it back by its xid: a loss then is not "rolled back", its outcome is pending.
   */
  #lossOfPreparedBranch(error: GoneAwayError): GoneAwayError {
    if (!this.session.xaPrepared || error.connectionUsable) return error;
    return new CommitOutcomeUnknownError(
      'The connection was lost while an XA transaction branch was prepared. A prepared branch survives the loss and keeps ' +
        'its locks: it is neither committed nor rolled back. Find it with XA RECOVER and end it with XA COMMIT or ' +
        'XA ROLLBACK and its xid, from any connection.',
      {
        cause: error,
        outcome: 'unknown',
        phase: 'committing',
        flavor: error.flavor,
        retryable: false,
        connectionUsable: false,
      },
    );
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
          this.#giveUp(`the statement ran past its timeoutMs (${timeoutMs} ms)`);
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
  abort(error: Error, why: string): void {
    const settle = this.#settle;
    this.#giveUp(why);
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

  /** COM_PING bounded by `timeoutMs`: true when the server answered. On no answer it gives up on the socket. */
  #ping(timeoutMs: number): Promise<boolean> {
    const driver = this.#driver;
    if (!driver || this.#lostWith) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#giveUp(`a ping got no answer within ${timeoutMs} ms`);
        resolve(false);
      }, timeoutMs);
      driver.ping((error) => {
        clearTimeout(timer);
        if (error) this.#destroySocket(error);
        else this.lastUsedAt = this.#now();
        resolve(!error);
      });
    });
  }

  // ── death ────────────────────────────────────────────────────────────────────────────────

  /**
   * goneaway stops waiting on a connection whose server may still be there (a silent path, a
   * bound that ran out): the socket is destroyed, the holder's next statement fails as not
   * sent, and the session is reported as abandoned unless the server already ended it.
   */
  #giveUp(why: string): void {
    if (!this.#lostWith) this.#recordAbandoned(why);
    this.#destroySocket(new ConnectionLostSignal(`closed by goneaway: ${why}`));
  }

  /** Remembers a session the server may still hold, for the pool's reaper. */
  #recordAbandoned(why: string): void {
    if (this.#closedByServer || this.threadId === 0 || this.#abandoned) return;
    this.#abandoned = {
      threadId: this.threadId,
      openedAt: this.createdAt,
      abandonedAt: this.#now(),
      statementInFlight: this.#busy,
      waitTimeoutMs: this.session.waitTimeoutMs,
      why,
    };
  }

  #destroySocket(cause: Error): void {
    this.#loseHolder(cause);
    this.#socket?.destroy();
  }

  #markLost(cause: Error): void {
    if (this.#lostWith) return;
    if (isServerSideClose(cause)) this.#closedByServer = true;
    // A reset may come from a NAT or firewall that forgot the flow while the server still holds
    // the session: one that held a statement, a transaction or state is worth ending there.
    else if (this.#busy || !this.session.isClean) this.#recordAbandoned(describeCause(cause));
    this.#loseHolder(cause);
    this.#onLost?.(this, cause);
  }

  /** Records the first cause of death; a held connection moves to `lost`. */
  #loseHolder(cause: Error): void {
    this.#lostWith ??= cause;
    if (this.#state === 'in-use') this.#move('lost');
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
 * An error packet from the server before it closed (KILL, shutdown, `wait_timeout` on MySQL 8):
 * the server ended the session itself. A bare reset proves nothing of the kind.
 */
function isServerSideClose(cause: Error): boolean {
  const { errno } = cause as Error & { errno?: unknown };
  return typeof errno === 'number' && errno >= 1000 && errno < 5000;
}

function describeCause(cause: Error): string {
  const { code } = cause as Error & { code?: unknown };
  return typeof code === 'string' ? `the connection failed with ${code}` : 'the connection failed';
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

/** The whole open (connect, handshake, set-up, initSql) ran past its bound. */
class OpenTimeoutSignal extends Error {
  readonly code = 'ETIMEDOUT';
  readonly fatal = true;
  constructor(timeoutMs: number) {
    super(`connect, handshake and session set-up did not finish within ${timeoutMs} ms`);
    this.name = 'OpenTimeoutSignal';
  }
}
