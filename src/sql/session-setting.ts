/**
 * Recognises a statement that only assigns session variables to constants, such as
 * `SET time_zone = '+00:00'` or `SET NAMES utf8mb4`: the statements ORMs send right after
 * connecting (Sequelize sends the first). Such a statement can be replayed on a new
 * connection with the same effect, so a standalone connection makes it one of its init
 * statements instead of session state that a lost connection would take with it.
 *
 * The grammar is deliberately narrow: anything it does not recognise (user variables, GLOBAL,
 * expressions, subqueries, `autocommit`, which changes transaction behaviour) is not a
 * setting, and stays ordinary session state under goneaway's usual rules.
 */

const NAME = '[A-Za-z_][A-Za-z0-9_]*';
const QUOTED = String.raw`'(?:[^'\\]|\\.|'')*'`;
const VALUE = String.raw`(?:${QUOTED}|[-+]?\d+(?:\.\d+)?|${NAME})`;
const SCOPE = String.raw`(?:SESSION\s+|LOCAL\s+|@@SESSION\.|@@LOCAL\.|@@)?`;
const ASSIGNMENT = String.raw`(?:${SCOPE}(${NAME})\s*:?=\s*${VALUE}|NAMES\s+${VALUE}(?:\s+COLLATE\s+${VALUE})?|CHARACTER\s+SET\s+${VALUE})`;
const SETTING = new RegExp(
  String.raw`^\s*SET\s+${ASSIGNMENT}(?:\s*,\s*${ASSIGNMENT})*\s*;?\s*$`,
  'i',
);
const ASSIGNED_NAME = new RegExp(String.raw`(?:^\s*SET\s+|,\s*)${SCOPE}(${NAME})\s*:?=`, 'gi');

/**
 * Whether `sql` only sets session variables to constants and can be replayed on reconnect.
 *
 * @example
 * isSessionSetting("SET time_zone = '+00:00'");   // true
 * isSessionSetting('SET NAMES utf8mb4');           // true
 * isSessionSetting('SET @total = 0');              // false: a user variable
 * isSessionSetting('SET autocommit = 0');          // false: changes transactions
 */
export function isSessionSetting(sql: string): boolean {
  if (!SETTING.test(sql)) return false;
  // autocommit = 0 makes every later statement open a transaction: that is not a setting.
  for (const match of sql.matchAll(ASSIGNED_NAME))
    if (match[1]?.toLowerCase() === 'autocommit') return false;
  return true;
}
