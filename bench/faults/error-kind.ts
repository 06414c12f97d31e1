/**
 * Names the kind of an error that reached the caller, the same way for every library, so the
 * report can count "what the application saw" side by side.
 *
 * Libraries wrap driver errors differently (Sequelize in `parent`/`original`, goneaway and
 * Node in `cause`, Knex not at all), so the kind is the outermost label plus, when it differs,
 * the innermost one: `SequelizeDatabaseError ← ECONNRESET`, `GONEAWAY_CONNECTION_LOST ←
 * PROTOCOL_CONNECTION_LOST`. A label is the error's string `code`, else its class name, else
 * the start of its message with digits blanked (mysql2's closed-state error has no code).
 */

/** The kind recorded for a statement that never settled. */
export const HANG_KIND = 'hang (no answer by the end of the run)';

const MAX_CHAIN = 5;
const MESSAGE_WORDS = 8;

/**
 * @example
 * errorKind(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })); // 'ECONNRESET'
 * errorKind(new Error("Can't add new command when connection is in closed state"));
 * // "message: Can't add new command when connection is in closed"
 */
export function errorKind(error: unknown): string {
  const labels: string[] = [];
  for (const link of causeChain(error)) {
    const label = labelOf(link);
    if (label && !labels.includes(label)) labels.push(label);
  }
  if (labels.length === 0) return 'unknown';
  const outer = labels[0]!;
  const inner = labels.at(-1)!;
  return outer === inner ? outer : `${outer} ← ${inner}`;
}

/** The error and what it wraps, outermost first, bounded against cycles. */
function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = error;
  while (current !== undefined && current !== null && chain.length < MAX_CHAIN) {
    if (chain.includes(current)) break;
    chain.push(current);
    if (typeof current !== 'object') break;
    const holder = current as { parent?: unknown; original?: unknown; cause?: unknown };
    current = holder.parent ?? holder.original ?? holder.cause;
  }
  return chain;
}

function labelOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) {
    return value === undefined ? undefined : `thrown ${typeof value}`;
  }
  const { code, name, message } = value as { code?: unknown; name?: unknown; message?: unknown };
  if (typeof code === 'string' && code.length > 0) return code;
  if (typeof name === 'string' && name.length > 0 && name !== 'Error') return name;
  if (typeof message === 'string' && message.length > 0) {
    const words = message.replace(/\d+/g, '#').split(/\s+/).slice(0, MESSAGE_WORDS);
    return `message: ${words.join(' ')}`;
  }
  return undefined;
}
