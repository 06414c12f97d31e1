import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readStatementCall } from '../../src/compat/statement.js';
import { ConfigurationError, NotSupportedError } from '../../src/index.js';

describe("mysql2's query()/execute() arguments", () => {
  const callback = () => undefined;

  test('(sql, callback) and (sql, values, callback)', () => {
    assert.deepEqual(readStatementCall('SELECT 1', callback), {
      statement: { sql: 'SELECT 1', values: undefined, timeoutMs: undefined, shape: {} },
      callback,
    });
    assert.deepEqual(readStatementCall('SELECT ?', [1], callback).statement.values, [1]);
    assert.equal(readStatementCall('SELECT 1').callback, undefined);
  });

  test('({ sql, values, timeout, rowsAsArray }, values?, callback): values given as an argument win', () => {
    const call = readStatementCall(
      { sql: 'SELECT ?', values: [1], timeout: 500, rowsAsArray: true },
      [2],
      callback,
    );
    assert.deepEqual(call.statement, {
      sql: 'SELECT ?',
      values: [2],
      timeoutMs: 500,
      shape: { rowsAsArray: true },
    });
    assert.deepEqual(
      readStatementCall({ sql: 'SELECT ?', values: [1] }, callback).statement.values,
      [1],
    );
    assert.equal(
      readStatementCall({ sql: 'SELECT 1', timeout: 0 }).statement.timeoutMs,
      undefined,
      'timeout 0 means none, as in mysql2',
    );
  });

  test('bad arguments are configuration errors; unknown per-statement options are refused by name', () => {
    assert.throws(() => readStatementCall(42), ConfigurationError);
    assert.throws(() => readStatementCall({ sql: 1 }), ConfigurationError);
    assert.throws(() => readStatementCall({ sql: 'SELECT 1', timeout: -1 }), ConfigurationError);
    assert.throws(() => readStatementCall('SELECT 1', [], 'not a function'), ConfigurationError);
    assert.throws(
      () => readStatementCall({ sql: 'SELECT 1', infileStreamFactory: () => undefined }),
      (error: unknown) =>
        error instanceof NotSupportedError && /infileStreamFactory/.test(error.message),
    );
  });
});
