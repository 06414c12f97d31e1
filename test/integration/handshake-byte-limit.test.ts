/**
 * A bound on what a server may send before the handshake is over (issue 19, hardening).
 *
 * What went wrong: mysql2 keeps every byte of a packet until it is complete, and a packet may
 * announce 16 MiB and go on in further packets, so a hostile server could make one connect
 * attempt buffer hundreds of MiB before the connect timeout.
 * What fixed it: goneaway owns the socket and counts what it reads until mysql2 reports the
 * handshake done; past 1 MiB it closes the socket and fails the connect with an InternalError.
 * On TLS, where the socket's chunks are no longer seen, the count is sampled.
 *
 * The flooding server sends up to 256 MiB per connection; without the bound the client reads
 * all of it within the (20 s) connect timeout, so the byte counts below would fail.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { inspect } from 'node:util';
import { HANDSHAKE_BYTE_LIMIT } from '../../src/connection/handshake-byte-limit.js';
import { createPool, InternalError } from '../../src/index.js';
import { type FakeMysqlServer, startFakeMysqlServer } from '../../src/testing/index.js';
import { makeTestCa, opensslMissing, type TestCa } from '../support/tls-certs.js';

const FLOOD_BYTES = 256 * 1024 * 1024;
const PASSWORD = 'Flood-Target-Passw0rd';
/** Bytes the server may get into socket buffers before the client closes: a few MiB of kernel buffers. */
const SLACK_BYTES = 16 * 1024 * 1024;

async function connectOnce(fake: FakeMysqlServer, ssl?: object): Promise<unknown> {
  const pool = createPool({
    host: fake.host,
    port: fake.port,
    user: 'app',
    password: PASSWORD,
    connectTimeoutMs: 20_000,
    acquireTimeoutMs: 20_000,
    ...(ssl ? { ssl } : {}),
  });
  try {
    await pool.query('SELECT 1');
    return undefined;
  } catch (error) {
    return error;
  } finally {
    await pool.end();
  }
}

function assertRefused(error: unknown): void {
  assert.ok(error instanceof InternalError, String(error));
  assert.match(
    error.message,
    new RegExp(`sent more than ${HANDSHAKE_BYTE_LIMIT} bytes before finishing the MySQL handshake`),
  );
  assert.equal(error.retryable, false, 'a flood is not waited out with retries');
  assert.equal(error.phase, 'connecting');
  for (const form of [String(error), inspect(error, { depth: 5 }), JSON.stringify(error)]) {
    assert.ok(!form.includes(PASSWORD));
  }
}

describe('a server that floods the handshake', () => {
  test('plain TCP: the connect fails after about 1 MiB, not after what the server sends', async () => {
    const fake = await startFakeMysqlServer({ floodBytes: FLOOD_BYTES });
    try {
      assertRefused(await connectOnce(fake));
      assert.ok(
        fake.floodedBytes < HANDSHAKE_BYTE_LIMIT + SLACK_BYTES,
        `the server got ${fake.floodedBytes} bytes out before the client closed`,
      );
    } finally {
      await fake.close();
    }
  });

  describe('over TLS (the socket then reads through Node TLS, unseen chunk by chunk)', () => {
    const skip = opensslMissing();
    let ca: TestCa | undefined;
    let fake: FakeMysqlServer;
    before(async () => {
      if (skip) return;
      ca = await makeTestCa();
      const { cert, key } = await ca.issue('flood', ['IP:127.0.0.1']);
      fake = await startFakeMysqlServer({ floodBytes: FLOOD_BYTES, tls: { cert, key } });
    });
    after(async () => {
      await fake?.close();
      await ca?.remove();
    });

    test('the connect fails after about 1 MiB as well', { skip }, async () => {
      assertRefused(await connectOnce(fake, { ca: ca?.ca }));
      assert.ok(
        fake.floodedBytes < HANDSHAKE_BYTE_LIMIT + SLACK_BYTES,
        `the server got ${fake.floodedBytes} bytes out before the client closed`,
      );
    });
  });
});
