/**
 * CI's audit of the runtime dependencies (scripts/audit-runtime.mjs): an advisory fails the
 * run; an audit endpoint that cannot be used is reported as "not checked", never as clean and
 * never as a failure on its own.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { auditVerdict } from '../../scripts/audit-runtime.mjs';

describe('auditVerdict', () => {
  test('no advisory: clean', () => {
    const report = {
      metadata: {
        vulnerabilities: { info: 0, low: 0, moderate: 0, high: 0, critical: 0, total: 0 },
      },
    };
    assert.deepEqual(auditVerdict(JSON.stringify(report)), { kind: 'clean' });
  });

  test('any advisory, even a low one: advisories, each named', () => {
    const report = {
      vulnerabilities: { 'sql-escaper': { name: 'sql-escaper', severity: 'low', range: '<1.5.2' } },
      metadata: {
        vulnerabilities: { info: 0, low: 1, moderate: 0, high: 0, critical: 0, total: 1 },
      },
    };
    assert.deepEqual(auditVerdict(JSON.stringify(report)), {
      kind: 'advisories',
      lines: ['sql-escaper (low): <1.5.2'],
    });
  });

  test("an endpoint that refuses (as this machine's registry answers: 405) or no JSON: unreachable", () => {
    const refused = {
      message:
        '405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk',
      statusCode: 405,
      error: { summary: '', detail: '' },
    };
    const verdict = auditVerdict(JSON.stringify(refused));
    assert.equal(verdict.kind, 'unreachable');
    assert.match(
      verdict.kind === 'unreachable' ? verdict.why : '',
      /^HTTP 405: 405 Method Not Allowed/,
    );
    assert.equal(auditVerdict('npm ERR! network').kind, 'unreachable');
  });
});
