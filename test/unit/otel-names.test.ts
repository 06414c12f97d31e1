/**
 * goneaway/otel's metric and attribute names against a hand-written table of the semantic
 * conventions, and against the installed `@opentelemetry/semantic-conventions` package
 * (incubating names included): a rename in the conventions fails here.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as stable from '@opentelemetry/semantic-conventions';
import * as incubating from '@opentelemetry/semantic-conventions/incubating';
import {
  ATTRIBUTES,
  CONNECTION_STATES,
  CONVENTION_METRICS,
  DB_SYSTEM_NAMES,
  GONEAWAY_METRICS,
} from '../../src/otel/semantic-names.js';
import {
  EXPECTED_CONVENTION_ATTRIBUTES,
  EXPECTED_CONVENTION_METRICS,
  EXPECTED_CONVENTION_VALUES,
  EXPECTED_GONEAWAY_METRICS,
} from '../support/otel-expected.js';

const conventions = incubating as unknown as Record<string, unknown>;

/** The package's constant for a name: `db.client.connection.count` → `METRIC_DB_CLIENT_CONNECTION_COUNT`. */
function constantFor(prefix: 'METRIC_' | 'ATTR_', name: string): string {
  return prefix + name.toUpperCase().replace(/\./g, '_');
}

describe('goneaway/otel names', () => {
  test('the convention metrics in goneaway’s table are the expected ones, with their instruments and units', () => {
    const ours = Object.fromEntries(
      Object.values(CONVENTION_METRICS).map((m) => [
        m.name,
        { instrument: m.instrument, unit: m.unit },
      ]),
    );
    assert.deepEqual(ours, EXPECTED_CONVENTION_METRICS);
  });

  test('every convention metric and attribute name is the installed conventions package’s', () => {
    for (const name of Object.keys(EXPECTED_CONVENTION_METRICS)) {
      assert.equal(conventions[constantFor('METRIC_', name)], name, name);
    }
    for (const name of EXPECTED_CONVENTION_ATTRIBUTES) {
      assert.equal(conventions[constantFor('ATTR_', name)], name, name);
    }
    for (const [constant, value] of Object.entries(EXPECTED_CONVENTION_VALUES)) {
      assert.equal(conventions[constant], value, constant);
    }
    // The stable part: the operation duration and the attributes it carries.
    assert.equal(stable.METRIC_DB_CLIENT_OPERATION_DURATION, 'db.client.operation.duration');
    assert.equal(stable.ATTR_DB_SYSTEM_NAME, 'db.system.name');
    assert.equal(stable.ATTR_DB_RESPONSE_STATUS_CODE, 'db.response.status_code');
  });

  test('goneaway’s attribute names: the conventions’ where they have one, goneaway.* otherwise', () => {
    const names = Object.values(ATTRIBUTES);
    const convention = names.filter((name) => !name.startsWith('goneaway.'));
    assert.deepEqual([...convention].sort(), [...EXPECTED_CONVENTION_ATTRIBUTES].sort());
    assert.deepEqual(Object.values(DB_SYSTEM_NAMES).sort(), ['mariadb', 'mysql']);
    assert.deepEqual(Object.values(CONNECTION_STATES).sort(), ['idle', 'used']);
  });

  test('goneaway’s own metrics are counters under goneaway., none shadowing a convention name', () => {
    const ours = Object.fromEntries(Object.values(GONEAWAY_METRICS).map((m) => [m.name, m.unit]));
    assert.deepEqual(ours, EXPECTED_GONEAWAY_METRICS);
    for (const metric of Object.values(GONEAWAY_METRICS)) {
      assert.equal(metric.instrument, 'counter', metric.name);
      assert.equal(conventions[constantFor('METRIC_', metric.name)], undefined, metric.name);
    }
  });
});
