/**
 * The orchestrator's handle on a client process: starts it (pinned to the client core when the
 * machine allows), sends requests and awaits their answers, each within a bound.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ClientRequest, ClientResponse } from './client-protocol.js';

const ENTRY = fileURLToPath(new URL('./client-process.ts', import.meta.url));
/** Start-up includes loading tsx and compiling the bench and the library on the fly. */
const START_BOUND_MS = 60_000;

/**
 * @example
 * const client = await Client.start({ core: 1 });
 * await client.request({ op: 'open', contender: 'mysql2', target, size: 16 }, 10_000);
 * await client.stop();
 */
export class Client {
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, (response: ClientResponse) => void>();
  #nextId = 1;

  private constructor(child: ChildProcess) {
    this.#child = child;
    child.on('message', (response: ClientResponse) => {
      const settle = this.#pending.get(response.id);
      this.#pending.delete(response.id);
      settle?.(response);
    });
    child.on('exit', (code, signal) => {
      const gone: ClientResponse = {
        id: -1,
        ok: false,
        error: `client process exited (${code ?? signal})`,
      };
      for (const settle of this.#pending.values()) settle(gone);
      this.#pending.clear();
    });
  }

  /** Starts a client process; `core` pins it with taskset, undefined leaves it unpinned. */
  static async start(options: { readonly core: number | undefined }): Promise<Client> {
    const node = [process.execPath, '--expose-gc', '--import', 'tsx', ENTRY];
    const [command, ...args] =
      options.core === undefined ? node : ['taskset', '-c', String(options.core), ...node];
    const child = spawn(command!, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const client = new Client(child);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('client process did not start')),
        START_BOUND_MS,
      );
      client.#pending.set(0, (response) => {
        clearTimeout(timer);
        if (response.ok) resolve();
        else reject(new Error(response.error));
      });
    });
    return client;
  }

  /** Sends a request; rejects with the client's error, or when `boundMs` passes first. */
  request<T = unknown>(request: ClientRequest, boundMs: number): Promise<T> {
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`client did not answer ${request.op} within ${boundMs} ms`));
      }, boundMs);
      this.#pending.set(id, (response) => {
        clearTimeout(timer);
        if (response.ok) resolve(response.result as T);
        else reject(new Error(`${request.op}: ${response.error}`));
      });
      this.#child.send({ id, request });
    });
  }

  /** Asks the process to exit; kills it if it has not within a second. */
  async stop(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    this.#child.send({ id: this.#nextId++, request: { op: 'exit' } });
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 1_000);
    await exited;
    clearTimeout(timer);
  }
}
