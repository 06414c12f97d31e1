/**
 * The whole benchmark: one throwaway MariaDB, one MariaDB user per contender, one process per
 * contender, and every fault run in turn. Resolves with everything the reports need.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, cpus, loadavg, release, totalmem, type } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { startSandbox } from '../../src/testing/index.js';
import { AdminSession } from './admin-session.js';
import { ContenderProcesses } from './contender-runner.js';
import type { ContenderSpec } from './contenders.js';
import type { FaultSpec } from './faults.js';
import { jsonSafe } from './report/format.js';
import { type BenchResults, type FaultResult, RESULTS_SCHEMA } from './results.js';
import {
  AFTER_FAULT_MS,
  type ContenderLogin,
  FAULT_AT_MS,
  GRACE_MS,
  PERIOD_MS,
  runFault,
  WORKERS,
} from './run-fault.js';

const ROOT = resolve(import.meta.dirname, '..', '..');

/**
 * @example
 * const results = await runBenchmark(FAULTS, CONTENDERS, console.error);
 * results.faults.length; // 7
 */
export async function runBenchmark(
  faults: readonly FaultSpec[],
  specs: readonly ContenderSpec[],
  log: (line: string) => void,
): Promise<BenchResults> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const loadAtStart = loadavg()[0] ?? 0;
  const processes = new ContenderProcesses(log);
  const server = await startSandbox();
  const admin = new AdminSession(server);
  try {
    await admin.open();
    const contenders: ContenderLogin[] = specs.map((spec) => ({
      spec,
      user: `bench_${spec.id}`,
      password: randomBytes(12).toString('base64url'),
    }));
    for (const c of contenders) {
      await admin.query(`CREATE USER ?@'%' IDENTIFIED BY ?`, [c.user, c.password]);
      await admin.query(`GRANT ALL PRIVILEGES ON \`${server.database}\`.* TO ?@'%'`, [c.user]);
    }
    // No privileges at all: it only takes connection slots.
    const hog = { user: 'bench_hog', password: randomBytes(12).toString('base64url') };
    await admin.query(`CREATE USER ?@'%' IDENTIFIED BY ?`, [hog.user, hog.password]);
    const [settings] = await admin.query<Record<string, unknown>[]>(
      'SELECT @@max_connections AS max_connections, @@wait_timeout AS wait_timeout, ' +
        '@@innodb_flush_log_at_trx_commit AS innodb_flush_log_at_trx_commit, ' +
        '@@innodb_buffer_pool_size AS innodb_buffer_pool_size, @@thread_handling AS thread_handling',
    );

    const results: FaultResult[] = [];
    for (const [i, fault] of faults.entries()) {
      log(`fault ${i + 1}/${faults.length}: ${fault.title}`);
      results.push(
        await runFault(fault, i + 1, { server, admin, contenders, hog, processes, log }),
      );
    }

    return {
      schema: RESULTS_SCHEMA,
      startedAt,
      elapsedMs: Math.round(performance.now() - started),
      machine: {
        cpu: cpus()[0]?.model.trim() ?? 'unknown CPU',
        cores: availableParallelism(),
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        os: osName(),
        node: process.versions.node,
        network:
          'loopback (127.0.0.1); each contender through its own TCP fault proxy run by the orchestrator',
        loadAverage: { atStart: round2(loadAtStart), atEnd: round2(loadavg()[0] ?? 0) },
      },
      server: {
        version: server.version,
        settings: Object.fromEntries(
          Object.entries(settings ?? {}).map(([k, v]) => [k, String(v)]),
        ),
      },
      workload: {
        workers: WORKERS,
        opsPerSecondPerWorker: 1000 / PERIOD_MS,
        description:
          `${WORKERS} workers per contender, each starting one statement every ${PERIOD_MS} ms ` +
          `(at most ${(WORKERS * 1000) / PERIOD_MS} statements/s per contender), half inserting a ` +
          'row with a unique id while the other half read one row by key, then swapping. The ' +
          `fault comes ${FAULT_AT_MS / 1000} s in; the run ends ${AFTER_FAULT_MS / 1000} s after the ` +
          `fault window; a statement still unanswered ${GRACE_MS / 1000} s after that is a hang.`,
      },
      contenders: specs.map((spec) => ({
        id: spec.id,
        label: spec.label,
        library: spec.library,
        version: packageVersion(spec.library),
        variant: spec.variant,
        settings: jsonSafe(spec.settings),
        notes: spec.notes,
      })),
      faults: results,
      tools: { goneaway: packageVersion('goneaway'), node: process.versions.node },
    };
  } finally {
    processes.killAll();
    await admin.close();
    await server.stop();
  }
}

/** The version of the copy of `name` this benchmark actually loads. */
function packageVersion(name: string): string {
  if (name === 'goneaway') return readPackage(join(ROOT, 'package.json')).version;
  // Exports maps may hide package.json: resolve the entry point and walk up to its package.
  let dir = dirname(createRequire(import.meta.url).resolve(name));
  for (let i = 0; i < 10; i++) {
    const path = join(dir, 'package.json');
    if (existsSync(path)) {
      const pkg = readPackage(path);
      if (pkg.name === name) return pkg.version;
    }
    dir = dirname(dir);
  }
  return 'unknown';
}

function readPackage(path: string): { name: string; version: string } {
  return JSON.parse(readFileSync(path, 'utf8')) as { name: string; version: string };
}

function osName(): string {
  try {
    const line = readFileSync('/etc/os-release', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('PRETTY_NAME='));
    if (line) {
      return `${line.slice('PRETTY_NAME='.length).replace(/"/g, '')} (${type()} ${release()})`;
    }
  } catch {
    // not Linux, or no os-release
  }
  return `${type()} ${release()}`;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
