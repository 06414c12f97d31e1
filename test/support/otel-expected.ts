/**
 * The names goneaway/otel must report under, written out by hand from the OpenTelemetry
 * semantic conventions for database clients (metric instrument and unit as the conventions'
 * tables give them): the tests compare goneaway's table, the installed conventions package and
 * what the SDK exports against this one.
 */

/** Instrument kinds as a reader of the conventions' tables names them. */
export type ExpectedInstrument = 'histogram' | 'counter' | 'updowncounter';

/** Convention metrics: name → instrument and unit. */
export const EXPECTED_CONVENTION_METRICS: Readonly<
  Record<string, { instrument: ExpectedInstrument; unit: string }>
> = {
  'db.client.operation.duration': { instrument: 'histogram', unit: 's' },
  'db.client.connection.count': { instrument: 'updowncounter', unit: '{connection}' },
  'db.client.connection.idle.max': { instrument: 'updowncounter', unit: '{connection}' },
  'db.client.connection.idle.min': { instrument: 'updowncounter', unit: '{connection}' },
  'db.client.connection.limit': { instrument: 'updowncounter', unit: '{connection}' },
  'db.client.connection.pending_requests': { instrument: 'updowncounter', unit: '{request}' },
  'db.client.connection.timeouts': { instrument: 'counter', unit: '{timeout}' },
  'db.client.connection.create_time': { instrument: 'histogram', unit: 's' },
  'db.client.connection.wait_time': { instrument: 'histogram', unit: 's' },
  'db.client.connection.use_time': { instrument: 'histogram', unit: 's' },
};

/** Convention attributes goneaway sets. */
export const EXPECTED_CONVENTION_ATTRIBUTES = [
  'db.system.name',
  'db.namespace',
  'db.operation.name',
  'db.query.text',
  'db.response.status_code',
  'server.address',
  'server.port',
  'error.type',
  'db.client.connection.pool.name',
  'db.client.connection.state',
] as const;

/** Convention attribute values goneaway sets. */
export const EXPECTED_CONVENTION_VALUES = {
  DB_SYSTEM_NAME_VALUE_MYSQL: 'mysql',
  DB_SYSTEM_NAME_VALUE_MARIADB: 'mariadb',
  DB_CLIENT_CONNECTION_STATE_VALUE_IDLE: 'idle',
  DB_CLIENT_CONNECTION_STATE_VALUE_USED: 'used',
} as const;

/** goneaway's own metrics: all counters under `goneaway.`. */
export const EXPECTED_GONEAWAY_METRICS: Readonly<Record<string, string>> = {
  'goneaway.connection.reconnects': '{connection}',
  'goneaway.connection.connect_failures': '{attempt}',
  'goneaway.connection.losses': '{connection}',
  'goneaway.connection.closes': '{connection}',
  'goneaway.connection.validations': '{validation}',
  'goneaway.retries': '{retry}',
  'goneaway.retries.refused': '{failure}',
  'goneaway.epochs': '{epoch}',
  'goneaway.watchdog.checks': '{check}',
  'goneaway.abandoned_sessions': '{session}',
  'goneaway.leaks': '{lease}',
  'goneaway.scope.rollbacks': '{scope}',
  'goneaway.scope.commit_failures': '{scope}',
  'goneaway.job.errors': '{run}',
};
