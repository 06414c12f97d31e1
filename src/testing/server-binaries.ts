import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Where a Debian, Ubuntu or RPM install puts the server binaries, after `$PATH`. */
const SEARCH_DIRS = ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin'];

/** The two programs the sandbox needs: the server itself and the data-directory initialiser. */
export interface ServerBinaries {
  /** Absolute path of `mariadbd` (or `mysqld` on older installs). */
  readonly server: string;
  /** Absolute path of `mariadb-install-db` (or `mysql_install_db`). */
  readonly installDb: string;
}

const INSTALL_HINT =
  "Install MariaDB's server package (Debian/Ubuntu: 'sudo apt-get install -y mariadb-server'; " +
  "Fedora/RHEL: 'sudo dnf install mariadb-server'), or run 'bash scripts/setup.sh' from the " +
  'goneaway checkout, or set GONEAWAY_TEST_URI to use a server you already run.';

/**
 * Finds the MariaDB server binaries on `$PATH` and in the usual system folders.
 *
 * @throws Error naming the package to install when either binary is missing.
 * @example
 * const { server } = findServerBinaries(); // '/usr/sbin/mariadbd'
 */
export function findServerBinaries(): ServerBinaries {
  const server = findExecutable(['mariadbd', 'mysqld']);
  const installDb = findExecutable(['mariadb-install-db', 'mysql_install_db']);
  if (server && installDb) return { server, installDb };
  const missing = [server ? null : 'mariadbd', installDb ? null : 'mariadb-install-db'].filter(
    Boolean,
  );
  throw new Error(
    `goneaway sandbox: cannot start a MariaDB server because ${missing.join(' and ')} ` +
      `${missing.length > 1 ? 'were' : 'was'} not found on PATH or in ${SEARCH_DIRS.join(', ')}. ` +
      INSTALL_HINT,
  );
}

function findExecutable(names: readonly string[]): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...SEARCH_DIRS];
  for (const name of names) {
    for (const dir of dirs) {
      const candidate = join(dir, name);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here; keep looking
      }
    }
  }
  return undefined;
}
