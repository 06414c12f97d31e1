/**
 * The pure parts of scopes: option validation, which errors leave a connection in doubt, the
 * atomic-request commit rule, and which failed job runs may run again.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CommitOutcomeUnknownError,
  ConfigurationError,
  ConnectionLostError,
  DataError,
  DeadlockError,
  IntegrityError,
  InterfaceError,
  LockWaitTimeoutError,
  OperationalError,
  ProgrammingError,
  QueryTimeoutError,
  ReadOnlyServerError,
  SessionLostError,
  TransactionLostError,
} from '../../src/errors/index.js';
import { leavesConnectionDoubtful } from '../../src/retry/close-on-doubt.js';
import { jobMayRepeat } from '../../src/retry/repeat-rule.js';
import { classifyRunError } from '../../src/scope/job.js';
import { commitsOn } from '../../src/scope/request-scope.js';
import { resolveJobOptions, resolveScopeOptions } from '../../src/scope/scope-policy.js';

describe('scope options', () => {
  test('defaults: pooled, no max age, no health check, not atomic, the pool leak threshold', () => {
    assert.deepEqual(resolveScopeOptions(undefined, 60_000), {
      name: 'scope',
      pooled: true,
      maxAgeMs: undefined,
      healthCheck: false,
      atomic: false,
      leakWarningMs: 60_000,
    });
  });

  test('every option is taken', () => {
    const policy = resolveScopeOptions(
      {
        pool: false,
        maxAgeMs: 5_000,
        healthCheck: true,
        atomic: true,
        name: 'r',
        leakWarningMs: 0,
      },
      60_000,
    );
    assert.deepEqual(policy, {
      name: 'r',
      pooled: false,
      maxAgeMs: 5_000,
      healthCheck: true,
      atomic: true,
      leakWarningMs: 0,
    });
  });

  test('an unknown key is rejected by name', () => {
    assert.throws(
      () => resolveScopeOptions({ pooled: false } as never, 0),
      (error: unknown) =>
        error instanceof ConfigurationError && /Unknown scope option 'pooled'/.test(error.message),
    );
  });

  test('bad values are rejected with the option and what was expected', () => {
    assert.throws(
      () => resolveScopeOptions({ maxAgeMs: -1 }, 0),
      /'maxAgeMs' is -1; expected a finite number of ms/,
    );
    assert.throws(
      () => resolveScopeOptions({ pool: 'no' } as never, 0),
      /'pool' is "no"; expected true or false/,
    );
    assert.throws(
      () => resolveScopeOptions({ name: '' }, 0),
      /'name' is ""; expected a non-empty string/,
    );
  });

  test('job options: the name defaults to the function name, attempts to 1', () => {
    const policy = resolveJobOptions(undefined, async function mailer() {}, 1_000);
    assert.equal(policy.name, 'mailer');
    assert.equal(policy.attempts, 1);
    assert.equal(policy.retryDelayMs, 200);
    assert.equal(policy.scope.name, 'mailer');
    assert.equal(resolveJobOptions(undefined, async () => {}, 0).name, 'job');
  });

  test('job options: attempts must be a whole number of at least 1; unknown keys are rejected', () => {
    assert.throws(() => resolveJobOptions({ attempts: 0 }, () => {}, 0), /'attempts' is 0/);
    assert.throws(() => resolveJobOptions({ attempts: 1.5 }, () => {}, 0), /'attempts' is 1.5/);
    assert.throws(
      () => resolveJobOptions({ retries: 3 } as never, () => {}, 0),
      /Unknown job option 'retries'/,
    );
  });
});

describe('errors that leave a connection in doubt (Django errors_occurred)', () => {
  const cases: [string, unknown, boolean][] = [
    [
      'an operational error (error during COMMIT)',
      new OperationalError('x', { errno: 1180 }),
      true,
    ],
    ['a server gone read-only (failover)', new ReadOnlyServerError('x'), true],
    ['a driver misuse', new InterfaceError('x'), true],
    ['a lost connection (already discarded)', new ConnectionLostError('x'), true],
    ['a query timeout (the connection was closed)', new QueryTimeoutError('x'), true],
    ['a deadlock', new DeadlockError('x'), false],
    ['a lock wait timeout', new LockWaitTimeoutError('x'), false],
    ['a duplicate key', new IntegrityError('x'), false],
    ['bad data', new DataError('x'), false],
    ['a syntax error', new ProgrammingError('x'), false],
    ["goneaway's own refusal", new ConfigurationError('x'), false],
    ['an application error', new TypeError('x'), false],
  ];
  for (const [what, error, doubtful] of cases) {
    test(`${what}: ${doubtful ? 'closed at the end' : 'returned'}`, () => {
      assert.equal(leavesConnectionDoubtful(error), doubtful);
    });
  }
});

describe('atomic requests', () => {
  test('2xx and 3xx commit; 4xx and 5xx roll back', () => {
    assert.deepEqual([200, 201, 204, 302, 304, 399, 400, 404, 422, 500, 503, 199].map(commitsOn), [
      true,
      true,
      true,
      true,
      true,
      true,
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});

describe('job runs', () => {
  test('a run may run again only when its failure applied nothing', () => {
    const lost = (outcome: 'not-sent' | 'unknown') => new ConnectionLostError('x', { outcome });
    assert.equal(jobMayRepeat(lost('not-sent')), true);
    // Regression (issue 12, finding 6): an autocommit write whose reply was lost may have been
    // applied; re-running the job wrote it twice.
    assert.equal(jobMayRepeat(lost('unknown')), false);
    assert.equal(jobMayRepeat(new TransactionLostError('x', { outcome: 'unknown' })), true);
    assert.equal(
      jobMayRepeat(new SessionLostError({ lost: ['user variables'], outcome: 'not-sent' })),
      true,
    );
    assert.equal(
      jobMayRepeat(new SessionLostError({ lost: ['user variables'], outcome: 'unknown' })),
      false,
    );
    assert.equal(jobMayRepeat(new CommitOutcomeUnknownError('x')), false);
    assert.equal(jobMayRepeat(new ProgrammingError('x')), false);
    assert.equal(jobMayRepeat(undefined), false);
  });

  test('a run error is classified only when it comes from the database', () => {
    assert.equal(classifyRunError(new TypeError('a bug')), undefined);
    const enoent = Object.assign(new Error('ENOENT: no such file'), { errno: -2, code: 'ENOENT' });
    assert.equal(classifyRunError(enoent), undefined);
    const fromMysql2 = Object.assign(new Error("Table 'shop.x' doesn't exist"), {
      errno: 1146,
      sqlState: '42S02',
      sqlMessage: "Table 'shop.x' doesn't exist",
      code: 'ER_NO_SUCH_TABLE',
    });
    assert.ok(classifyRunError(fromMysql2) instanceof ProgrammingError);
    const ours = new DeadlockError('x');
    assert.equal(classifyRunError(ours), ours);
  });
});
