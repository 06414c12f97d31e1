/**
 * mysql2's promise wrappers re-emit some events of the callback object they wrap. Listening is
 * wired on the first listener of each event, so a wrapper nobody listens to costs nothing.
 */
import type { EventEmitter } from 'node:events';

/**
 * Re-emits `events` of `source` on `target` once someone listens to them on `target`.
 *
 * @example
 * inheritEvents(callbackPool, promisePool, ['acquire', 'release']);
 */
export function inheritEvents(
  source: EventEmitter,
  target: EventEmitter,
  events: readonly string[],
): void {
  const wired = new Set<string>();
  target.on('newListener', (event: string | symbol) => {
    if (typeof event !== 'string' || !events.includes(event) || wired.has(event)) return;
    wired.add(event);
    source.on(event, (...args: unknown[]) => target.emit(event, ...args));
  });
}
