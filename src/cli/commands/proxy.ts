/**
 * `goneaway proxy <target>`: the test kit's TCP fault proxy in the foreground, so people can
 * put real network faults (resets, a black-holed path, latency, refused connections) between
 * their own application and its server and watch what the application does.
 *
 * On a terminal it takes single keys; otherwise it reads one command per line from stdin
 * (`reset`, `blackhole`, `resume`, `latency 200`, `refuse on`, `stats`, `quit`), which is
 * what scripts and tests use.
 */

import { parseConnectionUri, singleHost, type UriHost } from '../../config/connection-uri.js';
import { ConfigurationError } from '../../errors/index.js';
import { type FaultProxy, startFaultProxy } from '../../testing/index.js';
import { UsageError } from '../cli-error.js';
import type { Command, CommandContext } from '../command.js';
import { describeError } from '../describe-error.js';
import { ExitCode } from '../exit-code.js';
import { integerOption, parseInteger } from '../option-values.js';

/** Latencies the `l` key cycles through, in ms. */
const LATENCY_STEPS = [0, 100, 500, 2_000];

const KEYS_HELP =
  'keys: r reset  b black-hole  c resume  l latency  n refuse new  s stats  ? help  q quit';
const LINES_HELP =
  'commands: reset | blackhole | resume | latency <ms> | refuse on|off | stats | help | quit';

/**
 * The `proxy` command.
 *
 * @example
 * await runCli(['proxy', '127.0.0.1:3306', '--listen-port', '13306'], io);
 */
export const proxy: Command = {
  name: 'proxy',
  summary: 'Run a TCP fault proxy in front of a server: reset, black-hole, delay, refuse',
  usage: '<host:port | uri> [options]',
  description: `Listens on 127.0.0.1 and forwards every connection to the target. Point your
application at the proxy, then inject faults: reset every connection (both ends get a TCP
RST), black-hole the path (sockets stay open, nothing is forwarded, new connections hang),
resume, add latency, or refuse new connections. On a terminal it takes single keys;
otherwise it reads commands from stdin, one per line: ${LINES_HELP.replace('commands: ', '')}.`,
  maxPositionals: 1,
  trapsSignals: true,
  options: {
    'listen-port': {
      type: 'string',
      valueName: 'port',
      description: 'Port to listen on, on 127.0.0.1 (default: a free port)',
    },
  },
  examples: [
    'goneaway proxy 127.0.0.1:3306 --listen-port 13306',
    "goneaway proxy 'mysql://app:secret@db.internal:3306/shop'",
  ],
  async run(context, input) {
    const spec = input.positionals[0];
    if (spec === undefined)
      throw new UsageError('name the server to forward to: host:port or a URI');
    const target = parseTarget(spec);
    const port = integerOption(input.values, 'listen-port', 0, { min: 0, max: 65535 });
    let faultProxy: FaultProxy;
    try {
      faultProxy = await startFaultProxy({ target, port });
    } catch (error) {
      const code = (error as { code?: string }).code ?? 'error';
      throw new UsageError(`cannot listen on 127.0.0.1:${port} (${code})`);
    }
    const { out } = context;
    try {
      out.line(
        `goneaway proxy: listening on ${faultProxy.host}:${faultProxy.port}, forwarding to ${target.host}:${target.port}`,
      );
      if (spec.includes('://')) out.line(`  connect to ${rewritePort(spec, faultProxy.port)}`);
      const interactive =
        context.io.stdin.isTTY === true && context.io.stdin.setRawMode !== undefined;
      out.line(`  ${interactive ? KEYS_HELP : LINES_HELP}`);
      return await serve(context, faultProxy, interactive);
    } finally {
      await faultProxy.close();
    }
  },
};

/** Reads keys or lines until `quit` or a signal; resolves the exit code. */
function serve(
  context: CommandContext,
  faultProxy: FaultProxy,
  interactive: boolean,
): Promise<number> {
  const { stdin } = context.io;
  const { out, signal } = context;
  return new Promise((resolve) => {
    let buffered = '';
    const finish = (): void => {
      stdin.off('data', onData);
      signal.removeEventListener('abort', finish);
      if (interactive) stdin.setRawMode?.(false);
      stdin.pause();
      out.line(`goneaway proxy: closed. ${formatStats(faultProxy)}`);
      resolve(ExitCode.Ok);
    };
    const run = (command: string, argument: string | undefined): void => {
      try {
        const result = execute(faultProxy, command, argument, interactive);
        if (result === 'quit') finish();
        else if (result) out.line(result);
      } catch (error) {
        out.line(describeError(error).message);
      }
    };
    const onData = (chunk: string): void => {
      if (interactive) {
        for (const key of chunk) {
          run(key === '\x03' ? 'q' : key, undefined);
          if (signal.aborted) return;
        }
        return;
      }
      buffered += chunk;
      let newline = buffered.indexOf('\n');
      while (newline !== -1) {
        const [command = '', argument] = buffered.slice(0, newline).trim().split(/\s+/);
        buffered = buffered.slice(newline + 1);
        if (command !== '') run(command.toLowerCase(), argument);
        newline = buffered.indexOf('\n');
      }
    };
    if (signal.aborted) {
      finish();
      return;
    }
    signal.addEventListener('abort', finish, { once: true });
    if (interactive) stdin.setRawMode?.(true);
    stdin.setEncoding('utf8');
    stdin.on('data', onData);
    stdin.resume();
  });
}

