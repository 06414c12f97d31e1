/**
 * What a failure adds to a span or a metric point: the conventions' `error.type` (goneaway's
 * stable error code, low-cardinality by design) and `db.response.status_code` (the server's
 * errno, only when the server sent it), plus goneaway's `outcome`. Never the message: a server's
 * message can quote the values of the statement (`Duplicate entry 'alice@example.com'`).
 */
import type { Attributes } from '@opentelemetry/api';
import { isGoneAwayError } from '../errors/index.js';
import { ATTRIBUTES } from './semantic-names.js';

/** The conventions' fallback `error.type` for a failure with no better name. */
const OTHER = '_OTHER';

/**
 * `error.type`, `db.response.status_code` and `goneaway.outcome` for a failure.
 *
 * @example
 * errorAttributes(deadlock); // { 'error.type': 'GONEAWAY_DEADLOCK', 'db.response.status_code': '1213', 'goneaway.outcome': 'failed' }
 */
export function errorAttributes(error: unknown): Attributes {
  if (!isGoneAwayError(error)) {
    const name = error instanceof Error ? error.name : undefined;
    return { [ATTRIBUTES.errorType]: name || OTHER };
  }
  const attributes: Attributes = {
    [ATTRIBUTES.errorType]: error.code,
    [ATTRIBUTES.outcome]: error.outcome,
  };
  // An SQLSTATE comes only with a server's error packet; a client-side code (2013) has none.
  if (error.errno !== undefined && error.sqlState !== undefined) {
    attributes[ATTRIBUTES.dbResponseStatusCode] = String(error.errno);
  }
  return attributes;
}
