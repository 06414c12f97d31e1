import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { CliError } from '../../src/cli/cli-error.js';
import type { CliIo, Command, InputStream, OutputStream } from '../../src/cli/command.js';
import { ExitCode } from '../../src/cli/exit-code.js';
import { runCli } from '../../src/cli/run-cli.js';

class FakeOutput extends EventEmitter implements OutputStream {
  text = '';
  constructor(readonly isTTY = false) {
    super();
  }
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

class FakeInput extends EventEmitter implements InputStream {
  readonly isTTY = false;
  setEncoding(): this {
    return this;
  }
  resume(): this {
    return this;
  }
  pause(): this {
    return this;
  }
}

function fakeIo(env: Record<string, string> = {}, tty = false) {
  const stdout = new FakeOutput(tty);
  const stderr = new FakeOutput(tty);
  const io: CliIo = { stdout, stderr, stdin: new FakeInput(), env };
  return { io, stdout, stderr };
}

/** A command that reports what it received, or throws what it is told to. */
function probe(behaviour: (values: Record<string, unknown>) => number): Command {
  return {
    name: 'probe',
    summary: 'A test command',
    usage: '[thing]',
    maxPositionals: 1,
    options: {
      password: { type: 'string', short: 'p', description: 'A secret' },
      'password-prompt': { type: 'boolean', hidden: true, description: 'internal' },
      count: { type: 'string', valueName: 'n', description: 'How many' },
    },
    async run(context, input) {
      context.out.line(
        `values ${JSON.stringify(input.values)} positionals ${JSON.stringify(input.positionals)}`,
      );
      return behaviour(input.values as Record<string, unknown>);
    },
  };
}

describe('runCli', () => {
  it('lists every command in --help, and exits 0', async () => {
    const { io, stdout } = fakeIo();
    assert.equal(await runCli(['--help'], io), ExitCode.Ok);
    for (const name of ['doctor', 'top', 'reproduce', 'sandbox', 'proxy']) {
      assert.match(stdout.text, new RegExp(`^ {2}${name} +\\S`, 'm'));
    }
    assert.match(
      stdout.text,
      /Exit codes: 0 ok, 1 problem found or command failed, 2 usage error, 3 cannot connect, 4 access denied/,
    );
  });

  it("shows a command's options from its table, without hidden ones", async () => {
    const { io, stdout } = fakeIo();
    assert.equal(
      await runCli(['probe', '--help'], io, { commands: [probe(() => 0)] }),
      ExitCode.Ok,
    );
    assert.match(stdout.text, /^Usage: goneaway probe \[thing\]$/m);
    assert.match(stdout.text, /^ {2}-p, --password <value> +A secret$/m);
    assert.match(stdout.text, /^ {6}--count <n> +How many$/m);
    assert.match(stdout.text, /^ {6}--help +Show this help$/m);
    assert.doesNotMatch(stdout.text, /password-prompt/);
  });

  it('prints the version', async () => {
    const { io, stdout } = fakeIo();
    assert.equal(await runCli(['--version'], io), ExitCode.Ok);
    assert.match(stdout.text, /^\d+\.\d+\.\d+\n$/);
  });

  it('without a command: help on stderr, exit 2', async () => {
    const { io, stdout, stderr } = fakeIo();
    assert.equal(await runCli([], io), ExitCode.Usage);
    assert.equal(stdout.text, '');
    assert.match(stderr.text, /^Usage: goneaway <command>/m);
  });

  it('an unknown command or option: one line, exit 2', async () => {
    const unknown = fakeIo();
    assert.equal(await runCli(['frobnicate'], unknown.io), ExitCode.Usage);
    assert.equal(
      unknown.stderr.text,
      'goneaway: unknown command "frobnicate"; commands: doctor, top, reproduce, sandbox, proxy (see goneaway --help)\n',
    );

    const option = fakeIo();
    assert.equal(
      await runCli(['probe', '--nope=1'], option.io, { commands: [probe(() => 0)] }),
      ExitCode.Usage,
    );
    assert.equal(
      option.stderr.text,
      "goneaway probe: unknown option '--nope' (see goneaway probe --help)\n",
    );
  });

  it('too many arguments: exit 2 without quoting them', async () => {
    const { io, stderr } = fakeIo();
    assert.equal(
      await runCli(['probe', 'a', 'hunter2'], io, { commands: [probe(() => 0)] }),
      ExitCode.Usage,
    );
    assert.equal(
      stderr.text,
      'goneaway probe: expected at most 1 argument, got 2 (see goneaway probe --help)\n',
    );
  });

  it('turns a bare -p into a prompt request and passes values through', async () => {
    const { io, stdout } = fakeIo();
    assert.equal(await runCli(['probe', '-p', 'thing'], io, { commands: [probe(() => 3)] }), 3);
    assert.match(stdout.text, /"password-prompt":true/);
    assert.match(stdout.text, /positionals \["thing"\]/);
  });

  it('never prints a password given on the command line, not even in its own output', async () => {
    const { io, stdout, stderr } = fakeIo();
    await runCli(['probe', '--password=hunter2', '--count', 'x'], io, {
      commands: [probe(() => 0)],
    });
    assert.ok(stdout.text.length > 0);
    assert.ok(!stdout.text.includes('hunter2') && !stderr.text.includes('hunter2'), stdout.text);
  });

  it('a CliError becomes one line with its exit code', async () => {
    const failing = probe(() => {
      throw new CliError('the widget is broken', ExitCode.CannotConnect);
    });
    const { io, stderr } = fakeIo();
    assert.equal(await runCli(['probe'], io, { commands: [failing] }), ExitCode.CannotConnect);
    assert.equal(stderr.text, 'goneaway probe: the widget is broken\n');
  });

  it('a bug becomes one redacted line without a stack trace, exit 1', async () => {
    const buggy = probe(() => {
      throw new Error('failed for mysql://app:hunter2@db/x');
    });
    const { io, stderr } = fakeIo();
    assert.equal(await runCli(['probe'], io, { commands: [buggy] }), ExitCode.Problem);
    assert.equal(
      stderr.text,
      'goneaway probe: unexpected error: failed for mysql://app:***@db/x (run with NODE_DEBUG=goneaway to see where)\n',
    );
  });
});
