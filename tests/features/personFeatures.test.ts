// Spot checks of the person-level features from small fixtures, with values worked out by hand.
// Windows are checked at their edges: a day either side must change the answer.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../core/db/Database.ts';
import { buildFeatures } from '../../models/buildFeatures.ts';
import { loadInbox } from '../../pipeline/ingest/loadInbox.ts';
import { openTestDatabase, temporaryFolder } from '../helpers/testDatabase.ts';
import {
  aeHeader, conditionsHeader, demographicsHeader, outpatientHeader, person, prescriptionsHeader, spellsHeader, writeExtract,
} from '../helpers/writeExtract.ts';

const asOf = '2026-11-21';
let db: Database;

beforeEach(async () => {
  db = await openTestDatabase();
  const inbox = temporaryFolder();
  writeExtract(inbox, asOf, [
    {
      name: 'demographics.csv',
      lines: [
        demographicsHeader,
        person('P1', { year_of_birth: '1940', imd_decile: '1', ethnic_category: 'H' }),
        // Registered after birth: a registration before 1 January of the year of birth is date_order (contract v2).
        person('P2', { year_of_birth: '2010', sex: '1', registered_on: '2010-03-01' }),
        person('P3', { opt_out: 'Y' }),
        person('P4', { date_of_death: '2026-11-01' }),
      ],
    },
    {
      name: 'inpatient_spells.csv',
      lines: [
        spellsHeader,
        // 365 days before as_of is outside "the last 12 months"; 364 days before is inside.
        'S1,P1,2025-11-21,2025-11-25,21,J44.1,,300',
        'S2,P1,2025-11-22,2025-11-30,22,I50.0,N18.4;C78.0;C50.9;E11.9;E11.2,300',
        'S3,P1,2026-09-01,2026-09-04,2A,R29.6,W19;I50.0,300',
        'S4,P1,2026-10-01,2026-10-02,11,K80.2,,100',
        'S5,P2,2020-01-01,2020-01-02,21,J45.9,,420',
        'S6,P1,2026-03-03,2026-03-03,12,H25.9,,130',
        // 1,095 days before as_of is 2023-11-22: outside "the last 3 years"; 2023-11-23 is inside.
        'S7,P1,2023-11-22,2023-11-24,21,J18.9,,300',
        'S8,P1,2023-11-23,2023-11-24,21,J18.9,,300',
      ],
    },
    {
      name: 'outpatient_appointments.csv',
      lines: [
        outpatientHeader,
        // 2025-11-21 is 365 days before as_of: outside. 2025-11-22 is inside.
        'O1,P1,2025-11-21,5,1,300', 'O2,P1,2025-11-22,6,2,300', 'O3,P1,2026-05-01,3,2,300', 'O4,P1,2026-11-21,5,2,300',
        'O5,P1,2026-06-01,2,2,300', 'O6,P1,2026-06-02,3,2,300', 'O7,P1,2023-11-22,5,2,300', 'O8,P1,2023-11-23,5,2,300',
      ],
    },
    {
      name: 'ae_attendances.csv',
      lines: [
        aeHeader, 'A1,P1,2025-11-22T00:00:00,01,2,Y', 'A2,P1,2025-11-21T23:59:59,01,2,N', 'A3,P1,2026-11-21T08:00:00,01,3,N',
        'A4,P1,2023-11-22T23:59:59,01,3,N', 'A5,P1,2023-11-23T00:00:00,01,3,N',
      ],
    },
    { name: 'gp_conditions.csv', lines: [conditionsHeader, 'P1,COPD,2010-01-01', 'P1,HF,2026-01-01', 'P1,CKD,2026-11-21', 'P2,AST,2026-11-22'.replace('2026-11-22', '2026-11-21')] },
    {
      name: 'prescriptions.csv',
      lines: [
        prescriptionsHeader,
        'R1,P1,2026-11-01,0205051R0AAAAAA', 'R2,P1,2026-10-01,0205051R0AAABAB', 'R3,P1,2026-06-01,0601022B0AAABAB',
        'R4,P1,2026-05-21,0301011R0AAAAAA',
      ],
    },
  ]);
  const result = await loadInbox(db, inbox, { runId: 'test', now: new Date() });
  expect(result.rejected).toEqual([]);
  await buildFeatures(db, 'scoring_population', asOf, 'scoring_features');
});
afterEach(() => db.close());

