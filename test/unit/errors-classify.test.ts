import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { inspect } from 'node:util';
import {
  ConnectionLostError,
  classify,
  DeadlockError,
  errorSignals,
  flavorOf,
  isConnectionLoss,
  redact,
  ServerUnavailableError,
  signalsIdleTimeout,
  signalsServerRestart,
  statementKeyword,
} from '../../src/errors/index.js';
import { duration } from '../../src/errors/messages.js';
import { describeStatement } from '../../src/sql/statement-keyword.js';

const reset = () =>
  Object.assign(new Error('read ECONNRESET'), {
    code: 'ECONNRESET',
    errno: -104,
    syscall: 'read',
    fatal: true,
  });

describe('flavorOf', () => {
  test('reads the flavour off the version string', () => {
    assert.equal(flavorOf('10.11.19-MariaDB-0+deb12u1'), 'mariadb');
    assert.equal(flavorOf('5.5.5-10.6.16-MariaDB-log'), 'mariadb');
    assert.equal(flavorOf('11.4.2-mariadb'), 'mariadb');
    assert.equal(flavorOf('8.0.36'), 'mysql');
    assert.equal(flavorOf('8.0.mysql_aurora.3.05.2'), 'mysql');
    assert.equal(flavorOf('8.0.36-28'), 'mysql', 'Percona');
  });
});

