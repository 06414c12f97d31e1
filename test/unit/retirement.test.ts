import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  idleLimitMs,
  idleSafetyMarginMs,
  lifetimeDeadline,
  needsValidation,
  retireReason,
  wasFrozen,
} from '../../src/pool/retirement.js';

const at = (
  lastUsedAt: number,
  extra: Partial<{ retireAt: number; epoch: number; waitTimeoutMs: number | undefined }> = {},
) => ({
  lastUsedAt,
  retireAt: Number.POSITIVE_INFINITY,
  epoch: 0,
  waitTimeoutMs: 10_000,
  ...extra,
});

describe('idle limit', () => {
  test("'auto' retires a margin before the server's wait_timeout", () => {
    assert.equal(idleLimitMs('auto', 60_000), 54_000);
    assert.equal(idleLimitMs('auto', 2_000), 1_500, 'at least 500 ms of margin');
    assert.equal(idleLimitMs('auto', 28_800_000), 28_770_000, 'at most 30 s of margin');
  });

  test("'auto' with an unknown wait_timeout sets no client-side limit", () => {
    assert.equal(idleLimitMs('auto', undefined), Number.POSITIVE_INFINITY);
  });

  test('an explicit number overrides the server', () => {
    assert.equal(idleLimitMs(5_000, 60_000), 5_000);
  });

  test('the margin is 10% clamped to [0.5 s, 30 s]', () => {
    assert.equal(idleSafetyMarginMs(1_000), 500);
    assert.equal(idleSafetyMarginMs(100_000), 10_000);
    assert.equal(idleSafetyMarginMs(1_000_000), 30_000);
  });
});

describe('retireReason', () => {
  test('idle past the limit ⇒ idle-timeout, just before it ⇒ usable', () => {
    assert.equal(retireReason(at(0), 8_999, 'auto'), undefined);
    assert.equal(retireReason(at(0), 9_000, 'auto'), 'idle-timeout');
  });

  test('past its lifetime deadline ⇒ lifetime', () => {
    assert.equal(retireReason(at(100, { retireAt: 150 }), 160, 'auto'), 'lifetime');
  });
});

describe('lifetime jitter', () => {
  test('deadlines spread over the last 10% of the lifetime', () => {
    assert.equal(
      lifetimeDeadline(1_000, 100_000, () => 0),
      101_000,
    );
    assert.equal(
      lifetimeDeadline(1_000, 100_000, () => 0.999_999),
      1_000 + 100_000 * (1 - 0.099_999_9),
    );
    const deadlines = [0.1, 0.5, 0.9].map((r) => lifetimeDeadline(0, 100_000, () => r));
    assert.equal(new Set(deadlines).size, 3, 'different random draws give different deadlines');
    for (const d of deadlines) assert.ok(d > 90_000 && d <= 100_000);
  });

  test('0 means no lifetime limit', () => {
    assert.equal(
      lifetimeDeadline(0, 0, () => 0.5),
      Number.POSITIVE_INFINITY,
    );
  });
});

describe('validation window', () => {
  test('reused within the window ⇒ no ping; after it ⇒ ping', () => {
    assert.equal(needsValidation(at(1_000), 1_900, 1_000, 0), false);
    assert.equal(needsValidation(at(1_000), 2_001, 1_000, 0), true);
  });

  test('older than the pool epoch ⇒ ping even when just used', () => {
    assert.equal(needsValidation(at(1_000, { epoch: 2 }), 1_001, 1_000, 3), true);
    assert.equal(needsValidation(at(1_000, { epoch: 3 }), 1_001, 1_000, 3), false);
  });
});

describe('freeze detection', () => {
  test('a timer that ran far later than due means the process was frozen', () => {
    assert.equal(wasFrozen(1_000, 1_200, 2_000), false);
    assert.equal(wasFrozen(1_000, 9_000, 2_000), true);
  });
});
