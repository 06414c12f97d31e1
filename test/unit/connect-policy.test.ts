import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type ConnectFailureKind,
  connectFailureKind,
} from '../../src/pool/connect-failure-kind.js';
import {
  AttemptSettledTwiceError,
  type ConnectDecision,
  ConnectPolicy,
  DEFAULT_CONNECT_RULES,
} from '../../src/pool/connect-policy.js';

/** A clock the test moves by hand, and a random source that plays back a fixed value. */
function fakeClock(random = 0.5) {
  const clock = { t: 1_000, r: random, now: () => clock.t, random: () => clock.r };
  return clock;
}

/** Fails attempts of `kind` back to back, each taking `attemptMs`, for `outageMs`; returns the start times. */
function runOutage(
  policy: ConnectPolicy,
  clock: ReturnType<typeof fakeClock>,
  kind: ConnectFailureKind,
  outageMs: number,
  attemptMs = 0,
): { starts: number[]; decisions: ConnectDecision[] } {
  const starts: number[] = [];
  const decisions: ConnectDecision[] = [];
  const until = clock.t + outageMs;
  for (let i = 0; i < 100_000 && clock.t < until; i++) {
    const attempt = policy.tryBegin();
    assert.ok(attempt, `an attempt may start at its retry time (${clock.t})`);
    starts.push(clock.t);
    clock.t += attemptMs;
    const decision = attempt.failed({ kind, openConnections: 0 });
    decisions.push(decision);
    clock.t = decision.retryAt;
  }
  return { starts, decisions };
}

describe('connect policy: healthy pool', () => {
  test('several connects may be in flight at once while nothing has failed', () => {
    const policy = new ConnectPolicy(fakeClock());
    const attempts = [policy.tryBegin(), policy.tryBegin(), policy.tryBegin()];
    assert.ok(attempts.every(Boolean));
    assert.equal(policy.inFlight, 3);
    assert.equal(policy.inOutage, false);
    for (const attempt of attempts) attempt?.succeeded();
    assert.equal(policy.inFlight, 0);
  });
});

describe('connect policy: outage', () => {
  test('at most one attempt is in flight once one has failed', () => {
    const clock = fakeClock();
    const policy = new ConnectPolicy(clock);
    const first = policy.tryBegin();
    const second = policy.tryBegin(); // started while healthy: allowed
    const decision = first?.failed({ kind: 'refused', openConnections: 0 });
    assert.ok(decision);
    clock.t = decision.retryAt;
    assert.equal(policy.tryBegin(), undefined, 'the healthy-time attempt is still in flight');
    assert.equal(policy.nextAttemptAt(), undefined, 'its settling decides the next time');
    const again = second?.failed({ kind: 'refused', openConnections: 0 });
    assert.ok(again);
    clock.t = again.retryAt;
    const third = policy.tryBegin();
    assert.ok(third);
    assert.equal(policy.tryBegin(), undefined, 'one in flight during an outage');
    assert.equal(policy.inFlight, 1);
  });

  test('no attempt before the retry time, and one exactly at it (a wake-up armed for it is never wasted)', () => {
    const clock = fakeClock();
    const policy = new ConnectPolicy(clock);
    const decision = policy.tryBegin()?.failed({ kind: 'refused', openConnections: 0 });
    assert.ok(decision);
    assert.equal(policy.nextAttemptAt(), decision.retryAt);
    clock.t = decision.retryAt - 0.001;
    assert.equal(policy.tryBegin(), undefined);
    clock.t = decision.retryAt;
    assert.ok(policy.tryBegin());
  });

  test('a success ends the outage: parallel connects again, and the next outage starts from the floor', () => {
    const clock = fakeClock(1);
    const policy = new ConnectPolicy(clock);
    runOutage(policy, clock, 'refused', 60_000);
    assert.ok(policy.outageMs() >= 60_000);
    policy.tryBegin()?.succeeded();
    assert.equal(policy.inOutage, false);
    assert.equal(policy.failures, 0);
    assert.ok(policy.tryBegin() && policy.tryBegin(), 'parallel again');
    const fresh = new ConnectPolicy(clock);
    const decision = fresh.tryBegin()?.failed({ kind: 'refused', openConnections: 0 });
    assert.equal(decision?.retryInMs, 30, 'floor 20 ms × 1.5 with the highest jitter');
  });

  test('a settled attempt cannot be settled again', () => {
    const policy = new ConnectPolicy(fakeClock());
    const attempt = policy.tryBegin();
    attempt?.succeeded();
    assert.throws(() => attempt?.succeeded(), AttemptSettledTwiceError);
    assert.throws(
      () => attempt?.failed({ kind: 'refused', openConnections: 0 }),
      AttemptSettledTwiceError,
    );
    assert.equal(policy.inFlight, 0);
  });

  test('whatever happens, a pool in an outage with nothing in flight always has a time for its next attempt', () => {
    // Random sequences of failures of every kind, successes and parallel attempts: after
    // each step, either an attempt is in flight or nextAttemptAt is a finite time at which
    // tryBegin succeeds. (The lost wake-up of the reverted one-timer queue was a state
    // with callers waiting and no attempt ever due.)
    const kinds: ConnectFailureKind[] = [
      'refused',
      'server-full',
      'timeout',
      'transient',
      'permanent',
    ];
    let seed = 7;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let run = 0; run < 200; run++) {
      const clock = fakeClock();
      clock.random = next;
      const policy = new ConnectPolicy(clock);
      const open: NonNullable<ReturnType<ConnectPolicy['tryBegin']>>[] = [];
      for (let step = 0; step < 50; step++) {
        const due = policy.nextAttemptAt();
        if (open.length === 0) {
          assert.ok(
            due !== undefined && Number.isFinite(due),
            `run ${run} step ${step}: a next time`,
          );
          clock.t = Math.max(clock.t, due);
          const attempt = policy.tryBegin();
          assert.ok(attempt, `run ${run} step ${step}: an attempt may start when due`);
          open.push(attempt);
        } else if (!policy.inOutage && next() < 0.3) {
          const attempt = policy.tryBegin();
          assert.ok(attempt, 'parallel while healthy');
          open.push(attempt);
        }
        clock.t += next() * 50;
        const attempt = open.splice(Math.floor(next() * open.length), 1)[0]!;
        if (next() < 0.2) attempt.succeeded();
        else {
          const kind = kinds[Math.floor(next() * kinds.length)]!;
          attempt.failed({ kind, openConnections: Math.floor(next() * 3) });
        }
      }
    }
  });
});

