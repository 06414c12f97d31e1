/**
 * The ES module resolve hook of `goneaway/register` on Node versions without
 * `module.registerHooks` (Node 20, 22 before 22.15). It runs in Node's loader thread; the plan
 * comes from `register()`'s `data`.
 */
import { type RedirectPlan, redirectOf } from './mysql2-redirect.js';

let plan: RedirectPlan | undefined;

/** Receives the plan. Called by Node once, when the hooks are registered. */
export function initialize(data: RedirectPlan): void {
  plan = data;
}

type NextResolve = (specifier: string, context: ResolveContext) => Promise<ResolveResult>;
interface ResolveContext {
  readonly parentURL?: string;
}
interface ResolveResult {
  readonly url: string;
  readonly shortCircuit?: boolean;
  readonly format?: string | null;
}

/** Sends `mysql2` and `mysql2/promise` to goneaway's facade; everything else goes on as usual. */
export async function resolve(
  specifier: string,
  context: ResolveContext,
  nextResolve: NextResolve,
): Promise<ResolveResult> {
  const url = plan && redirectOf(plan, specifier, context.parentURL);
  if (url) return { url, shortCircuit: true, format: 'module' };
  return nextResolve(specifier, context);
}