async function features(personId: string): Promise<Record<string, unknown>> {
  const rows = await db.rows('SELECT * FROM scoring_features WHERE person_id = $p', { p: personId });
  return Object.fromEntries(Object.entries(rows[0]!).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v]));
}

describe('person_features', () => {
  it('scores only people alive, registered and not opted out', async () => {
    const ids = await db.rowsJson<{ person_id: string }>('SELECT person_id FROM scoring_features ORDER BY 1');
    expect(ids.map((r) => r.person_id)).toEqual(['P1', 'P2']);
  });

  it('demographics: age, band, quintile, ethnic group', async () => {
    expect(await features('P1')).toMatchObject({ age: 86, age_band: '85+', imd_quintile: 1, ethnic_group: 'Asian' });
    expect(await features('P2')).toMatchObject({ age: 16, age_band: '0-17', sex: '1' });
  });

  it('emergency admissions and bed days in the 365 days ending on as_of', async () => {
    expect(await features('P1')).toMatchObject({
      emergency_admissions_12m: 2, // S2 and S3; S1 is 365 days before
      emergency_admissions_24m: 3,
      emergency_admissions_36m: 4, // S8 counts, S7 does not
      emergency_admissions_90d: 1,
      emergency_bed_days_12m: 8 + 3,
      days_since_emergency_discharge: 78,
      elective_spells_12m: 1,
      day_case_spells_12m: 1,
    });
  });

  it('outpatient attendances, did-not-attends and the DNA rate in the last 12 months', async () => {
    // Attended: O2, O4 (O1 is a day too early); DNA: O3, O6; O5 was cancelled by the patient.
    expect(await features('P1')).toMatchObject({
      outpatient_attendances_12m: 2, outpatient_dna_12m: 2, outpatient_dna_rate_12m: 0.5, outpatient_attendances_36m: 4,
    });
    expect(await features('P2')).toMatchObject({ outpatient_attendances_12m: 0, outpatient_dna_rate_12m: null });
  });

  it('A&E attendances in the last 12 months, at the edge of the window', async () => {
    expect(await features('P1')).toMatchObject({
      ae_attendances_12m: 2, ae_attendances_not_admitted_12m: 1, ae_attendances_90d: 1, ae_attendances_36m: 4,
    });
  });

  it('GP registers: flags, count, multimorbidity and new diagnoses', async () => {
    expect(await features('P1')).toMatchObject({
      ltc_count: 3, ltc_copd: true, ltc_hf: true, ltc_ckd: true, ltc_dm: false,
      multimorbidity: true, complex_multimorbidity: false, new_ltc_12m: 2,
    });
  });

  it('Charlson with the hierarchy: metastatic removes malignancy, complicated diabetes removes uncomplicated', async () => {
    // S1..S3 within 5 years: copd (J44) 1, chf (I50) 1, rend (N184) 2, metacanc (C78) 6 (canc C50 removed),
    // diabwc (E112) 2 (diab E119 removed).
    const f = await features('P1');
    expect(f['charlson_index']).toBe(1 + 1 + 2 + 6 + 2);
    expect(f['charlson_categories']).toEqual(['chf', 'copd', 'diabwc', 'metacanc', 'rend']);
  });

  it('Hospital Frailty Risk Score: distinct 3-character codes in 2 years, weights from Gilbert 2018', async () => {
    // Only codes on the HFRS list score (R29, W19, N18 here); the expected sum is read from the reference weights.
    const weights = await db.rowsJson<{ icd10_3char: string; weight: string }>(
      "SELECT icd10_3char, weight FROM ref_hfrs_icd10_gilbert2018 WHERE icd10_3char IN ('R29','W19','N18','I50','E11','C78','C50','J44','K80')",
    );
    const expected = weights.reduce((sum, w) => sum + Number(w.weight), 0);
    const f = await features('P1');
    expect(f['frailty_score']).toBeCloseTo(expected, 6);
    expect(f['frailty_band']).toBe(expected > 15 ? 'high' : expected >= 5 ? 'intermediate' : 'low');
  });

  it('polypharmacy: distinct chemical substances (9 characters) in the last 6 months', async () => {
    // R1 and R2 are the same chemical (0205051R0); R3 counts; R4 is just outside 6 months.
    expect(await features('P1')).toMatchObject({ distinct_medicines_6m: 2, polypharmacy: false });
  });
});
