/**
 * The doctor's report as text for a person: a few aligned sections, then the
 * recommendations, then what could not be seen. Pure: report in, lines out.
 */
import { formatBytes, formatSeconds, printable, trimNumber } from '../format.js';
import type { TerminalStyle } from '../terminal-style.js';
import type { DoctorReport, VariableValue } from './build-report.js';
import type { Tally } from './summarize-sessions.js';

/** What each timeout means, in the report's words. */
const TIMEOUT_MEANING: Readonly<Record<string, string>> = {
  wait_timeout: 'idle connection closed after',
  interactive_timeout: 'same, for interactive clients',
  net_read_timeout: 'server waits for a client packet',
  net_write_timeout: 'server waits for the client to read',
  connect_timeout: 'handshake must finish within',
  max_execution_time: 'SELECT cut off after (0: never)',
  max_statement_time: 'statement cut off after (0: never)',
  idle_transaction_timeout: 'idle in a transaction: closed',
  idle_readonly_transaction_timeout: 'idle in a read-only transaction',
  idle_write_transaction_timeout: 'idle in a write transaction',
  lock_wait_timeout: 'metadata lock wait',
  innodb_lock_wait_timeout: 'row lock wait (error 1205)',
};

/** Options for {@link renderReport}. */
export interface RenderOptions {
  readonly style: TerminalStyle;
  /** Wrap recommendations at this many columns; undefined: do not wrap (piped output). */
  readonly width?: number;
}

/**
 * Renders the report as text lines.
 *
 * @example
 * for (const line of renderReport(report, { style: terminalStyle(false) })) console.log(line);
 */
