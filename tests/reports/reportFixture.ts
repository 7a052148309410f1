// A small synthetic database for the cohort report tests: the persistent schema, a hand-made `scores` table and
// activity, all from range() with fixed arithmetic (no randomness), so every test sees the same rows.
//
// With the default 300 people: four practices. A81001 (120 people, 30 in tiers 1-2) and A81002 (100, 22) are in
// PCN U00001; B82001 (60, 5: a small number) is alone in PCN U00002; B82002 (20, 9) has no PCN. Tier 1 holds 3
// people. One opted-out person (PX900001) and one who died (PX900002) are in `persons` with activity (and the
// opted-out person with corrections), not in `scores`.
// The model cards and drift are in modelCardFixture.ts.
import { Database, quoteIdentifier, sqlFile } from '../../core/db/Database.ts';
import { loadReferenceData } from '../../core/db/initDatabase.ts';
import type { ReportInput } from '../../reports/renderReport.ts';
import { fixtureDrift, fixtureModelCards } from './modelCardFixture.ts';

export const fixtureAsOf = '2026-11-22';
export const optedOutPersonId = 'PX900001';

export const fixtureInput: ReportInput = {
  asOf: fixtureAsOf,
  extractDates: ['2026-11-21', '2026-11-22'],
  tierCutoffs: [0.005, 0.05, 0.2],
  modelCards: fixtureModelCards,
  drift: fixtureDrift,
};

const createScoresSql = `
CREATE TABLE scores (
  person_id VARCHAR, practice_code VARCHAR, pcn_code VARCHAR, age INTEGER, age_band VARCHAR, sex VARCHAR,
  ethnic_group VARCHAR, imd_decile INTEGER, ltc_count INTEGER, charlson_index INTEGER, frailty_score DOUBLE,
  emergency_admissions_12m INTEGER, emergency_bed_days_12m INTEGER, ae_attendances_12m INTEGER, ea_risk DOUBLE,
  ea_tier INTEGER, ltc_risk DOUBLE, top_factors VARCHAR[], previous_ea_tier INTEGER, segment VARCHAR
)`;

// Practices by position: the first 40% A81001, the next third A81002, the next 20% B82001, the rest B82002.
// Tiers 1-2 by position within the practice, so each practice's count is known.
const insertScoresSql = `
INSERT INTO scores
WITH numbered AS (
  SELECT i, $people::INTEGER AS n FROM range(1, $people::INTEGER + 1) AS t(i)
),
placed AS (
  SELECT *,
    CASE WHEN i <= n * 0.4 THEN 'A81001' WHEN i <= n * 0.7334 THEN 'A81002' WHEN i <= n * 0.9334 THEN 'B82001' ELSE 'B82002' END AS practice_code
  FROM numbered
),
ranked AS (
  SELECT *, row_number() OVER (PARTITION BY practice_code ORDER BY i) AS j, count(*) OVER (PARTITION BY practice_code) AS size
  FROM placed
),
tiered AS (
  SELECT *,
    CASE practice_code WHEN 'A81001' THEN 0.25 WHEN 'A81002' THEN 0.22 WHEN 'B82001' THEN 0.0834 ELSE 0.45 END AS tier12_share,
    CASE practice_code WHEN 'A81001' THEN 2 WHEN 'A81002' THEN 1 ELSE 0 END AS tier1_people,
    (i * 37) % 96 AS age
  FROM ranked
)
SELECT
  'PX' || lpad(i::VARCHAR, 6, '0') AS person_id,
  practice_code,
  CASE WHEN practice_code LIKE 'A%' THEN 'U00001' WHEN practice_code = 'B82001' THEN 'U00002' END AS pcn_code,
  age,
  CASE WHEN age < 18 THEN '0-17' WHEN age < 45 THEN '18-44' WHEN age < 65 THEN '45-64' WHEN age < 75 THEN '65-74'
       WHEN age < 85 THEN '75-84' ELSE '85+' END AS age_band,
  CASE WHEN i % 97 = 0 THEN 'X' WHEN i % 2 = 0 THEN '2' ELSE '1' END AS sex,
  CASE i % 20 WHEN 0 THEN 'Not stated' WHEN 1 THEN 'Asian' WHEN 2 THEN 'Asian' WHEN 3 THEN 'Asian' WHEN 4 THEN 'Black'
       WHEN 5 THEN 'Black' WHEN 6 THEN 'Mixed' WHEN 7 THEN 'Other' ELSE 'White' END AS ethnic_group,
  CASE WHEN i % 29 = 0 THEN NULL ELSE i % 10 + 1 END AS imd_decile,
  (i * 7) % 6 AS ltc_count,
  ((i * 7) % 6) // 2 AS charlson_index,
  age / 10.0 AS frailty_score,
  0, 0, 0,
  CASE WHEN j <= tier1_people THEN 0.7 WHEN j <= round(size * tier12_share) THEN 0.35 WHEN j <= size * 0.45 THEN 0.12 ELSE 0.03 END
    - i / 1e6 AS ea_risk,
  CASE WHEN j <= tier1_people THEN 1 WHEN j <= round(size * tier12_share) THEN 2 WHEN j <= size * 0.45 THEN 3 ELSE 4 END AS ea_tier,
  0.05 AS ltc_risk,
  ['age', 'ltc_count'] AS top_factors,
  NULL AS previous_ea_tier,
  -- Segments from position, age and LTC count, in the contract's order: each segment has people in several tiers.
  CASE WHEN i % 53 = 0 THEN 'end_of_life' WHEN age >= 85 THEN 'frailty_dementia' WHEN i % 31 = 0 THEN 'organ_failure'
       WHEN i % 41 = 0 THEN 'disability' WHEN (i * 7) % 6 >= 2 THEN 'complex_multimorbidity'
       WHEN (i * 7) % 6 = 1 THEN 'long_term_conditions' WHEN age = 0 THEN 'maternity_infant' ELSE 'healthy' END AS segment
FROM tiered`;

