/**
 * Every entry of every code table, classified the way the driver would hand it over, in the
 * phases that change its meaning. The expectations are derived from the entry itself (so a
 * new entry is tested as soon as it is added); the spot checks at the end pin the important
 * codes to literal answers.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CLIENT_CODES,
  type ClassifyContext,
  type CodeRule,
  classify,
  DRIVER_CODE_RULES,
  DRIVER_MESSAGE_RULES,
  ERROR_CLASS_SPECS,
  type ErrorClassName,
  type Flavor,
  type GoneAwayError,
  type Outcome,
  SERVER_CODE_RULES,
  SQLSTATE_CLASS_RULES,
  SYSTEM_CODE_RULES,
  serverErrorName,
  serverErrorNumber,
} from '../../src/errors/index.js';
import {
  MARIADB_SERVER_ERRORS,
  MYSQL_SERVER_ERRORS,
} from '../../src/errors/server-error-names.generated.js';

const FLAVORS: readonly Flavor[] = ['mysql', 'mariadb'];

/** What mysql2 hands over for an error packet (lib/packets/packet.js asError). */
function serverError(errno: number, sqlState = 'HY000'): Error {
  return Object.assign(new Error(`server error ${errno}`), {
    code: serverErrorName(errno, 'mysql'),
    errno,
    sqlState,
    sqlMessage: `server error ${errno}`,
  });
}

/** What Node (and mysql2 around it) hands over for a network error. */
function systemError(code: string): Error {
  return Object.assign(new Error(`read ${code}`), {
    code,
    errno: -1,
    syscall: 'read',
    fatal: true,
  });
}

function driverError(code: string, fatal = true): Error {
  return Object.assign(new Error(`driver error ${code}`), { code, fatal });
}

/** The class, outcome and flags an entry should produce in `phase`, read off the entry. */
function expected(rule: CodeRule, phase: 'connecting' | 'awaiting-result', answered: boolean) {
  const notSent = rule.signals?.includes('not-sent') === true;
  if (rule.kind === 'loss') {
    if (phase === 'connecting') {
      return {
        className: 'ServerUnavailableError' as const,
        outcome: 'not-sent' as Outcome,
        usable: false,
      };
    }
    const outcome: Outcome = notSent ? 'not-sent' : (rule.outcome ?? 'unknown');
    return { className: 'ConnectionLostError' as const, outcome, usable: false };
  }
  const className: ErrorClassName =
    phase === 'connecting' ? (rule.whenConnecting ?? rule.kind) : rule.kind;
  const spec = ERROR_CLASS_SPECS[className];
  // The context's statement is an UPDATE: stopped midway, it may have changed MyISAM rows.
  const stoppedWrite = rule.signals?.includes('stops-midway') && phase !== 'connecting';
  const outcome: Outcome = stoppedWrite
    ? 'unknown'
    : (rule.outcome ??
      (notSent || phase === 'connecting' ? 'not-sent' : answered ? 'failed' : spec.outcome));
  const usableDefault =
    spec.connectionUsable === 'if-failed' ? outcome === 'failed' : spec.connectionUsable;
  return { className, outcome, usable: rule.connectionUsable ?? usableDefault };
}

function check(
  error: GoneAwayError,
  rule: CodeRule,
  phase: 'connecting' | 'awaiting-result',
  answered: boolean,
): void {
  const want = expected(rule, phase, answered);
  const spec = ERROR_CLASS_SPECS[want.className];
  assert.equal(error.name, want.className, `class (${rule.note})`);
  assert.equal(error.outcome, want.outcome, 'outcome');
  assert.equal(error.connectionUsable, want.usable, 'connectionUsable');
  const retryableDefault =
    spec.retryable === 'unless-unknown' ? want.outcome !== 'unknown' : spec.retryable;
  assert.equal(error.retryable, rule.retryable ?? retryableDefault, 'retryable');
  assert.equal(error.phase, phase);
  assert.ok(error.message.length > 0);
}

