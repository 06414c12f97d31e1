/**
 * The one list of mysql2 options goneaway passes to the driver untouched, for the core pool's
 * `driverOptions` and the facade's mysql2-style options alike, checked at run time (a
 * JavaScript caller, or an ORM, is not stopped by TypeScript types). Each option is either
 * passed through, passed through after a check of its value, or refused with the reason.
 */
import { ConfigurationError, NotSupportedError } from '../errors/index.js';

/** What goneaway does with one mysql2 option. */
export type DriverOptionRule =
  | {
      readonly kind: 'pass';
      /** Why this value cannot be passed, or undefined when it can. */
      readonly refuse?: (value: unknown) => string | undefined;
    }
  | {
      readonly kind: 'refused';
      readonly when: (value: unknown) => boolean;
      readonly why: string;
    };

const pass: DriverOptionRule = { kind: 'pass' };

/** Client flags that would let one call run several statements, or the server read local files. */
const FORBIDDEN_FLAGS: Readonly<Record<string, string>> = {
  MULTI_STATEMENTS:
    'goneaway reads transaction and session state from one result per call; send one statement per call',
  LOCAL_FILES: 'LOAD DATA LOCAL INFILE lets the server ask for any file this process can read',
};

/** Plugins that carry the password; goneaway supplies them (see password-exchange.ts). */
const GUARDED_PLUGINS = ['caching_sha2_password', 'sha256_password'];

/**
 * Every mysql2 option that goes to the driver as it is, and every driver option goneaway
 * refuses. Connection options (host, user, password, ssl, ...) and pool options are not here:
 * goneaway reads those itself.
 *
 * @example
 * DRIVER_OPTION_RULES.multipleStatements.kind; // 'refused'
 */
export const DRIVER_OPTION_RULES = {
  charset: pass,
  charsetNumber: pass,
  timezone: pass,
  dateStrings: pass,
  typeCast: pass,
  supportBigNumbers: pass,
  bigNumberStrings: pass,
  decimalNumbers: pass,
  jsonStrings: pass,
  namedPlaceholders: pass,
  nestTables: pass,
  rowsAsArray: pass,
  stringifyObjects: pass,
  queryFormat: pass,
  maxPreparedStatements: pass,
  insecureAuth: pass,
  trace: pass,
  compress: pass,
  localAddress: pass,
  connectAttributes: pass,
  enableCleartextPlugin: pass,
  disableEval: pass,
  passwordSha1: pass,
  flags: { kind: 'pass', refuse: forbiddenFlag },
  authPlugins: {
    kind: 'pass',
    refuse: (value) => {
      const plugins = value === null || typeof value !== 'object' ? {} : value;
      const replaced = GUARDED_PLUGINS.filter((name) => Object.hasOwn(plugins, name));
      return replaced.length === 0
        ? undefined
        : `authPlugins.${replaced[0]} would replace goneaway's guard of the password; pin the server's RSA key with the serverPublicKey option instead`;
    },
  },

  multipleStatements: {
    kind: 'refused',
    when: (value) => value === true,
    why: FORBIDDEN_FLAGS.MULTI_STATEMENTS as string,
  },
  infileStreamFactory: {
    kind: 'refused',
    when: (value) => value !== undefined,
    why: 'LOAD DATA LOCAL INFILE is not supported: it lets the server ask for any file this process can read',
  },
  debug: {
    kind: 'refused',
    when: (value) => Boolean(value),
    why: 'packet dumps could carry authentication data; use goneaway events and diagnostics_channel instead',
  },
  authSwitchHandler: {
    kind: 'refused',
    when: (value) => value !== undefined,
    why: "mysql2 deprecated it, and it would bypass goneaway's guard of the password; use authPlugins for other plugins",
  },
  stream: {
    kind: 'refused',
    when: (value) => value !== undefined,
    why: 'goneaway opens and watches the socket itself',
  },
  isServer: { kind: 'refused', when: (value) => Boolean(value), why: 'goneaway is a client' },
  pool: { kind: 'refused', when: (value) => value !== undefined, why: 'it is internal to mysql2' },
} as const satisfies Record<string, DriverOptionRule>;

/** The name of a mysql2 option goneaway passes to the driver. */
export type DriverOptionName = {
  [K in keyof typeof DRIVER_OPTION_RULES]: (typeof DRIVER_OPTION_RULES)[K]['kind'] extends 'pass'
    ? K
    : never;
}[keyof typeof DRIVER_OPTION_RULES];

/**
 * Checks mysql2 options against {@link DRIVER_OPTION_RULES} and returns those to pass on
 * (options set to `undefined` count as absent, as ORMs pass many).
 *
 * @throws NotSupportedError for an option goneaway refuses, ConfigurationError for one it
 *   does not know; both name the option, never its value.
 * @example
 * checkDriverOptions({ dateStrings: true }, 'driverOptions'); // { dateStrings: true }
 */
export function checkDriverOptions(
  options: Readonly<Record<string, unknown>>,
  where: string,
): Record<string, unknown> {
  if (options === null || typeof options !== 'object') {
    throw new ConfigurationError(`${where} must be an object of mysql2 options.`);
  }
  const passed: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    const rule = Object.hasOwn(DRIVER_OPTION_RULES, key)
      ? (DRIVER_OPTION_RULES as Record<string, DriverOptionRule>)[key]
      : undefined;
    if (!rule) {
      throw new ConfigurationError(
        `Unknown mysql2 option '${key}' in ${where}. Known: ${Object.keys(DRIVER_OPTION_RULES).sort().join(', ')}.`,
      );
    }
    const why =
      rule.kind === 'refused' ? (rule.when(value) ? rule.why : undefined) : rule.refuse?.(value);
    if (why !== undefined) throw refusedOption(key, why);
    if (rule.kind === 'pass') passed[key] = value;
  }
  return passed;
}

/**
 * The error for a mysql2 option goneaway does not support: nothing was sent.
 *
 * @example
 * throw refusedOption('multipleStatements', 'send one statement per call');
 */
export function refusedOption(key: string, why: string): NotSupportedError {
  return new NotSupportedError(
    `goneaway does not support the mysql2 option ${key} as given: ${why}.`,
    { outcome: 'not-sent', retryable: false, connectionUsable: true },
  );
}

/** mysql2 reads `flags` as a comma list or an array; a name without a leading '-' turns it on. */
function forbiddenFlag(value: unknown): string | undefined {
  const names = Array.isArray(value) ? value.map(String) : String(value ?? '').split(',');
  for (const name of names) {
    const flag = name.trim().toUpperCase().replace(/^\+/, '');
    const why = Object.hasOwn(FORBIDDEN_FLAGS, flag) ? FORBIDDEN_FLAGS[flag] : undefined;
    if (why) return `flags may not turn on ${flag}: ${why}`;
  }
  return undefined;
}
