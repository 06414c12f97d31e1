/**
 * A TCP proxy that faults a connection at an exact statement boundary, which the kit's fault
 * proxy (byte-blind, fault on demand) cannot: it reads the client's MySQL command packets and,
 * when a statement matches a rule, resets the connection instead of sending it, sends it and
 * loses everything after (the reply included), or holds it until the test has caused a fault
 * (e.g. froze the server). Faults stay real: RSTs, dropped bytes, a stopped server.
 *
 * Only plain-text connections are read (no TLS, no compression), as the sandbox serves them.
 * A command is a packet with sequence id 0; COM_QUERY (0x03) and COM_STMT_PREPARE (0x16) carry
 * SQL text. The server's greeting tells each connection's server thread id.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

/** What happens to the statement a rule matches. */
export type TrapAction =
  /** A RST to both sides; the statement is not forwarded (the client did write it). */
  | 'reset'
  /** The statement is forwarded; from then on nothing passes either way and nothing is closed. */
  | 'lose-reply'
  /** Nothing passes either way from this statement on (it is not forwarded); nothing is closed. */
  | 'blackhole'
  /** The statement waits until `hold` resolves (the test causes its fault meanwhile), then goes. */
  | { readonly hold: () => Promise<void> };

/** A statement as the rule sees it. */
export interface TrappedStatement {
  readonly sql: string;
  /** The statements sent before it on the same connection, oldest first. */
  readonly earlier: readonly string[];
  /** The server's id for the connection (`CONNECTION_ID()`), from its greeting. */
  readonly threadId: number;
}

/** One connection through the trap. */
export interface TrappedConnection {
  readonly threadId: number;
  readonly statements: readonly string[];
  /** True once an action made the path dark or reset it. */
  readonly faulted: boolean;
}

/** A running statement trap. See {@link startStatementTrap}. */
export interface StatementTrap {
  readonly host: string;
  readonly port: number;
  readonly connections: readonly TrappedConnection[];
  /**
   * Arms a one-shot rule: the first statement (on any connection, from now on) that `match`
   * accepts gets `action`. Resolves with that statement once the action has been taken.
   */
  arm(
    match: (statement: TrappedStatement) => boolean,
    action: TrapAction,
  ): Promise<TrappedStatement>;
  /** Delays each new connection's link to the server (so its greeting) by `ms`; 0 turns it off. */
  delayGreeting(ms: number): void;
  close(): Promise<void>;
}

interface Rule {
  readonly match: (statement: TrappedStatement) => boolean;
  readonly action: TrapAction;
  readonly fired: (statement: TrappedStatement) => void;
}

const COM_QUERY = 0x03;
const COM_STMT_PREPARE = 0x16;

/**
 * Starts a statement trap on 127.0.0.1 (a free port) in front of `target`.
 *
 * @example
 * const trap = await startStatementTrap({ host: server.host, port: server.port });
 * const hit = trap.arm(({ sql }) => sql.startsWith('START TRANSACTION'), 'reset');
 * // point a pool at trap.port, run a transaction, then: await hit;
 * await trap.close();
 */
