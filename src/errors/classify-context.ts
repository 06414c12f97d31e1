import type { Flavor } from './flavor.js';

/**
 * What a connection was doing when an error happened. The same driver error means different
 * things in different phases: a reset while connecting is an unavailable server, a reset
 * before a statement was written leaves it unsent (safe to retry), a reset while awaiting
 * its result leaves its outcome unknown, a reset during COMMIT leaves the commit unknown.
 *
 * @example
 * const phase: Phase = bytesWritten > 0 ? 'awaiting-result' : 'sending';
 */
export type Phase =
  /** TCP connect, handshake, authentication, init statements. */
  | 'connecting'
  /** The pool's liveness ping before handing out a connection. */
  | 'validating'
  /** The connection died while idle in the pool (socket end/close/error). */
  | 'idle'
  /** A statement was about to be written; no byte of it reached the socket. */
  | 'sending'
  /** The statement was written; its result was not (fully) received. */
  | 'awaiting-result'
  /** COMMIT was in flight. */
  | 'committing';

/**
 * What {@link classify} may know besides the error itself. Every field is optional; the more
 * it knows, the more precise the class and the more useful the message.
 *
 * @example
 * const context: ClassifyContext = {
 *   phase: 'awaiting-result',
 *   flavor: 'mariadb',
 *   host: '127.0.0.1',
 *   port: 3306,
 *   sql: 'UPDATE account SET balance = balance - 10 WHERE id = 7',
 *   idleMs: 41_000,
 *   waitTimeoutMs: 30_000,
 * };
 */
export interface ClassifyContext {
  readonly phase?: Phase;
  /** A transaction was open: a loss now means the server rolled it back. */
  readonly inTransaction?: boolean;
  /** The server family; picks the right meaning where error numbers differ. */
  readonly flavor?: Flavor;
  /** Host name, address or socket path, for messages. */
  readonly host?: string;
  readonly port?: number;
  /** The statement. Only its leading keyword ever appears in a message, never its text or values. */
  readonly sql?: string;
  /** How long the connection had been idle before this statement, in ms. */
  readonly idleMs?: number;
  /** The session's `wait_timeout`, in ms, if known. */
  readonly waitTimeoutMs?: number;
  /**
   * Strings to blank out of every message and printed form (e.g. the connection's password).
   * They are used while the error is built and never stored on it.
   */
  readonly secrets?: readonly string[];
}
