import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProcessRow } from '../../src/cli/processlist.js';
import { terminalStyle } from '../../src/cli/terminal-style.js';
import { renderTop, selectRows, type TopView } from '../../src/cli/top/render-top.js';
import type { TopSnapshot } from '../../src/cli/top/top-snapshot.js';
import { handleInput, INITIAL_TOP_STATE, type TopState } from '../../src/cli/top/top-state.js';

function row(id: number, fields: Partial<ProcessRow> = {}): ProcessRow {
  return {
    id,
    user: 'app',
    host: `10.0.0.${id}:5${String(id).padStart(4, '0')}`,
    db: 'shop',
    command: 'Sleep',
    timeS: 0,
    state: '',
    info: null,
    ...fields,
  };
}

function snapshot(rows: ProcessRow[], fields: Partial<TopSnapshot> = {}): TopSnapshot {
  return {
    takenAtMs: 0,
    version: '10.11.19-MariaDB',
    uptimeS: 7_200,
    waitTimeoutS: 60,
    maxConnections: 151,
    threadsConnected: rows.length + 1,
    ownId: 1,
    rows: [row(1, { user: 'root', command: 'Query', info: 'SHOW FULL PROCESSLIST' }), ...rows],
    ...fields,
  };
}

function view(snap: TopSnapshot | null, fields: Partial<TopView> = {}): TopView {
  return {
    snapshot: snap,
    state: INITIAL_TOP_STATE,
    target: 'root@db:3306',
    columns: 80,
    rows: 24,
    style: terminalStyle(false),
    seesAllSessions: true,
    now: new Date(2024, 0, 1, 12, 34, 56),
    ...fields,
  };
}

function press(state: TopState, ...chunks: string[]): TopState {
  let current = state;
  for (const chunk of chunks) current = handleInput(current, chunk).state;
  return current;
}

const sessions = [
  row(10, { timeS: 55 }), // 92% of 60 s: about to be closed
  row(11, { timeS: 20 }),
  row(12, {
    user: 'report',
    command: 'Query',
    timeS: 3,
    state: 'Sending data',
    info: 'SELECT *\n  FROM orders',
  }),
];