export async function startStatementTrap(target: {
  readonly host: string;
  readonly port: number;
}): Promise<StatementTrap> {
  const rules = new Set<Rule>();
  const links = new Set<Link>();
  let greetingDelayMs = 0;
  const server: Server = createServer((client) => {
    const link = new Link(client, target, greetingDelayMs, rules);
    links.add(link);
    client.once('close', () => links.delete(link));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP port assigned');
  return {
    host: '127.0.0.1',
    port: address.port,
    get connections() {
      return [...links];
    },
    arm(match, action) {
      return new Promise((fired) => {
        rules.add({ match, action, fired });
      });
    },
    delayGreeting(ms) {
      greetingDelayMs = ms;
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const link of links) link.destroy();
      await closed;
    },
  };
}

class Link implements TrappedConnection {
  threadId = 0;
  readonly statements: string[] = [];
  faulted = false;

  readonly #client: Socket;
  readonly #rules: Set<Rule>;
  #upstream: Socket | undefined;
  #pending: Buffer = Buffer.alloc(0);
  /** Packets waiting for the upstream connection or for a hold to end. */
  readonly #queue: Buffer[] = [];
  #holding = false;
  #dark = false;
  #greeted = false;

  constructor(
    client: Socket,
    target: { readonly host: string; readonly port: number },
    delayMs: number,
    rules: Set<Rule>,
  ) {
    this.#client = client;
    this.#rules = rules;
    client.setNoDelay(true);
    client.on('error', () => {});
    client.on('data', (chunk: Buffer) => this.#fromClient(chunk));
    client.on('close', () => {
      if (!this.#dark) this.#upstream?.destroy();
    });
    const open = (): void => {
      if (client.destroyed) return;
      const upstream = connect(target);
      this.#upstream = upstream;
      upstream.setNoDelay(true);
      upstream.on('error', () => {});
      upstream.on('data', (chunk: Buffer) => this.#fromServer(chunk));
      upstream.on('close', () => {
        if (!this.#dark) client.destroy();
      });
      upstream.on('connect', () => this.#flush());
    };
    if (delayMs > 0) setTimeout(open, delayMs).unref();
    else open();
  }

  destroy(): void {
    this.#client.destroy();
    this.#upstream?.destroy();
  }

  #fromServer(chunk: Buffer): void {
    if (this.#dark) return;
    if (!this.#greeted) {
      this.#greeted = true;
      this.threadId = greetingThreadId(chunk);
    }
    this.#client.write(chunk);
  }

  #fromClient(chunk: Buffer): void {
    if (this.#dark) return;
    this.#pending = Buffer.concat([this.#pending, chunk]);
    while (this.#pending.length >= 4) {
      const length = this.#pending.readUIntLE(0, 3);
      if (this.#pending.length < 4 + length) break;
      this.#queue.push(this.#pending.subarray(0, 4 + length));
      this.#pending = this.#pending.subarray(4 + length);
    }
    this.#flush();
  }

  /** Sends queued packets in order, stopping at a hold and at the end of the path. */
  #flush(): void {
    const upstream = this.#upstream;
    while (!this.#holding && !this.#dark && upstream && !upstream.connecting) {
      const packet = this.#queue.shift();
      if (!packet) return;
      const sql = commandText(packet);
      if (sql === undefined) {
        upstream.write(packet);
        continue;
      }
      const statement: TrappedStatement = {
        sql,
        earlier: [...this.statements],
        threadId: this.threadId,
      };
      this.statements.push(sql);
      const rule = [...this.#rules].find((candidate) => candidate.match(statement));
      if (!rule) {
        upstream.write(packet);
        continue;
      }
      this.#rules.delete(rule);
      this.#act(rule, statement, packet, upstream);
    }
  }

  #act(rule: Rule, statement: TrappedStatement, packet: Buffer, upstream: Socket): void {
    const { action } = rule;
    if (action === 'reset') {
      this.faulted = true;
      this.#dark = true;
      this.#client.resetAndDestroy();
      upstream.resetAndDestroy();
    } else if (action === 'lose-reply' || action === 'blackhole') {
      if (action === 'lose-reply') upstream.write(packet);
      this.faulted = true;
      this.#dark = true;
      this.#queue.length = 0;
    } else {
      this.#holding = true;
      void action.hold().finally(() => {
        this.#holding = false;
        if (!upstream.destroyed) upstream.write(packet);
        this.#flush();
      });
    }
    rule.fired(statement);
  }
}

/** The SQL of a COM_QUERY or COM_STMT_PREPARE packet; undefined for anything else. */
function commandText(packet: Buffer): string | undefined {
  const sequence = packet[3];
  const command = packet[4];
  if (sequence !== 0 || (command !== COM_QUERY && command !== COM_STMT_PREPARE)) return undefined;
  return packet.subarray(5).toString('utf8');
}

/** Protocol 10 greeting: header, version byte, NUL-terminated server version, 4-byte thread id. */
function greetingThreadId(chunk: Buffer): number {
  const end = chunk.indexOf(0, 5);
  return end > 0 && chunk.length >= end + 5 ? chunk.readUInt32LE(end + 1) : 0;
}
