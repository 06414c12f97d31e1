import { setTimeout as sleep } from 'node:timers/promises';
import type { Sandbox } from '../../src/testing/index.js';

/**
 * The server's id of the application user's session whose running statement contains `needle`
 * (no event tells when a statement reached the server): bounded polling of the processlist.
 *
 * @example
 * const pending = db.query('SELECT SLEEP(1) AS s, 7 AS marker');
 * await server.admin('KILL CONNECTION ?', [await sessionRunning(server, 'marker')]);
 */
export async function sessionRunning(server: Sandbox, needle: string): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const rows = await server.admin(
      'SELECT ID AS id FROM information_schema.PROCESSLIST WHERE USER = ? AND INFO LIKE ?',
      [server.user, `%${needle}%`],
    );
    if (rows[0]) return Number(rows[0].id);
    await sleep(10);
  }
  throw new Error(`no session runs '${needle}'`);
}
