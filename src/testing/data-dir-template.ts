import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
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
 * Returns a data dir initialised by `mariadb-install-db`, built once per server version and
 * cached in the OS temp dir. `mariadb-install-db` takes ~2 s; copying its result takes ~40 ms,
 * which is what keeps a sandbox start well under a second.
 *
 * Several test processes may race to build it: each builds into a private folder and renames
 * it into place; the loser throws its copy away.
 */
export async function dataDirTemplate(binaries: ServerBinaries): Promise<string> {
  const version = await serverVersion(binaries.server);
  const dir = join(tmpdir(), `goneaway-template-${version.replace(/[^\w.-]+/g, '_')}`);
  if (existsSync(join(dir, READY_MARKER))) return dir;

  const building = `${dir}.building-${process.pid}-${Date.now()}`;
  await mkdir(building, { recursive: true });
  try {
    await run(
      binaries.installDb,
      [
        '--no-defaults',
        `--datadir=${building}`,
        // root@localhost and root@127.0.0.1 without a password: only the sandbox's own
        // loopback port reaches this server, and the app user it creates has a real password.
        '--auth-root-authentication-method=normal',
        '--skip-test-db',
        ...(process.getuid?.() === 0 ? ['--user=root'] : []),
        ...INNODB_ARGS,
      ],
      { timeout: 60_000 },
    );
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

async function serverVersion(server: string): Promise<string> {
  const { stdout } = await run(server, ['--version'], { timeout: 10_000 });
  // "/usr/sbin/mariadbd  Ver 10.11.19-MariaDB-0+deb12u1 for debian-linux-gnu on x86_64 (Debian 12)"
  return /Ver\s+(\S+)/.exec(stdout)?.[1] ?? 'unknown';
}
