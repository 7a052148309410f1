// Hospital Frailty Risk Score (sql/intermediate/features/frailty_features.sql) from small fixtures, with sums worked out by
// hand from the published weights: distinct 3-character codes, the 2-year window at its edges, band edges.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../core/db/Database.ts';
import { buildFeatures } from '../../models/buildFeatures.ts';
import { loadInbox } from '../../pipeline/ingest/loadInbox.ts';
import { readHfrsWeights, subtractYears } from '../helpers/referenceIndices.ts';
import { openTestDatabase, temporaryFolder } from '../helpers/testDatabase.ts';
import { demographicsHeader, person, spellsHeader, writeExtract } from '../helpers/writeExtract.ts';

const asOf = '2026-11-21';

// Weights of the codes used here, as published in Gilbert T, Neuburger J, Kraindler J, et al. Development
// and validation of a Hospital Frailty Risk Score focusing on older people in acute care settings using
// electronic hospital records: an observational study. Lancet 2018;391(10132):1775-82 (supplementary table).
const gilbert2018: Record<string, number> = {
  F00: 7.1, G81: 4.4, I69: 3.7, R29: 3.6, N39: 3.2, W19: 3.2, R41: 2.7, R40: 2.5, R54: 2.2,
  T83: 2.4, E87: 2.3, S72: 1.4, N18: 1.4, R33: 1.3, M80: 0.8, R11: 0.3,
};

/** Fixture people: [person_id, [admission_date, primary, secondary][]]. */
const fixture: [string, [string, string, string][]][] = [
  [
    'MAIN',
    [
      ['2026-10-01', 'F00.1', 'R29.6;W19;I10'], // F00 7.1, R29 3.6, W19 3.2; I10 has no weight
      ['2026-03-15', 'F001', 'N39.0;R29.6;F00.9'], // N39 3.2; F00 (plain and another 4th character) and R29 again
      ['2024-11-22', 'S72.0', 'R54;J44.1'], // the day after as_of - 2 years: S72 1.4, R54 2.2; J44 has no weight
      ['2024-11-21', 'G81.9', 'R40.2'], // exactly as_of - 2 years: outside (G81 4.4, R40 2.5 not counted)
      ['2023-01-10', 'I69.4', 'F00.9'], // well outside (I69 3.7 not counted)
    ],
  ],
  ['EDGE-OUT', [['2024-11-21', 'G81.9', '']]],
  ['EDGE-IN', [['2024-11-22', 'G81.9', '']]],
  ['AS-OF', [[asOf, 'R29.6', '']]],
  ['NONE', [['2026-06-01', 'I10', 'J44.1']]],
  ['BAND-4_9', [['2026-06-01', 'R29.6', 'R33X']]],
  ['BAND-5_0', [['2026-06-01', 'R29.6', 'N18.4']]],
  ['BAND-5_0-TENTHS', [['2026-06-01', 'T83.0', 'E87.1;R11X']]],
  ['BAND-15_0', [['2026-01-01', 'F00.1', 'G81.9'], ['2026-06-01', 'R41.0', 'M80.0']]],
  ['BAND-15_1', [['2026-01-01', 'F00.1', 'G81.9;R29.6']]],
];

let db: Database;
let inbox: string;
let features: Map<string, { frailty_score: number; frailty_band: string }>;

// One read-only fixture for the file: the tests only read scoring_features.
beforeAll(async () => {
  db = await openTestDatabase();
  inbox = temporaryFolder();
  let n = 0;
  const spells = fixture.flatMap(([id, rows]) =>
    rows.map(([date, primary, secondary]) => `S${++n},${id},${date},${date},21,${primary},${secondary},300`),
  );
  writeExtract(inbox, asOf, [
    { name: 'demographics.csv', lines: [demographicsHeader, ...fixture.map(([id]) => person(id))] },
    { name: 'inpatient_spells.csv', lines: [spellsHeader, ...spells] },
  ]);
  const load = await loadInbox(db, inbox, { runId: 'test', now: new Date() });
  expect(load.rejected).toEqual([]);
  expect(await db.rowsJson('SELECT file_name, line, reason, detail FROM quarantine')).toEqual([]);
  await buildFeatures(db, 'scoring_population', asOf, 'scoring_features');
  const rows = await db.rowsJson<{ person_id: string; frailty_score: number; frailty_band: string }>(
    'SELECT person_id, frailty_score, frailty_band FROM scoring_features',
  );
  features = new Map(rows.map((r) => [r.person_id, { frailty_score: r.frailty_score, frailty_band: r.frailty_band }]));
});
afterAll(() => {
  db.close();
  rmSync(inbox, { recursive: true, force: true });
});

