/**
 * What a `goneaway` process's exit status means, the same for every command, so scripts can
 * tell "the server has a problem" from "you typed it wrong" from "nothing answered".
 *
 * @example
 * import { ExitCode } from './exit-code.js';
 * process.exitCode = ExitCode.CannotConnect;
 */
export const ExitCode = {
  /** The command did what was asked; `doctor` found nothing to warn about. */
  Ok: 0,
  /** `doctor` found a problem worth fixing, or a command failed after it had connected. */
  Problem: 1,
  /** The command line or a connection URI is malformed; nothing was attempted. */
  Usage: 2,
  /** No server answered: refused, unreachable, DNS failure, TLS failure, connect timeout. */
  CannotConnect: 3,
  /** A server answered but refused the login: wrong password, unknown user or database, TLS required. */
  AccessDenied: 4,
  /** Interrupted by Ctrl-C (SIGINT) before it finished: 128 + 2, as shells report it. */
  Interrupted: 130,
} as const;

/** One of the {@link ExitCode} values. */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
