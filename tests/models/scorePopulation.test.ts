// Scoring in SQL: the logistic of the linear predictor, tiers by rank, reasons in words, previous tiers.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { noReasonSentence, scorePopulation } from '../../models/scorePopulation.ts';
import type { Database } from '../../core/db/Database.ts';
import { openTestDatabase } from '../helpers/testDatabase.ts';
import { testModelCard } from '../helpers/testModelCard.ts';

let db: Database;
beforeEach(async () => {
  db = await openTestDatabase();
  // 1,000 people; person i has i % 10 emergency admissions, so risk rises with it.
  await db.run(`
    CREATE TABLE scoring_features AS
    SELECT
      printf('P%04d', i) AS person_id, printf('A%05d', i % 3) AS practice_code, 'U00001' AS pcn_code,
      40 + i % 50 AS age, CASE WHEN 40 + i % 50 < 45 THEN '18-44' WHEN 40 + i % 50 < 65 THEN '45-64' WHEN 40 + i % 50 < 75 THEN '65-74' ELSE '75-84' END AS age_band,
      '2' AS sex, 'White' AS ethnic_group, 5 AS imd_decile, 3 AS imd_quintile,
      i % 4 AS ltc_count, 0 AS charlson_index, 0.0 AS frailty_score, 'low' AS frailty_band,
      i % 10 AS emergency_admissions_12m, i % 10 AS emergency_admissions_24m, i % 10 AS emergency_admissions_36m,
      0 AS emergency_admissions_90d, 0 AS emergency_bed_days_12m, NULL::INTEGER AS days_since_emergency_discharge, false AS emergency_spell_open,
      0 AS ae_attendances_12m, 0 AS ae_attendances_90d, 0 AS ae_attendances_36m,
      0 AS outpatient_attendances_12m, 0 AS outpatient_dna_12m, 0 AS outpatient_attendances_36m, 0 AS distinct_medicines_6m,
      'healthy' AS segment,
      ${['af', 'ast', 'can', 'chd', 'ckd', 'copd', 'dem', 'dep', 'dm', 'ep', 'hf', 'hyp', 'ld', 'mh', 'ost', 'pad', 'ra', 'stia']
        .map((c) => `false AS ltc_${c}`).join(', ')}
    FROM range(1000) t(i)`);
});
afterEach(() => db.close());

const ea = testModelCard('ea', { log_emergency_admissions_12m: 1.5, ltc_count_capped: 0.1 }, -4);
const ltc = testModelCard('ltc', { ltc_count_capped: 0.2 }, -3);

async function scores() {
  return db.rows<{ person_id: string; ea_risk: number; ea_tier: number; top_factors: string[]; previous_ea_tier: number | null }>(
    'SELECT person_id, ea_risk, ea_tier, top_factors, previous_ea_tier FROM scores ORDER BY ea_rank',
  );
}

describe('scorePopulation', () => {
  it('computes the logistic of the linear predictor in SQL', async () => {
    await scorePopulation(db, 'scoring_features', ea, ltc, { asOf: '2026-11-21', tierCutoffs: [0.005, 0.05, 0.2] });
    const row = (await db.rows<{ ea_risk: number; ltc_risk: number }>("SELECT ea_risk, ltc_risk FROM scores WHERE person_id = 'P0007'"))[0]!;
    expect(row.ea_risk).toBeCloseTo(1 / (1 + Math.exp(-(-4 + 1.5 * Math.log(8) + 0.1 * 3))), 12);
    expect(row.ltc_risk).toBeCloseTo(1 / (1 + Math.exp(-(-3 + 0.2 * 3))), 12);
  });

  it('assigns tiers by rank: top 0.5%, next 4.5%, next 15%, the rest', async () => {
    await scorePopulation(db, 'scoring_features', ea, ltc, { asOf: '2026-11-21', tierCutoffs: [0.005, 0.05, 0.2] });
    const rows = await scores();
    const tierSizes = [1, 2, 3, 4].map((t) => rows.filter((r) => r.ea_tier === t).length);
    expect(tierSizes).toEqual([5, 45, 150, 800]);
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.ea_risk).toBeLessThanOrEqual(rows[i - 1]!.ea_risk);
  });

  it('explains high scores in words, and says so in one sentence when nothing the person has adds to the risk', async () => {
    await scorePopulation(db, 'scoring_features', ea, ltc, { asOf: '2026-11-21', tierCutoffs: [0.005, 0.05, 0.2] });
    const rows = await scores();
    expect(rows[0]!.top_factors[0]).toBe('9 emergency admissions in the last year');
    expect(rows[0]!.top_factors).toContain('On 3 long-term condition registers');
    const lowest = rows.at(-1)!;
    expect(lowest.top_factors).toEqual([noReasonSentence]);
    for (const row of rows) expect(row.top_factors.length).toBeGreaterThan(0);
  });

  it('records tier history and reports the previous run tier; a re-run of the same date is exact', async () => {
    await scorePopulation(db, 'scoring_features', ea, ltc, { asOf: '2026-11-20', tierCutoffs: [0.005, 0.05, 0.2] });
    await scorePopulation(db, 'scoring_features', ea, ltc, { asOf: '2026-11-21', tierCutoffs: [0.005, 0.05, 0.2] });
    const first = await scores();
    expect(first.every((r) => r.previous_ea_tier === r.ea_tier)).toBe(true);
    await scorePopulation(db, 'scoring_features', ea, ltc, { asOf: '2026-11-21', tierCutoffs: [0.005, 0.05, 0.2] });
    expect(await scores()).toEqual(first);
    expect(await db.value('SELECT count(*) FROM tier_history')).toBe(2000n);
  });
});
