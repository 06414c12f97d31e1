/**
 * docs/errors.md lists every class and every table entry. Those parts are rendered from the
 * same tables the code uses and must match them exactly, so the page cannot drift. After
 * changing a table, refresh the page with:
 *
 *   GONEAWAY_UPDATE_DOCS=1 node --import tsx --test test/unit/errors-docs.test.ts
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  CLIENT_CODES,
  type CodeRule,
  DRIVER_CODE_RULES,
  DRIVER_MESSAGE_RULES,
  ERROR_CLASS_NAMES,
  ERROR_CLASS_SPECS,
  SERVER_CODE_RULES,
  SQLSTATE_CLASS_RULES,
  SYSTEM_CODE_RULES,
} from '../../src/errors/index.js';

const DOCS = new URL('../../docs/errors.md', import.meta.url);

const cell = (text: string) => text.replaceAll('|', '\\|');
const kind = (rule: CodeRule) =>
  (rule.kind === 'loss' ? 'loss, by phase' : rule.kind) +
  (rule.whenConnecting ? ` (connecting: ${rule.whenConnecting})` : '');
const also = (rule: CodeRule) =>
  [
    rule.outcome && `outcome ${rule.outcome}`,
    rule.retryable !== undefined && `retryable ${rule.retryable}`,
    rule.connectionUsable !== undefined && `usable ${rule.connectionUsable}`,
    rule.signals?.length && `signals: ${rule.signals.join(', ')}`,
  ]
    .filter(Boolean)
    .join('; ');

function renderClasses(): string {
  const lines: string[] = [];
  for (const name of ERROR_CLASS_NAMES) {
    const spec = ERROR_CLASS_SPECS[name];
    lines.push(
      `### ${name}`,
      '',
      `\`${spec.code}\` · extends \`${spec.parent ?? 'Error'}\` · PEP 249: \`${spec.pep249}\` · ` +
        `defaults: outcome \`${spec.outcome}\`, retryable \`${spec.retryable}\`, connectionUsable \`${spec.connectionUsable}\``,
      '',
      `- **When:** ${spec.when}`,
      `- **Does goneaway retry it?** ${spec.goneawayRetries}`,
      `- **What to do:** ${spec.action}`,
      '',
    );
  }
  return lines.join('\n');
}

function renderTables(): string {
  const lines: string[] = [];
  const table = (title: string, head: string[], rows: string[][]) => {
    lines.push(
      `### ${title}`,
      '',
      `| ${head.join(' | ')} |`,
      `|${head.map(() => '---').join('|')}|`,
    );
    for (const row of rows) lines.push(`| ${row.join(' | ')} |`);
    lines.push('');
  };
  table(
    'Server errors',
    ['errno', 'name', 'flavour', 'class', 'also', 'why'],
    SERVER_CODE_RULES.map((r) => [
      String(r.errno),
      r.symbol,
      r.flavor ?? 'both',
      kind(r),
      also(r),
      cell(r.note),
    ]),
  );
  table(
    'Client errors (CR_*, 2000–2074)',
    ['errno', 'name', 'class', 'also', 'why'],
    CLIENT_CODES.map((r) => [String(r.errno), r.symbol, kind(r), also(r), cell(r.note)]),
  );
  table(
    'Node system codes',
    ['code', 'class', 'also', 'why'],
    Object.entries(SYSTEM_CODE_RULES).map(([code, r]) => [code, kind(r), also(r), cell(r.note)]),
  );
  table(
    "mysql2's own codes",
    ['code', 'class', 'also', 'why'],
    Object.entries(DRIVER_CODE_RULES).map(([code, r]) => [code, kind(r), also(r), cell(r.note)]),
  );
  table(
    "mysql2's code-less messages (the only messages goneaway matches)",
    ['message', 'raised at', 'class', 'also', 'why'],
    DRIVER_MESSAGE_RULES.map((r) => [
      cell(r.message),
      cell(r.source),
      kind(r),
      also(r),
      cell(r.note),
    ]),
  );
  table(
    'SQLSTATE classes (for server errors not listed above)',
    ['SQLSTATE', 'class', 'also', 'meaning'],
    Object.entries(SQLSTATE_CLASS_RULES).map(([prefix, r]) => [
      `${prefix}xxx`,
      kind(r),
      also(r),
      cell(r.note),
    ]),
  );
  return lines.join('\n');
}

function replaceBlock(text: string, name: string, body: string): string {
  const start = `<!-- ${name}:start (generated from src/errors; see test/unit/errors-docs.test.ts) -->`;
  const end = `<!-- ${name}:end -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  assert.ok(from >= 0 && to > from, `docs/errors.md has the ${name} markers`);
  return `${text.slice(0, from + start.length)}\n\n${body.trimEnd()}\n\n${text.slice(to)}`;
}

test('docs/errors.md lists every class and every table entry exactly as the code has them', () => {
  const current = readFileSync(DOCS, 'utf8');
  const wanted = replaceBlock(
    replaceBlock(current, 'classes', renderClasses()),
    'tables',
    renderTables(),
  );
  if (process.env.GONEAWAY_UPDATE_DOCS === '1' && wanted !== current) writeFileSync(DOCS, wanted);
  else {
    assert.equal(
      current,
      wanted,
      'docs/errors.md is out of date: GONEAWAY_UPDATE_DOCS=1 node --import tsx --test test/unit/errors-docs.test.ts',
    );
  }
});
