/**
 * A pool's name, as telemetry and the process-wide tracing channels know it: the `name` option,
 * or `host:port/database` numbered for later pools with the same default, so two pools to one
 * database are never confused.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigurationError, createPool } from '../../src/index.js';

describe('pool name', () => {
  test('defaults to host:port/database, numbered from the second pool with the same default', async () => {
    const uri = 'mysql://app:secret@127.0.0.1:3399/pool_name_test';
    const first = createPool(uri);
    const second = createPool(uri);
    const third = createPool(uri);
    const socket = createPool({ socketPath: '/tmp/pool-name-test.sock', database: 'shop' });
    try {
      assert.equal(first.name, '127.0.0.1:3399/pool_name_test');
      assert.equal(second.name, '127.0.0.1:3399/pool_name_test#2');
      assert.equal(third.name, '127.0.0.1:3399/pool_name_test#3');
      assert.equal(socket.name, '/tmp/pool-name-test.sock/shop');
      assert.ok(!first.name.includes('secret'));
    } finally {
      await Promise.all([first.end(), second.end(), third.end(), socket.end()]);
    }
  });

  test('the name option is used as given; an empty or non-string name is refused', async () => {
    const named = createPool('mysql://app@127.0.0.1:3399/x', { name: 'orders' });
    try {
      assert.equal(named.name, 'orders');
    } finally {
      await named.end();
    }
    assert.throws(() => createPool({ name: '' }), ConfigurationError);
    assert.throws(() => createPool({ name: 7 as unknown as string }), /Pool option 'name' is 7/);
  });
});
