/**
 * The table of built-in names (src/sql/builtin-names.ts) against the real server. The
 * classifier treats a call of a listed name as built in, so as not stored code that may write
 * (issue 12); a wrong entry would let a stored function's writes be retried. For each name
 * this test creates a stored function of that very name (it answers a marker), then calls the
 * name the ways the table allows, with zero to three arguments, and checks that the stored
 * function never answers: the server resolved the name to its own built-in (whatever the
 * built-in then said: a value, a wrong-argument-count error 1582, a syntax error). A name
 * marked MySQL-only must, conversely, reach the stored function on MariaDB, so the table is
 * exact about MariaDB in both directions. MySQL entries cannot be checked here (no MySQL
 * server in CI).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import mysql from 'mysql2/promise';
import { BUILTIN_NAMES, type BuiltinName } from '../../src/sql/builtin-names.js';
import { type Sandbox, testServer } from '../../src/testing/index.js';

const MARKER = 'gw-stored-function';
/** The server answered with the stored function (its marker, or its own argument-count error). */
const STORED_ERRNOS = new Set([1318, 1305]); // ER_SP_WRONG_NO_OF_ARGS, ER_SP_DOES_NOT_EXIST
const ARGUMENT_LISTS = ['()', '(1)', '(1, 1)', '(1, 1, 1)'];
const FORMS = { adjacent: '', space: ' ', comment: '/* c */' } as const;

describe('built-in names against MariaDB', () => {
  let server: Sandbox;
  let connection: mysql.Connection;
  before(async () => {
    server = await testServer();
    connection = await mysql.createConnection({ uri: server.uri, connectTimeout: 10_000 });
  });
  after(async () => {
    await connection?.end();
    await server?.stop();
  });

  /** Whether `sql` ran the stored function rather than a built-in. */
  async function reachesStoredFunction(sql: string): Promise<boolean> {
    try {
      const [rows] = await connection.query<mysql.RowDataPacket[]>(sql);
      return Object.values(rows[0] ?? {})[0] === MARKER;
    } catch (error) {
      return STORED_ERRNOS.has(Number((error as { errno?: number }).errno));
    }
  }

  /** The calls (form and argument list) that reach the stored function of the same name. */
  async function storedCalls(name: string, entry: BuiltinName | undefined): Promise<string[]> {
    const found: string[] = [];
    for (const [form, gap] of Object.entries(FORMS)) {
      // A name built in only right before its parenthesis is not claimed in other forms.
      if (entry?.adjacent && form !== 'adjacent') continue;
      for (const [count, list] of ARGUMENT_LISTS.entries()) {
        const [min, max] = entry?.arguments ?? [0, Number.POSITIVE_INFINITY];
        if (count < min || count > max) continue; // not claimed with this many arguments
        if (await reachesStoredFunction(`SELECT ${name.toLowerCase()}${gap}${list}`)) {
          found.push(`${form} ${list}`);
        }
      }
    }
    return found;
  }

  async function withStoredFunction<T>(name: string, work: () => Promise<T>): Promise<T> {
    const quoted = `\`${name.toLowerCase()}\``;
    await connection.query(
      `CREATE FUNCTION ${quoted}() RETURNS VARCHAR(40) DETERMINISTIC RETURN '${MARKER}'`,
    );
    try {
      return await work();
    } finally {
      await connection.query(`DROP FUNCTION ${quoted}`);
    }
  }

  test('the check itself sees a stored function when there is no built-in of that name', async () => {
    const found = await withStoredFunction('goneaway_not_built_in', () =>
      storedCalls('goneaway_not_built_in', undefined),
    );
    assert.equal(found.length, Object.keys(FORMS).length * ARGUMENT_LISTS.length);
  });

  test('no name listed for MariaDB ever reaches a stored function of the same name', async () => {
    const wrong: string[] = [];
    let checked = 0;
    for (const [name, entry] of BUILTIN_NAMES) {
      if (entry.on === 'mysql') continue;
      checked++;
      const found = await withStoredFunction(name, () => storedCalls(name, entry));
      if (found.length > 0) wrong.push(`${name}: ${found.join(', ')}`);
    }
    assert.ok(checked > 500, `${checked} names checked`);
    assert.deepEqual(wrong, []);
  });

  test('every name listed for MySQL only is a plain name to MariaDB', async () => {
    const notPlain: string[] = [];
    for (const [name, entry] of BUILTIN_NAMES) {
      if (entry.on !== 'mysql') continue;
      const reached = await withStoredFunction(name, () =>
        reachesStoredFunction(`SELECT ${name.toLowerCase()}()`),
      );
      if (!reached) notPlain.push(name);
    }
    assert.deepEqual(notPlain, []);
  });

  test('the limits the table states are real: outside them MariaDB calls the stored function', async () => {
    // The geometry constructors are built in only with enough arguments, and a name marked
    // "adjacent" is a stored-function call after a comment. Both are why the table says so.
    const cases: readonly [string, string][] = [
      ['POINT', 'SELECT point(1)'],
      ['LINESTRING', 'SELECT linestring()'],
      ['COUNT', 'SELECT count/* c */(1)'],
      ['NOW', 'SELECT now/* c */()'],
    ];
    for (const [name, sql] of cases) {
      const reached = await withStoredFunction(name, () => reachesStoredFunction(sql));
      assert.ok(reached, sql);
    }
  });
});
