import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shouldUseColor, stripAnsi, terminalStyle } from '../../src/cli/terminal-style.js';

describe('shouldUseColor', () => {
  it('colours a terminal only', () => {
    assert.equal(shouldUseColor({ isTTY: true, env: {} }), true);
    assert.equal(shouldUseColor({ isTTY: false, env: {} }), false);
    assert.equal(shouldUseColor({ isTTY: undefined, env: {} }), false);
  });

  it('never colours with NO_COLOR set to anything but empty, TERM=dumb, or --no-color', () => {
    assert.equal(shouldUseColor({ isTTY: true, env: { NO_COLOR: '1' } }), false);
    assert.equal(shouldUseColor({ isTTY: true, env: { NO_COLOR: '0' } }), false);
    assert.equal(shouldUseColor({ isTTY: true, env: { NO_COLOR: '' } }), true);
    assert.equal(shouldUseColor({ isTTY: true, env: { TERM: 'dumb' } }), false);
    assert.equal(shouldUseColor({ isTTY: true, env: {}, noColorFlag: true }), false);
  });
});

describe('terminalStyle', () => {
  it('paints with SGR codes when on, and not at all when off', () => {
    assert.equal(terminalStyle(true).red('x'), '\x1b[31mx\x1b[39m');
    assert.equal(terminalStyle(false).red('x'), 'x');
    assert.equal(stripAnsi(terminalStyle(true).bold('wide')), 'wide');
  });
});
