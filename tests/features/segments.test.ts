// Population segments (sql/intermediate/features/segment_features.sql, docs/segments.md): one constructed person per
// rule, at its edges, in an extract dated on the index date and one the day after (which sends registers dated after it).
// Also: the PC palliative care register counts in no long-term-condition figure (ltc_count, new_ltc_12m, the new-LTC
// outcome).
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../core/db/Database.ts';
import { buildFeatures } from '../../models/buildFeatures.ts';
import { loadInbox } from '../../pipeline/ingest/loadInbox.ts';
import { openTestDatabase, temporaryFolder } from '../helpers/testDatabase.ts';
import { conditionsHeader, demographicsHeader, person, spellsHeader, writeExtract } from '../helpers/writeExtract.ts';

const asOf = '2026-11-21';
const extractDate = '2026-11-22';
// The "last 12 months" of the features: the 365 days ending on the index date (utilisation_features.sql).
const lastDayIn12m = '2025-11-22';
const firstDayOut12m = '2025-11-21';

interface Fixture {
  id: string;
  expected: string;
  birthYear?: string;
  registers?: [string, string][];
  /** [admission_date, admission_method, primary, secondary] */
  spells?: [string, string, string, string][];
}

const fixture: Fixture[] = [
  { id: 'PC-ONLY', expected: 'end_of_life', registers: [['PC', '2026-10-01']] },
  { id: 'PC-DEM-HF-LD', expected: 'end_of_life', registers: [['PC', '2026-10-01'], ['DEM', '2022-01-01'], ['HF', '2021-01-01'], ['LD', '1990-01-01']] },
  { id: 'PC-ON-AS-OF', expected: 'end_of_life', registers: [['PC', asOf]] },
  { id: 'PC-AFTER-DEM', expected: 'frailty_dementia', registers: [['PC', extractDate], ['DEM', '2022-01-01']] },
  { id: 'PC-AFTER', expected: 'healthy', registers: [['PC', extractDate]] },
  { id: 'DEM', expected: 'frailty_dementia', registers: [['DEM', '2022-01-01']] },
  { id: 'DEM-HF-LD', expected: 'frailty_dementia', registers: [['DEM', '2022-01-01'], ['HF', '2021-01-01'], ['LD', '1990-01-01']] },
  // HFRS (weights as in hospitalFrailty.test.ts) 7.1 + 4.4 + 3.6 = 15.1 high; 3.6 + 1.4 = 5.0 intermediate;
  // 3.6 + 1.3 = 4.9 low. Frailty counts from age 65 (born 1961).
  { id: 'HFRS-15_1', expected: 'frailty_dementia', spells: [['2026-01-01', '11', 'F00.1', 'G81.9;R29.6']] },
  { id: 'HFRS-15_1-HF', expected: 'frailty_dementia', registers: [['HF', '2021-01-01']], spells: [['2026-01-01', '11', 'F00.1', 'G81.9;R29.6']] },
  { id: 'HFRS-15_1-AGE-64', expected: 'healthy', birthYear: '1962', spells: [['2026-01-01', '11', 'F00.1', 'G81.9;R29.6']] },
  { id: 'HFRS-5_0-AGE-65', expected: 'frailty_dementia', birthYear: '1961', spells: [['2026-01-01', '11', 'R29.6', 'N18.4']] },
  { id: 'HFRS-5_0-AGE-64', expected: 'healthy', birthYear: '1962', spells: [['2026-01-01', '11', 'R29.6', 'N18.4']] },
  { id: 'HFRS-4_9', expected: 'healthy', spells: [['2026-01-01', '11', 'R29.6', 'R33X']] },
  { id: 'HF', expected: 'organ_failure', registers: [['HF', '2021-01-01']] },
  { id: 'HF-LD-AST', expected: 'organ_failure', registers: [['HF', '2021-01-01'], ['LD', '1990-01-01'], ['AST', '2000-01-01']] },
  { id: 'COPD-EXACERBATION-IN', expected: 'organ_failure', registers: [['COPD', '2015-01-01']], spells: [[lastDayIn12m, '21', 'J44.1', '']] },
  { id: 'COPD-EXACERBATION-OUT', expected: 'long_term_conditions', registers: [['COPD', '2015-01-01']], spells: [[firstDayOut12m, '21', 'J44.1', '']] },
  { id: 'COPD-ELECTIVE', expected: 'long_term_conditions', registers: [['COPD', '2015-01-01']], spells: [['2026-06-01', '11', 'J44.1', '']] },
  { id: 'COPD-SECONDARY', expected: 'long_term_conditions', registers: [['COPD', '2015-01-01']], spells: [['2026-06-01', '21', 'R07.4', 'J44.1']] },
  { id: 'DIALYSIS-IN', expected: 'organ_failure', spells: [['2024-11-22', '11', 'Z49.1', '']] },
  { id: 'CKD5-SECONDARY', expected: 'organ_failure', birthYear: '1990', spells: [['2026-02-01', '21', 'J18.9', 'N18.5']] },
  { id: 'LIVER-FAILURE', expected: 'organ_failure', birthYear: '1990', spells: [['2026-02-01', '21', 'K72.1', '']] },
  { id: 'CKD5-OUT', expected: 'healthy', spells: [['2024-11-21', '11', 'N18.5', '']] },
  { id: 'CKD4-ONLY', expected: 'long_term_conditions', birthYear: '1990', registers: [['CKD', '2020-01-01']], spells: [['2026-06-01', '11', 'N18.4', '']] },
  { id: 'LD', expected: 'disability', registers: [['LD', '1990-01-01']] },
  { id: 'LD-AST-DM', expected: 'disability', registers: [['LD', '1990-01-01'], ['AST', '2000-01-01'], ['DM', '2010-01-01']] },
  { id: 'DOWN-SYNDROME', expected: 'disability', spells: [['2026-03-01', '21', 'J18.9', 'Q90.9']] },
  { id: 'TWO-REGISTERS', expected: 'complex_multimorbidity', registers: [['AST', '2000-01-01'], ['HYP', '2010-01-01']] },
  { id: 'TWO-WITH-PC-AFTER', expected: 'complex_multimorbidity', registers: [['AST', '2000-01-01'], ['HYP', '2010-01-01'], ['PC', extractDate]] },
  { id: 'ONE-REGISTER', expected: 'long_term_conditions', registers: [['HYP', '2010-01-01']] },
  { id: 'ONE-REGISTER-ON-AS-OF', expected: 'long_term_conditions', registers: [['HYP', asOf]] },
  { id: 'ONE-REGISTER-MATERNITY', expected: 'long_term_conditions', birthYear: '1995', registers: [['AST', '2000-01-01']], spells: [['2026-06-01', '31', 'O80.0', '']] },
  { id: 'INFANT-AGE-0', expected: 'maternity_infant', birthYear: '2026' },
  { id: 'INFANT-EMERGENCY', expected: 'maternity_infant', birthYear: '2026', spells: [['2026-10-01', '21', 'J21.9', '']] },
  { id: 'CHILD-AGE-1', expected: 'healthy', birthYear: '2025' },
  { id: 'MATERNITY-IN', expected: 'maternity_infant', birthYear: '1995', spells: [[lastDayIn12m, '31', 'O80.0', '']] },
  { id: 'MATERNITY-POSTNATAL-IN', expected: 'maternity_infant', birthYear: '1995', spells: [['2026-09-01', '32', 'O86.4', '']] },
  { id: 'MATERNITY-OUT', expected: 'healthy', birthYear: '1995', spells: [[firstDayOut12m, '31', 'O80.0', '']] },
  // The contract's open case: no register, not frail, nothing higher, an emergency admission in 12 months.
  { id: 'EMERGENCY-ONLY', expected: 'healthy', spells: [['2026-06-01', '21', 'R07.4', ''], ['2026-08-01', '22', 'S52.5', '']] },
  { id: 'HEALTHY', expected: 'healthy' },
];