describe('connect policy: how soon, by what failed', () => {
  test('refused: the first 5 s are probed every 20–30 ms, so a returning server is found within 30 ms', () => {
    for (const random of [0, 0.5, 0.999]) {
      const clock = fakeClock(random);
      const policy = new ConnectPolicy(clock);
      const { decisions } = runOutage(policy, clock, 'refused', 5_000);
      const waits = decisions.map((d) => d.retryInMs);
      assert.ok(Math.min(...waits) >= 20, `random ${random}: no wait below 20 ms`);
      assert.ok(Math.max(...waits) <= 30, `random ${random}: no wait above 30 ms`);
    }
  });

  test('refused: the wait grows with the outage, to 1 s', () => {
    const clock = fakeClock(0.5);
    const policy = new ConnectPolicy(clock);
    const { decisions } = runOutage(policy, clock, 'refused', 400_000);
    const last = decisions.at(-1)!;
    assert.equal(last.retryInMs, 1_000);
    const atTenSeconds = decisions.find((d) => d.retryAt - 1_000 >= 10_000)!;
    assert.ok(
      atTenSeconds.retryInMs > 35 && atTenSeconds.retryInMs < 45,
      `${atTenSeconds.retryInMs}`,
    );
  });

  test('no pool starts more than 50 attempts in any second, and about 700 in a 30 s refused outage', () => {
    for (const [random, low, high] of [
      [0, 1_000, 1_100],
      [0.5, 650, 750],
      [0.999, 400, 600],
    ] as const) {
      const clock = fakeClock(random);
      const policy = new ConnectPolicy(clock);
      const { starts } = runOutage(policy, clock, 'refused', 30_000);
      for (let i = 50; i < starts.length; i++) {
        assert.ok(starts[i]! - starts[i - 50]! >= 1_000, `random ${random}: 51 starts within 1 s`);
      }
      assert.ok(
        starts.length >= low && starts.length <= high,
        `random ${random}: ${starts.length} attempts`,
      );
    }
  });

  test('server full: a pool with no connection asks again within 30 ms at first; one that holds connections waits ≥ 250 ms', () => {
    const clock = fakeClock(0.999);
    const starving = new ConnectPolicy(clock);
    const first = starving.tryBegin()?.failed({ kind: 'server-full', openConnections: 0 });
    assert.equal(first?.rule, 'server-full');
    assert.ok(first && first.retryInMs <= 30);
    const holding = new ConnectPolicy(clock);
    const decision = holding.tryBegin()?.failed({ kind: 'server-full', openConnections: 4 });
    assert.equal(decision?.rule, 'server-full-holding');
    assert.ok(decision && decision.retryInMs >= 250);
    clock.r = 0.5;
    const { decisions } = runOutage(new ConnectPolicy(clock), clock, 'server-full', 60_000);
    assert.ok(decisions.every((d) => d.retryInMs >= 20 && d.retryInMs <= 1_000));
    assert.equal(decisions.at(-1)?.retryInMs, 1_000, 'full for a minute: once a second');
  });

  test('timeout: the attempt that took its whole bound counts in the outage, and the next one follows soon after', () => {
    const clock = fakeClock(0.5);
    const policy = new ConnectPolicy(clock);
    const attempt = policy.tryBegin();
    clock.t += 10_000; // connectTimeoutMs spent on a black-holed path
    const decision = attempt?.failed({ kind: 'timeout', openConnections: 0 });
    assert.equal(policy.outageMs(), 10_000, 'the outage began when the attempt did');
    assert.ok(decision && decision.retryInMs === 40, `${decision?.retryInMs}: 0.4 % of 10 s`);
    assert.equal(decision?.failWaiters, false);
  });

  test('permanent: waiting callers are failed now, and the next attempt is ≥ 2 s away', () => {
    const clock = fakeClock(0);
    const policy = new ConnectPolicy(clock);
    const decision = policy.tryBegin()?.failed({ kind: 'permanent', openConnections: 0 });
    assert.equal(decision?.failWaiters, true);
    assert.ok(decision && decision.retryInMs >= 2_000);
    clock.t = decision.retryAt;
    const { decisions } = runOutage(policy, clock, 'permanent', 600_000);
    assert.ok(
      decisions.every((d) => d.failWaiters && d.retryInMs >= 2_000 && d.retryInMs <= 30_000),
    );
  });

  test('jitter: pools that failed together spread their next attempts once the wait is above the floor', () => {
    const times = [0, 0.25, 0.5, 0.75, 0.999].map((random) => {
      const clock = fakeClock(random);
      const policy = new ConnectPolicy(clock);
      const attempt = policy.tryBegin();
      clock.t += 60_000;
      return attempt?.failed({ kind: 'refused', openConnections: 0 }).retryInMs;
    });
    assert.equal(new Set(times).size, times.length, `${times}`);
  });

  test('every rule keeps its floor below its ceiling', () => {
    for (const [id, rule] of Object.entries(DEFAULT_CONNECT_RULES)) {
      assert.ok(rule.floorMs > 0 && rule.floorMs <= rule.ceilingMs, id);
      assert.ok(rule.floorMs >= 20, `${id}: more than 50 attempts/s`);
    }
  });
});

