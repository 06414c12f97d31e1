/**
 * mysql2's client-side escaping (`escape`, `escapeId`, `format`), with a pool's or connection's
 * `stringifyObjects` and `timezone` settings, as mysql2 applies them. The functions are
 * mysql2's own: the facade must escape exactly as the driver that sends the statement does.
 */
import mysql, { type SqlValue, type Timezone } from 'mysql2';

/** The settings escaping depends on. */
export interface EscapeSettings {
  readonly stringifyObjects: boolean;
  readonly timezone: string;
}

/**
 * Escaping bound to one pool's or connection's settings.
 *
 * @example
 * const text = new SqlText({ stringifyObjects: false, timezone: 'Z' });
 * text.format('SELECT * FROM ?? WHERE id = ?', ['user', 7]); // 'SELECT * FROM `user` WHERE id = 7'
 */
export class SqlText {
  readonly #settings: EscapeSettings;

  constructor(settings: EscapeSettings) {
    this.#settings = settings;
  }

  escape(value: unknown): string {
    return mysql.escape(
      value as SqlValue,
      this.#settings.stringifyObjects,
      this.#settings.timezone as Timezone,
    );
  }

  escapeId(value: unknown): string {
    return mysql.escapeId(value as SqlValue);
  }

  format(sql: string, values?: unknown): string {
    return mysql.format(
      sql,
      values as SqlValue | SqlValue[],
      this.#settings.stringifyObjects,
      this.#settings.timezone as Timezone,
    );
  }
}
