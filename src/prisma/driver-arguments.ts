/**
 * Prisma's query arguments as mysql2 escapes them. Prisma hands each argument with its type
 * (`ArgType`): 64-bit integers and DateTimes may arrive as strings, bytes as base64 or a
 * `Uint8Array`. mysql2 would quote a BIGINT string (MySQL then compares it as a double, losing
 * digits past 2^53) and would write a `Date` in the process's local time zone; Prisma reads and
 * writes DateTimes in UTC. So each argument is turned into what mysql2 writes correctly.
 */
import type { ArgType } from '@prisma/driver-adapter-utils';

/**
 * The values to hand mysql2 for Prisma's `args`, position by position.
 *
 * @example
 * toDriverArguments(['9007199254740993'], [{ scalarType: 'bigint', arity: 'scalar' }]); // [9007199254740993n]
 */
export function toDriverArguments(
  args: readonly unknown[],
  argTypes: readonly ArgType[],
): unknown[] {
  return args.map((arg, index) => toDriverArgument(arg, argTypes[index]));
}

function toDriverArgument(arg: unknown, argType: ArgType | undefined): unknown {
  if (arg === null || arg === undefined) return null;
  switch (argType?.scalarType) {
    case 'bigint':
      return typeof arg === 'string' || typeof arg === 'number' ? BigInt(arg) : arg;
    case 'datetime':
      if (typeof arg === 'string' || typeof arg === 'number') {
        const date = new Date(arg);
        // Text the Date parser does not read (a bare time, say) goes to the server as it is.
        return Number.isNaN(date.getTime()) ? arg : formatUtc(date, argType.dbType);
      }
      break;
    case 'bytes':
      if (typeof arg === 'string') return Buffer.from(arg, 'base64');
      break;
    case 'json':
      // mysql2 would write an object as `key = value` pairs; JSON goes as its text.
      if (typeof arg !== 'string') return JSON.stringify(arg);
      break;
  }
  if (arg instanceof Date) return formatUtc(arg, argType?.dbType);
  if (ArrayBuffer.isView(arg) && !Buffer.isBuffer(arg)) {
    return Buffer.from(arg.buffer, arg.byteOffset, arg.byteLength);
  }
  return arg;
}

/** A date as the server's DATETIME (or DATE, or TIME) text, in UTC. */
function formatUtc(date: Date, dbType: string | undefined): string {
  const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
  const day = `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
  const ms = date.getUTCMilliseconds();
  const time =
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}` +
    (ms ? `.${pad(ms, 3)}` : '');
  switch (dbType) {
    case 'DATE':
    case 'NEWDATE':
      return day;
    case 'TIME':
    case 'TIME2':
      return time;
    default:
      return `${day} ${time}`;
  }
}