let db: Database;
let inbox: string;
let segments: Map<string, string>;

beforeAll(async () => {
  db = await openTestDatabase();
  inbox = temporaryFolder();
  let n = 0;
  const demographics = { name: 'demographics.csv', lines: [demographicsHeader, ...fixture.map((f) => person(f.id, { year_of_birth: f.birthYear ?? '1950', registered_on: `${f.birthYear ?? '2000'}-06-01` }))] };
  const registers = fixture.flatMap((f) => (f.registers ?? []).map(([code, on]) => ({ on, row: `${f.id},${code},${on}` })));
  writeExtract(inbox, asOf, [
    demographics,
    { name: 'gp_conditions.csv', lines: [conditionsHeader, ...registers.filter((r) => r.on <= asOf).map((r) => r.row)] },
    {
      name: 'inpatient_spells.csv',
      lines: [spellsHeader, ...fixture.flatMap((f) => (f.spells ?? []).map(([on, method, primary, secondary]) => `S${++n},${f.id},${on},${on},${method},${primary},${secondary},300`))],
    },
  ]);
  writeExtract(inbox, extractDate, [
    demographics,
    { name: 'gp_conditions.csv', lines: [conditionsHeader, ...registers.filter((r) => r.on > asOf).map((r) => r.row)] },
  ]);
  const load = await loadInbox(db, inbox, { runId: 'test', now: new Date() });
  expect(load.rejected).toEqual([]);
  expect(await db.rowsJson('SELECT file_name, line, reason, detail FROM quarantine')).toEqual([]);
  await buildFeatures(db, 'scoring_population', asOf, 'scoring_features');
  const rows = await db.rowsJson<{ person_id: string; segment: string }>('SELECT person_id, segment FROM scoring_features');
  segments = new Map(rows.map((r) => [r.person_id, r.segment]));
});
afterAll(() => {
  db.close();
  rmSync(inbox, { recursive: true, force: true });
});

