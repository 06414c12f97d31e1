import assert from 'node:assert/strict';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { inspect } from 'node:util';
import {
  AcquireTimeoutError,
  CommitOutcomeUnknownError,
  ConfigurationError,
  ConnectionLostError,
  classChain,
  classify,
  DatabaseError,
  DeadlockError,
  ERROR_CLASS_NAMES,
  ERROR_CLASS_SPECS,
  ERROR_CLASSES,
  type ErrorClassName,
  GoneAwayError,
  IntegrityError,
  isGoneAwayError,
  OperationalError,
  QueryTimeoutError,
  SessionLostError,
  TransactionLostError,
  TransactionRollbackError,
} from '../../src/errors/index.js';

type AnyErrorClass = new (message?: string, details?: object) => GoneAwayError;
const classOf = (name: ErrorClassName) => ERROR_CLASSES[name] as unknown as AnyErrorClass;

describe('every error class', () => {
  for (const name of ERROR_CLASS_NAMES) {
    const spec = ERROR_CLASS_SPECS[name];
    test(`${name}: name, code, fields and defaults`, () => {
      const cause = new Error('driver said no');
      const error = new (classOf(name))('something happened', {
        cause,
        errno: 2013,
        sqlState: 'HY000',
        systemCode: 'ECONNRESET',
        driverCode: 'PROTOCOL_CONNECTION_LOST',
        symbol: 'CR_SERVER_LOST',
        flavor: 'mariadb',
        phase: 'awaiting-result',
      });
      assert.equal(error.name, name);
      assert.equal(error.code, spec.code);
      assert.equal((classOf(name) as unknown as { code: string }).code, spec.code, 'static code');
      assert.equal(error.message, 'something happened');
      assert.equal(error.errno, 2013);
      assert.equal(error.sqlState, 'HY000');
      assert.equal(error.systemCode, 'ECONNRESET');
      assert.equal(error.driverCode, 'PROTOCOL_CONNECTION_LOST');
      assert.equal(error.symbol, 'CR_SERVER_LOST');
      assert.equal(error.flavor, 'mariadb');
      assert.equal(error.phase, 'awaiting-result');
      assert.equal(error.cause, cause);
      assert.equal(error.outcome, spec.outcome);
      const retryable =
        spec.retryable === 'unless-unknown' ? spec.outcome !== 'unknown' : spec.retryable;
      assert.equal(error.retryable, retryable);
      const usable =
        spec.connectionUsable === 'if-failed' ? spec.outcome === 'failed' : spec.connectionUsable;
      assert.equal(error.connectionUsable, usable);
      assert.ok(error instanceof Error);
      assert.equal(String(error), `${name}: something happened`);
      assert.match(error.stack ?? '', new RegExp(`^${name}: something happened\\n\\s+at `));
    });

    test(`${name}: instanceof holds for itself and every ancestor, and for no other class`, () => {
      const error = new (classOf(name))('x');
      const chain = classChain(name);
      for (const other of ERROR_CLASS_NAMES) {
        assert.equal(
          error instanceof classOf(other),
          chain.includes(other),
          `${name} instanceof ${other}`,
        );
      }
    });

    test(`${name}: a message is composed when none is given`, () => {
      const error = new (classOf(name))();
      assert.ok(error.message.length > 20, error.message);
      assert.ok(error.message.endsWith(spec.action) || name === 'AcquireTimeoutError');
    });
  }
});

describe('the class table', () => {
  test('codes are GONEAWAY_ plus the name in upper snake case, and unique', () => {
    for (const name of ERROR_CLASS_NAMES) {
      const expected =
        name === 'GoneAwayError'
          ? 'GONEAWAY_ERROR'
          : `GONEAWAY_${name
              .replace(/Error$/, '')
              .replace(/([a-z])([A-Z])/g, '$1_$2')
              .toUpperCase()}`;
      assert.equal(ERROR_CLASS_SPECS[name].code, expected);
    }
    const codes = ERROR_CLASS_NAMES.map((name) => ERROR_CLASS_SPECS[name].code);
    assert.equal(new Set(codes).size, codes.length);
  });

  test('every parent is listed before its children, and the tree has one root', () => {
    const seen = new Set<string>();
    for (const name of ERROR_CLASS_NAMES) {
      const parent = ERROR_CLASS_SPECS[name].parent;
      if (parent === null) assert.equal(name, 'GoneAwayError');
      else assert.ok(seen.has(parent), `${name}'s parent ${parent} comes first`);
      seen.add(name);
    }
  });

  test('the hierarchy mirrors PEP 249 where it fits', () => {
    assert.deepEqual(classChain('DeadlockError'), [
      'DeadlockError',
      'TransactionRollbackError',
      'OperationalError',
      'DatabaseError',
      'GoneAwayError',
    ]);
    assert.deepEqual(classChain('IntegrityError'), [
      'IntegrityError',
      'DatabaseError',
      'GoneAwayError',
    ]);
    assert.deepEqual(classChain('PoolClosedError'), [
      'PoolClosedError',
      'InterfaceError',
      'GoneAwayError',
    ]);
    assert.deepEqual(classChain('CommitOutcomeUnknownError').slice(0, 2), [
      'CommitOutcomeUnknownError',
      'ConnectionLostError',
    ]);
  });
});

