/**
 * A TCP proxy that puts real network faults between a client and a server.
 *
 * It listens on 127.0.0.1 and forwards every byte to the target, so a driver pointed at it
 * talks to the real server, until a test turns a fault on. What mysql2 reports for each one
 * was measured against MariaDB 10.11 with mysql2 3.24 (see test/integration/fault-proxy.test.ts):
 *
 * - `resetAll()` / `connection.reset()`: a TCP RST to both ends, now (a middlebox or a
 *   restarted load balancer forgetting the flow). An idle mysql2 connection emits 'error'
 *   `ECONNRESET` ("read ECONNRESET", fatal); a statement in flight rejects with the same.
 * - `blackhole()` / `connection.blackhole()`: the path goes dark. Every socket stays open,
 *   nothing is forwarded in either direction, and what arrives meanwhile is dropped, not
 *   delivered later. A statement gets no answer and no error, ever. New connections are
 *   accepted by the kernel (the TCP handshake completes) but are not connected upstream and
 *   get no greeting, like a path that went dark behind the listener; the client's own
 *   connect timeout decides how long it waits (mysql2: `ETIMEDOUT`, "connect ETIMEDOUT").
 * - `resume()`: forwarding again. A connection accepted while dark is connected upstream
 *   now, so its greeting arrives late. Bytes dropped while dark stay lost, so a statement
 *   that was in flight leaves its connection desynchronised, as on a path that dropped
 *   packets for longer than TCP retransmits. A side that closed while dark (the server's
 *   wait_timeout or KILL, a client giving up) is seen by the other side as a reset on
 *   resume: its next packet would find no flow and be answered with a RST.
 * - `latency(ms)`: every chunk, in each direction, is delivered `ms` later, in order; a
 *   round trip takes at least `2 * ms`.
 * - `refuseNew(true)`: each new connection is accepted and reset at once, before any byte.
 *   mysql2 rejects `createConnection` with `ECONNRESET` (fatal); Node names the syscall
 *   that saw the RST, usually "connect ECONNRESET <host>:<port>", "read ECONNRESET" if the
 *   RST comes after the connect completed. Existing connections are not touched.
 * - `close()`: the listener stops (a connect gets `ECONNREFUSED`) and every socket is closed
 *   with a FIN; an idle mysql2 connection emits 'end', then 'error'
 *   `PROTOCOL_CONNECTION_LOST`.
 *
 * The listener keeps the process alive until `close()`, like any Node server.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

/** Where a {@link FaultProxy} forwards to. */
export interface FaultProxyTarget {
  readonly host: string;
  readonly port: number;
}

/** Options for {@link startFaultProxy}. */
export interface FaultProxyOptions {
  /** The server every accepted connection is forwarded to, e.g. a sandbox's host and port. */
  readonly target: FaultProxyTarget;
  /** Port to listen on (always on 127.0.0.1). Default 0: a free port chosen by the OS. */
  readonly port?: number;
}

/** Counters of a {@link FaultProxy}, since it started. A snapshot: read `stats` again for news. */
export interface FaultProxyStats {
  /** Client connections accepted and proxied (refused ones are counted in `refused` only). */
  readonly accepted: number;
  /** Client connections reset at once because `refuseNew(true)` was on. */
  readonly refused: number;
  /** Proxied connections with at least one side (client or server) still open. */
  readonly active: number;
  /** Connections reset by `resetAll()` or `connection.reset()`. */
  readonly resets: number;
  /** Bytes from clients delivered to the server. */
  readonly bytesUp: number;
  /** Bytes from the server delivered to clients. */
  readonly bytesDown: number;
  /** Bytes received in either direction and thrown away because the path was dark. */
  readonly bytesDropped: number;
}

/** One client connection through a {@link FaultProxy}, for faulting a subset of them. */
export interface ProxiedConnection {
  /** 1 for the first connection the proxy accepted, then 2, 3, ... */
  readonly id: number;
  /**
   * The client's own port: match it with the client socket's `localPort` (mysql2:
   * `connection.connection.stream.localPort`) to find the connection a test holds.
   */
  readonly clientPort: number;
  /** Whether this connection's path is dark (by `blackhole()` on it or on the proxy). */
  readonly dark: boolean;
  /** Whether either side is still open. */
  readonly open: boolean;
  /** Bytes from this client delivered to the server. */
  readonly bytesUp: number;
  /** Bytes from the server delivered to this client. */
  readonly bytesDown: number;
  /** Sends a RST to both sides now. Returns false if the connection was already closed. */
  reset(): boolean;
  /** Makes this connection's path dark: nothing forwarded, everything dropped, nothing closed. */
  blackhole(): void;
  /** Forwards again on this connection (see the module notes on what resuming means). */
  resume(): void;
}