const context = (phase: 'connecting' | 'awaiting-result', flavor?: Flavor): ClassifyContext => ({
  phase,
  flavor,
  host: '127.0.0.1',
  port: 3306,
  sql: 'UPDATE t SET a = 1',
});

describe('server codes', () => {
  for (const rule of SERVER_CODE_RULES) {
    const flavors = rule.flavor ? [rule.flavor] : FLAVORS;
    for (const flavor of flavors) {
      for (const phase of ['awaiting-result', 'connecting'] as const) {
        test(`${rule.errno} ${rule.symbol} on ${flavor}, ${phase}`, () => {
          const error = classify(serverError(rule.errno), context(phase, flavor));
          check(error, rule, phase, true);
          assert.equal(error.errno, rule.errno);
          assert.equal(error.symbol, rule.symbol);
          assert.equal(error.flavor, flavor);
          assert.equal(error.sqlState, 'HY000');
        });
      }
    }
    test(`${rule.errno} ${rule.symbol}: the name matches the generated table of its flavour(s)`, () => {
      for (const flavor of flavors)
        assert.equal(serverErrorName(rule.errno, flavor), rule.symbol, flavor);
    });
  }

  test('one entry per number and flavour', () => {
    const keys = SERVER_CODE_RULES.flatMap((rule) =>
      (rule.flavor ? [rule.flavor] : FLAVORS).map((flavor) => `${rule.errno}/${flavor}`),
    );
    assert.equal(new Set(keys).size, keys.length);
  });

  test('the codes the issue requires are all classified', () => {
    const required = [
      1040, 1043, 1045, 1047, 1053, 1077, 1078, 1079, 1080, 1152, 1153, 1154, 1155, 1156, 1157,
      1158, 1159, 1160, 1161, 1184, 1205, 1213, 1290, 1317, 1792, 1836, 1927, 1969, 3024, 4031,
    ];
    const listed = new Set(SERVER_CODE_RULES.map((rule) => rule.errno));
    assert.deepEqual(
      required.filter((errno) => !listed.has(errno)),
      [],
    );
  });
});

describe('client codes (CR_*)', () => {
  for (const rule of CLIENT_CODES) {
    for (const phase of ['awaiting-result', 'connecting'] as const) {
      test(`${rule.errno} ${rule.symbol}, ${phase}`, () => {
        // A client error relayed as an error packet (by a proxy or a server-to-server link).
        const error = classify(serverError(rule.errno), context(phase));
        check(error, rule, phase, true);
        assert.equal(error.symbol, rule.symbol);
      });
    }
  }

  test('2000–2074 are all listed, once each, in order', () => {
    assert.deepEqual(
      CLIENT_CODES.map((rule) => rule.errno),
      Array.from({ length: 75 }, (_, i) => 2000 + i),
    );
    assert.ok(CLIENT_CODES.every((rule) => rule.symbol.startsWith('CR_')));
  });
});

describe('Node system codes', () => {
  for (const [code, rule] of Object.entries(SYSTEM_CODE_RULES)) {
    for (const phase of ['awaiting-result', 'connecting'] as const) {
      test(`${code}, ${phase}`, () => {
        const error = classify(systemError(code), context(phase));
        check(error, rule, phase, false);
        assert.equal(error.systemCode, code);
        assert.equal(error.driverCode, code);
        assert.equal(error.errno, undefined, "Node's negative errno is not a server error number");
      });
    }
  }
});

describe("mysql2's own codes", () => {
  for (const [code, rule] of Object.entries(DRIVER_CODE_RULES)) {
    for (const phase of ['awaiting-result', 'connecting'] as const) {
      test(`${code}, ${phase}`, () => {
        const error = classify(driverError(code, rule.kind === 'loss'), context(phase));
        check(error, rule, phase, false);
        assert.equal(error.driverCode, code);
        assert.equal(error.systemCode, undefined);
      });
    }
  }
});

