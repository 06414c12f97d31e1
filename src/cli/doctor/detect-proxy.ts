/**
 * Whether something sits between the client and the server, from signatures that need no
 * privilege and no knowledge of the proxy's admin interface:
 *
 * - ProxySQL answers the verbatim `select @@version_comment limit 1` itself, with
 *   `(ProxySQL)`; the same question with a comment in it reaches the server.
 * - A proxy that speaks the protocol (ProxySQL, MySQL Router with connection sharing,
 *   MaxScale) sends its own greeting: the version or connection id it announces differs from
 *   the server's `VERSION()` and `CONNECTION_ID()`.
 * - Any forwarder, down to a plain TCP proxy or NAT: the server sees this session coming from
 *   another address or port than the one this client's socket is bound to.
 * - Default ports (weak on their own): 6033 is ProxySQL's, 6446-6450 are MySQL Router's.
 */

/** The facts {@link detectProxy} reads; see `collect-facts.ts` for where each comes from. */
export interface ProxyEvidenceInput {
  readonly port: number;
  readonly viaSocket: boolean;
  readonly plainVersionComment?: string;
  readonly version?: string;
  readonly connectionId?: number;
  readonly greeting: { readonly version?: string; readonly connectionId?: number };
  readonly localAddress?: string;
  readonly localPort?: number;
  readonly serverSeenHost?: string;
}

/** What sits in front of the server, as far as the signatures tell. */
export type ProxyKind = 'proxysql' | 'mysql-router' | 'protocol-proxy' | 'tcp-forwarder';

/** The verdict, with the evidence in words for the report. */
export interface ProxyFinding {
  readonly detected: boolean;
  readonly kind: ProxyKind | null;
  readonly evidence: readonly string[];
}

const ROUTER_PORTS = new Set([6446, 6447, 6448, 6449, 6450]);
const PROXYSQL_PORT = 6033;

/**
 * Judges the proxy signatures.
 *
 * @example
 * detectProxy({ port: 6033, viaSocket: false, plainVersionComment: '(ProxySQL)', greeting: {} });
 * // { detected: true, kind: 'proxysql', evidence: [...] }
 */
export function detectProxy(input: ProxyEvidenceInput): ProxyFinding {
  const evidence: string[] = [];
  let kind: ProxyKind | null = null;

  if (input.plainVersionComment?.includes('ProxySQL')) {
    kind = 'proxysql';
    evidence.push(
      `"select @@version_comment limit 1" was answered with "${input.plainVersionComment}"`,
    );
  }
  const greetingVersion = input.greeting.version?.replace(/^5\.5\.5-/, '');
  if (greetingVersion && input.version && greetingVersion !== input.version) {
    kind ??= 'protocol-proxy';
    evidence.push(
      `the greeting announced version ${greetingVersion}, the server reports ${input.version}`,
    );
  }
  const greetingId = input.greeting.connectionId;
  if (
    greetingId !== undefined &&
    input.connectionId !== undefined &&
    greetingId !== input.connectionId
  ) {
    kind ??= 'protocol-proxy';
    evidence.push(
      `the greeting gave connection id ${greetingId}, the server's CONNECTION_ID() is ${input.connectionId}`,
    );
  }
  const seen = input.viaSocket ? undefined : parseHostPort(input.serverSeenHost);
  if (
    seen &&
    input.localPort !== undefined &&
    seen.port !== undefined &&
    seen.port !== input.localPort
  ) {
    kind ??= 'tcp-forwarder';
    const local = `${normalizeAddress(input.localAddress ?? '?')}:${input.localPort}`;
    evidence.push(
      `the server sees this session coming from ${seen.host}:${seen.port}, but it leaves this client from ${local}`,
    );
  }
  if (ROUTER_PORTS.has(input.port) && !input.viaSocket) {
    if (evidence.length > 0 && (kind === 'protocol-proxy' || kind === 'tcp-forwarder'))
      kind = 'mysql-router';
    evidence.push(`port ${input.port} is a MySQL Router default port`);
  } else if (input.port === PROXYSQL_PORT && !input.viaSocket) {
    if (evidence.length > 0 && kind !== 'proxysql') kind = 'proxysql';
    evidence.push(`port ${PROXYSQL_PORT} is ProxySQL's default port`);
  }
  return { detected: kind !== null, kind, evidence };
}

/** `10.0.0.5:53122` → host and port; `[::1]:5000` too; undefined for `localhost` (a socket). */
function parseHostPort(
  host: string | undefined,
): { readonly host: string; readonly port: number | undefined } | undefined {
  if (!host) return undefined;
  const match = /^\[?([^\]]*?)\]?:(\d+)$/.exec(host);
  if (!match) return { host, port: undefined };
  return { host: match[1] ?? host, port: Number(match[2]) };
}

function normalizeAddress(address: string): string {
  return address.replace(/^::ffff:/, '');
}
