// The feature registry lists exactly the columns of person_features, and docs/features.md is generated
// from it (npm run docs:features), so the data dictionary cannot drift from the SQL.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../core/db/Database.ts';
import { dictionaryPath, readFeatureRegistry, renderFeatureDictionary, repoRoot } from '../../pipeline/docs/featureDictionary.ts';
import { buildFeatures } from '../../models/buildFeatures.ts';
import { loadInbox } from '../../pipeline/ingest/loadInbox.ts';
import { openTestDatabase, temporaryFolder } from '../helpers/testDatabase.ts';
import { demographicsHeader, person, writeExtract } from '../helpers/writeExtract.ts';

let db: Database;
beforeEach(async () => {
  db = await openTestDatabase();
});
afterEach(() => db.close());

describe('feature registry', () => {
  it('lists exactly the columns of person_features, in order', async () => {
    const inbox = temporaryFolder();
    writeExtract(inbox, '2026-11-21', [{ name: 'demographics.csv', lines: [demographicsHeader, person('P1')] }]);
    await loadInbox(db, inbox, { runId: 't', now: new Date() });
    await buildFeatures(db, 'scoring_population', '2026-11-21', 'scoring_features');
    const columns = (await db.rows<{ column_name: string }>('DESCRIBE scoring_features')).map((c) => c.column_name);
    const registry = await readFeatureRegistry(db);
    expect(registry.map((f) => f.name)).toEqual(columns.filter((c) => c !== 'person_id'));
  });

  it('has unique ids and names, a description and unit for each, and real SQL files', async () => {
    const registry = await readFeatureRegistry(db);
    expect(new Set(registry.map((f) => f.id)).size).toBe(registry.length);
    expect(new Set(registry.map((f) => f.name)).size).toBe(registry.length);
    for (const f of registry) {
      expect(f.description.length).toBeGreaterThan(10);
      expect(f.unit).toBeTruthy();
      expect(existsSync(join(repoRoot, f.sql_file))).toBe(true);
    }
  });

  it('docs/features.md is the dictionary generated from the registry (run npm run docs:features)', async () => {
    expect(readFileSync(dictionaryPath, 'utf8')).toBe(renderFeatureDictionary(await readFeatureRegistry(db)));
  });
});