/** A running fault proxy. See {@link startFaultProxy}. */
export interface FaultProxy {
  /** Always `'127.0.0.1'`. */
  readonly host: string;
  /** The port the proxy listens on: point the client here. */
  readonly port: number;
  readonly target: FaultProxyTarget;
  readonly stats: FaultProxyStats;
  /** The open connections, oldest first (a snapshot). */
  readonly connections: readonly ProxiedConnection[];
  /** Whether `blackhole()` is in force for new connections. */
  readonly dark: boolean;
  /** The delay added to each chunk in each direction, in ms. */
  readonly latencyMs: number;
  /** Whether new connections are being refused. */
  readonly refusing: boolean;
  /** Resets every open connection (RST to both sides) and returns how many it reset. */
  resetAll(): number;
  /** Makes the path dark for every open connection and every new one, until `resume()`. */
  blackhole(): void;
  /** Ends `blackhole()` for the proxy and for every connection made dark on its own. */
  resume(): void;
  /** Delays each chunk by `ms` in each direction, from now on (0 turns it off). */
  latency(ms: number): void;
  /** While true, each new connection is accepted and reset at once. */
  refuseNew(refuse?: boolean): void;
  /**
   * Resolves once at least `count` connections are open (`stats.active >= count`); rejects
   * after `timeoutMs` (default 5 000) or when the proxy closes.
   */
  waitForConnections(count: number, timeoutMs?: number): Promise<void>;
  /** Stops listening and closes every socket. Idempotent; the process can exit afterwards. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Starts a TCP proxy on 127.0.0.1 (a free port) that forwards to `target` and injects faults
 * on demand. See the module notes for exactly what each fault looks like to either side.
 *
 * @example
 * import mysql from 'mysql2/promise';
 * import { startFaultProxy, testServer } from 'goneaway/testing';
 *
 * const server = await testServer();
 * const proxy = await startFaultProxy({ target: { host: server.host, port: server.port } });
 * const url = new URL(server.uri);
 * url.port = String(proxy.port);
 * const connection = await mysql.createConnection({ uri: url.href });
 * connection.on('error', () => {}); // an idle connection that is reset reports it here
 * proxy.resetAll(); // the client sees ECONNRESET
 * await proxy.close();
 * await server.stop();
 */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const proxy = new TcpFaultProxy(options.target);
  await proxy.listen(options.port ?? 0);
  return proxy;
}

interface Waiter {
  readonly count: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/** Mutable counters, shared by the proxy and its links. */
interface Counters {
  accepted: number;
  refused: number;
  resets: number;
  bytesUp: number;
  bytesDown: number;
  bytesDropped: number;
}

class TcpFaultProxy implements FaultProxy {
  readonly host = '127.0.0.1';
  readonly target: FaultProxyTarget;

  readonly #server: Server;
  readonly #links = new Set<Link>();
  readonly #counters: Counters = {
    accepted: 0,
    refused: 0,
    resets: 0,
    bytesUp: 0,
    bytesDown: 0,
    bytesDropped: 0,
  };
  readonly #waiters = new Set<Waiter>();
  #dark = false;
  #latencyMs = 0;
  #refusing = false;
  #closing: Promise<void> | undefined;
  #port = 0;

  constructor(target: FaultProxyTarget) {
    this.target = { host: target.host, port: target.port };
    this.#server = createServer({ allowHalfOpen: true }, (socket) => this.#accept(socket));
  }

