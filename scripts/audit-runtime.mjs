#!/usr/bin/env node
// CI's check that goneaway's runtime dependencies (what users install: mysql2 and its own
// dependencies) have no known advisory: `npm audit --omit=dev`. Any advisory fails the run.
// When the registry's audit endpoint cannot be reached or refuses the request (some mirrors
// answer 405), that is said plainly and the run goes on: an unreachable endpoint is not a
// finding, and a build that fails on it alone teaches people to ignore the check.
//
// Usage: node scripts/audit-runtime.mjs
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * What one `npm audit --json` run means.
 *
 * @param {string} stdout what npm printed
 * @returns {{ kind: 'clean' } | { kind: 'advisories', lines: string[] } | { kind: 'unreachable', why: string }}
 * @example
 * auditVerdict('{"metadata":{"vulnerabilities":{"total":0}}}'); // { kind: 'clean' }
 */
export function auditVerdict(stdout) {
  let report;
  try {
    report = JSON.parse(stdout);
  } catch {
    return { kind: 'unreachable', why: 'npm printed no audit report' };
  }
  const counts = report?.metadata?.vulnerabilities;
  if (!counts || typeof counts !== 'object') {
    const status = report?.statusCode
      ? `HTTP ${report.statusCode}`
      : (report?.error?.code ?? 'no report');
    const detail = report?.message ?? report?.error?.summary ?? '';
    return { kind: 'unreachable', why: `${status}${detail ? `: ${detail}` : ''}` };
  }
  const total = Object.entries(counts)
    .filter(([severity]) => severity !== 'total')
    .reduce((sum, [, count]) => sum + Number(count || 0), 0);
  if (total === 0) return { kind: 'clean' };
  const lines = Object.values(report.vulnerabilities ?? {}).map((entry) =>
    `${entry.name} (${entry.severity}): ${entry.range ?? ''}`.trim(),
  );
  return { kind: 'advisories', lines: lines.length > 0 ? lines : [`${total} advisories`] };
}

function main() {
  const audit = spawnSync('npm', ['audit', '--omit=dev', '--json'], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  const verdict = auditVerdict(audit.stdout ?? '');
  if (verdict.kind === 'clean') {
    console.error('goneaway audit: no known advisory for the runtime dependencies');
  } else if (verdict.kind === 'unreachable') {
    console.error(
      `goneaway audit: NOT CHECKED, the registry's audit endpoint could not be used (${verdict.why}); ` +
        'run `npm audit --omit=dev` where the registry is reachable',
    );
  } else {
    console.error('goneaway audit: runtime dependencies with known advisories:');
    for (const line of verdict.lines) console.error(`  ${line}`);
    console.error('Update them (npm update, or a newer mysql2) before release.');
    process.exit(1);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
