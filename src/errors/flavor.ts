/**
 * Which server family a connection talks to. The same error number can mean different things
 * on each (4031 is an idle-timeout disconnect on MySQL 8.0.24+ but a trigger error on
 * MariaDB), so every table lookup that differs by family is keyed by it.
 *
 * @example
 * const flavor: Flavor = flavorOf(handshake.serverVersion);
 */
export type Flavor = 'mariadb' | 'mysql';

/**
 * The flavour named by a server version string, as sent in the handshake or returned by
 * `SELECT VERSION()`. MariaDB always puts `MariaDB` in it (older ones behind a `5.5.5-`
 * prefix for old clients); everything else (MySQL, Percona, Aurora, TiDB, ...) numbers its
 * errors the MySQL way.
 *
 * @example
 * flavorOf('10.11.19-MariaDB-0+deb12u1'); // 'mariadb'
 * flavorOf('5.5.5-10.6.16-MariaDB-log');  // 'mariadb'
 * flavorOf('8.0.36');                     // 'mysql'
 */
export function flavorOf(serverVersion: string): Flavor {
  return /mariadb/i.test(serverVersion) ? 'mariadb' : 'mysql';
}