export function renderReport(report: DoctorReport, options: RenderOptions): string[] {
  const { style } = options;
  const lines: string[] = [];
  const heading = (text: string): void => {
    lines.push('', style.bold(text));
  };
  const field = (label: string, value: string): void => {
    lines.push(`  ${label.padEnd(13)} ${value}`);
  };

  lines.push(`${style.bold('goneaway doctor')}  ${report.target}`);

  heading('Server');
  const server = report.server;
  field(
    'version',
    `${server.version ?? 'unknown'}${server.versionComment ? ` (${server.versionComment})` : ''} [${server.flavour}]`,
  );
  if (server.uptimeS !== null) field('up', formatSeconds(server.uptimeS));
  if (server.account)
    field('account', `${server.account}, connection ${server.connectionId ?? '?'}`);

  heading('Connection');
  const connection = report.connection;
  const rtt = connection.roundTrip;
  field('connect', `${trimNumber(connection.connectMs)} ms`);
  field(
    'round trip',
    rtt.medianMs === null
      ? 'not measured'
      : `${rtt.medianMs} ms median (min ${rtt.minMs}, max ${rtt.maxMs}, ${rtt.samples} x SELECT 1)`,
  );
  const tls = connection.tls;
  field(
    'TLS',
    tls.encrypted
      ? `${style.green(`yes, ${tls.protocol ?? ''} ${tls.cipher ?? ''}`.trim())}, ${
          tls.verified === 'none' || tls.verified === null
            ? style.yellow('certificate not verified (--ssl-mode=REQUIRED)')
            : `verified: ${tls.verified}`
        }`
      : `no${tls.serverOffersTls === false ? ' (the server offers none)' : tls.serverOffersTls ? ' (the server offers it)' : ''}`,
  );
  if (tls.serverRequiresTls) field('', 'the server requires TLS (require_secure_transport)');
  field(
    'proxy',
    report.proxy.detected ? style.yellow(report.proxy.kind ?? 'yes') : 'none detected',
  );
  for (const evidence of report.proxy.evidence) field('', `- ${evidence}`);

  heading('Timeouts                                   session     global');
  for (const [name, value] of Object.entries(report.timeouts)) {
    lines.push(
      `  ${name.padEnd(34)} ${formatValue(value, 'session').padStart(10)} ${formatValue(value, 'global').padStart(10)}  ${style.dim(TIMEOUT_MEANING[name] ?? '')}`,
    );
  }

  heading('Limits and counters');
  const { limits, status } = report;
  const max = limits.max_connections;
  const connected = status.Threads_connected;
  field(
    'connections',
    `${connected ?? '?'} connected, ${status.Threads_running ?? '?'} running, max_connections ${max ?? '?'}, ` +
      `highest since start ${status.Max_used_connections ?? '?'}`,
  );
  field(
    'aborted',
    `Aborted_clients ${status.Aborted_clients ?? '?'}, Aborted_connects ${status.Aborted_connects ?? '?'}, ` +
      `of ${status.Connections ?? '?'} connections since start`,
  );
  if (limits.max_allowed_packet != null)
    field('packets', `max_allowed_packet ${formatBytes(limits.max_allowed_packet)}`);

  const sessions = report.sessions;
  heading(
    `Sessions${sessions?.visible === 'own' ? " (only this account's: no PROCESS privilege)" : ''}`,
  );
  if (!sessions) {
    lines.push('  not available (see below)');
  } else if (sessions.total === 0) {
    lines.push('  no sessions besides this one');
  } else {
    field(
      'total',
      `${sessions.total} besides this one: ${sessions.running} busy, ${sessions.idle.count} idle`,
    );
    field('by user', tallies(sessions.byUser));
    field('by host', tallies(sessions.byHost));
    field('by command', tallies(sessions.byCommand));
    if (sessions.byState.length > 0) field('by state', tallies(sessions.byState));
    const idle = sessions.idle;
    if (idle.waitTimeoutS !== null && idle.count > 0) {
      field(
        'idle',
        `${idle.pastHalf} past half of wait_timeout, ${idle.nearClose} about to be closed`,
      );
      for (const session of idle.closest) {
        const line = `- ${session.id} ${session.user}@${session.host}: idle ${session.idleS} s, closed in ${session.closesInS} s`;
        field('', session.closesInS <= idle.waitTimeoutS * 0.1 ? style.red(line) : line);
      }
    }
  }

  heading('Recommendations');
  if (report.recommendations.length === 0) lines.push('  none');
  for (const recommendation of report.recommendations) {
    const mark = recommendation.level === 'warn' ? style.yellow('!') : style.cyan('-');
    const text = wrap(recommendation.message, options.width, 4);
    lines.push(`  ${mark} ${text}`);
    const settings = recommendation.settings ?? [];
    const width = Math.max(0, ...settings.map((setting) => setting.client.length));
    for (const setting of settings) {
      lines.push(`      ${setting.client.padEnd(width)}  ${setting.setting}`);
    }
  }

  if (report.limitations.length > 0) {
    heading('Could not see');
    for (const limitation of report.limitations) {
      lines.push(`  - ${wrap(printable(limitation), options.width, 4)}`);
    }
  }
  return lines;
}

function formatValue(value: VariableValue, scope: 'session' | 'global'): string {
  const number = value[scope];
  if (number === null) return '-';
  return `${trimNumber(number)} ${value.unit}`;
}

function tallies(list: readonly Tally[], max = 6): string {
  if (list.length === 0) return 'none';
  const shown = list
    .slice(0, max)
    .map((entry) => `${printable(entry.name) || "''"} ${entry.count}`);
  return list.length > max
    ? `${shown.join(', ')}, ... (${list.length - max} more)`
    : shown.join(', ');
}

/** Wraps at word boundaries to `width`, continuing lines with `indent` spaces. */
function wrap(text: string, width: number | undefined, indent: number): string {
  if (!width || width < 40) return text;
  const limit = width - indent;
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(' ')) {
    if (current && current.length + 1 + word.length > limit) {
      lines.push(current);
      current = word;
    } else {
      current = current ? `${current} ${word}` : word;
    }
  }
  if (current) lines.push(current);
  return lines.join(`\n${' '.repeat(indent)}`);
}
