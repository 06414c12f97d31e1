/**
 * The one error the facade raises for the parts of mysql2's API it does not provide. Failing
 * loudly, before anything is sent, beats a look-alike that behaves differently (a "stream"
 * that buffers the whole result, a `changeUser` that quietly keeps the old session).
 */
import { NotSupportedError } from '../errors/index.js';

/**
 * A {@link NotSupportedError} naming the mysql2 API that was called and what to do instead.
 * Nothing was sent (outcome `'not-sent'`) and the connection stays usable.
 *
 * @example
 * throw notSupported('connection.changeUser()', 'goneaway keeps one set of credentials per pool; create a second pool instead.');
 */
export function notSupported(api: string, instead: string): NotSupportedError {
  return new NotSupportedError(`goneaway/mysql2 does not support ${api}. ${instead}`, {
    outcome: 'not-sent',
    retryable: false,
    connectionUsable: true,
  });
}
