import type { Pool } from '../../src/index.js';
import type {
  GoneAwayEventMap as PoolEventMap,
  PoolEventName,
} from '../../src/pool/pool-events.js';

/**
 * Resolves with the next `event` from `pool` that satisfies `match`; rejects after
 * `timeoutMs`. Tests wait on events like this instead of sleeping.
 */
export function nextEvent<E extends PoolEventName>(
  pool: Pool,
  event: E,
  match: (payload: PoolEventMap[E]) => boolean = () => true,
  timeoutMs = 10_000,
): Promise<PoolEventMap[E]> {
  return new Promise((resolve, reject) => {
    const listener = (payload: PoolEventMap[E]): void => {
      if (!match(payload)) return;
      clearTimeout(timer);
      pool.off(event, listener);
      resolve(payload);
    };
    const timer = setTimeout(() => {
      pool.off(event, listener);
      reject(new Error(`no '${event}' event within ${timeoutMs} ms`));
    }, timeoutMs);
    pool.on(event, listener);
  });
}

/** The same URI with its port replaced, e.g. to go through a fault proxy. */
export function viaPort(uri: string, port: number): string {
  const url = new URL(uri);
  url.port = String(port);
  return url.href;
}
