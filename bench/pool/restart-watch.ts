/**
 * When did the server stop accepting, and when did it accept again? Measured from outside every
 * contender by a probe that connects every {@link PROBE_EVERY_MS}: "gone" is the first refused
 * connect, "accepting" the first moment a new connection gets the server's first packet (its
 * greeting) after that. A kernel that completes the TCP handshake before the server reads its
 * listen queue does not count as accepting: only the greeting does.
 */
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { monoMs } from './mono-clock.js';

/** Probe period: the resolution of both instants (a refused connect on loopback costs µs). */
export const PROBE_EVERY_MS = 2;
const GREETING_BOUND_MS = 2_000;

/** Instants on the {@link monoMs} scale. */
export interface RestartTimes {
  readonly goneAt: number;
  readonly acceptingAt: number;
}

type ProbeResult =
  | { readonly kind: 'refused' }
  | { readonly kind: 'greeting'; readonly at: number }
  | { readonly kind: 'silent' };

/** One connect: refused, a first packet (when), or connected but nothing came. */
function probe(host: string, port: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (result: ProbeResult): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done({ kind: 'silent' }), GREETING_BOUND_MS);
    socket.once('data', () => done({ kind: 'greeting', at: monoMs() }));
    socket.once('error', (error: NodeJS.ErrnoException) =>
      done(error.code === 'ECONNREFUSED' ? { kind: 'refused' } : { kind: 'silent' }),
    );
    socket.once('close', () => done({ kind: 'silent' }));
  });
}

/**
 * Watches one restart. Start it just before the restart; it resolves once the server accepts
 * again, or rejects after `boundMs`.
 *
 * @example
 * const times = watchRestart(server.host, server.port, 60_000);
 * await server.restart({ downMs: 2_000 });
 * const { goneAt, acceptingAt } = await times;
 */
export async function watchRestart(
  host: string,
  port: number,
  boundMs: number,
  onGone?: (goneAt: number) => void,
): Promise<RestartTimes> {
  const until = monoMs() + boundMs;
  let goneAt: number | undefined;
  // Bounded by time and by count.
  for (let i = 0; i < boundMs / PROBE_EVERY_MS + 1_000 && monoMs() < until; i++) {
    const result = await probe(host, port);
    if (result.kind === 'refused' && goneAt === undefined) {
      goneAt = monoMs();
      onGone?.(goneAt);
    } else if (result.kind === 'greeting' && goneAt !== undefined) {
      return { goneAt, acceptingAt: result.at };
    }
    await sleep(PROBE_EVERY_MS);
  }
  throw new Error(
    goneAt === undefined
      ? `the server never refused a connect within ${boundMs} ms`
      : `the server did not accept again within ${boundMs} ms`,
  );
}
