/**
 * What the pool tells the world. Every event goes both to the pool's typed listeners and to a
 * `node:diagnostics_channel` named `goneaway:<event>`, so APM tools can subscribe without a
 * reference to the pool. Payloads never contain a password or statement values.
 *
 * A listener that throws must not corrupt the pool: events are published from the middle of the
 * pool's own work (a connection half handed over, waiters about to be woken). So every listener
 * is called on its own, its error is reported as a process warning, and the pool goes on.
 */
import { channel } from 'node:diagnostics_channel';
import { EventEmitter } from 'node:events';
import type { GoneAwayError } from '../errors/index.js';
import type { CloseReason } from '../lease/lease.js';
import type { ScopeEventMap } from '../scope/scope-options.js';

/** What became of a session goneaway abandoned while the server may still hold it. */
export type AbandonedOutcome =
  /** goneaway gave up on it; the pool will end it on the server once the server answers. */
  | 'pending'
  /** Ended with KILL from a side connection. */
  | 'killed'
  /** The server no longer had it (it ended on its own, or the client's close reached it). */
  | 'gone'
  /** The server restarted since: the session died with it. */
  | 'server-restarted'
  /** Idle past the session's `wait_timeout`: the server ended it itself. */
  | 'expired'
  /** Still unreachable when the pool ended or the retry bound ran out. */
  | 'gave-up';

/** What made every idle connection suspect (an `epoch` event's `cause`). */
export type EpochCause =
  /** A connection died, idle or under a statement: the server may have restarted. */
  | 'loss'
  /** A pooled connection failed its validation ping. */
  | 'validation-failed'
  /** A connect failed after connects had been working. */
  | 'connect-failed'
  /** The process was frozen (a late housekeeping tick): sockets may have died unseen. */
  | 'freeze';

/** What the in-flight watchdog concluded about a silent statement (a `watchdog` event). */
export type WatchdogVerdict =
  /** The server is running it (or answered but could not say): it goes on. */
  | 'running'
  /** The server is unreachable or no longer runs it: its connection was closed. */
  | 'stalled'
  /** The statement finished while the watchdog was asking: nothing to do. */
  | 'settled';

/** Pool event name → payload. */
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
  /**
   * A borrowed connection came back (or broke) after `useMs` with its borrower: one statement
   * alone on the pool, or a lease. Published only while someone listens (see `PoolEvents.wants`).
   */
  release: { readonly connectionId: number; readonly useMs: number };
  /** Something made every idle connection suspect: they are validated before their next use. */
  epoch: { readonly epoch: number; readonly reason: string; readonly cause: EpochCause };
  /** The in-flight watchdog asked the server about a statement silent for `silentMs`. */
  watchdog: {
    readonly connectionId: number;
    readonly silentMs: number;
    readonly verdict: WatchdogVerdict;
  };
  /** A lease has been held longer than `leakWarningMs`. */
  leak: { readonly connectionId: number; readonly heldMs: number; readonly stack: string };
  /**
   * goneaway gave up on a connection whose session the server may still hold (with its
   * transaction and locks), and later what became of that session.
   */
  'abandoned-session': {
    readonly connectionId: number;
    readonly outcome: AbandonedOutcome;
    /** Why goneaway gave up on the connection. */
    readonly why: string;
  };
}

/** Every event a pool publishes: its own and its scopes'. */
export type GoneAwayEventMap = PoolEventMap & ScopeEventMap;

/** One event name of {@link GoneAwayEventMap}. */
export type PoolEventName = keyof GoneAwayEventMap;

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
 * A typed `EventEmitter` that also publishes each event on `goneaway:<name>`, and isolates its
 * listeners from each other and from the pool.
 *
 * @example
 * db.on('retry', ({ attempt, reason }) => console.log(`retry #${attempt}: ${reason}`));
 */
export class PoolEvents extends EventEmitter {
  override on<E extends PoolEventName>(
    event: E,
    listener: (payload: GoneAwayEventMap[E]) => void,
  ): this {
    return super.on(event, listener);
  }

  override once<E extends PoolEventName>(
    event: E,
    listener: (payload: GoneAwayEventMap[E]) => void,
  ): this {
    return super.once(event, listener);
  }

  override off<E extends PoolEventName>(
    event: E,
    listener: (payload: GoneAwayEventMap[E]) => void,
  ): this {
    return super.off(event, listener);
  }

  /**
   * Whether anyone listens to `event` (a listener or a channel subscriber), for events whose
   * payload costs something to measure.
   */
  wants(event: PoolEventName): boolean {
    return this.listenerCount(event) > 0 || channelFor(event).hasSubscribers;
  }

  /** Delivers to listeners and to the diagnostics channel; cheap when nobody listens. Never throws. */
  publish<E extends PoolEventName>(event: E, payload: GoneAwayEventMap[E]): void {
    const ch = channelFor(event);
    // Node itself isolates a throwing channel subscriber (it surfaces as an uncaught exception).
    if (ch.hasSubscribers) ch.publish(payload);
    if (this.listenerCount(event) === 0) return;
    // rawListeners keeps once() wrappers, so calling them removes them as emit() would.
    for (const listener of this.rawListeners(event) as ((payload: unknown) => void)[]) {
      try {
        listener.call(this, payload);
      } catch (error) {
        reportListenerError(event, error);
      }
    }
  }
}

function reportListenerError(event: string, error: unknown): void {
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  process.emitWarning(
    `A listener of goneaway's '${event}' event threw (${detail}); goneaway went on without it. Catch errors inside event listeners.`,
    { type: 'GoneAwayListenerWarning', code: 'GONEAWAY_LISTENER_THREW' },
  );
}
