/**
 * Callers waiting for a connection, in order. A waiter is woken by exactly one of: a connection
 * handed to it, a "look again" (a slot was freed, a connect failed, a backoff ended), or its own
 * timer (its acquire deadline, or the end of a backoff before the deadline). Every waiter has a
 * timer of its own: a wake-up can never be lost between two waiters sharing one.
 *
 * Time and timers are injected, so the queue's behaviour is unit-tested without real sleeps.
 */
import type { ManagedConnection } from '../connection/managed-connection.js';

/** Timers as the queue uses them; the real ones by default. */
export interface Timers {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** What a wait ended with. */
export type WaitResult =
  /** A connection was handed over; it is `in-use` and belongs to the waiter now. */
  | { readonly kind: 'handed'; readonly connection: ManagedConnection }
  /** Look again: something changed (a slot, a backoff) before the deadline. */
  | { readonly kind: 'look-again' }
  /** The deadline passed. */
  | { readonly kind: 'deadline' };

interface Waiter {
  /** Needs a new connection: a pooled one cannot be handed to it. */
  readonly fresh: boolean;
  readonly resolve: (result: WaitResult) => void;
  readonly reject: (error: Error) => void;
  timer: unknown;
}

const LOOK_AGAIN: WaitResult = { kind: 'look-again' };
const DEADLINE: WaitResult = { kind: 'deadline' };

/**
 * The acquire queue of one pool.
 *
 * @example
 * const queue = new AcquireQueue({ now: () => performance.now(), setTimeout, clearTimeout });
 * const result = await queue.wait({ deadline: performance.now() + 1_000, wakeAt: Infinity, fresh: false });
 */
export class AcquireQueue {
  readonly #timers: Timers;
  readonly #waiters: Waiter[] = [];

  constructor(timers: Timers) {
    this.#timers = timers;
  }

  /** Callers waiting now. */
  get length(): number {
    return this.#waiters.length;
  }

  /**
   * Waits until handed a connection, told to look again, `wakeAt` (the end of a backoff), or
   * `deadline`, whichever comes first.
   */
  wait(at: { readonly deadline: number; readonly wakeAt: number; readonly fresh: boolean }) {
    return new Promise<WaitResult>((resolve, reject) => {
      const waiter: Waiter = { fresh: at.fresh, resolve, reject, timer: undefined };
      const now = this.#timers.now();
      const until = Math.min(at.deadline, at.wakeAt);
      waiter.timer = this.#timers.setTimeout(
        () => {
          this.#remove(waiter);
          resolve(this.#timers.now() >= at.deadline ? DEADLINE : LOOK_AGAIN);
        },
        Math.max(0, until - now),
      );
      this.#waiters.push(waiter);
    });
  }

  /**
   * Gives `connection` to the first waiter that can take one from the pool. False when nobody
   * could: the caller keeps it (and parks it).
   */
  handOver(connection: ManagedConnection): boolean {
    // Usually the first waiter; a waiter that needs a fresh connection cannot take this one.
    const index =
      this.#waiters[0]?.fresh === false ? 0 : this.#waiters.findIndex((waiter) => !waiter.fresh);
    if (index < 0) return false;
    const [waiter] = this.#waiters.splice(index, 1);
    this.#timers.clearTimeout(waiter!.timer);
    waiter!.resolve({ kind: 'handed', connection });
    return true;
  }

  /** Tells the first waiter to look again (a slot was freed, a connect failed). */
  wakeOne(): void {
    const waiter = this.#waiters.shift();
    if (!waiter) return;
    this.#timers.clearTimeout(waiter.timer);
    waiter.resolve(LOOK_AGAIN);
  }

  /** Rejects every waiter with `error` (the pool is ending). */
  rejectAll(error: () => Error): void {
    for (const waiter of this.#waiters.splice(0)) {
      this.#timers.clearTimeout(waiter.timer);
      waiter.reject(error());
    }
  }

  #remove(waiter: Waiter): void {
    const index = this.#waiters.indexOf(waiter);
    if (index >= 0) this.#waiters.splice(index, 1);
  }
}
