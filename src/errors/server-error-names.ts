/**
 * Server error numbers ↔ names, per flavour, from the generated tables. Where MySQL and
 * MariaDB disagree (most of 1900–1999, 3000+ and 4000+, a few renames below), the flavour
 * picks; with the flavour unknown, MySQL's name is given, as mysql2 gives it.
 */
import type { Flavor } from './flavor.js';
import { MARIADB_SERVER_ERRORS, MYSQL_SERVER_ERRORS } from './server-error-names.generated.js';

let tables:
  | {
      readonly byNumber: Record<Flavor, Map<number, string>>;
      readonly byName: Record<Flavor, Map<string, number>>;
    }
  | undefined;

// Built on first use: the classification of a driver error rarely needs a name.
function load(): NonNullable<typeof tables> {
  if (tables) return tables;
  const index = (rows: readonly (readonly [number, string])[]) => ({
    byNumber: new Map(rows),
    // First number wins: MySQL's list reuses a few names for a second number.
    byName: new Map([...rows].reverse().map(([errno, name]) => [name, errno] as const)),
  });
  const mysql = index(MYSQL_SERVER_ERRORS);
  const mariadb = index(MARIADB_SERVER_ERRORS);
  tables = {
    byNumber: { mysql: mysql.byNumber, mariadb: mariadb.byNumber },
    byName: { mysql: mysql.byName, mariadb: mariadb.byName },
  };
  return tables;
}

/**
 * The symbolic name of a server error number on `flavor` (default: MySQL's, as mysql2 reports it).
 *
 * @example
 * serverErrorName(1927, 'mariadb'); // 'ER_CONNECTION_KILLED'
 * serverErrorName(4031, 'mysql');   // 'ER_CLIENT_INTERACTION_TIMEOUT'
 * serverErrorName(4031, 'mariadb'); // 'ER_REFERENCED_TRG_DOES_NOT_EXIST'
 */
export function serverErrorName(errno: number, flavor: Flavor = 'mysql'): string | undefined {
  return load().byNumber[flavor].get(errno);
}

/**
 * The server error number of a symbolic name on `flavor` (default MySQL).
 *
 * @example
 * serverErrorNumber('ER_LOCK_DEADLOCK');                 // 1213
 * serverErrorNumber('ER_STATEMENT_TIMEOUT', 'mariadb');  // 1969
 */
export function serverErrorNumber(name: string, flavor: Flavor = 'mysql'): number | undefined {
  return load().byName[flavor].get(name);
}
