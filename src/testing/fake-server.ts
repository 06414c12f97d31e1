/**
 * A hostile MySQL server for tests of what a client gives away: it speaks just enough of the
 * protocol to greet, authenticate and answer simple commands, on 127.0.0.1 (or a unix socket).
 *
 * Its point is the password. It greets with `caching_sha2_password` (MySQL 8's default) or
 * `sha256_password`, always asks for full authentication (as a server does for a user whose
 * password hash is not cached), and when the client asks for the server's RSA public key it
 * sends one of its own, then decrypts whatever the client encrypted to it. Anything that posed
 * as a MySQL server could do the same: `passwords` lists what it managed to read. A second
 * mode floods the client with oversized packets instead of greeting it.
 */
import {
  constants as cryptoConstants,
  generateKeyPairSync,
  privateDecrypt,
  randomBytes,
} from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { TLSSocket } from 'node:tls';

/** Options for {@link startFakeMysqlServer}. */
export interface FakeMysqlServerOptions {
  /** The authentication plugin it greets with. Default `'caching_sha2_password'`. */
  readonly authPlugin?: 'caching_sha2_password' | 'sha256_password';
  /** Listen on this unix socket instead of a TCP port on 127.0.0.1. */
  readonly socketPath?: string;
  /**
   * Instead of greeting (or, with `tls`, right after the TLS upgrade), send packets that
   * announce 16 MiB each and keep coming, up to this many bytes per connection: what a client
   * buffers before it gives up is then up to it.
   */
  readonly floodBytes?: number;
  /** Offer TLS with this key and certificate (PEM); a client that asks is upgraded. */
  readonly tls?: { readonly key: string; readonly cert: string };
}

