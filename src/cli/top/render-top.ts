/**
 * One screen of `goneaway top`, as lines of text: a pure function of the snapshot, the
 * terminal size and the UI state, so every layout decision is unit-tested without a terminal.
 *
 * Each session shows how long it has been idle against `wait_timeout` as a bar and the time
 * left; a session past 90% of it (`NEAR_CLOSE_SHARE`) is marked `!` (and red when colour is
 * on), so the mark survives without colour. Columns are dropped on narrow terminals (DB, then
 * STATE, then HOST) so the statement keeps some room; 80 columns show the essentials.
 */
import { fit, shortDuration } from '../format.js';
import { hostWithoutPort, isIdle, isNearClose, type ProcessRow } from '../processlist.js';
import type { TerminalStyle } from '../terminal-style.js';
import type { TopSnapshot } from './top-snapshot.js';
import type { SortKey, TopState } from './top-state.js';

/** Everything one screen depends on. */
export interface TopView {
  readonly snapshot: TopSnapshot | null;
  readonly state: TopState;
  /** `user@host:port`, for the title. */
  readonly target: string;
  readonly columns: number;
  /** Screen height; `Number.POSITIVE_INFINITY` lists every session (for `--once`). */
  readonly rows: number;
  readonly style: TerminalStyle;
  /** Whether the account sees every session (PROCESS) or only its own; null if unknown. */
  readonly seesAllSessions: boolean | null;
  /** A message for the bottom line: a lost connection, a reconnect in progress. */
  readonly notice?: string | null;
  /** The wall clock, for the title (injectable for tests). */
  readonly now?: Date;
}

interface Column {
  readonly name: string;
  readonly header: string;
  readonly width: number;
  readonly align: 'left' | 'right';
  readonly cell: (row: ProcessRow, wait: number | null) => string;
}

const IDLE_BAR_CELLS = 7;
const MIN_INFO_WIDTH = 16;

const COLUMNS: readonly Column[] = [
  { name: 'id', header: 'ID', width: 7, align: 'right', cell: (row) => String(row.id) },
  { name: 'user', header: 'USER', width: 10, align: 'left', cell: (row) => row.user },
  { name: 'host', header: 'HOST', width: 15, align: 'left', cell: (row) => row.host },
  { name: 'db', header: 'DB', width: 8, align: 'left', cell: (row) => row.db ?? '' },
  { name: 'command', header: 'COMMAND', width: 7, align: 'left', cell: (row) => row.command },
  {
    name: 'time',
    header: 'TIME',
    width: 5,
    align: 'right',
    cell: (row) => shortDuration(row.timeS),
  },
  { name: 'state', header: 'STATE', width: 12, align: 'left', cell: (row) => row.state },
  {
    name: 'idle',
    header: 'IDLE/WAIT',
    width: IDLE_BAR_CELLS + 4,
    align: 'left',
    cell: (row, wait) => idleBar(row, wait),
  },
];

/** Dropped in this order when the statement would get less than its minimum width. */
const DROP_ORDER = ['db', 'state', 'host'];

/**
 * Renders one screen. Every line is at most `columns` wide (before colour codes), and there
 * are at most `rows` lines.
 *
 * @example
 * const lines = renderTop({ snapshot, state: INITIAL_TOP_STATE, target: 'root@db:3306',
 *   columns: 80, rows: 24, style: terminalStyle(false), seesAllSessions: true });
 */
