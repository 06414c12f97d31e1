import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type RedirectPlan, redirectOf } from '../../src/compat/mysql2-redirect.js';

const plan: RedirectPlan = {
  targets: {
    mysql2: 'file:///app/node_modules/goneaway/dist/compat/index.js',
    'mysql2/promise': 'file:///app/node_modules/goneaway/dist/compat/promise.js',
  },
  ownPrefix: 'file:///app/node_modules/goneaway/dist/',
};

test('mysql2 and mysql2/promise go to the facade from the application and its dependencies', () => {
  assert.equal(redirectOf(plan, 'mysql2', 'file:///app/server.js'), plan.targets.mysql2);
  assert.equal(
    redirectOf(plan, 'mysql2/promise', 'file:///app/node_modules/knex/lib/x.js'),
    plan.targets['mysql2/promise'],
  );
  assert.equal(redirectOf(plan, 'mysql2', undefined), plan.targets.mysql2);
});

test("goneaway's own imports, deep imports and other modules resolve as usual", () => {
  assert.equal(
    redirectOf(
      plan,
      'mysql2',
      'file:///app/node_modules/goneaway/dist/connection/managed-connection.js',
    ),
    undefined,
  );
  assert.equal(
    redirectOf(plan, 'mysql2/lib/constants/types.js', 'file:///app/server.js'),
    undefined,
  );
  assert.equal(redirectOf(plan, 'mysql', 'file:///app/server.js'), undefined);
  assert.equal(redirectOf(plan, 'toString', 'file:///app/server.js'), undefined);
});
