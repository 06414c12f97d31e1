import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { REDACTED, Redactor } from '../../src/cli/redact.js';

describe('Redactor', () => {
  it('removes a registered secret and its URI-encoded form', () => {
    const redactor = new Redactor();
    redactor.add('p@ss/word');
    assert.equal(
      redactor.redact('got p@ss/word and p%40ss%2Fword'),
      `got ${REDACTED} and ${REDACTED}`,
    );
  });

  it('removes the password of any URI, even one it was not told about', () => {
    const redactor = new Redactor();
    assert.equal(
      redactor.redact('see mysql://app:hunter2@db:3306/shop now'),
      `see mysql://app:${REDACTED}@db:3306/shop now`,
    );
    assert.equal(redactor.redact('postgres://:only@h/db'), `postgres://:${REDACTED}@h/db`);
  });

  it('leaves nothing of a password with an unencoded @ in a URI', () => {
    const redactor = new Redactor();
    assert.equal(redactor.redact('mysql://app:pa@ss@db/shop'), `mysql://app:${REDACTED}@db/shop`);
  });

  it('leaves URIs without a password alone', () => {
    const redactor = new Redactor();
    assert.equal(redactor.redact('mysql://root@127.0.0.1:3306/'), 'mysql://root@127.0.0.1:3306/');
    assert.equal(redactor.redact('mysql://127.0.0.1:3306/db'), 'mysql://127.0.0.1:3306/db');
  });

  it('removes password literals from statements shown in the processlist', () => {
    const redactor = new Redactor();
    assert.equal(
      redactor.redact("CREATE USER 'u'@'%' IDENTIFIED BY 'Secr3t''s'"),
      `CREATE USER 'u'@'%' IDENTIFIED BY '${REDACTED}'`,
    );
    assert.equal(
      redactor.redact("ALTER USER x IDENTIFIED VIA mysql_native_password USING PASSWORD('abc')"),
      `ALTER USER x IDENTIFIED VIA mysql_native_password USING PASSWORD('${REDACTED}')`,
    );
    assert.equal(
      redactor.redact("SET PASSWORD = PASSWORD('abc')"),
      `SET PASSWORD = PASSWORD('${REDACTED}')`,
    );
  });

  it('removes the longer of two overlapping secrets whole', () => {
    const redactor = new Redactor();
    redactor.add('abc');
    redactor.add('abcdef');
    assert.equal(redactor.redact('xabcdefx'), `x${REDACTED}x`);
  });

  it('ignores empty and undefined secrets', () => {
    const redactor = new Redactor();
    redactor.add('');
    redactor.add(undefined);
    assert.equal(redactor.size, 0);
    assert.equal(redactor.redact('text'), 'text');
  });
});
