import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { longestGap, quantile, summariseRatios, verdict } from '../../bench/pool/stats.js';

describe('bench statistics', () => {
  test('quantiles interpolate between ranks', () => {
    assert.equal(quantile([4, 1, 3, 2], 0.5), 2.5);
    assert.equal(quantile([1, 2, 3, 4, 5], 0.25), 2);
    assert.ok(Number.isNaN(quantile([], 0.5)));
  });

  test('ratios are paired round by round', () => {
    // Each round alone says "10 % faster", though the machine doubled its speed in between.
    const summary = summariseRatios([110, 220, 110, 220], [100, 200, 100, 200]);
    assert.ok(Math.abs(summary.median - 1.1) < 1e-9);
    assert.ok(summary.relativeSpread < 1e-9);
  });

  test('the verdict needs the whole middle half of the rounds on one side of the goal', () => {
    const clearlyAbove = summariseRatios([103, 104, 105, 104, 103], [100, 100, 100, 100, 100]);
    assert.equal(verdict(clearlyAbove, 1.0, true), 'meets');
    assert.equal(verdict(clearlyAbove, 1.1, true), 'misses');
    const straddling = summariseRatios([98, 102, 99, 101, 100], [100, 100, 100, 100, 100]);
    assert.equal(verdict(straddling, 1.0, true), "can't tell");
    // Latency: lower is better.
    assert.equal(verdict(clearlyAbove, 1.05, false), 'meets');
    assert.equal(verdict(clearlyAbove, 1.035, false), "can't tell");
    assert.equal(verdict(clearlyAbove, 1.02, false), 'misses');
  });

  test('rounds that disagree by more than 10 % are too noisy to conclude anything', () => {
    const noisy = summariseRatios([80, 130, 95, 120, 150], [100, 100, 100, 100, 100]);
    assert.equal(verdict(noisy, 1.0, true), 'too noisy');
  });

  test('the longest stall counts the edges of the window', () => {
    assert.equal(longestGap([10, 20, 60], 0, 70), 40);
    assert.equal(longestGap([], 0, 70), 70);
    assert.equal(longestGap([5, 100], 0, 70), 65);
  });
});