export function renderTop(view: TopView): string[] {
  const { snapshot, state, style, columns } = view;
  const width = Math.max(20, columns);
  const lines: string[] = [];
  const push = (text: string, paint: (text: string) => string = (t) => t): void => {
    lines.push(paint(fit(text, width).trimEnd()));
  };

  const clock = (view.now ?? new Date()).toTimeString().slice(0, 8);
  const version = snapshot?.version ? `  ${snapshot.version.replace(/-log$/, '')}` : '';
  const uptime = snapshot?.uptimeS == null ? '' : `  up ${shortDuration(snapshot.uptimeS)}`;
  push(
    `goneaway top  ${view.target}${version}${uptime}  ${clock}${state.paused ? '  PAUSED' : ''}`,
    style.bold,
  );

  const visible = snapshot ? selectRows(snapshot, state) : [];
  const wait = snapshot?.waitTimeoutS ?? null;
  if (snapshot) {
    const others = snapshot.rows.filter((row) => row.id !== snapshot.ownId);
    const idle = others.filter(isIdle);
    const closing = idle.filter((row) => isNearClose(row, wait)).length;
    const scope = view.seesAllSessions === false ? ' (own account only: no PROCESS)' : '';
    const threads =
      snapshot.threadsConnected == null
        ? ''
        : `  threads ${snapshot.threadsConnected}/${snapshot.maxConnections ?? '?'}`;
    push(
      `sessions ${others.length}${scope}: ${others.length - idle.length} busy, ${idle.length} idle, ` +
        `${closing} closing  wait_timeout ${wait == null ? '?' : `${wait}s`}${threads}`,
    );
  } else {
    push('connecting...');
  }
  const filter = [
    state.userFilter === null ? null : `user=${state.userFilter}`,
    state.hideIdle ? 'busy only' : null,
  ].filter(Boolean);
  push(
    `sort ${state.sort}${state.reverse ? ' (reversed)' : ''}` +
      `${filter.length > 0 ? `  filter ${filter.join(', ')}` : ''}` +
      '  | q quit  s sort  r reverse  u user  i idle  p pause  ? help',
    style.dim,
  );

  const footer = footerLine(view, visible.length);
  // Rows left for the session list, below its header and above the footer.
  const available = Number.isFinite(view.rows)
    ? Math.max(0, view.rows - lines.length - 1 - (footer === null ? 0 : 1))
    : Number.POSITIVE_INFINITY;

  if (state.showHelp) {
    for (const line of HELP.slice(0, available + 1)) push(line);
  } else {
    const columnsShown = chooseColumns(width);
    const infoWidth = Math.max(0, width - 1 - widthOf(columnsShown) - 1);
    const header = ` ${columnsShown.map((c) => fit(c.header, c.width, c.align)).join(' ')} ${fit('INFO', infoWidth)}`;
    push(header, style.inverse);
    // When the list does not fit, its last row says how many are hidden.
    const shown = visible.slice(
      0,
      visible.length <= available ? visible.length : Math.max(0, available - 1),
    );
    for (const row of shown) {
      const closing = isNearClose(row, wait);
      const cells = columnsShown.map((c) => fit(c.cell(row, wait), c.width, c.align)).join(' ');
      // A statement's line breaks and indentation would waste the little room there is.
      const info = fit((row.info ?? '').replace(/\s+/g, ' ').trim(), infoWidth);
      const text = fit(`${closing ? '!' : ' '}${cells} ${info}`, width).trimEnd();
      lines.push(closing ? style.red(text) : isIdle(row) ? text : style.bold(text));
    }
    if (visible.length === 0 && snapshot) push('  (no sessions match)');
    const hidden = visible.length - shown.length;
    if (hidden > 0)
      push(
        `  ... ${hidden} more not shown (enlarge the terminal, or filter with u / i)`,
        style.dim,
      );
  }
  if (footer !== null) {
    // On a screen the footer sits on the last row, where the eye looks for a prompt.
    while (Number.isFinite(view.rows) && lines.length < view.rows - 1) lines.push('');
    push(footer, state.editing !== null ? (t) => t : style.yellow);
  }
  return Number.isFinite(view.rows) ? lines.slice(0, view.rows) : lines;
}

/**
 * The sessions to list, filtered and sorted per the state; `top`'s own session left out.
 *
 * @example
 * selectRows(snapshot, { ...INITIAL_TOP_STATE, userFilter: 'app' }).map((row) => row.id);
 */
export function selectRows(snapshot: TopSnapshot, state: TopState): ProcessRow[] {
  const rows = snapshot.rows.filter(
    (row) =>
      row.id !== snapshot.ownId &&
      (state.userFilter === null || row.user === state.userFilter) &&
      (!state.hideIdle || !isIdle(row)),
  );
  const compare = COMPARATORS[state.sort];
  rows.sort((a, b) => compare(a, b) || a.id - b.id);
  return state.reverse ? rows.reverse() : rows;
}

const COMPARATORS: Readonly<Record<SortKey, (a: ProcessRow, b: ProcessRow) => number>> = {
  // Longest first: the session idle for longest is the next to be closed.
  time: (a, b) => b.timeS - a.timeS,
  id: (a, b) => a.id - b.id,
  user: (a, b) => a.user.localeCompare(b.user) || b.timeS - a.timeS,
  host: (a, b) =>
    hostWithoutPort(a.host).localeCompare(hostWithoutPort(b.host)) || b.timeS - a.timeS,
  command: (a, b) => a.command.localeCompare(b.command) || b.timeS - a.timeS,
};

const HELP = [
  '',
  '  q, Ctrl-C   quit',
  '  s           sort by the next column: time, id, user, host, command',
  '  r           reverse the order',
  '  u           show one user only: type the name, Enter (empty: everyone), Esc cancels',
  '  i           hide or show idle (Sleep) sessions',
  '  p, space    pause or resume refreshing',
  '  ?, h        this help (any key closes it)',
  '',
  '  IDLE/WAIT: idle time against the global wait_timeout, and the time left before the',
  '  server closes the session. ! marks a session past 90% of it. A session keeps the',
  '  wait_timeout in force when it connected, and interactive clients use',
  '  interactive_timeout, so the bar is a good guess, not a promise.',
];

function footerLine(view: TopView, matching: number): string | null {
  if (view.state.editing !== null)
    return `show user (Enter applies, empty shows all): ${view.state.editing}_`;
  if (view.notice) return view.notice;
  if (!view.snapshot) return null;
  return Number.isFinite(view.rows) ? null : `${matching} session(s)`;
}

function idleBar(row: ProcessRow, wait: number | null): string {
  if (!isIdle(row) || wait === null || wait <= 0) return '';
  const share = Math.min(1, row.timeS / wait);
  const filled = Math.round(share * IDLE_BAR_CELLS);
  const left = shortDuration(Math.max(0, wait - row.timeS));
  return `${'#'.repeat(filled)}${'.'.repeat(IDLE_BAR_CELLS - filled)} ${left.padStart(3)}`;
}

function chooseColumns(width: number): Column[] {
  let shown = [...COLUMNS];
  for (const name of DROP_ORDER) {
    if (width - 1 - widthOf(shown) - 1 >= MIN_INFO_WIDTH) break;
    shown = shown.filter((column) => column.name !== name);
  }
  return shown;
}

/** Width of the cells and the single spaces between them. */
function widthOf(columns: readonly Column[]): number {
  return columns.reduce((sum, column) => sum + column.width, 0) + Math.max(0, columns.length - 1);
}
