import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import type { InputStream, OutputStream } from '../../src/cli/command.js';
import { ExitCode } from '../../src/cli/exit-code.js';
import { promptPassword } from '../../src/cli/password-prompt.js';

/** A terminal's input side: records raw-mode changes; tests push keys with `type()`. */
class FakeTerminalInput extends EventEmitter implements InputStream {
  readonly isTTY: boolean;
  rawModes: boolean[] = [];
  constructor(tty = true) {
    super();
    this.isTTY = tty;
  }
  setRawMode(mode: boolean): this {
    this.rawModes.push(mode);
    return this;
  }
  setEncoding(): this {
    return this;
  }
  resume(): this {
    return this;
  }
  pause(): this {
    return this;
  }
  type(keys: string): void {
    this.emit('data', keys);
  }
}

class FakeOutput extends EventEmitter implements OutputStream {
  text = '';
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

describe('promptPassword', () => {
  it('reads a line in raw mode, honours backspace, and echoes nothing', async () => {
    const input = new FakeTerminalInput();
    const output = new FakeOutput();
    const answer = promptPassword(input, output, 'Password: ');
    input.type('hunx');
    input.type('\x7f');
    input.type('ter2\r');
    assert.equal(await answer, 'hunter2');
    assert.equal(output.text, 'Password: \n');
    assert.deepEqual(input.rawModes, [true, false]);
    assert.equal(input.listenerCount('data'), 0);
  });

  it('Ctrl-C cancels with exit code 130 and restores the terminal', async () => {
    const input = new FakeTerminalInput();
    const answer = promptPassword(input, new FakeOutput());
    input.type('abc\x03');
    await assert.rejects(answer, { name: 'CliError', exitCode: ExitCode.Interrupted });
    assert.deepEqual(input.rawModes, [true, false]);
  });

  it('refuses to prompt when stdin is not a terminal', async () => {
    await assert.rejects(promptPassword(new FakeTerminalInput(false), new FakeOutput()), {
      name: 'UsageError',
      message: /stdin is not a terminal/,
    });
  });
});
