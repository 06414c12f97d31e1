/**
 * A bound on what a server may send before the handshake is over. mysql2 keeps every byte of
 * a packet until the packet is complete, and a packet may announce up to 16 MiB and continue
 * in further packets: a hostile server (or whatever answers in its place) can make one
 * connect attempt buffer hundreds of MiB before the connect timeout. A real handshake is a
 * few hundred bytes, plus a few KiB of certificates with TLS.
 *
 * goneaway owns the socket, so it counts what the socket reads. On plain TCP every chunk is
 * seen as it arrives. Once mysql2 upgrades the socket to TLS, it removes every 'data' listener
 * and Node's TLS layer reads the handle directly, so no chunk is seen any more, while the
 * socket's `bytesRead` goes on counting: a short timer samples it until the handshake ends
 * (a handshake takes a few ms, so the timer fires a few times at most).
 */
import type { Socket } from 'node:net';
import { InternalError } from '../errors/index.js';

/**
 * Most bytes a server may send before the handshake completes: far above any real handshake
 * (greeting, auth switch, RSA key, certificate chain), far below what hurts.
 *
 * @example
 * HANDSHAKE_BYTE_LIMIT; // 1048576
 */
export const HANDSHAKE_BYTE_LIMIT = 1024 * 1024;

/** How often the count is sampled, for when TLS hides the socket's 'data' events. */
const SAMPLE_MS = 5;

/** A running limit: `end()` when the handshake is over; `error` once it was exceeded. */
export interface HandshakeByteLimit {
  /** Set when the server sent too much; the socket has then been destroyed. */
  readonly error: InternalError | undefined;
  /** Stops counting (the handshake completed or failed). */
  end(): void;
}

/**
 * Destroys `socket` once it has read more than `limit` bytes before `end()` is called.
 *
 * @example
 * const limit = limitHandshakeBytes(socket, 'db:3306');
 * try { await handshake(); } finally { limit.end(); }
 * if (limit.error) throw limit.error;
 */
export function limitHandshakeBytes(
  socket: Socket,
  label: string,
  limit = HANDSHAKE_BYTE_LIMIT,
): HandshakeByteLimit {
  let error: InternalError | undefined;
  const check = (): void => {
    if (error || socket.bytesRead <= limit) return;
    error = new InternalError(
      `${label} sent more than ${limit} bytes before finishing the MySQL handshake, which takes a few KiB; ` +
        'goneaway closed the connection. The endpoint is not a MySQL server, or is hostile: check the host and port.',
      { phase: 'connecting', outcome: 'not-sent', retryable: false },
    );
    socket.destroy();
  };
  const onData = (): void => check();
  socket.prependListener('data', onData);
  // Node's 'removeListener' event is not emitted for a socket's listeners, so the TLS upgrade
  // cannot be seen: sample from the start.
  const timer = setInterval(check, SAMPLE_MS);
  timer.unref();
  return {
    get error() {
      return error;
    },
    end() {
      socket.off('data', onData);
      clearInterval(timer);
    },
  };
}
