/** What one `npm audit --json` run means (see audit-runtime.mjs). */
export type AuditVerdict =
  | { readonly kind: 'clean' }
  | { readonly kind: 'advisories'; readonly lines: readonly string[] }
  | { readonly kind: 'unreachable'; readonly why: string };

/**
 * Reads the output of `npm audit --omit=dev --json`.
 *
 * @example
 * auditVerdict('{"metadata":{"vulnerabilities":{"total":0}}}'); // { kind: 'clean' }
 */
export function auditVerdict(stdout: string): AuditVerdict;
