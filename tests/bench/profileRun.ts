// Profiles one `strata run` statement by statement: `npx tsx tests/bench/profileRun.ts --inbox DIR --db FILE
// --out DIR --profiles DIR [--as-of D] [--memory-limit 3GB] [--min-ms 500]`. Every CREATE ... AS and INSERT run
// through Database is executed as EXPLAIN ANALYZE (which runs it), and the operator tree of each statement
// slower than --min-ms is written to --profiles, with a summary (slowest first) in summary.txt. EXPLAIN
// ANALYZE adds a little time of its own, so use the bench harness for timings and this for where they go.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseRunConfig } from '../../pipeline/config.ts';
import { Database, type Params, usedParams } from '../../core/db/Database.ts';
import { runBatch } from '../../pipeline/runBatch.ts';
import { Logger } from '../../core/logging/Logger.ts';

const { values: args } = parseArgs({
  options: {
    inbox: { type: 'string' },
    db: { type: 'string' },
    out: { type: 'string' },
    profiles: { type: 'string' },
    'as-of': { type: 'string' },
    'memory-limit': { type: 'string' },
    'min-ms': { type: 'string', default: '500' },
  },
  strict: true,
});
if (!args.inbox || !args.db || !args.out || !args.profiles) {
  console.error('usage: tsx tests/bench/profileRun.ts --inbox DIR --db FILE --out DIR --profiles DIR');
  process.exit(2);
}
const minMs = Number(args['min-ms']);
mkdirSync(args.profiles, { recursive: true });

const profiled: { ms: number; file: string; sql: string }[] = [];
const originalRun = Database.prototype.run;
Database.prototype.run = async function profiledRun(this: Database, sql: string, params?: Params): Promise<void> {
  const statement = sql.replace(/--[^\n]*/g, '').trim();
  // Only single statements that EXPLAIN ANALYZE accepts and that do real work.
  if (!/^(CREATE (OR REPLACE )?(TEMP )?TABLE \S+ AS|INSERT INTO)/i.test(statement) || statement.includes(';')) {
    return originalRun.call(this, sql, params);
  }
  const started = performance.now();
  const reader = await this.connection.runAndReadAll(`EXPLAIN ANALYZE ${sql}`, usedParams(sql, params));
  const ms = Math.round(performance.now() - started);
  if (ms >= minMs) {
    const file = `${String(profiled.length + 1).padStart(3, '0')}-${ms}ms.txt`;
    const tree = reader.getRowsJS().map((row) => String(row[1])).join('\n');
    writeFileSync(join(args.profiles!, file), tree);
    profiled.push({ ms, file, sql: statement.replace(/\s+/g, ' ').slice(0, 160) });
  }
};

const config = parseRunConfig({
  inbox: args.inbox,
  out: args.out,
  db: args.db,
  ...(args['as-of'] ? { asOf: args['as-of'] } : {}),
  ...(args['memory-limit'] ? { memoryLimit: args['memory-limit'] } : {}),
});
const started = performance.now();
const summary = await runBatch(config, { logger: Logger.create('text') });
const lines = [
  `run ${summary.runId}: ${((performance.now() - started) / 1000).toFixed(1)} s with profiling; statements of ${minMs} ms or more, slowest first:`,
  ...[...profiled].sort((a, b) => b.ms - a.ms).map((p) => `${String(p.ms).padStart(7)} ms  ${p.file}  ${p.sql}`),
];
writeFileSync(join(args.profiles, 'summary.txt'), `${lines.join('\n')}\n`);
console.log(lines.join('\n'));