const insertPersonsSql = `
INSERT INTO persons
SELECT person_id, 2026 - age, sex, NULL, NULL, imd_decile, practice_code, pcn_code, DATE '2010-01-01', NULL, 'N',
  DATE '2026-11-21', DATE '2026-11-22'
FROM scores
UNION ALL SELECT 'PX900001', 1940, '2', 'A', NULL, 1, 'B82001', 'U00002', DATE '2010-01-01', NULL, 'Y', DATE '2026-11-21', DATE '2026-11-22'
UNION ALL SELECT 'PX900002', 1935, '1', 'A', NULL, 2, 'A81001', 'U00001', DATE '2010-01-01', DATE '2026-06-01', 'N', DATE '2026-11-21', DATE '2026-11-22'`;

// About three years of spells for scored people: three in four are emergencies (methods 21, 2A, 22).
const insertSpellsSql = `
INSERT INTO inpatient_spells
WITH spells AS (
  SELECT k, DATE '2026-11-22' - ((k * 37) % 1090)::INTEGER AS admission_date
  FROM range(0, $spells::INTEGER) AS t(k)
)
SELECT
  'S' || k, 'PX' || lpad(((k * 7) % $people::INTEGER + 1)::VARCHAR, 6, '0'), admission_date,
  CASE WHEN k % 50 = 0 AND admission_date > DATE '2026-11-01' THEN NULL ELSE least(admission_date + (k % 9)::INTEGER, DATE '2026-11-22') END,
  CASE k % 4 WHEN 0 THEN '11' WHEN 1 THEN '21' WHEN 2 THEN '2A' ELSE '22' END,
  'J441', NULL, '300', DATE '2026-11-22', k + 2
FROM spells`;

const insertAttendancesSql = `
INSERT INTO ae_attendances
SELECT 'A' || k, 'PX' || lpad(((k * 11) % $people::INTEGER + 1)::VARCHAR, 6, '0'),
  TIMESTAMP '2026-11-22 10:00:00' - to_days(((k * 53) % 1090)::INTEGER), '01', k % 5 + 1, CASE WHEN k % 3 = 0 THEN 'Y' ELSE 'N' END,
  DATE '2026-11-22', k + 2
FROM range(0, $attendances::INTEGER) AS t(k)`;

const insertConditionsSql = `
INSERT INTO gp_conditions
WITH codes AS (
  SELECT c, code FROM (VALUES (0, 'AF'), (1, 'AST'), (2, 'CAN'), (3, 'CHD'), (4, 'CKD'), (5, 'COPD'), (6, 'DEM'), (7, 'DEP'),
    (8, 'DM'), (9, 'EP'), (10, 'HF'), (11, 'HYP'), (12, 'LD'), (13, 'MH'), (14, 'OST'), (15, 'PAD'), (16, 'RA'), (17, 'STIA')) AS v(c, code)
)
SELECT 'PX' || lpad(i::VARCHAR, 6, '0'), code, DATE '2020-01-01' + ((i * 13 + c) % 2000)::INTEGER, DATE '2026-11-21', i
FROM range(1, $people::INTEGER + 1) AS t(i), codes
WHERE (i * (c + 3)) % (c * 3 + 7) = 0`;

