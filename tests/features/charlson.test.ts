// Charlson comorbidity index (sql/intermediate/features/charlson_features.sql) from small fixtures: one person per category,
// the hierarchy rules, the 5-year window at its edges, and code normalisation. Expected codes and weights
// are read from sql/reference/charlson_icd10_quan2005.csv (Quan 2005 coding, Charlson 1987 weights).
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../core/db/Database.ts';
import { buildFeatures } from '../../models/buildFeatures.ts';
import { loadInbox } from '../../pipeline/ingest/loadInbox.ts';
import {
  type CharlsonCode, charlsonCategoriesOfCode, charlsonCategoryList, charlsonWeights, readCharlsonCodes, subtractYears,
} from '../helpers/referenceIndices.ts';
import { openTestDatabase, temporaryFolder } from '../helpers/testDatabase.ts';
import { demographicsHeader, person, spellsHeader, writeExtract } from '../helpers/writeExtract.ts';

const asOf = '2026-11-21';
const dayAfterAsOf = '2026-11-22';
const codes: CharlsonCode[] = readCharlsonCodes();
const categories = charlsonCategoryList(codes);
const weights = charlsonWeights(codes);

/** A common, real ICD-10 code for each category, written as a sender would (dotted). */
const typicalCode: Record<string, string> = {
  ami: 'I21.9', chf: 'I50.9', pvd: 'I73.9', cevd: 'I63.9', dementia: 'F01.9', copd: 'J44.9', rheumd: 'M06.9',
  pud: 'K25.9', mld: 'K70.3', diab: 'E11.9', diabwc: 'E11.2', hp: 'G81.9', rend: 'N18.4', canc: 'C50.9',
  msld: 'I85.0', metacanc: 'C78.7', aids: 'B20.9',
};
const normalise = (code: string) => code.toUpperCase().replace('.', '').replace(/[X-]+$/, '').slice(0, 4);

interface CategoryCase {
  category: string;
  code: string;
  prefix: string;
  weight: number;
  personId: string;
}
const categoryCases: CategoryCase[] = categories.map((category) => {
  const code = typicalCode[category];
  if (code === undefined) throw new Error(`no fixture code for Charlson category ${category}`);
  const prefix = codes.filter((c) => c.category === category && normalise(code).startsWith(c.prefix)).at(0)?.prefix;
  if (prefix === undefined) throw new Error(`${code} is not coded as ${category} in the reference CSV`);
  return { category, code, prefix, weight: weights.get(category) as number, personId: `CAT-${category}` };
});

/** Extra fixture people: [person_id, [admission_date, primary, secondary][]]. */
const extraSpells: [string, [string, string, string][]][] = [
  // Hierarchy: metastatic removes malignancy, diabwc removes diab, msld removes mld.
  ['HIER-META', [['2026-03-01', 'C50.9', 'C78.0']]],
  ['HIER-DIAB', [['2025-01-10', 'E11.9', ''], ['2026-02-10', 'E11.2', '']]],
  ['HIER-LIVER', [['2026-04-01', 'K70.3', 'I85.0']]],
  ['HIER-ALL', [['2024-05-05', 'C50.9', 'E11.9;K70.3'], ['2025-05-05', 'C78.0', 'E11.2;I85.0']]],
  // The severe form outside the window does not remove the milder one inside it.
  ['HIER-OUTSIDE', [['2021-11-21', 'C78.0', ''], ['2026-01-01', 'C50.9', '']]],
  // The 5-year window: as_of - 5 years is outside, the day after is inside, as_of itself is inside.
  ['WIN-EDGE-OUT', [[subtractYears(asOf, 5), 'I50.9', '']]],
  ['WIN-EDGE-IN', [['2021-11-22', 'I50.9', '']]],
  ['WIN-AS-OF', [[asOf, 'I50.9', '']]],
  // Secondary diagnoses count as well as the primary.
  ['SECONDARY', [['2026-05-01', 'R07.4', 'I50.0;J44.1;N18.3']]],
  // The same category from several spells and codes counts once.
  ['ONCE', [['2023-01-01', 'I50.0', ''], ['2024-01-01', 'R06.0', 'I50.0'], ['2025-01-01', 'I11.0', 'I50.9;I50.0']]],
  // Codes outside the Quan 2005 lists: I25.1 is not I25.2, C44 (non-melanoma skin) is excluded, I10 is not listed.
  ['NOT-CHARLSON', [['2026-01-01', 'I25.1', 'C44.3;I10']]],
];

