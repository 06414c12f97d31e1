/**
 * What became of the statement when an error happened:
 * - `'not-sent'`: it provably never reached the server, so running it again cannot run it twice;
 * - `'unknown'`: it may or may not have been applied (the connection was lost after it was sent);
 * - `'failed'`: the server answered with an error and did not apply it.
 *
 * @example
 * const safeToRepeat = (outcome: Outcome) => outcome !== 'unknown';
 */
export type Outcome = 'not-sent' | 'unknown' | 'failed';