const insertOptedOutActivitySql = [
  `INSERT INTO inpatient_spells
   SELECT 'SOPT' || k, 'PX900001', DATE '2026-11-20' - (k * 17)::INTEGER, DATE '2026-11-20' - (k * 17)::INTEGER + 4, '21', 'I10', NULL, NULL,
     DATE '2026-11-22', 900 + k
   FROM range(0, 20) AS t(k)`,
  `INSERT INTO ae_attendances
   SELECT 'AOPT' || k, 'PX900001', TIMESTAMP '2026-11-20 08:00:00' - to_days((k * 23)::INTEGER), '01', 2, 'Y', DATE '2026-11-22', 900 + k
   FROM range(0, 15) AS t(k)`,
  `INSERT INTO gp_conditions VALUES ('PX900001', 'LD', DATE '2015-01-01', DATE '2026-11-21', 900), ('PX900001', 'HF', DATE '2016-01-01', DATE '2026-11-21', 901)`,
  `INSERT INTO inpatient_spells VALUES ('SDEAD', 'PX900002', DATE '2026-05-20', DATE '2026-06-01', '21', 'I10', NULL, NULL, DATE '2026-11-22', 950)`,
];

const insertLoadHistorySql = [
  `INSERT INTO extracts VALUES (DATE '2026-11-21', 'run-1', TIMESTAMP '2026-11-21 02:00:00', 'aa'), (DATE '2026-11-22', 'run-2', TIMESTAMP '2026-11-22 02:00:00', 'bb')`,
  `INSERT INTO extract_files VALUES
     (DATE '2026-11-21', 'run-1', 'demographics', 'demographics.csv', 'h1', 302, 302, 0, 0),
     (DATE '2026-11-21', 'run-1', 'gp_conditions', 'gp_conditions.csv', 'h2', 420, 420, 0, 0),
     (DATE '2026-11-22', 'run-2', 'demographics', 'demographics.csv', 'h3', 302, 302, 0, 0),
     (DATE '2026-11-22', 'run-2', 'inpatient_spells', 'inpatient_spells.csv', 'h4', 526, 521, 5, 12),
     (DATE '2026-11-22', 'run-2', 'ae_attendances', 'ae_attendances.csv', 'h5', 855, 815, 40, 0)`,
  // 12 corrections of spells: 10 of scored people, 2 of the opted-out person.
  `INSERT INTO corrections
   SELECT DATE '2026-11-22', 'run-2', 'inpatient_spells', CASE WHEN k < 10 THEN 'PX' || lpad((k + 1)::VARCHAR, 6, '0') ELSE 'PX900001' END, 100 + k
   FROM range(0, 12) AS t(k)`,
  // raw_row and detail carry a scored person's id and an NHS number: neither may reach the report.
  `INSERT INTO quarantine
   SELECT DATE '2026-11-22', 'run-2', 'inpatient_spells.csv', 600 + k,
     CASE WHEN k < 3 THEN 'bad_date' ELSE 'unknown_person' END, 'detail mentions PX000001',
     'S9' || k || ',PX000001,2026-13-01,,21,J441,,'
   FROM range(0, 5) AS t(k)`,
  `INSERT INTO quarantine
   SELECT DATE '2026-11-22', 'run-2', 'ae_attendances.csv', 900 + k,
     CASE WHEN k < 30 THEN 'duplicate_key' ELSE 'direct_identifier' END, NULL,
     'A9' || k || ',9434765919,2026-11-01T10:00:00,01,3,N'
   FROM range(0, 40) AS t(k)`,
];

export interface FixtureSize {
  people: number;
  spells: number;
  attendances: number;
}

/** A fresh in-memory database holding the fixture. The caller closes it. */
export async function openReportFixture(size: FixtureSize = { people: 300, spells: 500, attendances: 800 }): Promise<Database> {
  const db = await Database.open({ path: ':memory:' });
  await db.run(sqlFile('schema/tables.sql'));
  // The report reads its code lists (emergency admission methods, register names) from the reference tables.
  await loadReferenceData(db);
  await db.run(createScoresSql);
  const params = { people: size.people, spells: size.spells, attendances: size.attendances };
  await db.run(insertScoresSql, { people: size.people });
  await db.run(insertPersonsSql);
  await db.run(insertSpellsSql, { people: size.people, spells: params.spells });
  await db.run(insertAttendancesSql, { people: size.people, attendances: params.attendances });
  await db.run(insertConditionsSql, { people: size.people });
  for (const sql of [...insertOptedOutActivitySql, ...insertLoadHistorySql]) await db.run(sql);
  return db;
}

/** Removes every trace of the opted-out person's activity, and of their corrections. */
export async function deleteOptedOutActivity(db: Database): Promise<void> {
  for (const table of ['inpatient_spells', 'ae_attendances', 'gp_conditions', 'corrections']) {
    await db.run(`DELETE FROM ${quoteIdentifier(table)} WHERE person_id = $person_id`, { person_id: optedOutPersonId });
  }
}
