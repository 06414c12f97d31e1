/**
 * `db.job(fn)`: one run of a worker, queue consumer or cron job, in its own scope. Before and
 * after the run, connections that are broken or past their age are closed (Django's
 * `close_old_connections()` around a task), so a worker that sleeps longer than the server's
 * `wait_timeout` between runs starts each run on a live connection. A failed run is classified
 * and reported with the job's name (event `job-error`), and run again when `attempts` allows
 * and its failure applied nothing (the rule is `jobMayRepeat` in `src/retry/repeat-rule.ts`).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { classify, type GoneAwayError, isGoneAwayError } from '../errors/index.js';
import { jobMayRepeat } from '../retry/repeat-rule.js';
import { runInScope } from './run-scope.js';
import type { ScopeHost } from './scope-host.js';
import type { JobOptions, JobRun } from './scope-options.js';
import { resolveJobOptions } from './scope-policy.js';

/**
 * Runs `fn` as a job of the pool behind `host`; resolves to what the successful run returned,
 * or rejects with what the last run threw.
 *
 * @example
 * await runJob(host, async ({ attempt }) => sendDigest(attempt), { name: 'digest', attempts: 3 });
 */
export async function runJob<T>(
  host: ScopeHost,
  fn: (run: JobRun) => T | Promise<T>,
  options: JobOptions | undefined,
): Promise<T> {
  const policy = resolveJobOptions(options, fn, host.leakWarningMs);
  const { name, attempts, retryDelayMs, scope } = policy;
  for (let attempt = 1; ; attempt++) {
    await host.closeOld(scope.maxAgeMs);
    try {
      return await runInScope(host, () => fn({ name, attempt }), scope);
    } catch (thrown) {
      const classified = classifyRunError(thrown);
      const willRetry = attempt < attempts && jobMayRepeat(classified);
      host.publish('job-error', { job: name, attempt, willRetry, error: thrown, classified });
      if (!willRetry) throw thrown;
      await sleep(host.backoffMs(attempt, retryDelayMs));
    } finally {
      await host.closeOld(scope.maxAgeMs);
    }
  }
}

/**
 * The database error a run failed with, classified; undefined when it failed for a reason of
 * its own (an application error is not passed off as a database one).
 *
 * @example
 * classifyRunError(new TypeError('x is undefined')); // undefined
 */
export function classifyRunError(thrown: unknown): GoneAwayError | undefined {
  if (isGoneAwayError(thrown)) return thrown;
  if (typeof thrown !== 'object' || thrown === null) return undefined;
  const { sqlState, sqlMessage, fatal } = thrown as Record<string, unknown>;
  // mysql2's errors carry these; an application's own (and Node's file-system) errors do not.
  const fromDriver =
    typeof sqlState === 'string' || typeof sqlMessage === 'string' || typeof fatal === 'boolean';
  return fromDriver ? classify(thrown) : undefined;
}
