// Cross-check of the Charlson and HFRS feature SQL on a generated population: every person's index is
// recomputed in plain TypeScript (tests/helpers/referenceIndices.ts) from the loaded inpatient spells and
// the reference CSVs, with no SQL in the index logic, and the two must agree person by person.
// Checked at the newest extract date (scoring) and at the training index a year earlier, where a year of
// spells lies after the index date and the HFRS window starts inside the generated history.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../core/db/Database.ts';
import { addDays } from '../../core/dates.ts';
import { type Population, buildFeatures } from '../../models/buildFeatures.ts';
import { generateInbox, parseGenerateSettings } from '../../synthetic/index.ts';
import { loadInbox } from '../../pipeline/ingest/loadInbox.ts';
import {
  type CharlsonResult, type FrailtyResult, type SpellDiagnoses, charlsonCategoryList, charlsonFor, hospitalFrailtyFor,
  readCharlsonCodes, readHfrsWeights,
} from '../helpers/referenceIndices.ts';
import { openTestDatabase, temporaryFolder } from '../helpers/testDatabase.ts';

const persons = 4_000;
const seed = 20_261_122;
const newestExtract = '2026-11-22';

interface FeatureRow {
  person_id: string;
  charlson_index: number;
  charlson_categories: string[];
  frailty_score: number;
  frailty_band: string;
  [flag: string]: unknown;
}

interface Reference {
  charlson: CharlsonResult;
  frailty: FrailtyResult;
}

interface Build {
  name: string;
  population: Population;
  indexDate: string;
  features: FeatureRow[];
  reference: Map<string, Reference>;
}

const codes = readCharlsonCodes();
const categories = charlsonCategoryList(codes);
const hfrsWeights = readHfrsWeights();

const root = temporaryFolder('strata-index-cross-check-');
let db: Database | undefined;
let generatedFolders: string[] = [];
let spellRows = 0;
let loadedCodes: string[] = [];
const builds: Build[] = [
  { name: 'scoring, at the newest extract', population: 'scoring_population', indexDate: newestExtract, features: [], reference: new Map() },
  { name: 'training, 365 days earlier', population: 'training_population', indexDate: addDays(newestExtract, -365), features: [], reference: new Map() },
];

beforeAll(async () => {
  const inbox = join(root, 'inbox');
  const generated = await generateInbox(
    parseGenerateSettings({ out: inbox, persons, seed, asOf: newestExtract, extracts: 3, badRows: true, gzip: false }),
  );
  generatedFolders = generated.folders;
  db = await openTestDatabase();
  const load = await loadInbox(db, inbox, { runId: 'cross-check', now: new Date() });
  expect(load.rejected).toEqual([]);
  expect(load.loaded).toEqual(generated.folders);

  // The spells as loaded; everything from here on except building the features is JavaScript.
  const spells = await db.rowsJson<{ person_id: string; admission_date: string; primary_diagnosis: string; secondary_diagnoses: string[] | null }>(
    'SELECT person_id, admission_date, primary_diagnosis, secondary_diagnoses FROM inpatient_spells',
  );
  spellRows = spells.length;
  const byPerson = new Map<string, SpellDiagnoses[]>();
  const allCodes = new Set<string>();
  for (const s of spells) {
    const diagnoses = [s.primary_diagnosis, ...(s.secondary_diagnoses ?? [])];
    for (const code of diagnoses) allCodes.add(code);
    const history = byPerson.get(s.person_id) ?? [];
    history.push({ admissionDate: s.admission_date, diagnoses });
    byPerson.set(s.person_id, history);
  }
  loadedCodes = [...allCodes];

  for (const build of builds) {
    await buildFeatures(db, build.population, build.indexDate, 'index_features');
    build.features = await db.rowsJson<FeatureRow>(
      "SELECT person_id, COLUMNS('^charlson_'), frailty_score, frailty_band FROM index_features ORDER BY person_id",
    );
    for (const row of build.features) {
      const history = byPerson.get(row.person_id) ?? [];
      build.reference.set(row.person_id, {
        charlson: charlsonFor(history, build.indexDate, codes),
        frailty: hospitalFrailtyFor(history, build.indexDate, hfrsWeights),
      });
    }
  }
});
afterAll(() => {
  db?.close();
  rmSync(root, { recursive: true, force: true });
});