/** Sender styles that must match after normalisation: [person_id, code as sent, category]. */
const styleCases: [string, string, string][] = [
  ['STYLE-LOWER', 'c78.0', 'metacanc'],
  ['STYLE-DOTTED-X', 'I50.0X', 'chf'],
  ['STYLE-PLAIN', 'I252', 'ami'],
  ['STYLE-DOTTED-4', 'I25.2', 'ami'],
  ['STYLE-PADDED-3', 'N18X', 'rend'],
  ['STYLE-DASHED-3', 'n18-', 'rend'],
];
// 'FUTURE' has a spell the day after as_of, in a later extract: it must not count at as_of.
const futurePerson = 'FUTURE';

const everyone = [...categoryCases.map((c) => c.personId), ...extraSpells.map(([id]) => id), ...styleCases.map(([id]) => id), futurePerson];

let db: Database;
let inbox: string;
let features: Map<string, Record<string, unknown>>;

// One read-only fixture for the file: every test only reads scoring_features, so building it once
// keeps 40 tests fast without sharing any state that a test could change.
beforeAll(async () => {
  db = await openTestDatabase();
  inbox = temporaryFolder();
  const spells: string[] = [];
  let n = 0;
  const spell = (personId: string, date: string, primary: string, secondary: string) =>
    spells.push(`S${++n},${personId},${date},${date},21,${primary},${secondary},300`);
  for (const c of categoryCases) spell(c.personId, '2026-06-01', c.code, '');
  for (const [id, rows] of extraSpells) for (const [date, primary, secondary] of rows) spell(id, date, primary, secondary);
  for (const [id, code] of styleCases) spell(id, '2026-06-01', code, '');
  spell(futurePerson, '2026-01-01', 'J44.9', '');
  const demographics = [demographicsHeader, ...everyone.map((id) => person(id))];
  writeExtract(inbox, asOf, [
    { name: 'demographics.csv', lines: demographics },
    { name: 'inpatient_spells.csv', lines: [spellsHeader, ...spells] },
  ]);
  writeExtract(inbox, dayAfterAsOf, [
    { name: 'demographics.csv', lines: demographics },
    { name: 'inpatient_spells.csv', lines: [spellsHeader, `S${++n},${futurePerson},${dayAfterAsOf},${dayAfterAsOf},21,C78.0,I50.9,300`] },
  ]);
  const load = await loadInbox(db, inbox, { runId: 'test', now: new Date() });
  expect(load.rejected).toEqual([]);
  expect(await db.rowsJson('SELECT file_name, line, reason, detail FROM quarantine')).toEqual([]);
  await buildFeatures(db, 'scoring_population', asOf, 'scoring_features');
  const rows = await db.rowsJson<Record<string, unknown>>(
    "SELECT person_id, COLUMNS('^charlson_') FROM scoring_features",
  );
  features = new Map(rows.map((r) => [r['person_id'] as string, r]));
});
afterAll(() => {
  db.close();
  rmSync(inbox, { recursive: true, force: true });
});

function charlson(personId: string): { index: unknown; categories: unknown; flagsSet: string[] } {
  const row = features.get(personId);
  if (row === undefined) throw new Error(`${personId} is not in scoring_features`);
  return {
    index: row['charlson_index'],
    categories: row['charlson_categories'],
    flagsSet: categories.filter((c) => row[`charlson_${c}`] === true),
  };
}