/** A running fake server. See {@link startFakeMysqlServer}. */
export interface FakeMysqlServer {
  readonly host: '127.0.0.1';
  /** The TCP port (0 when listening on a unix socket). */
  readonly port: number;
  readonly socketPath: string | undefined;
  /** The RSA public key (PEM) it offers, and can decrypt for. */
  readonly publicKey: string;
  /** Every password it read from a client, decrypted or in the clear, in order. */
  readonly passwords: readonly string[];
  /** How many times a client asked for its public key. */
  readonly keyRequests: number;
  /** Connections accepted so far. */
  readonly connections: number;
  /** Bytes sent in flood mode, over all connections. */
  readonly floodedBytes: number;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

const CAPABILITIES =
  0x1 | // LONG_PASSWORD: a MySQL (not MariaDB) greeting
  0x2 | // FOUND_ROWS
  0x4 | // LONG_FLAG
  0x8 | // CONNECT_WITH_DB
  0x200 | // PROTOCOL_41
  0x2000 | // TRANSACTIONS
  0x8000 | // SECURE_CONNECTION
  0x20000 | // MULTI_RESULTS
  0x80000 | // PLUGIN_AUTH
  0x100000 | // CONNECT_ATTRS
  0x200000; // PLUGIN_AUTH_LENENC_CLIENT_DATA

const CLIENT_SSL = 0x800;
const COM_QUIT = 0x01;
const COM_QUERY = 0x03;
const COM_PING = 0x0e;
const KEY_REQUEST: Readonly<Record<string, number>> = {
  caching_sha2_password: 0x02,
  sha256_password: 0x01,
};

/**
 * Starts a fake MySQL server that reads what passwords it can; see the module comment.
 *
 * @example
 * import { startFakeMysqlServer } from 'goneaway/testing';
 * const fake = await startFakeMysqlServer();
 * // connect the code under test to 127.0.0.1:fake.port, then:
 * assert.deepEqual(fake.passwords, []); // it learned nothing
 * await fake.close();
 */
export async function startFakeMysqlServer(
  options: FakeMysqlServerOptions = {},
): Promise<FakeMysqlServer> {
  const plugin = options.authPlugin ?? 'caching_sha2_password';
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const passwords: string[] = [];
  const sockets = new Set<Socket>();
  let keyRequests = 0;
  let connections = 0;
  let floodedBytes = 0;

  const server: Server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    void converse(socket, {
      plugin,
      publicKey,
      tls: options.tls,
      floodBytes: options.floodBytes,
      // Both plugins encrypt with RSA-OAEP over SHA-1, after XOR-ing with the scramble.
      readPassword: (encrypted, scramble) =>
        xorRotating(
          privateDecrypt(
            { key: privateKey, oaepHash: 'sha1', padding: cryptoConstants.RSA_PKCS1_OAEP_PADDING },
            encrypted,
          ),
          scramble,
        ),
      onKeyRequest: () => {
        keyRequests++;
      },
      onPassword: (password) => passwords.push(password),
      onFlooded: (sent) => {
        floodedBytes += sent;
      },
      connectionId: connections,
    }).catch(() => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if (options.socketPath) server.listen(options.socketPath, resolve);
    else server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  return {
    host: '127.0.0.1',
    port: typeof address === 'object' && address ? address.port : 0,
    socketPath: options.socketPath,
    publicKey,
    get passwords() {
      return [...passwords];
    },
    get keyRequests() {
      return keyRequests;
    },
    get connections() {
      return connections;
    },
    get floodedBytes() {
      return floodedBytes;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

interface Conversation {
  readonly plugin: string;
  readonly publicKey: string;
  readonly connectionId: number;
  readonly tls: FakeMysqlServerOptions['tls'];
  readonly floodBytes: number | undefined;
  readPassword(encrypted: Buffer, scramble: Buffer): string;
  onKeyRequest(): void;
  onPassword(password: string): void;
  onFlooded(bytes: number): void;
}

/** Greeting, TLS if asked, full authentication, then OK to every query and ping until COM_QUIT. */
async function converse(socket: Socket, talk: Conversation): Promise<void> {
  if (talk.floodBytes !== undefined && !talk.tls) {
    await flood(socket, talk.floodBytes, talk.onFlooded);
    return;
  }
  // Non-zero bytes: the greeting and the auth switch end the scramble with a NUL.
  const scramble = Buffer.from(randomBytes(20).map((byte) => byte & 0x7f || 1));
  let channel = new PacketChannel(socket);
  channel.send(greeting(talk.plugin, scramble, talk.connectionId, talk.tls !== undefined));
  let first = await channel.next();
  if (talk.tls && first.length === 32 && first.readUInt32LE(0) & CLIENT_SSL) {
    // An SSLRequest: the rest of the conversation goes over TLS. The client's first TLS bytes
    // may have come in the same read as the request, so TLS reads through a stream that
    // starts with them.
    const secure = new TLSSocket(continuing(socket, channel.detach()), {
      isServer: true,
      ...talk.tls,
    });
    secure.on('error', () => socket.destroy());
    if (talk.floodBytes !== undefined) {
      await new Promise((resolve) => secure.once('secure', resolve));
      await flood(secure, talk.floodBytes, talk.onFlooded);
      return;
    }
    channel = new PacketChannel(secure);
    first = await channel.next();
  }
  const response = parseHandshakeResponse(first);
  if (response.plugin !== talk.plugin) {
    // The client answered with another plugin: switch it to ours, with the same scramble.
    channel.send(
      Buffer.concat([
        Buffer.from([0xfe]),
        Buffer.from(`${talk.plugin}\0`),
        scramble,
        Buffer.from([0]),
      ]),
    );
  }
  let reply: Buffer;
  if (talk.plugin === 'caching_sha2_password') {
    // Read the scramble token (in the response, or after the switch), then ask for the password.
    if (response.plugin !== talk.plugin) await channel.next();
    channel.send(Buffer.from([0x01, 0x04])); // perform_full_authentication
    reply = await channel.next();
  } else {
    reply = response.plugin === talk.plugin ? response.token : await channel.next();
  }
  if (reply.length === 1 && reply[0] === KEY_REQUEST[talk.plugin]) {
    talk.onKeyRequest();
    channel.send(Buffer.concat([Buffer.from([0x01]), Buffer.from(talk.publicKey)]));
    reply = await channel.next();
  }
  const password = readReply(reply, scramble, talk);
  if (password !== undefined) talk.onPassword(password);
  channel.send(okPacket());
  for (;;) {
    const command = await channel.next();
    if (command[0] === COM_QUIT) break;
    if (command[0] === COM_QUERY || command[0] === COM_PING) channel.send(okPacket());
    else channel.send(errorPacket('not supported by the fake server'));
  }
  channel.end();
}

/**
 * What a reply reveals: a password encrypted to our key, or one in the clear (it ends with
 * NUL). One encrypted to another key (a pinned one) reveals nothing.
 */
function readReply(reply: Buffer, scramble: Buffer, talk: Conversation): string | undefined {
  try {
    return talk.readPassword(reply, scramble);
  } catch {
    return reply.at(-1) === 0 ? reply.subarray(0, -1).toString('utf8') : undefined;
  }
}

function xorRotating(data: Buffer, scramble: Buffer): string {
  const out = Buffer.alloc(data.length);
  for (let i = 0; i < data.length; i++)
    out[i] = (data[i] as number) ^ (scramble[i % scramble.length] as number);
  return out.subarray(0, out.at(-1) === 0 ? -1 : undefined).toString('utf8');
}

function greeting(plugin: string, scramble: Buffer, connectionId: number, tls: boolean): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt32LE(connectionId);
  const flags = Buffer.alloc(4);
  flags.writeUInt32LE((CAPABILITIES | (tls ? CLIENT_SSL : 0)) >>> 0);
  return Buffer.concat([
    Buffer.from([0x0a]),
    Buffer.from('8.0.36-goneaway-fake\0'),
    head,
    scramble.subarray(0, 8),
    Buffer.from([0]),
    flags.subarray(0, 2),
    Buffer.from([0xff]), // utf8mb4_0900_ai_ci
    Buffer.from([0x02, 0x00]), // SERVER_STATUS_AUTOCOMMIT
    flags.subarray(2, 4),
    Buffer.from([21]),
    Buffer.alloc(10),
    scramble.subarray(8, 20),
    Buffer.from([0]),
    Buffer.from(`${plugin}\0`),
  ]);
}

function parseHandshakeResponse(packet: Buffer): { plugin: string; token: Buffer } {
  const flags = packet.readUInt32LE(0) & CAPABILITIES;
  let at = 32;
  at = packet.indexOf(0, at) + 1; // user name
  const tokenLength = packet[at] as number; // < 251: a one-byte length-encoded integer
  const token = packet.subarray(at + 1, at + 1 + tokenLength);
  at += 1 + tokenLength;
  if (flags & 0x8) at = packet.indexOf(0, at) + 1; // database
  const end = packet.indexOf(0, at);
  return { plugin: packet.subarray(at, end).toString('latin1'), token };
}

function okPacket(): Buffer {
  return Buffer.from([0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00]);
}

function errorPacket(message: string): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0x28, 0x04]), Buffer.from(`#HY000${message}`)]);
}

