import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CliError } from '../../src/cli/cli-error.js';
import { describeError } from '../../src/cli/describe-error.js';
import { ExitCode } from '../../src/cli/exit-code.js';

/** Errors shaped as mysql2 and Node raise them (codes measured against MariaDB 10.11). */
function driverError(fields: Record<string, unknown>): Error {
  return Object.assign(new Error(String(fields.message ?? fields.sqlMessage ?? '')), fields);
}

const target = 'app@127.0.0.1:3306/shop';

describe('describeError', () => {
  it('explains a refused TCP connect, exit 3', () => {
    const { message, exitCode } = describeError(
      driverError({
        code: 'ECONNREFUSED',
        errno: -111,
        syscall: 'connect',
        fatal: true,
        message: 'connect ECONNREFUSED 127.0.0.1:3306',
      }),
      { target, phase: 'connect' },
    );
    assert.equal(exitCode, ExitCode.CannotConnect);
    assert.equal(
      message,
      `cannot connect to ${target}: connection refused (ECONNREFUSED): no server is listening there`,
    );
  });

  it('names the connect timeout that expired', () => {
    const { message, exitCode } = describeError(
      driverError({ code: 'ETIMEDOUT', fatal: true, message: 'connect ETIMEDOUT' }),
      { target, phase: 'connect', connectTimeoutMs: 750 },
    );
    assert.equal(exitCode, ExitCode.CannotConnect);
    assert.match(message, /no answer within 750 ms \(ETIMEDOUT\).*--connect-timeout-ms/);
  });

  it('says TLS was required but not offered, exit 3', () => {
    const { message, exitCode } = describeError(
      driverError({
        code: 'HANDSHAKE_NO_SSL_SUPPORT',
        fatal: true,
        message: 'Server does not support secure connection',
      }),
      { target, phase: 'connect' },
    );
    assert.equal(exitCode, ExitCode.CannotConnect);
    assert.match(message, /the server does not offer TLS, but TLS was required/);
  });

  it('passes a refused login through the taxonomy, exit 4', () => {
    const { message, exitCode } = describeError(
      driverError({
        code: 'ER_ACCESS_DENIED_ERROR',
        errno: 1045,
        sqlState: '28000',
        sqlMessage: "Access denied for user 'app'@'127.0.0.1' (using password: YES)",
      }),
      { target, phase: 'connect' },
    );
    assert.equal(exitCode, ExitCode.AccessDenied);
    assert.match(
      message,
      new RegExp(
        `^cannot connect to ${target}: .*ER_ACCESS_DENIED_ERROR 1045.*Access denied for user 'app'`,
      ),
    );
    assert.doesNotMatch(message, /\n/);
  });

  it('treats an unknown database at login as a refused login, exit 4', () => {
    const { exitCode } = describeError(
      driverError({
        code: 'ER_BAD_DB_ERROR',
        errno: 1049,
        sqlState: '42000',
        sqlMessage: "Unknown database 'x'",
      }),
      { target, phase: 'connect' },
    );
    assert.equal(exitCode, ExitCode.AccessDenied);
  });

  it('treats too many connections at login as nothing to connect to, exit 3', () => {
    const { exitCode } = describeError(
      driverError({
        code: 'ER_CON_COUNT_ERROR',
        errno: 1040,
        sqlState: '08004',
        sqlMessage: 'Too many connections',
        fatal: true,
      }),
      { target, phase: 'connect' },
    );
    assert.equal(exitCode, ExitCode.CannotConnect);
  });

  it('reports a connection lost after connecting as a failed command, exit 1', () => {
    const { message, exitCode } = describeError(
      driverError({ code: 'ECONNRESET', fatal: true, message: 'read ECONNRESET' }),
      { target, phase: 'query' },
    );
    assert.equal(exitCode, ExitCode.Problem);
    assert.match(
      message,
      new RegExp(`^lost the connection to ${target}: the connection was reset`),
    );
  });

  it('keeps a CliError as it is', () => {
    assert.deepEqual(describeError(new CliError('bad thing', ExitCode.Usage)), {
      message: 'bad thing',
      exitCode: ExitCode.Usage,
    });
  });

  it('calls a bug a bug, on one line', () => {
    const { message, exitCode } = describeError(new TypeError('x is not a function\n    at y'));
    assert.equal(exitCode, ExitCode.Problem);
    assert.equal(
      message,
      'unexpected error: x is not a function at y (run with NODE_DEBUG=goneaway to see where)',
    );
  });
});