describe('fields given by the thrower', () => {
  test('outcome, retryable and connectionUsable override the class defaults', () => {
    const error = new DeadlockError('x', {
      outcome: 'unknown',
      retryable: false,
      connectionUsable: false,
    });
    assert.equal(error.outcome, 'unknown');
    assert.equal(error.retryable, false);
    assert.equal(error.connectionUsable, false);
  });

  test('ConnectionLostError is retryable unless its outcome is unknown', () => {
    assert.equal(new ConnectionLostError('x', { outcome: 'not-sent' }).retryable, true);
    assert.equal(new ConnectionLostError('x', { outcome: 'failed' }).retryable, true);
    assert.equal(new ConnectionLostError('x', { outcome: 'unknown' }).retryable, false);
    assert.equal(new ConnectionLostError('x').outcome, 'unknown', 'conservative default');
  });

  test('QueryTimeoutError keeps the connection only when the server stopped the statement', () => {
    assert.equal(new QueryTimeoutError('x', { outcome: 'failed' }).connectionUsable, true);
    assert.equal(new QueryTimeoutError('x', { outcome: 'unknown' }).connectionUsable, false);
  });

  test('SessionLostError carries what the session held, frozen', () => {
    const error = new SessionLostError({ lost: ['temporary tables', 'user variables'] });
    assert.deepEqual(error.lost, ['temporary tables', 'user variables']);
    assert.ok(Object.isFrozen(error.lost));
    assert.match(error.message, /temporary tables, user variables/);
    assert.deepEqual(new SessionLostError('x').lost, []);
  });

  test('AcquireTimeoutError carries the counts and wait, and its message says them and a fix', () => {
    const cause = new ConnectionLostError('connect ECONNREFUSED 127.0.0.1:3306');
    const busy = new AcquireTimeoutError({
      counts: { total: 10, idle: 0, inUse: 10, waiting: 4, max: 10 },
      waitedMs: 5_000,
    });
    assert.deepEqual(busy.counts, { total: 10, idle: 0, inUse: 10, waiting: 4, max: 10 });
    assert.equal(busy.waitedMs, 5_000);
    assert.match(busy.message, /5000 ms/);
    assert.match(busy.message, /10 in use, 0 idle, 4 waiting, 10 open, max 10/);
    assert.match(busy.message, /raise max/);
    const failing = new AcquireTimeoutError({
      counts: { total: 0, idle: 0, inUse: 0, waiting: 1, max: 10 },
      waitedMs: 3_000,
      cause,
    });
    assert.equal(failing.cause, cause);
    assert.match(failing.message, /The last connect failed: connect ECONNREFUSED/);
  });

  test('a message given by the thrower is used as is', () => {
    const error = new ConfigurationError("Pool option 'max' is -1; expected a positive integer.");
    assert.equal(error.message, "Pool option 'max' is -1; expected a positive integer.");
  });
});

describe('TypeScript types (checked by tsc, asserted at run time)', () => {
  test('instanceof narrows to the class, siblings stay apart, children are assignable to parents', () => {
    const error: GoneAwayError = new DeadlockError('x');
    let reached = '';
    if (error instanceof IntegrityError) reached = 'integrity';
    else if (error instanceof DeadlockError) reached = `deadlock ${error.retryable}`;
    assert.equal(reached, 'deadlock true');
    const parent: OperationalError = new DeadlockError('x');
    const grandparent: DatabaseError = parent;
    assert.ok(grandparent instanceof TransactionRollbackError);
    const session: GoneAwayError = new SessionLostError({ lost: ['user variables'] });
    if (session instanceof SessionLostError) assert.deepEqual(session.lost, ['user variables']);
    else assert.fail('narrowed');
  });
});

