/**
 * The lifecycle of one managed connection: one field, one table of allowed moves, one function
 * that changes it. Everything else reads the state; only {@link transition} writes it.
 *
 * ```
 *             ┌────────────── validate fails ─────────────┐
 *             ▼                                           │
 * connecting ─► idle ◄─► in-use        idle ─► validating ┴─► in-use
 *     │          │          │
 *     │          ├─► retiring ─► closed      (clean COM_QUIT: idle/lifetime/end)
 *     └──────────┴──────────┴─► broken ─► closed   (socket died, watchdog, fatal error)
 * ```
 */
export type ConnectionState =
  | 'connecting'
  | 'idle'
  | 'validating'
  | 'in-use'
  | 'retiring'
  | 'broken'
  | 'closed';

/** Allowed moves. A move not listed here is a bug in goneaway, not a runtime condition. */
export const ALLOWED_MOVES: Readonly<Record<ConnectionState, readonly ConnectionState[]>> = {
  // A fresh connection is handed straight to the caller that caused it, or parked idle.
  connecting: ['idle', 'in-use', 'broken'],
  idle: ['in-use', 'validating', 'retiring', 'broken'],
  // Validation ends in use (ping answered) or broken (no answer within the bound).
  validating: ['in-use', 'broken'],
  'in-use': ['idle', 'retiring', 'broken'],
  retiring: ['closed', 'broken'],
  broken: ['closed'],
  closed: [],
};

/** Thrown when code asks for a move the table does not allow. */
export class IllegalTransitionError extends Error {
  constructor(from: ConnectionState, to: ConnectionState) {
    super(`goneaway internal error: a connection cannot move from '${from}' to '${to}'`);
    this.name = 'IllegalTransitionError';
  }
}

/** Whether the table allows `from → to`. */
export function canTransition(from: ConnectionState, to: ConnectionState): boolean {
  return ALLOWED_MOVES[from].includes(to);
}

/**
 * Returns `to` if the move is allowed, throws otherwise. Callers store the result in their one
 * state field: `this.#state = transition(this.#state, 'idle')`.
 *
 * @example
 * let state: ConnectionState = 'connecting';
 * state = transition(state, 'idle');
 */
export function transition(from: ConnectionState, to: ConnectionState): ConnectionState {
  if (!canTransition(from, to)) throw new IllegalTransitionError(from, to);
  return to;
}
