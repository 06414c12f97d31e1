/**
 * What the pool tells the world. Every event goes both to the pool's typed listeners and to a
 * `node:diagnostics_channel` named `goneaway:<event>`, so APM tools can subscribe without a
 * reference to the pool. Payloads never contain a password or statement values.
 */
import { channel } from 'node:diagnostics_channel';
import { EventEmitter } from 'node:events';
import type { GoneAwayError } from '../errors/index.js';

/** Why a connection left the pool; tallied in `stats.closed`. */
export type CloseReason =
  | 'idle-timeout'
  | 'lifetime'
  | 'server-closed'
  | 'validation-failed'
  | 'broken'
  | 'dirty-session'
  | 'pool-ended';

export const CLOSE_REASONS: readonly CloseReason[] = [
  'idle-timeout',
  'lifetime',
  'server-closed',
  'validation-failed',
  'broken',
  'dirty-session',
  'pool-ended',
];

/** Event name → payload. */
export interface PoolEventMap {
  /** A new connection is ready (after handshake, tracking set-up and init statements). */
  connect: {
    readonly connectionId: number;
    readonly durationMs: number;
    readonly waitTimeoutMs: number | undefined;
  };
  /** A connection attempt failed; `retryInMs` is the backoff before the next one. */
  'connect-failed': {
    readonly error: GoneAwayError;
    readonly failures: number;
    readonly retryInMs: number;
  };
  /** A connection left the pool. */
  close: {
    readonly connectionId: number;
    readonly reason: CloseReason;
    readonly idleMs: number;
    readonly ageMs: number;
  };
  /** An idle connection was pinged before use. */
  validate: { readonly connectionId: number; readonly ok: boolean; readonly durationMs: number };
  /** A connection died: while idle (seen from its socket) or under a statement. */
  loss: {
    readonly connectionId: number;
    readonly while: 'idle' | 'in-use';
    readonly error: GoneAwayError;
  };
  /** A statement is being run again on another connection; `reason` says why that is safe. */
  retry: { readonly attempt: number; readonly reason: string; readonly error: GoneAwayError };
  /** A statement failed and was not retried; `reason` says why. */
  'no-retry': { readonly reason: string; readonly error: GoneAwayError };
  /** A caller waited for a connection. */
  'acquire-wait': { readonly waitedMs: number };
  /** Something made every idle connection suspect: they are validated before their next use. */
  epoch: { readonly epoch: number; readonly reason: string };
  /** A lease has been held longer than `leakWarningMs`. */
  leak: { readonly connectionId: number; readonly heldMs: number; readonly stack: string };
}

export type PoolEventName = keyof PoolEventMap;

const channels = new Map<string, ReturnType<typeof channel>>();
function channelFor(name: string): ReturnType<typeof channel> {
  let found = channels.get(name);
  if (!found) {
    found = channel(`goneaway:${name}`);
    channels.set(name, found);
  }
  return found;
}

/**
 * A typed `EventEmitter` that also publishes each event on `goneaway:<name>`.
 *
 * @example
 * db.on('retry', ({ attempt, reason }) => console.log(`retry #${attempt}: ${reason}`));
 */
export class PoolEvents extends EventEmitter {
  override on<E extends PoolEventName>(
    event: E,
    listener: (payload: PoolEventMap[E]) => void,
  ): this {
    return super.on(event, listener);
  }

  override once<E extends PoolEventName>(
    event: E,
    listener: (payload: PoolEventMap[E]) => void,
  ): this {
    return super.once(event, listener);
  }

  override off<E extends PoolEventName>(
    event: E,
    listener: (payload: PoolEventMap[E]) => void,
  ): this {
    return super.off(event, listener);
  }

  /** Emits to listeners and to the diagnostics channel; cheap when nobody listens. */
  publish<E extends PoolEventName>(event: E, payload: PoolEventMap[E]): void {
    const ch = channelFor(event);
    if (ch.hasSubscribers) ch.publish(payload);
    super.emit(event, payload);
  }
}
