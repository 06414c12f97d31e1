/**
 * The first step of every command that talks to a server: resolve the target from the
 * command line and environment, ask for the password if `--password` came without a value,
 * and open a connection.
 */
import type mysql from 'mysql2/promise';
import type { CommandContext, CommandInput } from './command.js';
import {
  type ConnectionTarget,
  resolveConnectionTarget,
  withPassword,
} from './connection-options.js';
import { promptPassword } from './password-prompt.js';
import { openConnection } from './sql-connection.js';

/** A connected command's target and connection. */
export interface CommandConnection {
  readonly target: ConnectionTarget;
  readonly connection: mysql.Connection;
  readonly connectMs: number;
}

/**
 * Resolves the target (asking for the password if needed) without connecting.
 *
 * @example
 * const target = await resolveTargetForCommand(context, input);
 */
export async function resolveTargetForCommand(
  context: CommandContext,
  input: CommandInput,
): Promise<ConnectionTarget> {
  const target = resolveConnectionTarget(input, context.io.env, context.redactor);
  if (!target.promptForPassword) return target;
  const password = await promptPassword(context.io.stdin, context.io.stderr);
  context.redactor.add(password);
  return withPassword(target, password);
}

/**
 * Resolves the target and connects. Failures are `CliError`s with exit code 3 or 4.
 *
 * @example
 * const { target, connection } = await connectForCommand(context, input);
 */
export async function connectForCommand(
  context: CommandContext,
  input: CommandInput,
): Promise<CommandConnection> {
  const target = await resolveTargetForCommand(context, input);
  const { connection, connectMs } = await openConnection(target);
  return { target, connection, connectMs };
}

/**
 * Closes a connection politely (COM_QUIT), so the server does not count an aborted client,
 * and gives up after `timeoutMs` by destroying the socket.
 *
 * @example
 * await closeConnection(connection);
 */
export async function closeConnection(
  connection: mysql.Connection,
  timeoutMs = 1_000,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      connection.end(),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
  } catch {
    // already closed: nothing to do
  } finally {
    clearTimeout(timer);
    connection.destroy();
  }
}
