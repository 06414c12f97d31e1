/**
 * The names, instruments and units goneaway reports under, in one table: the OpenTelemetry
 * semantic conventions for database clients (v1.45 of `@opentelemetry/semantic-conventions`,
 * whose pool metrics are still incubating) and goneaway's own `goneaway.` metrics for what the
 * conventions do not cover.
 *
 * The names are written out here rather than imported: the conventions package advises against
 * loading its incubating entry at run time (its names may change in a minor release), and
 * `goneaway/otel` needs nothing but `@opentelemetry/api`. A test compares every convention name
 * here with the installed package, so a rename there shows up as a failing test here.
 */

/**
 * Attribute names.
 *
 * @example
 * span.attributes[ATTRIBUTES.poolName]; // 'db.client.connection.pool.name'
 */
export const ATTRIBUTES = {
  dbSystemName: 'db.system.name',
  dbNamespace: 'db.namespace',
  dbOperationName: 'db.operation.name',
  dbQueryText: 'db.query.text',
  dbResponseStatusCode: 'db.response.status_code',
  serverAddress: 'server.address',
  serverPort: 'server.port',
  errorType: 'error.type',
  poolName: 'db.client.connection.pool.name',
  connectionState: 'db.client.connection.state',
  // goneaway's own
  attempt: 'goneaway.attempt',
  attempts: 'goneaway.attempts',
  connectionId: 'goneaway.connection.id',
  outcome: 'goneaway.outcome',
  reason: 'goneaway.reason',
  retryKind: 'goneaway.retry.kind',
  closeReason: 'goneaway.close.reason',
  lossWhile: 'goneaway.loss.while',
  validationResult: 'goneaway.validation.result',
  epochCause: 'goneaway.epoch.cause',
  watchdogVerdict: 'goneaway.watchdog.verdict',
  abandonedOutcome: 'goneaway.abandoned.outcome',
  isolationLevel: 'goneaway.transaction.isolation_level',
  jobName: 'goneaway.job.name',
  willRetry: 'goneaway.will_retry',
} as const;

/**
 * `db.system.name` values (the server flavour).
 *
 * @example
 * DB_SYSTEM_NAMES.mariadb; // 'mariadb'
 */
export const DB_SYSTEM_NAMES = { mysql: 'mysql', mariadb: 'mariadb' } as const;

/**
 * `db.client.connection.state` values.
 *
 * @example
 * CONNECTION_STATES.used; // 'used'
 */
export const CONNECTION_STATES = { idle: 'idle', used: 'used' } as const;

/**
 * The instrument a metric is reported with.
 *
 * @example
 * const kind: InstrumentKind = CONVENTION_METRICS.waitTime.instrument; // 'histogram'
 */
export type InstrumentKind = 'histogram' | 'counter' | 'updowncounter';

/**
 * One metric: its name, instrument, unit (UCUM, as the conventions write it) and description.
 *
 * @example
 * const { name, unit }: MetricSpec = GONEAWAY_METRICS.reconnects; // 'goneaway.connection.reconnects', '{connection}'
 */
export interface MetricSpec {
  readonly name: string;
  readonly instrument: InstrumentKind;
  readonly unit: string;
  readonly description: string;
}

/**
 * The bucket boundaries the conventions advise for `db.client.operation.duration`, in seconds;
 * goneaway advises them for every histogram in seconds.
 *
 * @example
 * meter.createHistogram('x', { unit: 's', advice: { explicitBucketBoundaries: DURATION_BUCKETS_S } });
 */
export const DURATION_BUCKETS_S = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10];

/**
 * The conventions' database client metrics goneaway reports.
 *
 * @example
 * CONVENTION_METRICS.operationDuration.name; // 'db.client.operation.duration'
 */
