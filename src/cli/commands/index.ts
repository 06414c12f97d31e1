/**
 * The command table: what `goneaway --help` lists, in this order. A new command is one file
 * in this folder exporting a `Command`, and one line here.
 */
import type { Command } from '../command.js';
import { doctor } from './doctor.js';
import { proxy } from './proxy.js';
import { reproduce } from './reproduce.js';
import { sandbox } from './sandbox.js';
import { top } from './top.js';

/**
 * Every `goneaway` command.
 *
 * @example
 * await runCli(['doctor', '--json'], io, { commands: COMMANDS });
 */
export const COMMANDS: readonly Command[] = [doctor, top, reproduce, sandbox, proxy];