describe('connect failure kind', () => {
  test('reads the classified error', () => {
    const cases: [Parameters<typeof connectFailureKind>[0], ConnectFailureKind][] = [
      [{ systemCode: 'ECONNREFUSED', driverCode: 'ECONNREFUSED', retryable: true }, 'refused'],
      [{ systemCode: 'ENOENT', retryable: true }, 'refused'],
      [{ systemCode: 'ECONNRESET', driverCode: 'ECONNRESET', retryable: true }, 'refused'],
      [{ driverCode: 'PROTOCOL_CONNECTION_LOST', retryable: true }, 'refused'],
      [{ systemCode: 'ETIMEDOUT', driverCode: 'ETIMEDOUT', retryable: true }, 'timeout'],
      [{ errno: 1040, driverCode: 'ER_CON_COUNT_ERROR', retryable: true }, 'server-full'],
      [{ errno: 1203, retryable: true }, 'server-full'],
      [{ errno: 1053, retryable: true }, 'refused'],
      [{ errno: 1045, retryable: false }, 'permanent'],
      [{ errno: 1129, retryable: false }, 'permanent'],
      [{ systemCode: 'ECONNREFUSED', retryable: false }, 'permanent'],
      [{ systemCode: 'EAI_AGAIN', retryable: true }, 'transient'],
      [{ systemCode: 'constructor', retryable: true }, 'transient'],
      [{ errno: 1043, retryable: true }, 'transient'],
    ];
    for (const [facts, kind] of cases)
      assert.equal(connectFailureKind(facts), kind, JSON.stringify(facts));
  });
});
