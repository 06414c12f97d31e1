import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { lstat, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ServerBinaries } from './server-binaries.js';

const run = promisify(execFile);

/**
 * InnoDB settings shared by the template and every server started from it. A small redo log
 * keeps the copied data dir at ~20 MB; the server would otherwise resize it on every start.
 */
export const INNODB_ARGS = ['--innodb-log-file-size=16M', '--innodb-buffer-pool-size=64M'];

const READY_MARKER = '.goneaway-template-ready';

/**
 * Run by `mariadb-install-db` after it creates the grant tables: root keeps only its
 * `localhost` account, which (with `--skip-name-resolve`) matches the unix socket alone. The
 * TCP accounts it would also have (`127.0.0.1`, `::1`, the host name) are gone, so no other
 * user of the machine can log in as root over the loopback port.
 */
const TEMPLATE_SQL = "DELETE FROM mysql.global_priv WHERE User = 'root' AND Host <> 'localhost';\n";

/**
 * Returns a data dir initialised by `mariadb-install-db`, built once per server version and
 * cached in this user's private cache directory (see {@link templateCacheDir}).
 * `mariadb-install-db` takes ~1-2 s; copying its result takes ~40 ms, which is what keeps a
 * sandbox start well under a second.
 *
 * Several test processes may race to build it: each builds into a private folder and renames
 * it into place; the loser throws its copy away.
 */
export async function dataDirTemplate(binaries: ServerBinaries): Promise<string> {
  const version = await serverVersion(binaries.server);
  const cache = await templateCacheDir();
  // v2: built with TEMPLATE_SQL. A template from before is not reused.
  const dir = join(cache, `template-v2-${version.replace(/[^\w.-]+/g, '_')}`);
  if (existsSync(join(dir, READY_MARKER))) return dir;

  const building = `${dir}.building-${process.pid}-${Date.now()}`;
  await mkdir(building, { recursive: true, mode: 0o700 });
  try {
    const sqlFile = join(building, '..', `.template-sql-${process.pid}-${Date.now()}.sql`);
    await writeFile(sqlFile, TEMPLATE_SQL, { mode: 0o600 });
    try {
      await run(
        binaries.installDb,
        [
          '--no-defaults',
          `--datadir=${building}`,
          // root@localhost without a password: reachable only through the sandbox's unix
          // socket, whose directory only this user can enter.
          '--auth-root-authentication-method=normal',
          '--skip-test-db',
          `--extra-file=${sqlFile}`,
          ...(process.getuid?.() === 0 ? ['--user=root'] : []),
          ...INNODB_ARGS,
        ],
        { timeout: 60_000 },
      );
    } finally {
      await rm(sqlFile, { force: true });
    }
    await writeFile(join(building, READY_MARKER), `${version}\n`);
    await rename(building, dir).catch(async (error: NodeJS.ErrnoException) => {
      // Another process finished first; its template is as good as ours.
      if (!existsSync(join(dir, READY_MARKER))) throw error;
    });
  } finally {
    await rm(building, { recursive: true, force: true });
  }
  return dir;
}

/**
 * This user's cache directory for sandbox templates: `$XDG_CACHE_HOME/goneaway` (default
 * `~/.cache/goneaway`), or `<tmp>/goneaway-<uid>` when there is no home directory. It is
 * created with mode 0700 and checked on every use: a directory that another user owns, that
 * others may write to or enter, or that is a symbolic link, is refused, because whoever can
 * write a template decides the accounts of every sandbox started from it.
 *
 * @throws Error naming the directory and what is wrong with it.
 * @example
 * const cache = await templateCacheDir(); // '/home/me/.cache/goneaway'
 */
export async function templateCacheDir(
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<string> {
  const home = safeHomedir();
  const fallback = join(tmpdir(), `goneaway-${process.getuid?.() ?? 'user'}`);
  let dir = env.XDG_CACHE_HOME
    ? join(env.XDG_CACHE_HOME, 'goneaway')
    : home
      ? join(home, '.cache', 'goneaway')
      : fallback;
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    // A home directory that cannot be written (some CI images): the temp dir, checked alike.
    if (dir === fallback) throw error;
    dir = fallback;
    await mkdir(dir, { recursive: true, mode: 0o700 });
  }
  await checkPrivateDir(dir);
  return dir;
}

/**
 * Throws unless `dir` is a real directory owned by this user that no one else may write to
 * or enter (mode 0700 or stricter). Where the platform has no user ids, only the type is checked.
 *
 * @example
 * await checkPrivateDir('/home/me/.cache/goneaway');
 */
export async function checkPrivateDir(dir: string): Promise<void> {
  const stat = await lstat(dir);
  const problem = !stat.isDirectory()
    ? 'is not a directory (a symbolic link or a file)'
    : process.getuid !== undefined && stat.uid !== process.getuid()
      ? `is owned by user id ${stat.uid}, not by this user (${process.getuid()})`
      : process.getuid !== undefined && (stat.mode & 0o077) !== 0
        ? `has mode ${(stat.mode & 0o777).toString(8)}: other users may use it (0700 expected)`
        : undefined;
  if (problem) {
    throw new Error(
      `goneaway sandbox: refusing the template cache ${dir}: it ${problem}. A template planted there ` +
        'would decide the accounts of every sandbox. Remove it, or set XDG_CACHE_HOME to a directory of your own.',
    );
  }
}

function safeHomedir(): string | undefined {
  try {
    return homedir() || undefined;
  } catch {
    return undefined;
  }
}

async function serverVersion(server: string): Promise<string> {
  const { stdout } = await run(server, ['--version'], { timeout: 10_000 });
  // "/usr/sbin/mariadbd  Ver 10.11.19-MariaDB-0+deb12u1 for debian-linux-gnu on x86_64 (Debian 12)"
  return /Ver\s+(\S+)/.exec(stdout)?.[1] ?? 'unknown';
}