/** Up to 10 disagreements, described for the failure message. */
function disagreements(build: Build, compare: (row: FeatureRow, reference: Reference) => string | null): string[] {
  const found: string[] = [];
  for (const row of build.features) {
    const problem = compare(row, build.reference.get(row.person_id) as Reference);
    if (problem !== null) found.push(`${row.person_id}: ${problem}`);
    if (found.length === 10) break;
  }
  return found;
}

describe('the generated population', () => {
  it('loads every extract, with spells stored as normalised codes', () => {
    expect(generatedFolders.at(-1)).toBe(newestExtract);
    expect(spellRows).toBeGreaterThan(1_000);
    // The reference implementation matches prefixes on the codes exactly as loaded, so they must be normalised.
    expect(loadedCodes.filter((code) => !/^[A-Z][0-9]{2}[0-9A-Z]?$/.test(code))).toEqual([]);
  });
});

describe.each(builds)('Charlson and HFRS, SQL against an independent TypeScript implementation: $name', (build) => {
  it('charlson_index and charlson_categories agree for every person', () => {
    expect(build.features.length).toBeGreaterThan(persons * 0.8);
    expect(
      disagreements(build, (row, { charlson }) =>
        row.charlson_index === charlson.index && JSON.stringify(row.charlson_categories) === JSON.stringify(charlson.categories)
          ? null
          : `SQL ${row.charlson_index} ${JSON.stringify(row.charlson_categories)}, reference ${charlson.index} ${JSON.stringify(charlson.categories)}`,
      ),
    ).toEqual([]);
  });

  it('the 17 charlson_<category> flags agree for every person', () => {
    expect(categories).toHaveLength(17);
    expect(
      disagreements(build, (row, { charlson }) => {
        const wrong = categories.filter((c) => row[`charlson_${c}`] !== charlson.categories.includes(c));
        return wrong.length === 0 ? null : `flags differ: ${wrong.join(', ')}`;
      }),
    ).toEqual([]);
  });

  it('frailty_score (to 1e-9) and frailty_band agree for every person', () => {
    expect(
      disagreements(build, (row, { frailty }) =>
        Math.abs(row.frailty_score - frailty.score) <= 1e-9 && row.frailty_band === frailty.band
          ? null
          : `SQL ${row.frailty_score} ${row.frailty_band}, reference ${frailty.score} ${frailty.band} (${frailty.codes.join(' ')})`,
      ),
    ).toEqual([]);
  });

  it('has enough non-zero scores, severe categories and bands for the comparison to mean something', () => {
    const references = [...build.reference.values()];
    const charlsonPositive = references.filter((r) => r.charlson.index > 0).length;
    const frailtyPositive = references.filter((r) => r.frailty.score > 0).length;
    expect(charlsonPositive).toBeGreaterThan(200);
    expect(frailtyPositive).toBeGreaterThan(200);
    expect(build.features.filter((r) => r.charlson_index > 0).length).toBe(charlsonPositive);
    expect(build.features.filter((r) => r.frailty_score > 0).length).toBe(frailtyPositive);
    // Severe forms the hierarchy acts on, and all three bands, occur in the generated data.
    const categoriesSeen = new Set(references.flatMap((r) => r.charlson.categories));
    for (const category of ['metacanc', 'diabwc', 'msld']) expect(categoriesSeen, category).toContain(category);
    expect([...new Set(references.map((r) => r.frailty.band))].sort()).toEqual(['high', 'intermediate', 'low']);
  });
});