describe('renderTop', () => {
  it('fits 80x24: header, summary, keys, column titles, one line per session', () => {
    const lines = renderTop(view(snapshot(sessions)));
    assert.ok(lines.length <= 24);
    for (const line of lines) assert.ok(line.length <= 80, `too wide (${line.length}): ${line}`);
    assert.equal(lines[0], 'goneaway top  root@db:3306  10.11.19-MariaDB  up 2h  12:34:56');
    assert.equal(
      lines[1],
      'sessions 3: 1 busy, 2 idle, 1 closing  wait_timeout 60s  threads 4/151',
    );
    assert.match(
      lines[2] ?? '',
      /^sort time {2}\| q quit {2}s sort {2}r reverse {2}u user {2}i idle {2}p pause {2}\? help$/,
    );
    assert.match(lines[3] ?? '', /^ +ID USER +HOST +COMMAND +TIME IDLE\/WAIT +INFO$/);
    assert.equal(lines.length, 7, 'no footer when everything fits');
  });

  it('marks a session past 90% of wait_timeout with ! and draws its idle bar', () => {
    const lines = renderTop(view(snapshot(sessions)));
    const closing = lines.find((line) => /^! +10 /.test(line));
    assert.ok(closing, lines.join('\n'));
    // 55 of 60 s: six of seven cells, 5 s left.
    assert.match(closing, /Sleep +55s ######\. {2}5s$/);
    const calm = lines.find((line) => /^ +11 /.test(line));
    assert.match(calm ?? '', /Sleep +20s ##\.\.\.\.\. 40s$/);
  });

  it('lists the longest-running first, leaves out its own session, and flattens statements', () => {
    const lines = renderTop(view(snapshot(sessions))).slice(4);
    assert.deepEqual(
      lines.map((line) => Number(/^[ !] +(\d+)/.exec(line)?.[1])),
      [10, 11, 12],
    );
    // Newlines and indentation become one space; the rest is cut to the column with ~.
    assert.match(lines[2] ?? '', /Query +3s +SELECT \* FROM ord~$/);
  });

  it('shows DB and STATE when the terminal is wide enough', () => {
    const lines = renderTop(view(snapshot(sessions), { columns: 120 }));
    assert.match(lines[3] ?? '', /^ +ID USER +HOST +DB +COMMAND +TIME STATE +IDLE\/WAIT +INFO$/);
    assert.match(lines.find((l) => /^ +12 /.test(l)) ?? '', /shop +Query +3s Sending data/);
  });

  it('says how many sessions do not fit, and still fits the screen', () => {
    const many = Array.from({ length: 40 }, (_, i) => row(100 + i, { timeS: i }));
    const lines = renderTop(view(snapshot(many)));
    assert.equal(lines.length, 24);
    assert.equal(lines.filter((line) => /^[ !] +\d+ /.test(line)).length, 19);
    assert.match(lines.at(-1) ?? '', /^ {2}\.\.\. 21 more not shown/);
  });

  it('lists every session for --once (unbounded rows) and counts them', () => {
    const many = Array.from({ length: 40 }, (_, i) => row(100 + i));
    const lines = renderTop(view(snapshot(many), { rows: Number.POSITIVE_INFINITY }));
    assert.equal(lines.filter((line) => /^[ !] +\d+ /.test(line)).length, 40);
    assert.equal(lines.at(-1), '40 session(s)');
  });

  it('puts a notice or the filter prompt on the last row', () => {
    const notice = renderTop(view(snapshot(sessions), { notice: 'lost the connection; retrying' }));
    assert.equal(notice.length, 24);
    assert.equal(notice[23], 'lost the connection; retrying');
    const editing = renderTop(
      view(snapshot(sessions), { state: press(INITIAL_TOP_STATE, 'u', 'rep') }),
    );
    assert.equal(editing[23], 'show user (Enter applies, empty shows all): rep_');
  });

  it('replaces control characters in statements, so the server cannot drive the terminal', () => {
    const evil = row(20, { command: 'Query', info: 'SELECT 1 /* \x1b[2J\x1b]0;pwned\x07 */' });
    const lines = renderTop(view(snapshot([evil])));
    assert.ok(
      lines.every((line) => !line.includes('\x1b') && !line.includes('\x07')),
      lines.join('\n'),
    );
  });

  it('says when only the own account is visible, and when it is still connecting', () => {
    assert.match(
      renderTop(view(snapshot(sessions), { seesAllSessions: false }))[1] ?? '',
      /\(own account only: no PROCESS\)/,
    );
    assert.equal(renderTop(view(null))[1], 'connecting...');
  });

  it('shows the key help instead of the list after ?', () => {
    const lines = renderTop(view(snapshot(sessions), { state: press(INITIAL_TOP_STATE, '?') }));
    assert.ok(lines.some((line) => line.includes('q, Ctrl-C   quit')));
    assert.ok(!lines.some((line) => /^ +ID USER/.test(line)));
    for (const line of lines) assert.ok(line.length <= 80);
  });

  it('colours the closing session red when colour is on', () => {
    const lines = renderTop(view(snapshot(sessions), { style: terminalStyle(true) }));
    assert.ok(
      lines.some((line) => line.startsWith('\x1b[31m!')),
      lines.join('\n'),
    );
  });
});

describe('top keys', () => {
  it('s cycles the sort, r reverses it', () => {
    const snap = snapshot(sessions);
    const byId = press(INITIAL_TOP_STATE, 's');
    assert.equal(byId.sort, 'id');
    assert.deepEqual(
      selectRows(snap, byId).map((r) => r.id),
      [10, 11, 12],
    );
    assert.deepEqual(
      selectRows(snap, press(byId, 'r')).map((r) => r.id),
      [12, 11, 10],
    );
    assert.equal(press(INITIAL_TOP_STATE, 's', 's', 's', 's', 's').sort, 'time');
  });

  it('u filters by user: typed, Enter applies, empty clears, Esc cancels', () => {
    const snap = snapshot(sessions);
    const filtered = press(INITIAL_TOP_STATE, 'u', 'report', '\r');
    assert.equal(filtered.userFilter, 'report');
    assert.deepEqual(
      selectRows(snap, filtered).map((r) => r.id),
      [12],
    );
    assert.equal(press(filtered, 'u', '\x7f'.repeat(6), '\r').userFilter, null);
    const cancelled = press(filtered, 'u', 'x', '\x1b');
    assert.equal(cancelled.editing, null);
    assert.equal(cancelled.userFilter, 'report');
    // Keys typed into the filter are text, not commands.
    assert.equal(press(INITIAL_TOP_STATE, 'u', 'qs').editing, 'qs');
  });

  it('i hides idle sessions, p pauses', () => {
    const state = press(INITIAL_TOP_STATE, 'i', 'p');
    assert.deepEqual(
      selectRows(snapshot(sessions), state).map((r) => r.id),
      [12],
    );
    assert.equal(state.paused, true);
  });

  it('q and Ctrl-C quit; arrow keys do nothing', () => {
    assert.equal(handleInput(INITIAL_TOP_STATE, 'q').quit, true);
    assert.equal(handleInput(INITIAL_TOP_STATE, '\x03').quit, true);
    assert.equal(handleInput(press(INITIAL_TOP_STATE, 'u'), '\x03').quit, true);
    assert.deepEqual(handleInput(INITIAL_TOP_STATE, '\x1b[A'), {
      state: INITIAL_TOP_STATE,
      quit: false,
    });
  });
});
