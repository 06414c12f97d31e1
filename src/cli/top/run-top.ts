/**
 * The live loop of `goneaway top`: take over the terminal (alternate screen, raw keys, hidden
 * cursor), read a snapshot every interval, draw it, react to keys and resizes, and give the
 * terminal back exactly as it was on every way out (q, Ctrl-C, SIGTERM, a crash in a refresh).
 *
 * A refresh that fails (the server restarted, the connection was killed) does not end the
 * view: the bottom line says what happened and the next tick reconnects. A refresh that hangs
 * (a frozen server, a black-holed path) is abandoned after a bound, for the same reason.
 */
import type mysql from 'mysql2/promise';
import type { InputStream, Printer } from '../command.js';
import { closeConnection } from '../connect-for-command.js';
import { describeError } from '../describe-error.js';
import { ExitCode } from '../exit-code.js';
import { seesAllSessions } from '../processlist.js';
import { stripAnsi } from '../terminal-style.js';
import { renderTop } from './render-top.js';
import type { TopSnapshot } from './top-snapshot.js';
import { readTopSnapshot, redactSnapshot } from './top-snapshot.js';
import { handleInput, INITIAL_TOP_STATE, type TopState } from './top-state.js';

/** What {@link runTop} needs. */
export interface RunTopOptions {
  /** An open connection to start with. */
  readonly connection: mysql.Connection;
  /** Opens a new connection after the old one was lost. */
  readonly reconnect: () => Promise<mysql.Connection>;
  /** `user@host:port`, for the title. */
  readonly target: string;
  readonly out: Printer;
  readonly stdin: InputStream;
  readonly intervalMs: number;
  /** Aborted on SIGINT/SIGTERM/SIGHUP. */
  readonly signal: AbortSignal;
  readonly initialState?: TopState;
  /** Makes a statement safe to show (see `redactStatementText`); applied before any cut. */
  readonly redactStatement: (sql: string) => string;
}

const ENTER_SCREEN = '\x1b[?1049h\x1b[?25l';
const LEAVE_SCREEN = '\x1b[?25h\x1b[?1049l';
const CSI = '\x1b[';

/**
 * Runs the live view until the user quits or a signal arrives; resolves the exit code.
 *
 * @example
 * const code = await runTop({ connection, reconnect, target: 'root@127.0.0.1:3306', redactStatement: (sql) => sql,
 *   out: context.out, stdin: process.stdin, intervalMs: 1000, signal: context.signal });
 */
export async function runTop(options: RunTopOptions): Promise<number> {
  const view = new TopLoop(options);
  return view.run();
}

class TopLoop {
  readonly #options: RunTopOptions;
  #connection: mysql.Connection | undefined;
  #state: TopState;
  #snapshot: TopSnapshot | null = null;
  #seesAll: boolean | null = null;
  #notice: string | null = null;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #finish: (code: number) => void = () => {};

  constructor(options: RunTopOptions) {
    this.#options = options;
    this.#connection = options.connection;
    this.#state = options.initialState ?? INITIAL_TOP_STATE;
  }

  async run(): Promise<number> {
    const { out, stdin, signal } = this.#options;
    const done = new Promise<number>((resolve) => {
      this.#finish = resolve;
    });
    const onData = (chunk: string): void => this.#onInput(chunk);
    const onResize = (): void => this.#draw();
    const onAbort = (): void => this.#stop(ExitCode.Ok);

    // Should the process exit from under the loop (a bug, process.exit elsewhere), the
    // terminal must not be left raw and on the alternate screen.
    const restoreOnExit = (): void => {
      stdin.setRawMode?.(false);
      out.write(LEAVE_SCREEN);
    };
    process.once('exit', restoreOnExit);
    out.write(ENTER_SCREEN);
    stdin.setRawMode?.(true);
    stdin.setEncoding('utf8');
    stdin.on('data', onData);
    stdin.resume();
    out.stream.on('resize', onResize);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      if (signal.aborted) this.#stop(ExitCode.Ok);
      else void this.#tick();
      return await done;
    } finally {
      clearTimeout(this.#timer);
      signal.removeEventListener('abort', onAbort);
      out.stream.off('resize', onResize);
      stdin.off('data', onData);
      process.off('exit', restoreOnExit);
      stdin.setRawMode?.(false);
      stdin.pause();
      out.write(LEAVE_SCREEN);
      if (this.#connection) await closeConnection(this.#connection);
    }
  }

  #stop(code: number): void {
    if (this.#stopped) return;
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#finish(code);
  }

  #onInput(chunk: string): void {
    const { state, quit } = handleInput(this.#state, chunk);
    if (quit) {
      this.#stop(ExitCode.Ok);
      return;
    }
    const resumed = this.#state.paused && !state.paused;
    this.#state = state;
    this.#draw();
    if (resumed) {
      clearTimeout(this.#timer);
      void this.#tick();
    }
  }

  /** One refresh, then the next one an interval later; never two at once. */
  async #tick(): Promise<void> {
    if (this.#stopped) return;
    if (!this.#state.paused) await this.#refresh();
    if (this.#stopped) return;
    this.#draw();
    this.#timer = setTimeout(() => void this.#tick(), this.#options.intervalMs);
  }

  async #refresh(): Promise<void> {
    // A frozen server or a dark path would hang a query for the kernel's TCP timeout.
    const boundMs = Math.max(3_000, this.#options.intervalMs * 3);
    let timer: NodeJS.Timeout | undefined;
    try {
      const work = async (): Promise<TopSnapshot> => {
        if (!this.#connection) {
          this.#notice = 'reconnecting...';
          this.#draw();
          const fresh = await this.#options.reconnect();
          if (this.#stopped) {
            await closeConnection(fresh);
            throw new Error('stopped');
          }
          this.#connection = fresh;
        }
        const connection = this.#connection;
        this.#seesAll ??= await seesAllSessions(connection).catch(() => null);
        return redactSnapshot(await readTopSnapshot(connection), this.#options.redactStatement);
      };
      this.#snapshot = await Promise.race([
        work(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${boundMs} ms`)), boundMs);
        }),
      ]);
      this.#notice = null;
    } catch (error) {
      this.#connection?.destroy();
      this.#connection = undefined;
      const { message } = describeError(error, { target: this.#options.target, phase: 'query' });
      this.#notice = `${message}; retrying every ${this.#options.intervalMs} ms`;
    } finally {
      clearTimeout(timer);
    }
  }

  #draw(): void {
    if (this.#stopped) return;
    const { out } = this.#options;
    const columns = out.stream.columns ?? 80;
    const rows = out.stream.rows ?? 24;
    const lines = renderTop({
      snapshot: this.#snapshot,
      state: this.#state,
      target: this.#options.target,
      columns,
      rows,
      style: out.style,
      seesAllSessions: this.#seesAll,
      notice: this.#notice,
    });
    // Each line is placed absolutely and erased to its end only when shorter than the screen:
    // an erase in the last column would wipe the character just written there.
    let frame = '';
    lines.forEach((line, index) => {
      frame += `${CSI}${index + 1};1H${line}`;
      if (stripAnsi(line).length < columns) frame += `${CSI}K`;
    });
    if (lines.length < rows) frame += `${CSI}${lines.length + 1};1H${CSI}J`;
    out.write(frame);
  }
}