describe('messages', () => {
  test('say what happened, to which statement, the outcome, the idle time and wait_timeout', () => {
    const error = classify(reset(), {
      phase: 'awaiting-result',
      host: '127.0.0.1',
      port: 3306,
      sql: "update account set note = 'private note' where id = 7",
      idleMs: 41_000,
      waitTimeoutMs: 30_000,
    });
    assert.match(
      error.message,
      /^Lost connection to 127\.0\.0\.1:3306 while awaiting the result of an UPDATE/,
    );
    assert.match(error.message, /the server may or may not have applied it \(outcome unknown\)/);
    assert.match(error.message, /idle 41 s, longer than the server's wait_timeout \(30 s\)/);
    assert.match(error.message, /read ECONNRESET/);
    assert.doesNotMatch(
      error.message,
      /private note|account|id = 7/,
      'only the keyword of the statement',
    );
  });

  test('an idle time under wait_timeout is stated without blaming it', () => {
    const error = classify(reset(), {
      phase: 'awaiting-result',
      idleMs: 2_500,
      waitTimeoutMs: 30_000,
    });
    assert.match(error.message, /idle 2\.5 s; the server's wait_timeout is 30 s\./);
  });

  test('a statement never sent says so and that it is safe to run again', () => {
    const error = classify(reset(), {
      phase: 'sending',
      host: 'db',
      port: 3307,
      sql: 'INSERT INTO t VALUES (1)',
    });
    assert.match(
      error.message,
      /^An INSERT was not sent: the connection to db:3307 was already lost/,
    );
    assert.match(error.message, /safe to run again/);
  });

  test('a loss during COMMIT says the commit may or may not have happened', () => {
    const error = classify(reset(), { phase: 'committing', inTransaction: true, host: 'db' });
    assert.match(error.message, /while COMMIT was in flight.*may or may not have been committed/);
  });

  test('a loss inside a transaction says the server rolled it back', () => {
    const error = classify(reset(), {
      phase: 'awaiting-result',
      inTransaction: true,
      sql: 'DELETE FROM t',
    });
    assert.match(error.message, /rolled the open transaction back/);
    assert.match(error.message, /Run the whole transaction again/);
  });

  test('an idle death says no statement was affected', () => {
    const error = classify(reset(), { phase: 'idle', host: 'db', port: 3306 });
    assert.match(
      error.message,
      /^The idle connection to db:3306 was closed while it waited in the pool/,
    );
    assert.match(error.message, /no statement was affected/);
  });

  test('a server error names the code, SQLSTATE and the server message, and the fix', () => {
    const cause = Object.assign(new Error("Duplicate entry '1' for key 'PRIMARY'"), {
      code: 'ER_DUP_ENTRY',
      errno: 1062,
      sqlState: '23000',
    });
    const error = classify(cause, {
      phase: 'awaiting-result',
      host: 'db',
      sql: 'INSERT INTO t VALUES (1)',
    });
    assert.equal(
      error.message,
      "Db rejected an INSERT (ER_DUP_ENTRY 1062, SQLSTATE 23000: Duplicate entry '1' for key 'PRIMARY'). " +
        'Fix the data, or handle the conflict (e.g. INSERT ... ON DUPLICATE KEY UPDATE).',
    );
  });

  test('an entry with its own advice uses it', () => {
    const cause = Object.assign(new Error('Too many connections'), {
      code: 'ER_CON_COUNT_ERROR',
      errno: 1040,
      sqlState: '08004',
    });
    const error = classify(cause, { phase: 'connecting', host: 'db', port: 3306 });
    assert.match(error.message, /^Db:3306 refused the connection \(ER_CON_COUNT_ERROR 1040/);
    assert.match(error.message, /lower the pool's max .* or raise max_connections/);
  });

  test('the MariaDB name is used for a MariaDB number mysql2 does not know', () => {
    const cause = Object.assign(
      new Error('Query execution was interrupted (max_statement_time exceeded)'),
      {
        code: undefined,
        errno: 1969,
        sqlState: '70100',
      },
    );
    const error = classify(cause, { phase: 'awaiting-result', flavor: 'mariadb' });
    assert.equal(error.symbol, 'ER_STATEMENT_TIMEOUT');
    assert.match(error.message, /ER_STATEMENT_TIMEOUT 1969/);
  });

  test('durations read naturally', () => {
    assert.deepEqual([850, 2_500, 41_000, 600_000, 28_800_000].map(duration), [
      '850 ms',
      '2.5 s',
      '41 s',
      '10 min',
      '8 h',
    ]);
  });
});

describe('statement keywords', () => {
  test('skip comments and parentheses, and name nothing else', () => {
    assert.equal(statementKeyword('  /* app:42 */ select * from t'), 'SELECT');
    assert.equal(statementKeyword('-- note\n# another\n(SELECT 1) UNION (SELECT 2)'), 'SELECT');
    assert.equal(statementKeyword("'; DROP TABLE t"), undefined);
    assert.equal(statementKeyword(''), undefined);
    assert.equal(describeStatement('update t set a = 1'), 'an UPDATE');
    assert.equal(describeStatement('UNLOCK TABLES'), 'an UNLOCK');
    assert.equal(describeStatement('use shop'), 'a USE');
    assert.equal(describeStatement('commit'), 'a COMMIT');
    assert.equal(describeStatement(undefined), 'a statement');
  });
});

describe("the caller's stack", () => {
  test('kept from the driver error when it leads back to the caller (mysql2/promise records it)', () => {
    function callerOfTheQuery(): Error {
      return reset();
    }
    const driver = callerOfTheQuery();
    const error = classify(driver, { phase: 'awaiting-result' });
    assert.match(error.stack ?? '', /^ConnectionLostError: Lost connection/);
    assert.match(error.stack ?? '', /callerOfTheQuery/);
  });

  test("taken where classify was called when the driver's stack is all mysql2 internals", () => {
    const driver = reset();
    driver.stack =
      'Error: read ECONNRESET\n    at Connection._handleNetworkError (/app/node_modules/mysql2/lib/base/connection.js:281:5)\n    at Socket.emit (node:events:519:28)';
    function whereClassifyRuns() {
      return classify(driver, { phase: 'awaiting-result' });
    }
    const error = whereClassifyRuns();
    assert.match(error.stack ?? '', /whereClassifyRuns/);
    assert.doesNotMatch(error.stack ?? '', /_handleNetworkError/);
    assert.doesNotMatch(error.stack ?? '', /at classify /, 'classify itself is not in the stack');
  });
});

describe('returning goneaway errors unchanged', () => {
  test('classify(goneAwayError) is the same object', () => {
    const error = new DeadlockError('x');
    assert.equal(classify(error, { phase: 'connecting' }), error);
  });

  test('a string or anything else thrown still becomes an error', () => {
    const error = classify('something odd');
    assert.equal(error.name, 'InterfaceError');
    assert.equal(error.cause, 'something odd');
    assert.match(error.message, /something odd/);
  });
});

describe('secrets', () => {
  const password = 'Pa55-w0rd-zebra';

  test('redact blanks URI passwords, password= pairs and listed secrets', () => {
    assert.equal(
      redact('at mysql://app:Pa55-w0rd-zebra@db:3306/x'),
      'at mysql://app:***@db:3306/x',
    );
    assert.equal(
      redact('mysql://app:p@ss@db/x'),
      'mysql://app:***@db/x',
      'an unencoded @ in the password',
    );
    assert.equal(redact('password=hunter22; user=app'), 'password=***; user=app');
    assert.equal(redact('{"password":"hunter22"}'), '{"password":"***"}');
    assert.equal(redact('the key is zebra-zebra', ['zebra-zebra']), 'the key is ***');
    assert.equal(redact(`x ${encodeURIComponent('p@ss w/rd')} y`, ['p@ss w/rd']), 'x *** y');
    assert.equal(
      redact("Access denied for user 'app'@'h' (using password: YES)"),
      "Access denied for user 'app'@'h' (using password: YES)",
      'MySQL saying whether a password was sent is kept',
    );
    assert.equal(redact('a b c', ['a']), 'a b c', 'too short to blank as a substring');
  });

  test('no printed form of a classified error carries a secret from its message or cause', () => {
    const driver = Object.assign(
      new Error(`cannot use mysql://app:${password}@db/x (secret ${password})`),
      {
        code: 'ECONNREFUSED',
        syscall: 'connect',
        sql: `ALTER USER app IDENTIFIED BY '${password}'`,
      },
    );
    const error = classify(driver, { phase: 'connecting', secrets: [password], sql: driver.sql });
    for (const printed of [
      error.message,
      String(error),
      error.stack ?? '',
      inspect(error),
      JSON.stringify(error),
    ]) {
      assert.doesNotMatch(printed, new RegExp(password));
    }
    assert.equal(error.cause, driver, 'the cause itself is the untouched driver error');
  });

  test('a message given by the thrower is redacted too', () => {
    const error = new ServerUnavailableError(`cannot reach mysql://app:${password}@db/x`);
    assert.doesNotMatch(`${error.message}${error.stack}${inspect(error)}`, new RegExp(password));
  });
});

describe('predicates', () => {
  test('signalsServerRestart: refused reconnects, shutdown, kills, MySQL idle notices', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), {
      code: 'ECONNREFUSED',
      syscall: 'connect',
    });
    assert.equal(signalsServerRestart(refused), true);
    assert.equal(
      signalsServerRestart(Object.assign(new Error('x'), { errno: 1053, sqlState: '08S01' })),
      true,
    );
    assert.equal(
      signalsServerRestart(Object.assign(new Error('x'), { errno: 1927 }), 'mariadb'),
      true,
    );
    assert.equal(
      signalsServerRestart(Object.assign(new Error('x'), { errno: 4031 }), 'mysql'),
      true,
    );
    assert.equal(
      signalsServerRestart(Object.assign(new Error('x'), { errno: 4031 }), 'mariadb'),
      false,
    );
    assert.equal(signalsServerRestart(reset()), false, 'a reset alone can be one idle connection');
    assert.equal(
      signalsServerRestart(Object.assign(new Error('dup'), { errno: 1062, sqlState: '23000' })),
      false,
    );
  });

  test('signalsServerRestart reads a classified error through its cause, and its flavour', () => {
    const classified = classify(Object.assign(new Error('x'), { errno: 1927, sqlState: '70100' }), {
      flavor: 'mariadb',
    });
    assert.equal(signalsServerRestart(classified), true);
  });

  test('signalsServerRestart reads an error built by the pool by its own fields', () => {
    const built = new ServerUnavailableError('refused', { systemCode: 'ECONNREFUSED' });
    assert.equal(signalsServerRestart(built), true);
    assert.deepEqual(errorSignals(new ConnectionLostError('stalled')), []);
  });

  test('signalsIdleTimeout: MySQL 4031 only', () => {
    assert.equal(
      signalsIdleTimeout(Object.assign(new Error('x'), { code: 4031, fatal: true }), 'mysql'),
      true,
    );
    assert.equal(
      signalsIdleTimeout(Object.assign(new Error('x'), { errno: 4031 }), 'mariadb'),
      false,
    );
    assert.equal(signalsIdleTimeout(reset()), false);
  });

  test('isConnectionLoss: an established connection is gone', () => {
    assert.equal(isConnectionLoss(reset()), true);
    assert.equal(
      isConnectionLoss(reset(), { phase: 'connecting' }),
      false,
      'that is an unavailable server',
    );
    assert.equal(
      isConnectionLoss(Object.assign(new Error('x'), { errno: 1213, sqlState: '40001' })),
      false,
    );
  });
});
