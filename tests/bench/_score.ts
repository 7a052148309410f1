import { copyFileSync } from 'node:fs';
import { Database, type Params } from '../../pipeline/db/Database.ts';
import { initDatabase } from '../../pipeline/db/initDatabase.ts';
import { scorePopulation } from '../../models/scorePopulation.ts';
import { newestModelCard } from '../../models/modelRegistry.ts';
copyFileSync(process.argv[2]!, '/tmp/score.duckdb');
const db = await Database.open({ path: '/tmp/score.duckdb', memoryLimit: '3GB' });
await initDatabase(db);
const ea = (await newestModelCard(db, 'ea', '2026-11-22'))!; const ltc = (await newestModelCard(db, 'ltc', '2026-11-22'))!;
const orig = Database.prototype.run;
Database.prototype.run = async function (this: Database, sql: string, params?: Params) {
  if (sql.includes('CREATE OR REPLACE TABLE scores')) {
    const r = await this.connection.runAndReadAll('EXPLAIN ANALYZE ' + sql, Object.fromEntries(Object.entries(params ?? {}).filter(([k]) => new RegExp(`\\$${k}(?![A-Za-z0-9_])`).test(sql))));
    console.log(String(r.getRowsJS()[0]![1]).split('\n').filter((l: string) => /Total Time|[A-Z_]{5,}|\d\.\d+s|rows/.test(l)).map((l: string) => l.replace(/\s+/g, ' ')).join('\n'));
    return;
  }
  return orig.call(this, sql, params);
};
const t0 = performance.now();
await scorePopulation(db, 'scoring_features', ea, ltc, { asOf: '2026-11-22', tierCutoffs: [0.005, 0.05, 0.2] });
console.log('score', ((performance.now() - t0) / 1000).toFixed(1));
db.close();
