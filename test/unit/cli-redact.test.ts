import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { REDACTED, Redactor, redactStatementText } from '../../src/cli/redact.js';
import { terminalStyle } from '../../src/cli/terminal-style.js';
import { renderTop } from '../../src/cli/top/render-top.js';
import { redactSnapshot } from '../../src/cli/top/top-snapshot.js';
import { INITIAL_TOP_STATE } from '../../src/cli/top/top-state.js';

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

describe('statements shown from the processlist (issue 19)', () => {
  const secret = 'S3cretCredential';
  // Each statement holds the secret; none of its letters may survive, at any width.
  const statements = [
    `CREATE USER 'u'@'%' IDENTIFIED BY '${secret}'`,
    `CREATE USER u IDENTIFIED BY "${secret}"`,
    `CREATE USER u IDENTIFIED BY PASSWORD '*${secret}'`,
    `ALTER USER u IDENTIFIED WITH caching_sha2_password BY '${secret}'`,
    `ALTER USER u IDENTIFIED VIA ed25519 USING PASSWORD('${secret}')`,
    `SET PASSWORD FOR 'u'@'h' = '${secret}'`,
    `SET PASSWORD = PASSWORD("${secret}")`,
    `CREATE SERVER s FOREIGN DATA WRAPPER mysql OPTIONS (USER 'u', PASSWORD '${secret}')`,
    `CHANGE MASTER TO MASTER_PASSWORD='${secret}'`,
    `CHANGE REPLICATION SOURCE TO SOURCE_USER = 'r', SOURCE_PASSWORD = '${secret}'`,
    `SELECT AES_ENCRYPT(card, '${secret}') FROM cards`,
    `ALTER USER u IDENTIFIED BY '${secret}`, // cut off: no closing quote
    `ALTER USER u /* it's */ IDENTIFIED BY '${secret}'`, // a quote in a comment
    `SET PASSWORD -- don't\n= "${secret}"`,
  ];

  it('blanks every literal by default and every secret with --show-literals, before any cut', () => {
    const redactor = new Redactor();
    for (const showLiterals of [false, true]) {
      for (const sql of statements) {
        const shown = redactStatementText(sql, { showLiterals, redactor });
        // Any prefix of the redacted text is what a narrow column shows.
        for (const width of [20, 40, 60, shown.length]) {
          const cut = shown.slice(0, width);
          assert.ok(!/S3cret|Credential/.test(cut), `${showLiterals}: ${cut}`);
        }
      }
    }
  });

  it('shows ordinary literals only when asked to', () => {
    const redactor = new Redactor();
    const sql = "SELECT * FROM orders WHERE email = 'ann@example.com'";
    assert.equal(
      redactStatementText(sql, { showLiterals: false, redactor }),
      `SELECT * FROM orders WHERE email = '${REDACTED}'`,
    );
    assert.equal(redactStatementText(sql, { showLiterals: true, redactor }), sql);
  });

  it('removes a known secret from a statement even when literals are shown', () => {
    const redactor = new Redactor();
    redactor.add('hunter22');
    assert.equal(
      redactStatementText("SELECT 'hunter22'", { showLiterals: true, redactor }),
      `SELECT '${REDACTED}'`,
    );
  });

  it('the top screen cuts the redacted statement, so no cut leaves a tail of a password', () => {
    const redactor = new Redactor();
    const sql = `ALTER USER u IDENTIFIED BY '${secret}'`;
    const row = {
      id: 7,
      user: 'app',
      host: 'h:1',
      db: null,
      command: 'Query',
      timeS: 1,
      state: '',
      info: sql,
    };
    const snapshot = {
      takenAtMs: 0,
      version: '10.11',
      uptimeS: 1,
      waitTimeoutS: 60,
      maxConnections: 10,
      threadsConnected: 2,
      ownId: 1,
      rows: [row],
    };
    const shown = redactSnapshot(snapshot, (text) =>
      redactStatementText(text, { showLiterals: true, redactor }),
    );
    for (const columns of [60, 70, 80, 100, 140]) {
      const screen = renderTop({
        snapshot: shown,
        state: INITIAL_TOP_STATE,
        target: 't',
        columns,
        rows: Number.POSITIVE_INFINITY,
        style: terminalStyle(false),
        seesAllSessions: true,
      }).join('\n');
      assert.ok(!/S3cr|Cred/.test(screen), screen);
    }
  });
});

describe('the redactor on any text (error messages): the patterns, as a last line', () => {
  const secret = 'S3cretCredential';
  const texts = [
    `near 'IDENTIFIED BY "${secret}"' at line 1`,
    `IDENTIFIED WITH mysql_native_password AS '*${secret}'`,
    `IDENTIFIED BY PASSWORD '*${secret}'`,
    `SET PASSWORD = '${secret}'`,
    `OPTIONS (PASSWORD '${secret}')`,
    `MASTER_PASSWORD = '${secret}'`,
    `SOURCE_PASSWORD='${secret}'`,
    `IDENTIFIED BY '${secret}`,
  ];
  it('blanks the literal after each secret marker', () => {
    const redactor = new Redactor();
    for (const text of texts) {
      const out = redactor.redact(text);
      assert.ok(!out.includes('S3cret'), out);
    }
  });

  it("keeps MySQL's own '(using password: YES)', which holds no secret", () => {
    const text = "Access denied for user 'app'@'h' (using password: YES)";
    assert.equal(new Redactor().redact(text), text);
  });
});