function frailty(personId: string): { frailty_score: number; frailty_band: string } {
  const row = features.get(personId);
  if (row === undefined) throw new Error(`${personId} is not in scoring_features`);
  return row;
}

describe('frailty_features (Hospital Frailty Risk Score, Gilbert 2018)', () => {
  it('the weights written in this test are the ones in the reference list', () => {
    const reference = readHfrsWeights();
    for (const [code, weight] of Object.entries(gilbert2018)) expect(reference.get(code), code).toBe(weight);
  });

  it('frailty_score is DOUBLE and frailty_band VARCHAR, one row per fixture person', async () => {
    const columns = await db.rowsJson<{ column_name: string; column_type: string }>(
      "SELECT column_name, column_type FROM (DESCRIBE scoring_features) WHERE column_name LIKE 'frailty%'",
    );
    expect(columns).toEqual([
      { column_name: 'frailty_score', column_type: 'DOUBLE' },
      { column_name: 'frailty_band', column_type: 'VARCHAR' },
    ]);
    expect([...features.keys()].sort()).toEqual(fixture.map(([id]) => id).sort());
  });

  it('sums distinct 3-character codes across spells in the 2 years to as_of', () => {
    // F00 + R29 + W19 + N39 + S72 + R54 = 7.1 + 3.6 + 3.2 + 3.2 + 1.4 + 2.2 = 20.7. F00 (F00.1, F001, F00.9)
    // and R29 count once; G81 and R40 (exactly 2 years before) and I69 (older) are outside.
    const { F00, R29, W19, N39, S72, R54 } = gilbert2018 as Record<'F00' | 'R29' | 'W19' | 'N39' | 'S72' | 'R54', number>;
    expect(F00 + R29 + W19 + N39 + S72 + R54).toBeCloseTo(20.7, 9);
    expect(frailty('MAIN').frailty_score).toBeCloseTo(20.7, 9);
    expect(frailty('MAIN').frailty_band).toBe('high');
  });

  it('as_of - INTERVAL 2 YEAR (2024-11-21) is outside; the day after is inside', () => {
    expect(subtractYears(asOf, 2)).toBe('2024-11-21');
    expect(frailty('EDGE-OUT')).toEqual({ frailty_score: 0, frailty_band: 'low' });
    expect(frailty('EDGE-IN').frailty_score).toBeCloseTo(4.4, 9);
  });

  it('a spell admitted on as_of is inside', () => {
    expect(frailty('AS-OF').frailty_score).toBeCloseTo(3.6, 9);
  });

  it('codes not in the list score 0: low', () => {
    expect(frailty('NONE')).toEqual({ frailty_score: 0, frailty_band: 'low' });
  });
});

describe('frailty_band edges: low < 5, intermediate 5-15, high > 15', () => {
  it('4.9 (R29 3.6 + R33 1.3) is low', () => {
    expect(frailty('BAND-4_9').frailty_score).toBeCloseTo(4.9, 9);
    expect(frailty('BAND-4_9').frailty_band).toBe('low');
  });

  it('exactly 5 (R29 3.6 + N18 1.4) is intermediate', () => {
    expect(frailty('BAND-5_0').frailty_score).toBeCloseTo(5, 9);
    expect(frailty('BAND-5_0').frailty_band).toBe('intermediate');
  });

  it('exactly 5 from three weights (T83 2.4 + E87 2.3 + R11 0.3) is intermediate', () => {
    // Added as binary doubles in the order 2.3 + 2.4 + 0.3 this is 4.999999999999999: a score summed in
    // DOUBLE could fall into the low band, depending on the order the rows arrive in.
    expect(2.3 + 2.4 + 0.3).toBeLessThan(5);
    expect(frailty('BAND-5_0-TENTHS').frailty_score).toBeCloseTo(5, 9);
    expect(frailty('BAND-5_0-TENTHS').frailty_band).toBe('intermediate');
  });

  it('exactly 15 (F00 7.1 + G81 4.4 + R41 2.7 + M80 0.8, over two spells) is intermediate', () => {
    expect(frailty('BAND-15_0').frailty_score).toBeCloseTo(15, 9);
    expect(frailty('BAND-15_0').frailty_band).toBe('intermediate');
  });

  it('15.1 (F00 7.1 + G81 4.4 + R29 3.6) is high', () => {
    expect(frailty('BAND-15_1').frailty_score).toBeCloseTo(15.1, 9);
    expect(frailty('BAND-15_1').frailty_band).toBe('high');
  });
});