  async listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, this.host, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    const address = this.#server.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP port assigned');
    this.#port = address.port;
  }

  get port(): number {
    return this.#port;
  }

  get stats(): FaultProxyStats {
    return { ...this.#counters, active: this.#links.size };
  }

  get connections(): readonly ProxiedConnection[] {
    return [...this.#links];
  }

  get dark(): boolean {
    return this.#dark;
  }

  get latencyMs(): number {
    return this.#latencyMs;
  }

  get refusing(): boolean {
    return this.#refusing;
  }

  resetAll(): number {
    let count = 0;
    for (const link of [...this.#links]) if (link.reset()) count++;
    return count;
  }

  blackhole(): void {
    this.#dark = true;
    for (const link of this.#links) link.blackhole();
  }

  resume(): void {
    this.#dark = false;
    for (const link of [...this.#links]) link.resume();
  }

  latency(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) {
      throw new RangeError(`goneaway fault proxy: latency(ms) needs a finite ms >= 0, got ${ms}.`);
    }
    this.#latencyMs = ms;
  }

  refuseNew(refuse = true): void {
    this.#refusing = refuse;
  }

  waitForConnections(count: number, timeoutMs = 5_000): Promise<void> {
    if (this.#links.size >= count) return Promise.resolve();
    if (this.#closing) {
      return Promise.reject(new Error('goneaway fault proxy: waitForConnections() after close().'));
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        count,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#waiters.delete(waiter);
          reject(
            new Error(
              `goneaway fault proxy: ${this.#links.size} connection(s) open after ${timeoutMs} ms, ` +
                `waited for ${count} (accepted ${this.#counters.accepted} in all, ` +
                `refused ${this.#counters.refused}).`,
            ),
          );
        }, timeoutMs),
      };
      this.#waiters.add(waiter);
    });
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    const links = [...this.#links];
    for (const link of links) link.destroy();
    for (const waiter of this.#waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error('goneaway fault proxy: closed while waiting for connections.'));
    }
    this.#waiters.clear();
    // Both sockets of every link, not only the client sides the listener waits for.
    await Promise.all([closed, ...links.map((link) => link.closed)]);
  }

  #accept(client: Socket): void {
    if (this.#closing) {
      client.destroy();
      return;
    }
    if (this.#refusing) {
      this.#counters.refused++;
      client.on('error', ignore);
      client.resetAndDestroy();
      return;
    }
    this.#counters.accepted++;
    const link = new Link(this.#counters.accepted, client, {
      target: this.target,
      counters: this.#counters,
      latencyMs: () => this.#latencyMs,
      onClosed: (closed) => this.#links.delete(closed),
    });
    this.#links.add(link);
    if (this.#dark) link.blackhole();
    link.start();
    for (const waiter of [...this.#waiters]) {
      if (this.#links.size < waiter.count) continue;
      clearTimeout(waiter.timer);
      this.#waiters.delete(waiter);
      waiter.resolve();
    }
  }
}

/** What a {@link Link} needs from its proxy. */
interface LinkContext {
  readonly target: FaultProxyTarget;
  readonly counters: Counters;
  readonly latencyMs: () => number;
  readonly onClosed: (link: Link) => void;
}

/** One proxied connection: the client socket, the upstream socket and a pipe each way. */
class Link implements ProxiedConnection {
  readonly id: number;
  readonly clientPort: number;

  readonly #client: Socket;
  readonly #context: LinkContext;
  #upstream: Socket | undefined;
  #up: Pipe | undefined;
  #down: Pipe | undefined;
  #dark = false;
  #clientGone = false;
  #upstreamGone = false;
  /** A side that ended or failed while dark; the other side learns it on resume(). */
  #lostWhileDark = false;
  #reported = false;
  #markClosed: () => void = ignore;
  /** Settles once both sides are closed. */
  readonly closed = new Promise<void>((resolve) => {
    this.#markClosed = resolve;
  });

  constructor(id: number, client: Socket, context: LinkContext) {
    this.id = id;
    this.#client = client;
    this.#context = context;
    this.clientPort = client.remotePort ?? 0;
  }

  get dark(): boolean {
    return this.#dark;
  }

  get open(): boolean {
    return !this.#reported;
  }

  get bytesUp(): number {
    return this.#up?.bytes ?? 0;
  }

  get bytesDown(): number {
    return this.#down?.bytes ?? 0;
  }

  start(): void {
    const client = this.#client;
    client.setNoDelay(true);
    // Failures show up as 'close' with hadError; an unhandled 'error' would crash the process.
    client.on('error', ignore);
    client.on('data', (chunk: Buffer) => this.#received(this.#up, chunk));
    client.on('end', () => this.#ended(this.#up));
    client.on('close', (hadError) => {
      this.#clientGone = true;
      this.#sideClosed(hadError, this.#upstream);
    });
    if (!this.#dark) this.#connectUpstream();
  }

  reset(): boolean {
    if (this.#reported) return false;
    this.#context.counters.resets++;
    this.#up?.drop();
    this.#down?.drop();
    hardClose(this.#client);
    if (this.#upstream) hardClose(this.#upstream);
    return true;
  }

  blackhole(): void {
    if (this.#dark) return;
    this.#dark = true;
    // Chunks still waiting out a latency delay were on the wire when the path went dark.
    this.#context.counters.bytesDropped += (this.#up?.drop() ?? 0) + (this.#down?.drop() ?? 0);
  }

  resume(): void {
    if (!this.#dark || this.#reported) return;
    this.#dark = false;
    if (!this.#upstream) {
      if (this.#clientGone || this.#lostWhileDark) this.#client.destroy();
      else this.#connectUpstream();
      return;
    }
    if (this.#lostWhileDark) this.reset();
  }

  /** Closes both sides without a fault (the proxy is shutting down). */
  destroy(): void {
    this.#up?.drop();
    this.#down?.drop();
    this.#client.destroy();
    this.#upstream?.destroy();
  }

  #connectUpstream(): void {
    const { host, port } = this.#context.target;
    const upstream = connect({ host, port, allowHalfOpen: true });
    this.#upstream = upstream;
    upstream.setNoDelay(true);
    const counters = this.#context.counters;
    this.#up = new Pipe(this.#client, upstream, this.#context.latencyMs, (n) => {
      counters.bytesUp += n;
    });
    this.#down = new Pipe(upstream, this.#client, this.#context.latencyMs, (n) => {
      counters.bytesDown += n;
    });
    upstream.on('error', ignore);
    upstream.on('data', (chunk: Buffer) => this.#received(this.#down, chunk));
    upstream.on('end', () => this.#ended(this.#down));
    upstream.on('close', (hadError) => {
      this.#upstreamGone = true;
      this.#sideClosed(hadError, this.#client);
    });
  }

  #received(pipe: Pipe | undefined, chunk: Buffer): void {
    if (this.#dark || !pipe) this.#context.counters.bytesDropped += chunk.length;
    else pipe.push(chunk);
  }

  /** A FIN from one side: pass it on after the data before it, unless the path is dark. */
  #ended(pipe: Pipe | undefined): void {
    if (this.#dark || !pipe) this.#lostWhileDark = true;
    else pipe.end();
  }

  #sideClosed(hadError: boolean, other: Socket | undefined): void {
    if (this.#dark) {
      this.#lostWhileDark = true;
    } else if (other && hadError) {
      // A reset (or a failed connect upstream) is passed on as a reset.
      this.#up?.drop();
      this.#down?.drop();
      hardClose(other);
    }
    // A connection that never got an upstream (dark since accepted) is over with its client.
    if (this.#clientGone && (this.#upstreamGone || !this.#upstream) && !this.#reported) {
      this.#reported = true;
      this.#context.onClosed(this);
      this.#markClosed();
    }
  }
}

/** A queued chunk, or `null` for the FIN that follows the data. */
interface Delivery {
  readonly at: number;
  readonly chunk: Buffer | null;
}

/** One direction of a link: delivers chunks in order, each after the latency in force. */
class Pipe {
  bytes = 0;

  readonly #from: Socket;
  readonly #to: Socket;
  readonly #latencyMs: () => number;
  readonly #delivered: (bytes: number) => void;
  readonly #queue: Delivery[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(
    from: Socket,
    to: Socket,
    latencyMs: () => number,
    delivered: (bytes: number) => void,
  ) {
    this.#from = from;
    this.#to = to;
    this.#latencyMs = latencyMs;
    this.#delivered = delivered;
    // Backpressure: stop reading while the other side's buffer is full.
    to.on('drain', () => from.resume());
  }

  push(chunk: Buffer): void {
    this.#enqueue(chunk);
  }

  end(): void {
    this.#enqueue(null);
  }

  /** Throws away everything not yet delivered; returns how many bytes that was. */
  drop(): number {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const bytes = this.#queue.reduce((sum, item) => sum + (item.chunk?.length ?? 0), 0);
    this.#queue.length = 0;
    return bytes;
  }

  #enqueue(chunk: Buffer | null): void {
    const delay = this.#latencyMs();
    if (delay === 0 && this.#queue.length === 0) {
      this.#deliver(chunk);
      return;
    }
    // Never before the chunk ahead of it, even if the latency was lowered since.
    const last = this.#queue.at(-1)?.at ?? 0;
    this.#queue.push({ at: Math.max(performance.now() + delay, last), chunk });
    this.#schedule();
  }

  #schedule(): void {
    const head = this.#queue[0];
    if (!head || this.#timer) return;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        const now = performance.now();
        while (this.#queue.length > 0 && (this.#queue[0]?.at ?? 0) <= now) {
          this.#deliver(this.#queue.shift()?.chunk ?? null);
        }
        this.#schedule();
      },
      Math.max(0, head.at - performance.now()),
    );
  }

  #deliver(chunk: Buffer | null): void {
    if (this.#to.destroyed) return;
    if (chunk === null) {
      this.#to.end();
      return;
    }
    this.bytes += chunk.length;
    this.#delivered(chunk.length);
    if (!this.#to.write(chunk)) this.#from.pause();
  }
}

/** A RST where the socket is connected; a plain close while it is still connecting. */
function hardClose(socket: Socket): void {
  if (socket.destroyed) return;
  if (socket.connecting) socket.destroy();
  else socket.resetAndDestroy();
}

function ignore(): void {}
