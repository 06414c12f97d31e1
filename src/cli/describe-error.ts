/**
 * Turns whatever a command threw into one line a person can act on, and the exit code that
 * goes with it.
 *
 * Two sources, one function. The library's taxonomy (`classify()` from `src/errors`) decides
 * what an error is and words every case; the table below overrides the wording only for the
 * connect failures where the CLI has something more precise to say (the bound that expired,
 * the option to change), because the library's messages speak for a pool that keeps retrying
 * and the CLI does not retry.
 */
import { classify, type GoneAwayError } from '../errors/index.js';
import { CliError } from './cli-error.js';
import { ExitCode } from './exit-code.js';

/** What the CLI prints for an error, and how the process exits. */
export interface ErrorDescription {
  /** One line, no secrets (the printer redacts it once more anyway). */
  readonly message: string;
  readonly exitCode: ExitCode;
}

/** Where the error happened, for the wording. */
export interface ErrorContext {
  /** `user@host:port/db` of the server being talked to, when there is one. */
  readonly target?: string;
  /** Whether the connection was still being made (connect) or was already up (query). */
  readonly phase?: 'connect' | 'query';
  /** The connect timeout in force, for "no answer within ..." messages. */
  readonly connectTimeoutMs?: number;
}

interface Entry {
  readonly exitCode: ExitCode;
  /** The CLI's wording for the failure. */
  readonly explain: (context: ErrorContext) => string;
}

const TLS_CERT_HINT =
  'the server certificate was not accepted; pass --ssl-ca <file> with its CA, ' +
  'or --ssl-mode=REQUIRED to encrypt without verifying';

/**
 * Network and TLS failures the CLI words itself: each names the option that changes the
 * outcome. Every other code (the server's own refusals included) is worded by `classify()`.
 */
const CODES: Readonly<Record<string, Entry>> = {
  // Node system errors from connect(2) and DNS.
  ECONNREFUSED: {
    exitCode: ExitCode.CannotConnect,
    explain: () => 'connection refused (ECONNREFUSED): no server is listening there',
  },
  ETIMEDOUT: {
    exitCode: ExitCode.CannotConnect,
    explain: (c) =>
      `no answer within ${c.connectTimeoutMs ?? '?'} ms (ETIMEDOUT): the host is down, a firewall ` +
      'drops the packets, or the server is stalled; --connect-timeout-ms sets the bound',
  },
  ENOTFOUND: {
    exitCode: ExitCode.CannotConnect,
    explain: () => 'host name not found (ENOTFOUND)',
  },
  EAI_AGAIN: {
    exitCode: ExitCode.CannotConnect,
    explain: () => 'host name lookup failed for now (EAI_AGAIN); DNS is not answering',
  },
  EHOSTUNREACH: {
    exitCode: ExitCode.CannotConnect,
    explain: () => 'host unreachable (EHOSTUNREACH)',
  },
  ENETUNREACH: {
    exitCode: ExitCode.CannotConnect,
    explain: () => 'network unreachable (ENETUNREACH)',
  },
  ENOENT: {
    exitCode: ExitCode.CannotConnect,
    explain: () => 'socket file not found (ENOENT): is the server running, and is this its socket?',
  },
  EACCES: {
    exitCode: ExitCode.CannotConnect,
    explain: () => 'permission denied on the socket file (EACCES)',
  },
  ECONNRESET: {
    exitCode: ExitCode.CannotConnect,
    explain: (c) =>
      c.phase === 'query'
        ? 'the connection was reset (ECONNRESET): the server or something in between dropped it'
        : 'the connection was reset during the handshake (ECONNRESET): a proxy or firewall ' +
          'refused it, or the server is shutting down',
  },
  EPIPE: {
    exitCode: ExitCode.CannotConnect,
    explain: () => 'the connection was closed while writing to it (EPIPE)',
  },
  PROTOCOL_CONNECTION_LOST: {
    exitCode: ExitCode.CannotConnect,
    explain: (c) =>
      c.phase === 'query'
        ? 'the server closed the connection (PROTOCOL_CONNECTION_LOST)'
        : 'the server closed the connection during the handshake (PROTOCOL_CONNECTION_LOST)',
  },
  PROTOCOL_SEQUENCE_TIMEOUT: {
    exitCode: ExitCode.CannotConnect,
    explain: () => 'the server stopped answering (PROTOCOL_SEQUENCE_TIMEOUT)',
  },
  // mysql2's TLS negotiation.
  HANDSHAKE_NO_SSL_SUPPORT: {
    exitCode: ExitCode.CannotConnect,
    explain: () =>
      'the server does not offer TLS, but TLS was required (--ssl, --ssl-mode or ssl in the URI)',
  },
  DEPTH_ZERO_SELF_SIGNED_CERT: { exitCode: ExitCode.CannotConnect, explain: () => TLS_CERT_HINT },
  SELF_SIGNED_CERT_IN_CHAIN: { exitCode: ExitCode.CannotConnect, explain: () => TLS_CERT_HINT },
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: {
    exitCode: ExitCode.CannotConnect,
    explain: () => TLS_CERT_HINT,
  },
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: {
    exitCode: ExitCode.CannotConnect,
    explain: () => TLS_CERT_HINT,
  },
  CERT_HAS_EXPIRED: {
    exitCode: ExitCode.CannotConnect,
    explain: () => 'the server certificate has expired (CERT_HAS_EXPIRED)',
  },
  // goneaway's own refusal (password-exchange.ts), worded with the CLI's options.
  GONEAWAY_PASSWORD_EXCHANGE_REFUSED: {
    exitCode: ExitCode.AccessDenied,
    explain: () =>
      'goneaway refused to send the password: the server asked for full authentication without TLS, ' +
      "which would encrypt the password to a key of the server's choosing. Use --ssl, or pin the " +
      "server's key with --server-public-key-path <file>, or, only on a network you trust, " +
      '--insecure-allow-public-key-retrieval',
  },
  ERR_TLS_CERT_ALTNAME_INVALID: {
    exitCode: ExitCode.CannotConnect,
    explain: () =>
      'the server certificate does not name this host (ERR_TLS_CERT_ALTNAME_INVALID); ' +
      '--ssl-mode=VERIFY_CA skips the host name check',
  },
};