/** Runs one command; returns the line to print, `'quit'`, or undefined for an ignored key. */
function execute(
  faultProxy: FaultProxy,
  command: string,
  argument: string | undefined,
  interactive: boolean,
): string | 'quit' | undefined {
  switch (command) {
    case 'q':
    case 'quit':
    case 'exit':
      return 'quit';
    case 'r':
    case 'reset':
      return `reset ${faultProxy.resetAll()} connection(s): both ends got a TCP RST`;
    case 'b':
    case 'blackhole':
      faultProxy.blackhole();
      return 'black hole: nothing is forwarded, new connections hang; resume with c';
    case 'c':
    case 'resume':
      faultProxy.resume();
      return 'forwarding again (bytes dropped while dark stay lost)';
    case 'l':
    case 'latency': {
      const ms =
        argument !== undefined
          ? parseInteger(argument, 'latency', { min: 0, max: 600_000 })
          : nextLatency(faultProxy.latencyMs);
      faultProxy.latency(ms);
      return `latency ${ms} ms each way`;
    }
    case 'n':
    case 'refuse': {
      const refuse =
        argument === undefined ? !faultProxy.refusing : /^(on|1|true|yes)$/i.test(argument);
      faultProxy.refuseNew(refuse);
      return refuse ? 'refusing new connections (reset at once)' : 'accepting new connections';
    }
    case 's':
    case 'stats':
      return formatStats(faultProxy);
    case '?':
    case 'h':
    case 'help':
      return interactive ? KEYS_HELP : LINES_HELP;
    default:
      return interactive ? undefined : `unknown command "${command}"; ${LINES_HELP}`;
  }
}

function nextLatency(current: number): number {
  const index = LATENCY_STEPS.indexOf(current);
  return LATENCY_STEPS[(index + 1) % LATENCY_STEPS.length] ?? 0;
}

function formatStats(faultProxy: FaultProxy): string {
  const s = faultProxy.stats;
  const mode = [
    faultProxy.dark ? 'dark' : 'forwarding',
    faultProxy.latencyMs > 0 ? `latency ${faultProxy.latencyMs} ms` : null,
    faultProxy.refusing ? 'refusing new' : null,
  ]
    .filter(Boolean)
    .join(', ');
  return (
    `${mode}; open ${s.active}, accepted ${s.accepted}, refused ${s.refused}, resets ${s.resets}, ` +
    `bytes up ${s.bytesUp}, down ${s.bytesDown}, dropped ${s.bytesDropped}`
  );
}

/** `host:port`, `[v6]:port`, `host` (port 3306), or a mysql:// URI (its host and port). */
function parseTarget(spec: string): { host: string; port: number } {
  if (spec.includes('://')) {
    let server: UriHost | undefined;
    try {
      server = singleHost(parseConnectionUri(spec, 'the target URI'), 'the target URI');
    } catch (error) {
      if (error instanceof ConfigurationError) throw new UsageError(lowerFirst(error.message));
      throw error;
    }
    if (!server?.host) throw new UsageError('the target URI names no host');
    return { host: server.host, port: server.port ?? 3306 };
  }
  const match = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d+))?$/.exec(spec);
  const host = match?.[1] ?? match?.[2];
  if (!match || !host) throw new UsageError('the target must be host:port or a mysql:// URI');
  const port =
    match[3] === undefined
      ? 3306
      : parseInteger(match[3], 'the target port', { min: 1, max: 65535 });
  return { host, port };
}

/**
 * The URI with its host and port replaced by the proxy's (the printer redacts its password).
 * The URI was read by parseTarget: its host part ends at the first '/' or '?', after the '@'.
 */
function rewritePort(uri: string, port: number): string {
  return uri.replace(
    /^([a-z][a-z0-9+.-]*:\/\/(?:[^/?@]*@)?)[^/?]*/i,
    (_match, head: string) => `${head}127.0.0.1:${port}`,
  );
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