export const CONVENTION_METRICS = {
  operationDuration: {
    name: 'db.client.operation.duration',
    instrument: 'histogram',
    unit: 's',
    description: 'Duration of database client operations.',
  },
  connectionCount: {
    name: 'db.client.connection.count',
    instrument: 'updowncounter',
    unit: '{connection}',
    description:
      'The number of connections that are currently in the state described by the state attribute.',
  },
  idleMax: {
    name: 'db.client.connection.idle.max',
    instrument: 'updowncounter',
    unit: '{connection}',
    description: 'The maximum number of idle open connections allowed.',
  },
  idleMin: {
    name: 'db.client.connection.idle.min',
    instrument: 'updowncounter',
    unit: '{connection}',
    description: 'The minimum number of idle open connections allowed.',
  },
  // The conventions renamed `db.client.connection.max` to this (the old name is deprecated).
  limit: {
    name: 'db.client.connection.limit',
    instrument: 'updowncounter',
    unit: '{connection}',
    description: 'The maximum number of open connections allowed.',
  },
  pendingRequests: {
    name: 'db.client.connection.pending_requests',
    instrument: 'updowncounter',
    unit: '{request}',
    description: 'The number of current pending requests for an open connection.',
  },
  timeouts: {
    name: 'db.client.connection.timeouts',
    instrument: 'counter',
    unit: '{timeout}',
    description:
      'The number of connection timeouts that have occurred trying to obtain a connection from the pool.',
  },
  createTime: {
    name: 'db.client.connection.create_time',
    instrument: 'histogram',
    unit: 's',
    description: 'The time it took to create a new connection.',
  },
  waitTime: {
    name: 'db.client.connection.wait_time',
    instrument: 'histogram',
    unit: 's',
    description: 'The time it took to obtain an open connection from the pool.',
  },
  useTime: {
    name: 'db.client.connection.use_time',
    instrument: 'histogram',
    unit: 's',
    description: 'The time between borrowing a connection and returning it to the pool.',
  },
} as const satisfies Record<string, MetricSpec>;

/**
 * goneaway's own metrics: what the conventions do not cover. All counters.
 *
 * @example
 * GONEAWAY_METRICS.retries.name; // 'goneaway.retries'
 */
export const GONEAWAY_METRICS = {
  reconnects: {
    name: 'goneaway.connection.reconnects',
    instrument: 'counter',
    unit: '{connection}',
    description:
      'Connections opened to replace one that was lost (killed, reset, failed validation).',
  },
  connectFailures: {
    name: 'goneaway.connection.connect_failures',
    instrument: 'counter',
    unit: '{attempt}',
    description: 'Connection attempts that failed (the pool backs off and tries again).',
  },
  losses: {
    name: 'goneaway.connection.losses',
    instrument: 'counter',
    unit: '{connection}',
    description: 'Connections that died, while idle or under a statement.',
  },
  closes: {
    name: 'goneaway.connection.closes',
    instrument: 'counter',
    unit: '{connection}',
    description: 'Connections that left the pool, by reason (retirements and removals).',
  },
  validations: {
    name: 'goneaway.connection.validations',
    instrument: 'counter',
    unit: '{validation}',
    description: 'Validation pings of idle connections before use, by result.',
  },
  retries: {
    name: 'goneaway.retries',
    instrument: 'counter',
    unit: '{retry}',
    description: 'Statements and transactions run again after a failure that was safe to repeat.',
  },
  refusals: {
    name: 'goneaway.retries.refused',
    instrument: 'counter',
    unit: '{failure}',
    description: 'Lost statements that were not run again (their outcome may be unknown).',
  },
  epochs: {
    name: 'goneaway.epochs',
    instrument: 'counter',
    unit: '{epoch}',
    description:
      'Times every idle connection was made suspect (a loss, a restart smell, a process freeze).',
  },
  watchdogChecks: {
    name: 'goneaway.watchdog.checks',
    instrument: 'counter',
    unit: '{check}',
    description: 'Silent statements the in-flight watchdog asked the server about, by verdict.',
  },
  abandonedSessions: {
    name: 'goneaway.abandoned_sessions',
    instrument: 'counter',
    unit: '{session}',
    description: 'Sessions given up on while the server may hold them, and what became of them.',
  },
  leaks: {
    name: 'goneaway.leaks',
    instrument: 'counter',
    unit: '{lease}',
    description: 'Leases and scopes held longer than their leak threshold.',
  },
  scopeRollbacks: {
    name: 'goneaway.scope.rollbacks',
    instrument: 'counter',
    unit: '{scope}',
    description: 'Scopes that ended with a transaction open, rolled back.',
  },
  scopeCommitFailures: {
    name: 'goneaway.scope.commit_failures',
    instrument: 'counter',
    unit: '{scope}',
    description: 'Atomic scopes whose transaction could not be committed.',
  },
  jobErrors: {
    name: 'goneaway.job.errors',
    instrument: 'counter',
    unit: '{run}',
    description: 'Job runs that failed, by job and whether they run again.',
  },
} as const satisfies Record<string, MetricSpec>;
