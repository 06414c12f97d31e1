/**
 * The thin adapter every contender is driven through. It only translates "run this statement
 * with these values" and "shut down" into the library's own calls: no retry, no timeout, no
 * error handling of its own, so what the workload sees is what an application using the
 * library would see.
 */

/** Where and as whom a contender connects (through its own fault proxy). */
export interface Target {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
}

/** The values the workload binds: ids and short strings. */
export type SqlValue = string | number;

/** One contender, ready to run statements. */
export interface ContenderAdapter {
  /** Runs one statement with `?` placeholders; settles the way the library settles it. */
  query(sql: string, values: SqlValue[]): Promise<unknown>;
  /** Shuts the library down the way its docs say to (pool end, destroy, quit). */
  end(): Promise<void>;
}
