/**
 * The doctor's report: the measured facts turned into typed numbers and verdicts, plus the
 * recommendations. This object is exactly what `goneaway doctor --json` prints, so its field
 * names are an interface: add fields, do not rename them.
 */
import { type ConnectionTarget, describeTarget } from '../connection-options.js';
import type { DoctorFacts } from './collect-facts.js';
import { LIMIT_VARIABLES, STATUS_VARIABLES, TIMEOUT_VARIABLES } from './collect-facts.js';
import { detectProxy, type ProxyFinding } from './detect-proxy.js';
import { type Recommendation, recommend } from './recommend.js';
import { type SessionSummary, summarizeSessions } from './summarize-sessions.js';

/** Which server it is, as far as the version strings tell. */
export type ServerFlavour = 'mariadb' | 'mysql' | 'percona' | 'tidb' | 'unknown';

/** A variable's session and global values; null where the server did not report it. */
export interface VariableValue {
  readonly session: number | null;
  readonly global: number | null;
  /** `max_execution_time` is in ms; every other timeout is in seconds. */
  readonly unit: 's' | 'ms';
}

/** Whether this connection is encrypted, and what the server offers. */
export interface TlsFinding {
  readonly encrypted: boolean;
  readonly cipher: string | null;
  readonly protocol: string | null;
  /** `have_ssl`: true for YES, false for DISABLED/NO, null when the server does not say. */
  readonly serverOffersTls: boolean | null;
  /** `require_secure_transport`, null when the server does not have it. */
  readonly serverRequiresTls: boolean | null;
  /**
   * Which checks of the server's certificate ran for this connection (from `--ssl-mode`):
   * that it chains to a trusted CA and names the host (or its IP address), only the chain, or
   * none. Null when the connection is not encrypted.
   */
  readonly verified: 'certificate and host name' | 'certificate' | 'none' | null;
}

/** Which certificate checks each TLS mode runs. */
const TLS_CHECKS: Readonly<Record<ConnectionTarget['sslMode'], TlsFinding['verified']>> = {
  DISABLED: null,
  REQUIRED: 'none',
  VERIFY_CA: 'certificate',
  VERIFY_IDENTITY: 'certificate and host name',
};

/** Round trips of `SELECT 1`, in ms. */
export interface RoundTrip {
  readonly samples: number;
  readonly minMs: number | null;
  readonly medianMs: number | null;
  readonly maxMs: number | null;
}

/** Everything the report says except the recommendations, which are derived from it. */
export interface Measurements {
  readonly target: string;
  /** Whether the target is this machine (loopback or a socket): TLS matters less. */
  readonly local: boolean;
  readonly server: {
    readonly version: string | null;
    readonly flavour: ServerFlavour;
    readonly versionComment: string | null;
    readonly hostname: string | null;
    readonly account: string | null;
    readonly connectionId: number | null;
    readonly uptimeS: number | null;
  };
  readonly connection: {
    readonly connectMs: number;
    readonly roundTrip: RoundTrip;
    readonly tls: TlsFinding;
  };
  readonly proxy: ProxyFinding;
  readonly timeouts: Readonly<Record<string, VariableValue>>;
  readonly limits: Readonly<Record<string, number | null>>;
  readonly status: Readonly<Record<string, number | null>>;
  readonly sessions: SessionSummary | null;
  readonly limitations: readonly string[];
}

/** What `goneaway doctor --json` prints. */
export interface DoctorReport extends Measurements {
  readonly goneaway: string;
  readonly recommendations: readonly Recommendation[];
}

/**
 * Builds the report from the facts.
 *
 * @example
 * const report = buildReport(facts, target, '0.1.0');
 * report.timeouts.wait_timeout?.global; // 28800
 */