describe("mysql2's code-less messages (the one place messages are matched)", () => {
  for (const rule of DRIVER_MESSAGE_RULES) {
    for (const phase of ['awaiting-result', 'connecting'] as const) {
      test(`"${rule.message}", ${phase}`, () => {
        const error = classify(
          Object.assign(new Error(rule.message), { fatal: true }),
          context(phase),
        );
        check(error, rule, phase, false);
      });
    }
  }

  test('a message is matched only on errors without a code', () => {
    const rule = DRIVER_MESSAGE_RULES[0]!;
    const coded = Object.assign(new Error(rule.message), { code: 'SOMETHING_ELSE' });
    assert.equal(classify(coded).name, 'InterfaceError');
  });

  test('a message is matched whole, not as a substring', () => {
    const rule = DRIVER_MESSAGE_RULES[0]!;
    assert.equal(classify(new Error(`${rule.message}!`)).name, 'InterfaceError');
  });
});

describe('SQLSTATE classes (errors no entry lists)', () => {
  // 1105 ER_UNKNOWN_ERROR has no entry of its own; give it each SQLSTATE class in turn.
  for (const [prefix, rule] of Object.entries(SQLSTATE_CLASS_RULES)) {
    test(`${prefix}xxx`, () => {
      const sqlState = `${prefix}000`.slice(0, 5);
      const error = classify(serverError(1105, sqlState), context('awaiting-result'));
      check(error, rule, 'awaiting-result', true);
      assert.equal(error.sqlState, sqlState);
    });
  }

  test('a general SQLSTATE (HY000) falls back to DatabaseError, connection usable', () => {
    const error = classify(serverError(1105), context('awaiting-result'));
    assert.equal(error.name, 'DatabaseError');
    assert.equal(error.outcome, 'failed');
    assert.equal(error.connectionUsable, true);
    assert.equal(error.symbol, 'ER_UNKNOWN_ERROR');
  });

  test('an unlisted server error mysql2 marked fatal is a loss', () => {
    const error = classify(
      Object.assign(serverError(1105), { fatal: true }),
      context('awaiting-result'),
    );
    assert.equal(error.name, 'ConnectionLostError');
    assert.equal(error.outcome, 'unknown');
  });
});

describe('the generated server tables', () => {
  test('are large, sorted and unique per flavour', () => {
    for (const table of [MYSQL_SERVER_ERRORS, MARIADB_SERVER_ERRORS]) {
      assert.ok(table.length > 1000);
      const numbers = table.map(([errno]) => errno);
      assert.deepEqual(
        numbers,
        [...numbers].sort((a, b) => a - b),
      );
      assert.equal(new Set(numbers).size, numbers.length);
    }
  });

  test('name ↔ number both ways, per flavour', () => {
    assert.equal(serverErrorName(1927, 'mariadb'), 'ER_CONNECTION_KILLED');
    assert.equal(serverErrorName(1927, 'mysql'), undefined);
    assert.equal(serverErrorName(1969, 'mariadb'), 'ER_STATEMENT_TIMEOUT');
    assert.equal(serverErrorName(4031, 'mysql'), 'ER_CLIENT_INTERACTION_TIMEOUT');
    assert.equal(serverErrorName(4031, 'mariadb'), 'ER_REFERENCED_TRG_DOES_NOT_EXIST');
    assert.equal(serverErrorName(1213), 'ER_LOCK_DEADLOCK');
    assert.equal(serverErrorNumber('ER_LOCK_DEADLOCK'), 1213);
    assert.equal(serverErrorNumber('ER_CONNECTION_KILLED', 'mariadb'), 1927);
    assert.equal(serverErrorNumber('ER_ACCOUNT_HAS_BEEN_LOCKED', 'mysql'), 3118);
    assert.equal(serverErrorNumber('ER_ACCOUNT_HAS_BEEN_LOCKED', 'mariadb'), 4151);
  });
});

