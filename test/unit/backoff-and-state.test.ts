import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ALLOWED_MOVES,
  type ConnectionState,
  IllegalTransitionError,
  transition,
} from '../../src/connection/connection-state.js';
import { backoffDelayMs, DEFAULT_BACKOFF } from '../../src/pool/backoff.js';

describe('reconnect backoff', () => {
  test('doubles from 50 ms to a 1 s ceiling, with half of it random', () => {
    const low = (n: number) => backoffDelayMs(n, DEFAULT_BACKOFF, () => 0);
    const high = (n: number) => backoffDelayMs(n, DEFAULT_BACKOFF, () => 1);
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7].map(high), [50, 100, 200, 400, 800, 1000, 1000]);
    assert.deepEqual([1, 2, 3].map(low), [25, 50, 100]);
    assert.equal(
      backoffDelayMs(0, DEFAULT_BACKOFF, () => 1),
      0,
    );
  });
});

describe('connection state machine', () => {
  test('every listed move is accepted', () => {
    for (const [from, targets] of Object.entries(ALLOWED_MOVES)) {
      for (const to of targets) assert.equal(transition(from as ConnectionState, to), to);
    }
  });

  test('moves outside the table are rejected', () => {
    assert.throws(() => transition('closed', 'idle'), IllegalTransitionError);
    assert.throws(() => transition('idle', 'connecting'), IllegalTransitionError);
    assert.throws(() => transition('lost', 'idle'), IllegalTransitionError);
    assert.throws(() => transition('retiring', 'in-use'), IllegalTransitionError);
  });

  test('closed is terminal and every state can reach it', () => {
    assert.deepEqual(ALLOWED_MOVES.closed, []);
    const reachesClosed = (state: ConnectionState, seen = new Set<ConnectionState>()): boolean =>
      state === 'closed' ||
      (!seen.has(state) &&
        ALLOWED_MOVES[state].some((next) => reachesClosed(next, new Set([...seen, state]))));
    for (const state of Object.keys(ALLOWED_MOVES) as ConnectionState[])
      assert.ok(reachesClosed(state), state);
  });
});
