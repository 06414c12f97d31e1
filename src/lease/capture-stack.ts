/**
 * Where something was borrowed, for leak reports: the caller's stack, without the frames of
 * goneaway's own function that took it.
 *
 * @example
 * const stack = captureStack(); // starts at the caller of captureStack
 */
// biome-ignore lint/complexity/noBannedTypes: Error.captureStackTrace takes any function.
export function captureStack(below: Function = captureStack): string {
  const holder: { stack?: string } = {};
  Error.captureStackTrace(holder, below);
  return holder.stack?.split('\n').slice(1).join('\n') ?? '';
}