describe('population segments', () => {
  it.each(fixture.map((f) => [f.id, f.expected]))('%s is %s', (id, expected) => {
    expect(segments.get(id)).toBe(expected);
  });

  it('gives every person in the features exactly one segment', () => {
    expect(segments.size).toBe(fixture.length);
  });
});

describe('the palliative care register is no long-term condition', () => {
  it('counts in neither ltc_count nor new_ltc_12m', async () => {
    const rows = await db.rowsJson<{ person_id: string; ltc_count: number; new_ltc_12m: number }>(
      `SELECT person_id, ltc_count::INTEGER AS ltc_count, new_ltc_12m::INTEGER AS new_ltc_12m FROM scoring_features
       WHERE person_id IN ('PC-ONLY', 'PC-DEM-HF-LD', 'PC-ON-AS-OF', 'TWO-WITH-PC-AFTER') ORDER BY person_id`,
    );
    expect(rows).toEqual([
      { person_id: 'PC-DEM-HF-LD', ltc_count: 3, new_ltc_12m: 0 },
      { person_id: 'PC-ON-AS-OF', ltc_count: 0, new_ltc_12m: 0 },
      { person_id: 'PC-ONLY', ltc_count: 0, new_ltc_12m: 0 },
      { person_id: 'TWO-WITH-PC-AFTER', ltc_count: 2, new_ltc_12m: 0 },
    ]);
  });

  it('is not a new long-term condition in the outcome year', async () => {
    // Index date 2026-01-01: PC-ONLY goes onto PC in the outcome year, ONE-REGISTER-ON-AS-OF onto HYP.
    await buildFeatures(db, 'training_population', '2026-01-01', 'training_features', { withOutcomes: true });
    const rows = await db.rowsJson<{ person_id: string; new_ltc_next_12m: boolean }>(
      `SELECT person_id, new_ltc_next_12m FROM training_features
       WHERE person_id IN ('PC-ONLY', 'PC-ON-AS-OF', 'ONE-REGISTER-ON-AS-OF') ORDER BY person_id`,
    );
    expect(rows).toEqual([
      { person_id: 'ONE-REGISTER-ON-AS-OF', new_ltc_next_12m: true },
      { person_id: 'PC-ON-AS-OF', new_ltc_next_12m: false },
      { person_id: 'PC-ONLY', new_ltc_next_12m: false },
    ]);
  });
});
