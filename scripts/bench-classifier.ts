/**
 * Micro-benchmark of the statement classifier, which runs once per statement on the hot path.
 * Prints nanoseconds per call for a few typical statements (median of several rounds), so a
 * change to src/sql can be measured before and after on the same machine:
 *
 *   node --import tsx scripts/bench-classifier.ts
 *
 * `ROUNDS` and `CALLS` (environment) change the effort. A figure, not a test: timings on a
 * shared machine are noisy, so nothing here passes or fails.
 */
import { classifyStatement } from '../src/sql/statement-classifier.js';

const STATEMENTS: readonly [string, string][] = [
  ['point SELECT', 'SELECT * FROM users WHERE id = ?'],
  [
    'SELECT with calls',
    'SELECT id, COUNT(*), MAX(created_at) FROM orders WHERE user_id = ? GROUP BY id',
  ],
  ['INSERT', 'INSERT INTO events (id, kind, payload) VALUES (?, ?, ?)'],
  ['UPDATE', 'UPDATE accounts SET balance = balance - ? WHERE id = ?'],
  [
    'long JOIN',
    'SELECT o.id, o.total, c.name, c.email FROM orders o JOIN customers c ON c.id = o.customer_id ' +
      "WHERE o.status = 'open' AND o.created_at > NOW() - INTERVAL 7 DAY ORDER BY o.created_at DESC LIMIT 50",
  ],
  ['COMMIT', 'COMMIT'],
];

const rounds = Number(process.env.ROUNDS ?? 7);
const calls = Number(process.env.CALLS ?? 200_000);

let sink = 0;
function measure(sql: string): number {
  const started = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) sink += classifyStatement(sql).retrySafe ? 1 : 0;
  return Number(process.hrtime.bigint() - started) / calls;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

// Warm up every shape first, so the JIT sees them all before any is timed.
for (const [, sql] of STATEMENTS) measure(sql);
console.log(`classifyStatement, ns per call (median of ${rounds} rounds of ${calls} calls)`);
for (const [name, sql] of STATEMENTS) {
  const samples = Array.from({ length: rounds }, () => measure(sql));
  console.log(`  ${name.padEnd(18)} ${median(samples).toFixed(0).padStart(6)} ns`);
}
if (sink < 0) console.log(sink); // keeps the calls from being optimised away
