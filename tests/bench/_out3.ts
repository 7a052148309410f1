import { copyFileSync } from 'node:fs';
import { Database } from '../../pipeline/db/Database.ts';
import { initDatabase } from '../../pipeline/db/initDatabase.ts';
import { writeCaseFindingLists } from '../../pipeline/output/writeOutputs.ts';
copyFileSync(process.argv[2]!, '/tmp/out.duckdb');
const db = await Database.open({ path: '/tmp/out.duckdb', memoryLimit: '3GB' });
await initDatabase(db);
await writeCaseFindingLists(db, '/tmp/outtest', 2, '2026-11-22', { as_of: '2026-11-22' });
const c = db.connection;
const cols = 'person_id, practice_code, pcn_code, age, age_band, sex, ethnic_group, imd_decile, ltc_count, charlson_index, frailty_score, frailty_band, emergency_admissions_12m, emergency_bed_days_12m, ae_attendances_12m, days_since_emergency_discharge, distinct_medicines_6m, ea_risk, ea_tier, ltc_risk, top_factors, previous_ea_tier, rank_in_practice, new_to_list, tier_change, ea_risk_change, long_term_conditions, polypharmacy, rank_in_pcn';
const code = (await db.rows<{ c: string }>('SELECT min(practice_code) AS c FROM case_finding'))[0]!.c;
for (let k = 0; k < 3; k++) {
  let t0 = performance.now();
  await c.runAndReadAll(`SELECT count(*), list(DISTINCT practice_code::VARCHAR), list(DISTINCT pcn_code::VARCHAR), list(DISTINCT age_band::VARCHAR), list(DISTINCT sex::VARCHAR), list(DISTINCT ethnic_group::VARCHAR), list(DISTINCT frailty_band::VARCHAR) FROM (SELECT ${cols} FROM case_finding WHERE practice_code = $code ORDER BY rank_in_practice)`, { code });
  const a = performance.now() - t0; t0 = performance.now();
  const r = await c.stream(`SELECT ${cols} FROM case_finding WHERE practice_code = $code ORDER BY rank_in_practice`, { code });
  let n = 0; for (;;) { const ch = await r.fetchChunk(); if (!ch || ch.rowCount === 0) break; n += ch.rowCount; }
  const b = performance.now() - t0; t0 = performance.now();
  await c.runAndReadAll('SELECT 1');
  console.log('survey', a.toFixed(1), 'ms stream', b.toFixed(1), 'ms rows', n, 'select 1', (performance.now() - t0).toFixed(1));
}
db.close();
