/**
 * Micro-benchmark of the statement classifier, which runs once per statement on the hot path.
 * Prints nanoseconds per call for a few typical statements (best of several rounds), so a
 * change to src/sql can be measured before and after on the same machine:
 *
 *   node --import tsx scripts/bench-classifier.ts
 *
 * Two figures per statement: the same text again and again (what an application with
 * placeholders sends; answered from the classifier's cache) and distinct texts of the same
 * shape (each one scanned: the cost for texts that are never repeated). `ROUNDS` and `CALLS`
 * (environment) change the effort. A figure, not a test: timings on a shared machine are
 * noisy, so nothing here passes or fails.
 */
import { classifyStatement } from '../src/sql/statement-classifier.js';

const STATEMENTS: readonly [string, string][] = [
  ['point SELECT', 'SELECT * FROM users WHERE id = #'],
  [
    'SELECT with calls',
    'SELECT id, COUNT(*), MAX(created_at) FROM orders WHERE user_id = # GROUP BY id',
  ],
  ['INSERT', 'INSERT INTO events (id, kind, payload) VALUES (#, ?, ?)'],
  ['UPDATE', 'UPDATE accounts SET balance = balance - ? WHERE id = #'],
  [
    'long JOIN',
    'SELECT o.id, o.total, c.name, c.email FROM orders o JOIN customers c ON c.id = o.customer_id ' +
      "WHERE o.status = 'open' AND o.created_at > NOW() - INTERVAL # DAY ORDER BY o.created_at DESC LIMIT 50",
  ],
  ['COMMIT', 'COMMIT'],
];

const rounds = Number(process.env.ROUNDS ?? 15);
const calls = Number(process.env.CALLS ?? 50_000);
/** More distinct texts than the classifier's cache holds, so each call scans. */
const VARIANTS = 4_096;

let sink = 0;
function measure(texts: readonly string[]): number {
  const started = process.cpuUsage();
  for (let i = 0; i < calls; i++) {
    sink += classifyStatement(texts[i % texts.length] as string).retrySafe ? 1 : 0;
  }
  const used = process.cpuUsage(started);
  return ((used.user + used.system) * 1000) / calls;
}

const shapes = STATEMENTS.map(([name, shape]) => ({
  name,
  repeated: [shape.replace('#', '?')],
  distinct: Array.from({ length: VARIANTS }, (_, i) => shape.replace('#', String(1_000 + i))),
}));
// Warm up every shape first, so the JIT sees them all before any is timed.
for (const shape of shapes) {
  measure(shape.repeated);
  measure(shape.distinct);
}
console.log(
  `classifyStatement, ns per call (best of ${rounds} rounds of ${calls} calls, CPU time)`,
);
console.log(`  ${'statement'.padEnd(18)} ${'repeated'.padStart(9)} ${'distinct'.padStart(9)}`);
for (const { name, repeated, distinct } of shapes) {
  let best = [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY];
  for (let r = 0; r < rounds; r++) {
    best = [Math.min(best[0] ?? 0, measure(repeated)), Math.min(best[1] ?? 0, measure(distinct))];
  }
  const [same = 0, cold = 0] = best;
  console.log(
    `  ${name.padEnd(18)} ${same.toFixed(0).padStart(6)} ns ${cold.toFixed(0).padStart(6)} ns`,
  );
}
if (sink < 0) console.log(sink); // keeps the calls from being optimised away
