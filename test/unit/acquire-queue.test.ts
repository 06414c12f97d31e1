import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ManagedConnection } from '../../src/connection/managed-connection.js';
import { AcquireQueue, type Timers, type WaitResult } from '../../src/pool/acquire-queue.js';

/** A clock and timers that move only when the test says so. */
function fakeTimers() {
  let now = 0;
  let nextId = 1;
  const pending = new Map<number, { at: number; callback: () => void }>();
  const timers: Timers = {
    now: () => now,
    setTimeout: (callback, ms) => {
      const id = nextId++;
      pending.set(id, { at: now + ms, callback });
      return id;
    },
    clearTimeout: (handle) => void pending.delete(handle as number),
  };
  return {
    timers,
    pending: () => pending.size,
    /** Moves time forward, firing due timers in order. */
    advance(ms: number): void {
      const until = now + ms;
      for (;;) {
        const due = [...pending.entries()]
          .filter(([, timer]) => timer.at <= until)
          .sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        pending.delete(due[0]);
        now = due[1].at;
        due[1].callback();
      }
      now = until;
    },
  };
}

const connection = (name: string) => ({ name }) as unknown as ManagedConnection;

/** Lets settled promises run their reactions. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

function track(promise: Promise<WaitResult>) {
  const seen: { result?: WaitResult; error?: unknown } = {};
  promise.then(
    (result) => {
      seen.result = result;
    },
    (error: unknown) => {
      seen.error = error;
    },
  );
  return seen;
}

describe('acquire queue', () => {
  test('a waiter is woken at its deadline, and its timer is gone', async () => {
    const clock = fakeTimers();
    const queue = new AcquireQueue(clock.timers);
    const seen = track(queue.wait({ deadline: 1_000, wakeAt: Infinity, fresh: false }));
    clock.advance(999);
    await settle();
    assert.equal(seen.result, undefined);
    clock.advance(1);
    await settle();
    assert.deepEqual(seen.result, { kind: 'deadline' });
    assert.equal(queue.length, 0);
    assert.equal(clock.pending(), 0);
  });

  test('the end of a backoff before the deadline means "look again", not a timeout', async () => {
    const clock = fakeTimers();
    const queue = new AcquireQueue(clock.timers);
    const seen = track(queue.wait({ deadline: 1_000, wakeAt: 200, fresh: false }));
    clock.advance(200);
    await settle();
    assert.deepEqual(seen.result, { kind: 'look-again' });
  });

  test('connections go to waiters in order; a waiter that needs a fresh one is skipped', async () => {
    const clock = fakeTimers();
    const queue = new AcquireQueue(clock.timers);
    const fresh = track(queue.wait({ deadline: 1_000, wakeAt: Infinity, fresh: true }));
    const first = track(queue.wait({ deadline: 1_000, wakeAt: Infinity, fresh: false }));
    const second = track(queue.wait({ deadline: 1_000, wakeAt: Infinity, fresh: false }));
    assert.equal(queue.handOver(connection('a')), true);
    assert.equal(queue.handOver(connection('b')), true);
    assert.equal(queue.handOver(connection('c')), false, 'only the fresh waiter is left');
    await settle();
    assert.equal(
      (first.result as unknown as { connection: { name: string } }).connection.name,
      'a',
    );
    assert.equal(
      (second.result as unknown as { connection: { name: string } }).connection.name,
      'b',
    );
    assert.equal(fresh.result, undefined);
    assert.equal(clock.pending(), 1, "only the fresh waiter's timer is left");
  });

  test('no wake-up is lost: each "look again" reaches a different waiter, and each waiter has its own timer', async () => {
    // The reverted single-timer design lost a wake-up after a failed reconnect. Here every
    // waiter keeps its own timer until something wakes it, whatever happens to the others.
    const clock = fakeTimers();
    const queue = new AcquireQueue(clock.timers);
    const waiters = Array.from({ length: 5 }, (_, i) =>
      track(queue.wait({ deadline: 1_000 + i, wakeAt: Infinity, fresh: false })),
    );
    assert.equal(clock.pending(), 5);
    queue.wakeOne();
    queue.wakeOne();
    await settle();
    assert.deepEqual(
      waiters.map((w) => w.result?.kind),
      ['look-again', 'look-again', undefined, undefined, undefined],
    );
    assert.equal(clock.pending(), 3);
    clock.advance(2_000);
    await settle();
    assert.ok(
      waiters.every((w) => w.result !== undefined),
      'every waiter was answered',
    );
  });

  test('rejectAll answers every waiter with the error and clears their timers', async () => {
    const clock = fakeTimers();
    const queue = new AcquireQueue(clock.timers);
    const waiters = [1, 2].map(() =>
      track(queue.wait({ deadline: 1_000, wakeAt: Infinity, fresh: false })),
    );
    queue.rejectAll(() => new Error('ended'));
    await settle();
    assert.ok(waiters.every((w) => (w.error as Error).message === 'ended'));
    assert.equal(clock.pending(), 0);
    assert.equal(queue.length, 0);
  });
});