/** The fields of a driver or Node error the CLI reads. */
interface ErrorFields {
  readonly code?: unknown;
  readonly errno?: unknown;
  readonly sqlMessage?: unknown;
  readonly message?: unknown;
}

/**
 * One line and an exit code for any thrown value.
 *
 * @example
 * const { message, exitCode } = describeError(error, { target: 'app@db:3306', phase: 'connect' });
 * // message: 'cannot connect to app@db:3306: connection refused (ECONNREFUSED): ...', exitCode: 3
 */
export function describeError(error: unknown, context: ErrorContext = {}): ErrorDescription {
  if (error instanceof CliError) return { message: error.message, exitCode: error.exitCode };
  const fields: ErrorFields = typeof error === 'object' && error !== null ? error : {};
  const code = tlsCodeOf(error) ?? (typeof fields.code === 'string' ? fields.code : undefined);
  const errno = typeof fields.errno === 'number' && fields.errno > 0 ? fields.errno : undefined;
  const serverText = oneLine(
    typeof fields.sqlMessage === 'string'
      ? fields.sqlMessage
      : typeof fields.message === 'string'
        ? fields.message
        : String(error),
  );
  const entry = code === undefined ? undefined : CODES[code];

  if (entry) {
    const what = entry.explain(context);
    if (context.phase === 'query') {
      const target = context.target ?? 'the server';
      return { message: `lost the connection to ${target}: ${what}`, exitCode: ExitCode.Problem };
    }
    const prefix = context.target ? `cannot connect to ${context.target}: ` : '';
    return { message: `${prefix}${what}`, exitCode: entry.exitCode };
  }
  if (code === undefined && errno === undefined) {
    // Not from the driver or the network: a bug, and the taxonomy would guess at a cause.
    return {
      message: `unexpected error: ${serverText} (run with NODE_DEBUG=goneaway to see where)`,
      exitCode: ExitCode.Problem,
    };
  }
  const connecting = context.phase === 'connect';
  const classified = classify(error, connecting ? { phase: 'connecting' } : {});
  const exitCode = exitCodeOf(classified, connecting);
  const text = oneLine(classified.message);
  const refused = connecting && exitCode !== ExitCode.Problem && context.target;
  return {
    message: refused ? `cannot connect to ${context.target}: ${lowerFirst(text)}` : text,
    exitCode,
  };
}

/** Node's TLS error messages, by the code mysql2 overwrites with HANDSHAKE_SSL_ERROR. */
const TLS_MESSAGES: readonly (readonly [RegExp, string])[] = [
  [/^Hostname\/IP does not match certificate's altnames/, 'ERR_TLS_CERT_ALTNAME_INVALID'],
  [/^self[- ]signed certificate in certificate chain/, 'SELF_SIGNED_CERT_IN_CHAIN'],
  [/^self[- ]signed certificate/, 'DEPTH_ZERO_SELF_SIGNED_CERT'],
  [/^unable to verify the first certificate/, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
  [/^unable to get local issuer certificate/, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'],
  [/^certificate has expired/, 'CERT_HAS_EXPIRED'],
];

/**
 * mysql2 replaces the code of a TLS failure with its own HANDSHAKE_SSL_ERROR (the object is
 * Node's, its message unchanged): recover Node's code, so the table's advice applies.
 */
function tlsCodeOf(error: unknown): string | undefined {
  const fields = error as { code?: unknown; message?: unknown } | null;
  if (fields?.code !== 'HANDSHAKE_SSL_ERROR' || typeof fields.message !== 'string')
    return undefined;
  const message = fields.message;
  return TLS_MESSAGES.find(([pattern]) => pattern.test(message))?.[1];
}

/** Exit codes by the taxonomy's class, for errors the CLI's own table does not list. */
function exitCodeOf(error: GoneAwayError, connecting: boolean): ExitCode {
  if (error.name === 'AuthenticationError') return ExitCode.AccessDenied;
  if (!connecting) return ExitCode.Problem;
  // The server answered and refused (unknown database, TLS required): the login failed.
  if (error.name === 'ConfigurationError' && error.errno !== undefined)
    return ExitCode.AccessDenied;
  return ExitCode.CannotConnect;
}

function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text.charAt(0).toLowerCase() + text.slice(1) : text;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/**
 * The error as a `CliError` with the described message and exit code (the original as its
 * `cause`), for a command to rethrow with the context only it knows.
 *
 * @example
 * try { await readTopSnapshot(connection); }
 * catch (error) { throw toCliError(error, { target: 'app@db:3306', phase: 'query' }); }
 */
export function toCliError(error: unknown, context: ErrorContext): CliError {
  if (error instanceof CliError) return error;
  const { message, exitCode } = describeError(error, context);
  return new CliError(message, exitCode, { cause: error });
}