describe('subclasses written by users', () => {
  test('keep the ordinary prototype check and inherit the table row', () => {
    class RetryBudgetSpent extends ConnectionLostError {}
    const mine = new RetryBudgetSpent('out of retries', { outcome: 'not-sent' });
    const plain = new ConnectionLostError('lost');
    assert.ok(mine instanceof RetryBudgetSpent);
    assert.ok(mine instanceof ConnectionLostError);
    assert.ok(mine instanceof OperationalError);
    assert.equal(plain instanceof RetryBudgetSpent, false);
    assert.equal(mine.code, 'GONEAWAY_CONNECTION_LOST');
    assert.equal(mine.retryable, true);
  });
});

describe('two copies of the package', () => {
  let copyDir = '';
  let copy: typeof import('../../src/errors/index.js');

  before(async () => {
    // A second, independent copy of the module, as when a dependency bundles its own goneaway.
    copyDir = await mkdtemp(join(tmpdir(), 'goneaway-errors-copy-'));
    // The taxonomy and the SQL reader it names statements with (the only folder it imports).
    for (const folder of ['errors', 'sql'])
      await cp(new URL(`../../src/${folder}`, import.meta.url), join(copyDir, folder), {
        recursive: true,
      });
    copy = await import(join(copyDir, 'errors', 'index.ts'));
  });

  after(async () => {
    await rm(copyDir, { recursive: true, force: true });
  });

  test('the copy really has its own classes', () => {
    assert.notEqual(copy.DeadlockError, DeadlockError);
  });

  test('instanceof and isGoneAwayError work across copies, both ways', () => {
    const theirs = new copy.DeadlockError('from the other copy');
    assert.ok(isGoneAwayError(theirs));
    assert.ok(theirs instanceof DeadlockError);
    assert.ok(theirs instanceof TransactionRollbackError);
    assert.ok(theirs instanceof GoneAwayError);
    assert.equal(theirs instanceof IntegrityError, false);
    const ours = new TransactionLostError('from this copy');
    assert.ok(copy.isGoneAwayError(ours));
    assert.ok(ours instanceof copy.ConnectionLostError);
    assert.equal(ours instanceof copy.CommitOutcomeUnknownError, false);
  });

  test('classify returns an error of another copy unchanged', () => {
    const theirs = new copy.DatabaseError('x');
    assert.equal(classify(theirs), theirs);
    assert.ok(theirs instanceof DatabaseError);
  });
});

describe('printed forms', () => {
  test('toJSON has the message, fields and a cause without statement text', () => {
    const cause = Object.assign(new Error("Duplicate entry 'a' for key 'PRIMARY'"), {
      code: 'ER_DUP_ENTRY',
      errno: 1062,
      sqlState: '23000',
      sql: "INSERT INTO users (name, token) VALUES ('a', 'tok-123456')",
    });
    const error = new IntegrityError('duplicate', { cause, errno: 1062, sqlState: '23000' });
    const json = JSON.parse(JSON.stringify(error));
    assert.equal(json.name, 'IntegrityError');
    assert.equal(json.message, 'duplicate');
    assert.equal(json.code, 'GONEAWAY_INTEGRITY');
    assert.equal(json.errno, 1062);
    assert.equal(json.outcome, 'failed');
    assert.equal(json.cause.code, 'ER_DUP_ENTRY');
    assert.equal(json.cause.statement, 'INSERT');
    assert.doesNotMatch(JSON.stringify(json), /tok-123456/);
  });

  test('util.inspect shows the stack and fields, and the cause without statement text', () => {
    const cause = Object.assign(new Error('boom'), { sql: "SET @token = 'tok-123456'" });
    const error = new CommitOutcomeUnknownError('lost during commit', {
      cause,
      outcome: 'unknown',
    });
    const text = inspect(error);
    assert.match(text, /^CommitOutcomeUnknownError: lost during commit\n\s+at /);
    assert.match(text, /code: 'GONEAWAY_COMMIT_OUTCOME_UNKNOWN'/);
    assert.match(text, /statement: 'SET'/);
    assert.doesNotMatch(text, /tok-123456/);
  });
});