export function buildReport(
  facts: DoctorFacts,
  target: ConnectionTarget,
  version: string,
): DoctorReport {
  const timeouts: Record<string, VariableValue> = {};
  for (const name of TIMEOUT_VARIABLES) {
    const session = toNumber(facts.sessionVariables[name]);
    const global = toNumber(facts.globalVariables[name]);
    if (session === null && global === null) continue;
    timeouts[name] = { session, global, unit: name === 'max_execution_time' ? 'ms' : 's' };
  }
  const limits: Record<string, number | null> = {};
  for (const name of LIMIT_VARIABLES) {
    if (name === 'have_ssl' || name === 'require_secure_transport') continue;
    limits[name] = toNumber(facts.globalVariables[name]);
  }
  const status: Record<string, number | null> = {};
  for (const name of STATUS_VARIABLES) status[name] = toNumber(facts.status[name]);

  const waitTimeoutS = timeouts.wait_timeout?.global ?? null;
  const measurements: Measurements = {
    target: describeTarget(target),
    local: target.socketPath !== undefined || isLoopback(target.host),
    server: {
      version: facts.version ?? null,
      flavour: flavourOf(facts.version, facts.versionComment),
      versionComment: facts.versionComment ?? null,
      hostname: facts.hostname ?? null,
      account: facts.account ?? null,
      connectionId: facts.connectionId ?? null,
      uptimeS: status.Uptime ?? null,
    },
    connection: {
      connectMs: round(facts.connectMs),
      roundTrip: roundTrip(facts.roundTripsMs),
      tls: {
        encrypted: Boolean(facts.sslCipher),
        cipher: facts.sslCipher || null,
        protocol: facts.sslVersion || null,
        serverOffersTls: yesNo(facts.globalVariables.have_ssl, 'YES'),
        serverRequiresTls: yesNo(facts.globalVariables.require_secure_transport, 'ON'),
        verified: facts.sslCipher ? TLS_CHECKS[target.sslMode] : null,
      },
    },
    proxy: detectProxy({
      port: target.port,
      viaSocket: target.socketPath !== undefined,
      plainVersionComment: facts.plainVersionComment,
      version: facts.version,
      connectionId: facts.connectionId,
      greeting: facts.greeting,
      localAddress: facts.localAddress,
      localPort: facts.localPort,
      serverSeenHost: facts.serverSeenHost,
    }),
    timeouts,
    limits,
    status,
    sessions: facts.processlist
      ? summarizeSessions(facts.processlist, {
          ownId: facts.connectionId,
          waitTimeoutS,
          visible: facts.seesAllSessions === true ? 'all' : 'own',
        })
      : null,
    limitations: facts.limitations,
  };
  return { goneaway: version, ...measurements, recommendations: recommend(measurements) };
}

/** `'28800'` → 28800, `'0.000000'` → 0, `''`/`undefined`/`'OFF'` → null. */
function toNumber(value: string | undefined): number | null {
  if (value === undefined || value.trim() === '') return null;
  const number = Number(value);
  return Number.isFinite(number) ? number : null;
}

function yesNo(value: string | undefined, yes: string): boolean | null {
  if (value === undefined || value === '') return null;
  return value.toUpperCase() === yes;
}

function flavourOf(version: string | undefined, comment: string | undefined): ServerFlavour {
  if (!version) return 'unknown';
  if (/mariadb/i.test(version)) return 'mariadb';
  if (/tidb/i.test(version)) return 'tidb';
  if (/percona/i.test(comment ?? '') || /percona/i.test(version)) return 'percona';
  return /^\d+\.\d+/.test(version) ? 'mysql' : 'unknown';
}

function roundTrip(samples: readonly number[]): RoundTrip {
  if (samples.length === 0) return { samples: 0, minMs: null, medianMs: null, maxMs: null };
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = sorted[Math.floor((sorted.length - 1) / 2)] ?? 0;
  return {
    samples: sorted.length,
    minMs: round(sorted[0] ?? 0),
    medianMs: round(middle),
    maxMs: round(sorted.at(-1) ?? 0),
  };
}

/** Milliseconds to 0.01 ms: finer is noise. */
function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}
