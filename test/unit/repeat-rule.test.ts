import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  AcquireTimeoutError,
  ConnectionLostError,
  IntegrityError,
  QueryTimeoutError,
  TransactionLostError,
} from '../../src/errors/index.js';
import { decideRetry, type RetryContext } from '../../src/retry/repeat-rule.js';
import { classifyStatement } from '../../src/sql/statement-classifier.js';

const clean = (sql: string, extra: Partial<RetryContext> = {}): RetryContext => ({
  attempt: 1,
  maxAttempts: 3,
  inTransaction: false,
  sessionDirty: false,
  statement: classifyStatement(sql),
  ...extra,
});
const notSent = () => new ConnectionLostError('lost before sending', { outcome: 'not-sent' });
const unknown = () => new ConnectionLostError('lost awaiting the result', { outcome: 'unknown' });

describe('retry policy', () => {
  test('not sent ⇒ retried, whatever the statement', () => {
    const decision = decideRetry(notSent(), clean('INSERT INTO t VALUES (1)'));
    assert.equal(decision.retry, true);
    assert.match(decision.reason, /^retried: the statement never reached the server/);
  });

  test('outcome unknown: a read-only SELECT is retried, an INSERT is not', () => {
    assert.equal(decideRetry(unknown(), clean('SELECT * FROM t WHERE id = ?')).retry, true);
    const write = decideRetry(unknown(), clean('INSERT INTO t VALUES (1)'));
    assert.equal(write.retry, false);
    assert.match(
      write.reason,
      /^not retried: INSERT, connection lost before the result, outcome unknown/,
    );
  });

  test('outcome unknown: session-dependent or locking reads are not retried', () => {
    for (const sql of [
      'SELECT LAST_INSERT_ID()',
      'SELECT * FROM t FOR UPDATE',
      "SELECT GET_LOCK('x', 1)",
      'SELECT @v',
    ]) {
      assert.equal(decideRetry(unknown(), clean(sql)).retry, false, sql);
    }
  });

  test('outcome unknown: the caller may mark a write idempotent', () => {
    const decision = decideRetry(
      unknown(),
      clean('INSERT INTO t VALUES (1) ON DUPLICATE KEY UPDATE a = 1', { idempotent: true }),
    );
    assert.equal(decision.retry, true);
    assert.match(decision.reason, /idempotent/);
  });

  test('inside a transaction or on a dirty session ⇒ never retried, even if not sent', () => {
    assert.match(
      decideRetry(notSent(), clean('SELECT 1', { inTransaction: true })).reason,
      /inside a transaction/,
    );
    assert.match(
      decideRetry(notSent(), clean('SELECT 1', { sessionDirty: true })).reason,
      /held state/,
    );
    assert.equal(
      decideRetry(new TransactionLostError('lost', { outcome: 'unknown' }), clean('SELECT 1'))
        .retry,
      false,
    );
  });

  test('the attempt budget is respected', () => {
    assert.equal(decideRetry(notSent(), clean('SELECT 1', { attempt: 2 })).retry, true);
    const last = decideRetry(notSent(), clean('SELECT 1', { attempt: 3 }));
    assert.equal(last.retry, false);
    assert.match(last.reason, /3 attempts used/);
  });

  test('timeouts the caller set and answers from the server are not retried', () => {
    for (const error of [
      new QueryTimeoutError('timed out', { outcome: 'unknown' }),
      new IntegrityError('duplicate', { outcome: 'failed' }),
      new AcquireTimeoutError('no connection', {}),
    ]) {
      assert.equal(decideRetry(error, clean('SELECT 1')).retry, false, error.name);
    }
  });
});
