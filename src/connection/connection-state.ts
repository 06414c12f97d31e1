/**
 * The lifecycle of one managed connection: one field, one table of allowed moves, one function
 * that changes it. The table below is the truth: `docs/architecture.md` shows a diagram rendered
 * from it ({@link renderLifecycle}), and a test fails when the two differ.
 *
 * Only `ManagedConnection`'s named transitions (`lend`, `park`, `validate`, `retire`,
 * `discard`, and the socket's own death) call {@link transition}; everything else reads the state.
 */

/**
 * The states, each with what it means. A connection is in exactly one of them.
 *
 * @example
 * const state: ConnectionState = CONNECTION_STATES[0]; // 'connecting'
 */
export const CONNECTION_STATES = [
  'connecting',
  'idle',
  'validating',
  'in-use',
  'lost',
  'retiring',
  'closed',
] as const;

/** One lifecycle state of a managed connection; see {@link STATE_MEANINGS}. */
export type ConnectionState = (typeof CONNECTION_STATES)[number];

/** What each state means, in one sentence (rendered into the docs). */
export const STATE_MEANINGS: Readonly<Record<ConnectionState, string>> = {
  connecting: 'TCP connect, handshake and session set-up under way; nobody holds it yet.',
  idle: 'Parked in the pool, alive as far as anyone knows.',
  validating: 'A bounded ping is in flight before it is lent.',
  'in-use': 'Held by a caller: a statement, a lease, a transaction or a scope.',
  lost: 'Its socket died (or goneaway gave up on it) while a caller held it; the holder lets go of it next.',
  retiring: 'A clean COM_QUIT was sent; waiting (bounded) for the server to close.',
  closed: 'Gone for good: the socket is closed and the pool has forgotten it.',
};

/** One allowed move, with the named transition that makes it and why it happens. */
export interface Move {
  readonly from: ConnectionState;
  readonly to: ConnectionState;
  /** The `ManagedConnection` method that makes the move. */
  readonly by: 'open' | 'lend' | 'park' | 'validate' | 'retire' | 'discard' | 'lose';
  readonly when: string;
}

/**
 * Every allowed move. A move not listed here is a bug in goneaway, not a runtime condition.
 *
 * @example
 * MOVES.filter((move) => move.from === 'idle').map((move) => move.to);
 */
export const MOVES: readonly Move[] = [
  { from: 'connecting', to: 'in-use', by: 'lend', when: 'opened for the caller that asked' },
  { from: 'connecting', to: 'closed', by: 'discard', when: 'the open failed or timed out' },
  { from: 'idle', to: 'in-use', by: 'lend', when: 'reused within the validation window' },
  {
    from: 'idle',
    to: 'validating',
    by: 'validate',
    when: 'idle too long, or older than the epoch',
  },
  { from: 'idle', to: 'retiring', by: 'retire', when: 'idle limit, lifetime, or the pool ends' },
  { from: 'idle', to: 'closed', by: 'discard', when: 'its socket died while idle' },
  { from: 'validating', to: 'in-use', by: 'validate', when: 'the ping was answered' },
  { from: 'validating', to: 'closed', by: 'validate', when: 'no answer within the bound' },
  { from: 'in-use', to: 'idle', by: 'park', when: 'released with a clean session' },
  { from: 'in-use', to: 'retiring', by: 'retire', when: 'released with session state, or too old' },
  { from: 'in-use', to: 'lost', by: 'lose', when: 'its socket died, or a bound ran out' },
  { from: 'in-use', to: 'closed', by: 'discard', when: 'an error left it unusable' },
  { from: 'lost', to: 'closed', by: 'discard', when: 'its holder let go of it' },
  {
    from: 'retiring',
    to: 'closed',
    by: 'retire',
    when: 'the server closed it, or the bound ran out',
  },
];

/** Allowed moves by source state, derived from {@link MOVES}. */
export const ALLOWED_MOVES: Readonly<Record<ConnectionState, readonly ConnectionState[]>> =
  Object.fromEntries(
    CONNECTION_STATES.map((state) => [
      state,
      MOVES.filter((move) => move.from === state).map((move) => move.to),
    ]),
  ) as unknown as Record<ConnectionState, readonly ConnectionState[]>;

/** Thrown when code asks for a move the table does not allow. */
export class IllegalTransitionError extends Error {
  constructor(from: ConnectionState, to: ConnectionState) {
    super(`goneaway internal error: a connection cannot move from '${from}' to '${to}'`);
    this.name = 'IllegalTransitionError';
  }
}

/**
 * Whether the table allows `from → to`.
 *
 * @example
 * canTransition('idle', 'validating'); // true
 */
export function canTransition(from: ConnectionState, to: ConnectionState): boolean {
  return ALLOWED_MOVES[from].includes(to);
}

/**
 * Returns `to` if the move is allowed, throws otherwise. The connection stores the result in its
 * one state field.
 *
 * @example
 * let state: ConnectionState = 'connecting';
 * state = transition(state, 'in-use');
 */
export function transition(from: ConnectionState, to: ConnectionState): ConnectionState {
  if (!canTransition(from, to)) throw new IllegalTransitionError(from, to);
  return to;
}

/**
 * The lifecycle as Markdown: a Mermaid state diagram and a table of states and moves, both drawn
 * from {@link MOVES} and {@link STATE_MEANINGS}, for `docs/architecture.md`.
 *
 * @example
 * console.log(renderLifecycle());
 */
export function renderLifecycle(): string {
  const diagram = [
    '```mermaid',
    'stateDiagram-v2',
    '  [*] --> connecting',
    ...MOVES.map((move) => `  ${id(move.from)} --> ${id(move.to)}: ${move.by}`),
    '  closed --> [*]',
    '```',
  ];
  const states = [
    '| state | meaning | moves to |',
    '|---|---|---|',
    ...CONNECTION_STATES.map(
      (state) =>
        `| \`${state}\` | ${STATE_MEANINGS[state]} | ${
          MOVES.filter((move) => move.from === state)
            .map((move) => `\`${move.to}\` by \`${move.by}()\` when ${move.when}`)
            .join('; ') || 'nothing: it is final'
        } |`,
    ),
  ];
  return [...diagram, '', ...states].join('\n');
}

/** Mermaid ids cannot hold a hyphen. */
function id(state: ConnectionState): string {
  return state.replace('-', '_');
}