describe('charlson_features: one person per Charlson category', () => {
  it('scores every fixture person and has one BOOLEAN flag per reference category', async () => {
    expect([...features.keys()].sort()).toEqual([...everyone].sort());
    const columns = await db.rowsJson<{ column_name: string; column_type: string }>(
      "SELECT column_name, column_type FROM (DESCRIBE scoring_features) WHERE column_name LIKE 'charlson\\_%' ESCAPE '\\'",
    );
    expect(columns).toEqual([
      { column_name: 'charlson_index', column_type: 'INTEGER' },
      { column_name: 'charlson_categories', column_type: 'VARCHAR[]' },
      ...categories.map((c) => ({ column_name: `charlson_${c}`, column_type: 'BOOLEAN' })),
    ]);
    expect(categories).toHaveLength(17);
  });

  it('the reference CSV carries the Charlson 1987 weights, one per category', () => {
    // Charlson ME, Pompei P, Ales KL, MacKenzie CR. J Chronic Dis 1987;40(5):373-83, as used by Quan 2005.
    expect(Object.fromEntries(weights)).toEqual({
      ami: 1, chf: 1, pvd: 1, cevd: 1, dementia: 1, copd: 1, rheumd: 1, pud: 1, mld: 1, diab: 1,
      diabwc: 2, hp: 2, rend: 2, canc: 2, msld: 3, metacanc: 6, aids: 6,
    });
  });

  it.each(categoryCases)('$category: $code (prefix $prefix) alone gives the $category flag and index $weight', (c) => {
    // The fixture code must belong to this category only, or the test would prove nothing.
    expect(charlsonCategoriesOfCode(normalise(c.code), codes)).toEqual([c.category]);
    expect(charlson(c.personId)).toEqual({ index: c.weight, categories: [c.category], flagsSet: [c.category] });
  });
});

describe('charlson_features: hierarchy', () => {
  it('metastatic tumour removes any malignancy: C78 + C50 scores 6, not 8', () => {
    expect(charlson('HIER-META')).toEqual({ index: 6, categories: ['metacanc'], flagsSet: ['metacanc'] });
  });

  it('diabetes with complications removes diabetes without: E11.2 + E11.9 scores 2, not 3', () => {
    expect(charlson('HIER-DIAB')).toEqual({ index: 2, categories: ['diabwc'], flagsSet: ['diabwc'] });
  });

  it('moderate/severe liver disease removes mild: I85.0 + K70.3 scores 3, not 4', () => {
    expect(charlson('HIER-LIVER')).toEqual({ index: 3, categories: ['msld'], flagsSet: ['msld'] });
  });

  it('all three rules at once, across spells: 6 + 2 + 3 = 11, not 15', () => {
    expect(charlson('HIER-ALL')).toEqual({ index: 11, categories: ['diabwc', 'metacanc', 'msld'], flagsSet: ['diabwc', 'msld', 'metacanc'] });
  });

  it('a severe form outside the 5-year window does not remove the milder one inside it', () => {
    expect(charlson('HIER-OUTSIDE')).toEqual({ index: 2, categories: ['canc'], flagsSet: ['canc'] });
  });
});

describe('charlson_features: the 5-year window', () => {
  it('as_of - INTERVAL 5 YEAR (2021-11-21 for as_of 2026-11-21) is outside', () => {
    expect(subtractYears(asOf, 5)).toBe('2021-11-21');
    expect(charlson('WIN-EDGE-OUT')).toEqual({ index: 0, categories: [], flagsSet: [] });
  });

  it('the day after (2021-11-22) is inside', () => {
    expect(charlson('WIN-EDGE-IN')).toEqual({ index: 1, categories: ['chf'], flagsSet: ['chf'] });
  });

  it('a spell admitted on as_of is inside; one admitted the day after (a later extract) is not', () => {
    expect(charlson('WIN-AS-OF')).toEqual({ index: 1, categories: ['chf'], flagsSet: ['chf'] });
    expect(charlson(futurePerson)).toEqual({ index: 1, categories: ['copd'], flagsSet: ['copd'] });
  });
});

describe('charlson_features: diagnoses counted', () => {
  it('secondary diagnoses count: R07.4 primary with I50.0, J44.1, N18.3 secondary scores 1 + 1 + 2', () => {
    expect(charlson('SECONDARY')).toEqual({ index: 4, categories: ['chf', 'copd', 'rend'], flagsSet: ['chf', 'copd', 'rend'] });
  });

  it('a category coded in several spells, as primary and secondary and with different codes, counts once', () => {
    expect(charlson('ONCE')).toEqual({ index: 1, categories: ['chf'], flagsSet: ['chf'] });
  });

  it('codes outside the Quan 2005 lists score nothing (I25.1, C44.3 skin, I10)', () => {
    expect(charlson('NOT-CHARLSON')).toEqual({ index: 0, categories: [], flagsSet: [] });
  });

  it.each(styleCases)('%s: %s matches the %s prefix after normalisation', (personId, _code, category) => {
    expect(charlson(personId)).toEqual({ index: weights.get(category), categories: [category], flagsSet: [category] });
  });
});
