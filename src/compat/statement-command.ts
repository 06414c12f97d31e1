/**
 * What mysql2's callback `query()`/`execute()` return: a command object, an `EventEmitter`.
 * Callers use it three ways: ignore it (callback style), chain on it (Sequelize calls
 * `setMaxListeners`, mysql2's own pool waits for `'end'`), or read the events and `stream()`.
 *
 * The core resolves a statement's whole result at once, so this command emits `'fields'`,
 * one `'result'` per row (or the result header) and `'end'` after the result is complete,
 * not while rows arrive. `stream()` is refused: a stream that buffers the whole result first
 * would defeat the reason to stream. The statement is started on the next tick, so a
 * `stream()` called right away (Kysely, Knex, TypeORM, Drizzle do) prevents it from being sent.
 */
import { EventEmitter } from 'node:events';
import { toDriverError } from './driver-error.js';
import { notSupported } from './not-supported.js';
import type { StatementResult } from './run-statement.js';
import { type DriverCallback, readStatementCall, type Statement } from './statement.js';

/**
 * A running statement, as mysql2's `Query`/`Execute` command objects present it.
 *
 * @example
 * pool.query('SELECT id FROM user').on('result', (row) => ids.push(row.id)).on('end', done);
 */
export class StatementCommand extends EventEmitter {
  #cancelled = false;

  /** @internal Starts `run` on the next tick and reports to `callback` or to listeners. */
  constructor(run: () => Promise<StatementResult>, callback: DriverCallback | undefined) {
    super();
    process.nextTick(() => {
      if (this.#cancelled) return;
      run().then(
        ({ result, fields }) => this.#succeed(result, fields, callback),
        (error: unknown) => this.#fail(toDriverError(error), callback),
      );
    });
  }

  /** Not supported: the core does not deliver rows while they arrive. Nothing is sent. */
  stream(_options?: unknown): never {
    this.#cancelled = true;
    throw notSupported(
      'streaming results (query().stream())',
      'goneaway reads a result whole; page through large results with LIMIT/OFFSET or keyset pagination.',
    );
  }

  #succeed(result: unknown, fields: unknown, callback: DriverCallback | undefined): void {
    // Outside the promise chain: an exception thrown by the caller's callback must surface as
    // an uncaught exception, as with mysql2, not as an unhandled rejection.
    process.nextTick(() => {
      if (callback) callback(null, result, fields);
      if (Array.isArray(result)) {
        this.emit('fields', fields);
        if (this.listenerCount('result') > 0) for (const row of result) this.emit('result', row, 0);
      } else {
        this.emit('result', result, 0);
      }
      this.emit('end');
    });
  }

  #fail(error: Error, callback: DriverCallback | undefined): void {
    process.nextTick(() => {
      // As in mysql2: without a callback the error is emitted (and throws if nobody listens).
      if (callback) callback(error);
      else this.emit('error', error);
      this.emit('end');
    });
  }
}

/**
 * Reads mysql2's `query`/`execute` arguments and starts the command. Bad arguments are
 * reported like any failure: to the callback, or thrown when there is none.
 *
 * @example
 * startCommand((statement) => runStatement(pool, 'query', statement), 'SELECT 1', undefined, callback);
 */
export function startCommand(
  run: (statement: Statement) => Promise<StatementResult>,
  sql: unknown,
  values: unknown,
  callback: unknown,
): StatementCommand {
  let call: ReturnType<typeof readStatementCall>;
  try {
    call = readStatementCall(sql, values, callback);
  } catch (error) {
    const done = [values, callback].find((candidate) => typeof candidate === 'function') as
      | DriverCallback
      | undefined;
    if (!done) throw toDriverError(error);
    return new StatementCommand(() => Promise.reject(error), done);
  }
  const { statement } = call;
  return new StatementCommand(() => run(statement), call.callback);
}