describe('spot checks: the codes that matter most, pinned to literal answers', () => {
  const cases: readonly {
    readonly title: string;
    readonly error: Error;
    readonly context: ClassifyContext;
    readonly want: readonly [ErrorClassName, Outcome, boolean, boolean];
  }[] = [
    // [class, outcome, retryable, connectionUsable]
    {
      title: 'wait_timeout on MariaDB: ECONNRESET while idle',
      error: systemError('ECONNRESET'),
      context: { phase: 'idle' },
      want: ['ConnectionLostError', 'not-sent', true, false],
    },
    {
      title: 'ECONNRESET awaiting a result',
      error: systemError('ECONNRESET'),
      context: { phase: 'awaiting-result' },
      want: ['ConnectionLostError', 'unknown', false, false],
    },
    {
      title: 'ECONNRESET before the statement was written',
      error: systemError('ECONNRESET'),
      context: { phase: 'sending' },
      want: ['ConnectionLostError', 'not-sent', true, false],
    },
    {
      title: 'EPIPE during COMMIT',
      error: systemError('EPIPE'),
      context: { phase: 'committing' },
      want: ['CommitOutcomeUnknownError', 'unknown', false, false],
    },
    {
      title: 'PROTOCOL_CONNECTION_LOST inside a transaction',
      error: driverError('PROTOCOL_CONNECTION_LOST'),
      context: { phase: 'awaiting-result', inTransaction: true },
      want: ['TransactionLostError', 'unknown', true, false],
    },
    {
      title: 'closed handle, COMMIT never sent',
      error: Object.assign(new Error("Can't add new command when connection is in closed state"), {
        fatal: true,
      }),
      context: { phase: 'committing', inTransaction: true },
      want: ['TransactionLostError', 'not-sent', true, false],
    },
    {
      title: 'ECONNREFUSED',
      error: systemError('ECONNREFUSED'),
      context: { phase: 'connecting' },
      want: ['ServerUnavailableError', 'not-sent', true, false],
    },
    {
      title: 'connect ETIMEDOUT',
      error: systemError('ETIMEDOUT'),
      context: { phase: 'connecting' },
      want: ['ServerUnavailableError', 'not-sent', true, false],
    },
    {
      title: '1040 too many connections',
      error: serverError(1040, '08004'),
      context: { phase: 'connecting' },
      want: ['ServerUnavailableError', 'not-sent', true, false],
    },
    {
      title: '1045 wrong password',
      error: serverError(1045, '28000'),
      context: { phase: 'connecting' },
      want: ['AuthenticationError', 'not-sent', false, false],
    },
    {
      title: '1049 unknown database at connect',
      error: serverError(1049, '42000'),
      context: { phase: 'connecting' },
      want: ['ConfigurationError', 'not-sent', false, false],
    },
    {
      title: '1049 on USE',
      error: serverError(1049, '42000'),
      context: { phase: 'awaiting-result' },
      want: ['ProgrammingError', 'failed', false, true],
    },
    {
      title: '1062 duplicate key',
      error: serverError(1062, '23000'),
      context: { phase: 'awaiting-result' },
      want: ['IntegrityError', 'failed', false, true],
    },
    {
      title: '1064 syntax error',
      error: serverError(1064, '42000'),
      context: { phase: 'awaiting-result' },
      want: ['ProgrammingError', 'failed', false, true],
    },
    {
      title: '1406 data too long',
      error: serverError(1406, '22001'),
      context: { phase: 'awaiting-result' },
      want: ['DataError', 'failed', false, true],
    },
    {
      title: '1213 deadlock',
      error: serverError(1213, '40001'),
      context: { phase: 'awaiting-result', inTransaction: true },
      want: ['DeadlockError', 'failed', true, true],
    },
    {
      title: '1205 lock wait timeout',
      error: serverError(1205),
      context: { phase: 'awaiting-result' },
      want: ['LockWaitTimeoutError', 'failed', true, true],
    },
    {
      title: '1317 KILL QUERY of a read',
      error: serverError(1317, '70100'),
      context: { phase: 'awaiting-result', sql: 'SELECT SLEEP(5)' },
      want: ['QueryInterruptedError', 'failed', false, true],
    },
    {
      // Issue 12, finding 9: a MyISAM UPDATE keeps the rows it changed before KILL QUERY.
      title: '1317 KILL QUERY of a write: outcome unknown (non-transactional tables)',
      error: serverError(1317, '70100'),
      context: { phase: 'awaiting-result', sql: 'UPDATE t SET a = a + 1' },
      want: ['QueryInterruptedError', 'unknown', false, true],
    },
    {
      title: '1969 max_statement_time (MariaDB) of a read',
      error: serverError(1969, '70100'),
      context: { phase: 'awaiting-result', flavor: 'mariadb', sql: 'SELECT SLEEP(5)' },
      want: ['QueryTimeoutError', 'failed', false, true],
    },
    {
      title: '1927 connection killed (MariaDB)',
      error: serverError(1927, '70100'),
      context: { phase: 'awaiting-result', flavor: 'mariadb' },
      want: ['ConnectionLostError', 'failed', true, false],
    },
    {
      title: '4031 on MySQL: idle close, never read',
      error: serverError(4031),
      context: { phase: 'awaiting-result', flavor: 'mysql' },
      want: ['ConnectionLostError', 'not-sent', true, false],
    },
    {
      title: '4031 on MariaDB: a trigger error',
      error: serverError(4031),
      context: { phase: 'awaiting-result', flavor: 'mariadb' },
      want: ['ProgrammingError', 'failed', false, true],
    },
    {
      title: '1290 read-only (failover)',
      error: serverError(1290),
      context: { phase: 'awaiting-result' },
      want: ['ReadOnlyServerError', 'failed', true, false],
    },
    {
      title: '2013 lost during query',
      error: serverError(2013),
      context: { phase: 'awaiting-result' },
      want: ['ConnectionLostError', 'unknown', false, false],
    },
    {
      title: '2006 gone away before sending',
      error: serverError(2006),
      context: { phase: 'sending' },
      want: ['ConnectionLostError', 'not-sent', true, false],
    },
    {
      title: 'PROTOCOL_SEQUENCE_TIMEOUT',
      error: driverError('PROTOCOL_SEQUENCE_TIMEOUT', false),
      context: { phase: 'awaiting-result' },
      want: ['QueryTimeoutError', 'unknown', false, false],
    },
    {
      title: 'mysql2 TypeError for undefined bind values',
      error: new TypeError('Bind parameters must not contain undefined'),
      context: { phase: 'sending' },
      want: ['ProgrammingError', 'not-sent', false, true],
    },
    {
      title: 'a loss without context is assumed the worst',
      error: driverError('PROTOCOL_CONNECTION_LOST'),
      context: {},
      want: ['ConnectionLostError', 'unknown', false, false],
    },
  ];
  for (const { title, error, context: ctx, want } of cases) {
    test(title, () => {
      const classified = classify(error, ctx);
      assert.deepEqual(
        [classified.name, classified.outcome, classified.retryable, classified.connectionUsable],
        want,
      );
    });
  }

  test('the unsolicited error packet mysql2 reports with the number as code (MySQL 4031)', () => {
    // lib/base/connection.js: an ERR packet with no command waiting → err.code = 4031 (a number).
    const unsolicited = Object.assign(
      new Error('The client was disconnected by the server because of inactivity.'),
      {
        code: 4031,
        fatal: true,
      },
    );
    const error = classify(unsolicited, { phase: 'idle', flavor: 'mysql' });
    assert.equal(error.name, 'ConnectionLostError');
    assert.equal(error.errno, 4031);
    assert.equal(error.symbol, 'ER_CLIENT_INTERACTION_TIMEOUT');
    assert.equal(error.driverCode, undefined);
  });
});
