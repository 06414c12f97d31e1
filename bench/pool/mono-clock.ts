/**
 * One time scale for every process of the bench: CLOCK_MONOTONIC through `process.hrtime`,
 * which the kernel shares between processes, so an instant measured in a client process (an
 * answer) and one measured by the orchestrator (the server accepting again) can be subtracted.
 */

/**
 * Milliseconds on the machine's monotonic clock, with sub-millisecond resolution.
 *
 * @example
 * const started = monoMs();
 */
export function monoMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
