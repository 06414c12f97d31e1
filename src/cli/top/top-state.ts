/**
 * What the person at the keyboard has chosen in `goneaway top` (sort, filter, pause, help),
 * and how each key changes it. Pure: a key and a state in, a state out.
 */

/** Orders the session list can be sorted by; `s` cycles through them. */
export const SORT_KEYS = ['time', 'id', 'user', 'host', 'command'] as const;

/** One of {@link SORT_KEYS}. */
export type SortKey = (typeof SORT_KEYS)[number];

/** The UI state of `goneaway top`. */
export interface TopState {
  readonly sort: SortKey;
  /** Reverse of the sort's natural order (time: longest first; others: ascending). */
  readonly reverse: boolean;
  /** Show only this user's sessions; null: everyone. */
  readonly userFilter: string | null;
  readonly hideIdle: boolean;
  readonly paused: boolean;
  readonly showHelp: boolean;
  /** The user filter being typed after `u`, or null when not editing. */
  readonly editing: string | null;
}

/** The state `top` starts in. */
export const INITIAL_TOP_STATE: TopState = {
  sort: 'time',
  reverse: false,
  userFilter: null,
  hideIdle: false,
  paused: false,
  showHelp: false,
  editing: null,
};

/** The outcome of one key: the new state, and whether to quit. */
export interface KeyResult {
  readonly state: TopState;
  readonly quit: boolean;
}

const ESC = '\x1b';
const CTRL_C = '\x03';
const ENTER = new Set(['\r', '\n']);
const BACKSPACE = new Set(['\x7f', '\b']);

/**
 * Applies one chunk of terminal input (one key, or a few typed fast) to the state. Escape
 * sequences (arrow keys, function keys) are ignored, except that they cancel editing.
 *
 * @example
 * let { state } = handleInput(INITIAL_TOP_STATE, 's'); // sort by id
 * ({ state } = handleInput(state, 'u'));               // start typing a user filter
 * ({ state } = handleInput(state, 'app\r'));           // show only app's sessions
 */
export function handleInput(state: TopState, chunk: string): KeyResult {
  if (chunk.startsWith(ESC)) {
    return { state: state.editing === null ? state : { ...state, editing: null }, quit: false };
  }
  let current = state;
  for (const char of chunk) {
    const result = handleKey(current, char);
    if (result.quit) return result;
    current = result.state;
  }
  return { state: current, quit: false };
}

function handleKey(state: TopState, key: string): KeyResult {
  if (key === CTRL_C) return { state, quit: true };
  if (state.editing !== null) return { state: edit(state, state.editing, key), quit: false };
  switch (key) {
    case 'q':
    case 'Q':
      return { state, quit: true };
    case 's':
      return { state: { ...state, sort: nextSort(state.sort) }, quit: false };
    case 'r':
      return { state: { ...state, reverse: !state.reverse }, quit: false };
    case 'u':
      return { state: { ...state, editing: state.userFilter ?? '' }, quit: false };
    case 'i':
      return { state: { ...state, hideIdle: !state.hideIdle }, quit: false };
    case 'p':
    case ' ':
      return { state: { ...state, paused: !state.paused }, quit: false };
    case '?':
    case 'h':
      return { state: { ...state, showHelp: !state.showHelp }, quit: false };
    default:
      return { state: state.showHelp ? { ...state, showHelp: false } : state, quit: false };
  }
}

function edit(state: TopState, text: string, key: string): TopState {
  if (ENTER.has(key)) {
    const user = text.trim();
    return { ...state, editing: null, userFilter: user === '' ? null : user };
  }
  if (BACKSPACE.has(key)) return { ...state, editing: [...text].slice(0, -1).join('') };
  if (key >= ' ') return { ...state, editing: text + key };
  return state;
}

function nextSort(sort: SortKey): SortKey {
  return SORT_KEYS[(SORT_KEYS.indexOf(sort) + 1) % SORT_KEYS.length] ?? 'time';
}