/** Packets announcing 16 MiB each (0xffffff: "more follows"), zero bytes, until the bound. */
async function flood(socket: Socket, bound: number, count: (sent: number) => void): Promise<void> {
  const chunk = Buffer.alloc(64 * 1024);
  let sent = 0;
  let inPacket = 0;
  let sequence = 0;
  while (sent < bound && !socket.destroyed) {
    if (inPacket === 0) {
      socket.write(Buffer.from([0xff, 0xff, 0xff, sequence++ & 0xff]));
      inPacket = 0xffffff;
    }
    const piece = chunk.subarray(0, Math.min(chunk.length, inPacket));
    inPacket -= piece.length;
    sent += piece.length;
    count(piece.length);
    if (!socket.write(piece)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          socket.off('drain', done);
          socket.off('close', done);
          resolve();
        };
        socket.on('drain', done);
        socket.on('close', done);
      });
    }
  }
}

/** A stream over `socket` that first yields `already` (bytes read before), then what follows. */
function continuing(socket: Socket, already: Buffer): Duplex {
  const duplex = new Duplex({
    read() {},
    write(chunk, _encoding, done) {
      socket.write(chunk, done);
    },
    final(done) {
      socket.end();
      done();
    },
  });
  if (already.length > 0) duplex.push(already);
  socket.on('data', (data) => duplex.push(data));
  socket.on('end', () => duplex.push(null));
  socket.on('close', () => duplex.destroy());
  return duplex;
}

/** MySQL packets over a socket: 3-byte length, sequence number, payload. */
class PacketChannel {
  readonly #socket: Socket;
  #buffer = Buffer.alloc(0);
  #sequence = 0;
  #waiting: ((packet: Buffer) => void) | undefined;
  #failed: ((error: Error) => void) | undefined;
  readonly #ready: Buffer[] = [];

  readonly #onData = (data: Buffer): void => {
    this.#buffer = Buffer.concat([this.#buffer, data]);
    while (this.#buffer.length >= 4) {
      const length = this.#buffer.readUIntLE(0, 3);
      if (this.#buffer.length < 4 + length) break;
      this.#sequence = ((this.#buffer[3] as number) + 1) & 0xff;
      this.#ready.push(this.#buffer.subarray(4, 4 + length));
      this.#buffer = this.#buffer.subarray(4 + length);
    }
    this.#deliver();
  };

  constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', this.#onData);
    socket.on('close', () => this.#failed?.(new Error('client closed the connection')));
  }

  /** Stops reading the socket and returns what was read past the last packet. */
  detach(): Buffer {
    this.#socket.off('data', this.#onData);
    return this.#buffer;
  }

  /** The next packet from the client (a new command resets the sequence). */
  next(): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      this.#waiting = resolve;
      this.#failed = reject;
      this.#deliver();
    });
  }

  send(payload: Buffer): void {
    const head = Buffer.alloc(4);
    head.writeUIntLE(payload.length, 0, 3);
    head[3] = this.#sequence;
    this.#sequence = (this.#sequence + 1) & 0xff;
    this.#socket.write(Buffer.concat([head, payload]));
  }

  end(): void {
    this.#socket.end();
  }

  #deliver(): void {
    const packet = this.#ready.shift();
    if (!packet) return;
    const waiting = this.#waiting;
    if (!waiting) {
      this.#ready.unshift(packet);
      return;
    }
    this.#waiting = undefined;
    this.#failed = undefined;
    waiting(packet);
  }
}
