/**
 * The markdown report printed on stdout (and saved as `report.md`): a summary matrix, one
 * table per fault, and every contender's version and settings.
 */
import type { BenchResults } from '../results.js';
import {
  endText,
  kinds,
  labelOf,
  problems,
  seconds,
  settingsJson,
  setupLine,
  throughput,
} from './format.js';

/**
 * @example
 * process.stdout.write(renderMarkdown(results));
 */
export function renderMarkdown(results: BenchResults): string {
  const lines: string[] = [];
  lines.push(`# Resilience benchmark, ${results.startedAt.slice(0, 10)}`, '');
  lines.push(`${setupLine(results)}.`, '');
  lines.push(
    `Workload: ${results.workload.description} Whole run: ${seconds(results.elapsedMs)}.`,
    '',
  );

  lines.push('## Summary: what reached the caller (longest stall)', '');
  lines.push(`| contender | ${results.faults.map((f) => f.title).join(' | ')} |`);
  lines.push(`|---|${results.faults.map(() => '---').join('|')}|`);
  for (const contender of results.contenders) {
    const cells = results.faults.map((fault) => {
      const r = fault.contenders.find((c) => c.contender === contender.id);
      if (!r) return '—';
      const lost = r.audit.missing + r.audit.duplicates;
      const data = lost > 0 ? `, **${lost} bad writes**` : '';
      return `${problems(r)} (${seconds(r.longestStallMs)})${data}`;
    });
    lines.push(`| ${contender.label} | ${cells.join(' | ')} |`);
  }
  lines.push('');

  for (const fault of results.faults) {
    lines.push(`## ${fault.title}`, '');
    lines.push(`${fault.description} This run: ${fault.details}.`, '');
    lines.push(
      '| contender | errors by kind | hangs | longest stall | first success after | ok/s before / during / after | acked writes missing | written twice | failed but written | shutdown |',
    );
    lines.push('|---|---|---:|---:|---:|---:|---:|---:|---:|---|');
    for (const r of fault.contenders) {
      lines.push(
        `| ${labelOf(results, r.contender)} | ${r.errors > 0 ? `${r.errors}: ${escapeCell(kinds(r))}` : '0'} | ${r.hangs} | ` +
          `${seconds(r.longestStallMs)} | ${seconds(r.firstSuccessAfterMs)} | ${throughput(r)} | ` +
          `${r.audit.missing} | ${r.audit.duplicates} | ${r.audit.failedButPresent} | ${endText(r.end)} |`,
      );
    }
    lines.push('');
  }

  lines.push('## Contenders', '');
  lines.push('| contender | library | variant | settings | notes |');
  lines.push('|---|---|---|---|---|');
  for (const c of results.contenders) {
    lines.push(
      `| ${c.label} | ${c.library} ${c.version} | ${c.variant} | \`${escapeCell(settingsJson(c.settings))}\` | ${escapeCell(c.notes)} |`,
    );
  }
  lines.push('');
  const server = Object.entries(results.server.settings)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  lines.push(`Server: MariaDB ${results.server.version} (${server}).`, '');
  return `${lines.join('\n')}\n`;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
