/**
 * Which module specifiers zero-code adoption (`goneaway/register`) sends to goneaway's facade,
 * and from where not. Shared by the in-thread registration and the loader-thread hooks.
 */

/** What the hooks need to know, as plain data (it crosses to the loader thread). */
export interface RedirectPlan {
  /** `mysql2` and `mysql2/promise` → the file URL of the facade module that stands in for each. */
  readonly targets: Readonly<Record<string, string>>;
  /** The URL of goneaway's own build: its imports of `mysql2` must reach the real driver. */
  readonly ownPrefix: string;
}

/**
 * The facade URL that `specifier`, imported from `parentUrl`, resolves to instead, or undefined
 * when it resolves as usual (another module, or an import from goneaway itself).
 *
 * @example
 * redirectOf(plan, 'mysql2', 'file:///app/server.js'); // 'file:///app/node_modules/goneaway/dist/compat/index.js'
 */
export function redirectOf(
  plan: RedirectPlan,
  specifier: string,
  parentUrl: string | undefined,
): string | undefined {
  if (!Object.hasOwn(plan.targets, specifier)) return undefined;
  if (parentUrl?.startsWith(plan.ownPrefix)) return undefined;
  return plan.targets[specifier];
}
