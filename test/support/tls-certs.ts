/**
 * Certificates made at test time with the `openssl` command: a throwaway CA and server
 * certificates it signs for chosen names (DNS names and IP addresses in subjectAltName).
 * Nothing is committed; everything lives in a temp dir removed by `remove()`.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Why TLS tests cannot run here, or undefined when `openssl` is available. */
export function opensslMissing(): string | undefined {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'the openssl command is not installed (Debian: apt-get install openssl)';
  }
}

/** One server certificate: file paths and PEM texts. */
export interface ServerCert {
  readonly certPath: string;
  readonly keyPath: string;
  readonly cert: string;
  readonly key: string;
}

/** A throwaway CA that signs server certificates. */
export interface TestCa {
  readonly dir: string;
  readonly caPath: string;
  /** The CA certificate (PEM), what a client trusts. */
  readonly ca: string;
  /** A certificate for `altNames`, e.g. `['DNS:localhost', 'IP:127.0.0.1']`. */
  issue(name: string, altNames: readonly string[]): Promise<ServerCert>;
  remove(): Promise<void>;
}

/**
 * Makes a CA in a new temp dir.
 *
 * @example
 * const ca = await makeTestCa();
 * const cert = await ca.issue('server', ['DNS:localhost']);
 */
export async function makeTestCa(): Promise<TestCa> {
  const dir = await mkdtemp(join(tmpdir(), 'goneaway-tls-'));
  const caPath = join(dir, 'ca.pem');
  const caKey = join(dir, 'ca.key');
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=goneaway test CA',
    '-keyout',
    caKey,
    '-out',
    caPath,
  ]);
  return {
    dir,
    caPath,
    ca: await readFile(caPath, 'utf8'),
    async issue(name, altNames) {
      const keyPath = join(dir, `${name}.key`);
      const csr = join(dir, `${name}.csr`);
      const certPath = join(dir, `${name}.pem`);
      const ext = join(dir, `${name}.ext`);
      await writeFile(ext, `subjectAltName=${altNames.join(',')}\n`);
      await run('openssl', [
        'req',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-subj',
        `/CN=${name}`,
        '-keyout',
        keyPath,
        '-out',
        csr,
      ]);
      await run('openssl', [
        'x509',
        '-req',
        '-in',
        csr,
        '-CA',
        caPath,
        '-CAkey',
        caKey,
        '-CAcreateserial',
        '-days',
        '2',
        '-extfile',
        ext,
        '-out',
        certPath,
      ]);
      return {
        certPath,
        keyPath,
        cert: await readFile(certPath, 'utf8'),
        key: await readFile(keyPath, 'utf8'),
      };
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
