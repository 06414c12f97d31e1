import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type DriverShapedError, toDriverError } from '../../src/compat/driver-error.js';
import {
  AcquireTimeoutError,
  classify,
  IntegrityError,
  TransactionLostError,
} from '../../src/index.js';

/** An error as mysql2 builds it for an error packet from the server. */
function serverError(errno: number, code: string, sqlState: string, message: string): Error {
  return Object.assign(new Error(message), {
    code,
    errno,
    sqlState,
    sqlMessage: message,
    sql: 'INSERT INTO user VALUES (1)',
    fatal: false,
  });
}

describe('errors as the facade throws them', () => {
  test("a statement the server refused keeps the server's words and mysql2's code", () => {
    const original = classify(
      serverError(1062, 'ER_DUP_ENTRY', '23000', "Duplicate entry 'a@x' for key 'email'"),
      {
        phase: 'awaiting-result',
        flavor: 'mariadb',
      },
    );
    const shown = toDriverError(original) as DriverShapedError;
    assert.ok(shown instanceof IntegrityError);
    assert.equal(shown.code, 'ER_DUP_ENTRY');
    assert.equal(shown.goneawayCode, 'GONEAWAY_INTEGRITY');
    assert.equal(shown.errno, 1062);
    assert.equal(shown.sqlState, '23000');
    assert.equal(shown.message, "Duplicate entry 'a@x' for key 'email'");
    assert.equal(shown.sqlMessage, shown.message);
    assert.equal(shown.fatal, false);
    assert.equal(shown.outcome, 'failed');
    assert.match(shown.stack ?? '', /^IntegrityError: Duplicate entry/);
    // ORMs assign to errors (Sequelize sets sql and parameters).
    Object.assign(shown, { sql: 'INSERT ...' });
  });

  test("a loss keeps goneaway's explanation, its class and its fields; code is the driver's", () => {
    const lost = Object.assign(new Error('Connection lost: The server closed the connection.'), {
      code: 'PROTOCOL_CONNECTION_LOST',
      fatal: true,
    });
    const original = classify(lost, { phase: 'sending', inTransaction: true, flavor: 'mariadb' });
    assert.ok(original instanceof TransactionLostError);
    const shown = toDriverError(original) as DriverShapedError;
    assert.ok(shown instanceof TransactionLostError);
    assert.notEqual(shown, original, 'a copy: listeners of pool events keep the original');
    assert.equal(original.code, 'GONEAWAY_TRANSACTION_LOST', 'the original is untouched');
    assert.equal(shown.code, 'PROTOCOL_CONNECTION_LOST');
    assert.equal(shown.goneawayCode, 'GONEAWAY_TRANSACTION_LOST');
    assert.equal(shown.fatal, true);
    assert.equal(shown.sqlMessage, undefined);
    assert.equal(shown.message, original.message);
    assert.equal(shown.outcome, original.outcome);
    assert.equal(shown.cause, original.cause);
    assert.equal(toDriverError(shown), shown, 'shaping twice changes nothing');
  });

  test("an error of goneaway's own keeps its code and its extra fields", () => {
    const original = new AcquireTimeoutError({
      counts: { total: 2, idle: 0, inUse: 2, waiting: 1, max: 2 },
      waitedMs: 30,
    });
    const shown = toDriverError(original) as DriverShapedError & AcquireTimeoutError;
    assert.equal(shown.code, 'GONEAWAY_ACQUIRE_TIMEOUT');
    assert.deepEqual(shown.counts, original.counts);
    assert.equal(shown.waitedMs, 30);
  });

  test('anything that is not a goneaway error passes through', () => {
    const error = new TypeError('bad');
    assert.equal(toDriverError(error), error);
  });
});
