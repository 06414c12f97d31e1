/**
 * What the figures were measured on, and where each process runs. On a machine with two cores
 * or more the orchestrator pins itself (and so the MariaDB server it starts, which inherits the
 * affinity) to one core and starts the client processes on another, so the server and the pool
 * under test do not take turns on one core. Other work on the machine is not pinned away: the
 * load average and the count of other MariaDB servers say how busy it was.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';

/** Where the server and the clients run. */
export interface Placement {
  /** Core of the orchestrator and the server; undefined when not pinned. */
  readonly serverCore: number | undefined;
  /** Core of the client processes; undefined when not pinned. */
  readonly clientCore: number | undefined;
  /** One sentence for the report. */
  readonly note: string;
}

function run(command: string, args: readonly string[]): string | undefined {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return undefined;
  }
}

/** The cores this process may run on, from `taskset -pc`; undefined without taskset. */
function allowedCores(pid: number): number[] | undefined {
  const out = run('taskset', ['-pc', String(pid)]);
  const list = out?.split(':').at(-1)?.trim();
  if (!list) return undefined;
  return list.split(',').flatMap((part) => {
    const [from, to] = part.split('-').map(Number);
    if (from === undefined || Number.isNaN(from)) return [];
    return Array.from({ length: (to ?? from) - from + 1 }, (_, i) => from + i);
  });
}

/**
 * Pins this process (every thread) to the first allowed core and picks the last for clients,
 * when allowed; otherwise says why not.
 *
 * @example
 * const placement = pinOrchestrator(true);
 * console.log(placement.note);
 */
export function pinOrchestrator(enabled: boolean): Placement {
  const none = (why: string): Placement => ({
    serverCore: undefined,
    clientCore: undefined,
    note: `not pinned: ${why}`,
  });
  if (!enabled) return none('--no-pin given');
  const cores = allowedCores(process.pid);
  if (!cores) return none('taskset is not available (Debian: util-linux)');
  if (cores.length < 2) return none(`only ${cores.length} core is allowed to this process`);
  const serverCore = cores[0]!;
  const clientCore = cores.at(-1)!;
  if (run('taskset', ['-a', '-p', '-c', String(serverCore), String(process.pid)]) === undefined)
    return none('taskset could not change this process’s affinity');
  return {
    serverCore,
    clientCore,
    note:
      `server (and the orchestrator that starts it) pinned to core ${serverCore}, each client ` +
      `process to core ${clientCore} (taskset); other work on the machine is not pinned away`,
  };
}

/** The cores the sandbox's `mariadbd` may run on, read back from the kernel, for the report. */
export function serverAffinity(socketPath: string): string {
  try {
    const pid = readFileSync(join(dirname(socketPath), 'mariadbd.pid'), 'utf8').trim();
    const cores = allowedCores(Number(pid));
    return cores ? cores.join(',') : 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * One line about the machine: cores, CPU, memory, OS, Node.
 *
 * @example
 * console.log(machineLine());
 */
export function machineLine(): string {
  const cpus = os.cpus();
  const model = cpus[0]?.model.replace(/\s+/g, ' ').trim() ?? 'unknown CPU';
  const memoryGiB = Math.round(os.totalmem() / 2 ** 30);
  return `${cpus.length} cores (${model}), ${memoryGiB} GiB, ${os.type()} ${os.release()}, Node ${process.versions.node}`;
}

/**
 * The 1-, 5- and 15-minute load averages, and how many other MariaDB servers are running.
 *
 * @example
 * console.log(loadLine(1)); // 'load average 0.52 / 0.61 / 0.70; 0 other mariadbd running'
 */
export function loadLine(ownServers: number): string {
  const [one, five, fifteen] = os.loadavg().map((v) => v.toFixed(2));
  const servers = run('pgrep', ['-c', '-x', 'mariadbd']);
  const others = servers === undefined ? 0 : Math.max(0, Number(servers.trim()) - ownServers);
  return `load average ${one} / ${five} / ${fifteen}; ${others} other mariadbd running`;
}
