// Who is scored (data-contract.md §2): in the snapshot in force at as_of, alive then, not opted out.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../core/db/Database.ts';
import { buildFeatures } from '../../models/buildFeatures.ts';
import { loadInbox } from '../../pipeline/ingest/loadInbox.ts';
import { openTestDatabase, temporaryFolder } from '../helpers/testDatabase.ts';
import { demographicsHeader, person, writeExtract } from '../helpers/writeExtract.ts';

let db: Database;
beforeEach(async () => {
  db = await openTestDatabase();
  const inbox = temporaryFolder();
  writeExtract(inbox, '2026-11-20', [{ name: 'demographics.csv', lines: [demographicsHeader, person('stays'), person('leaves'), person('opts-out-later')] }]);
  writeExtract(inbox, '2026-11-21', [
    {
      name: 'demographics.csv',
      lines: [demographicsHeader, person('stays'), person('joins'), person('opts-out-later', { opt_out: 'Y' }), person('dies', { date_of_death: '2026-11-21' })],
    },
  ]);
  expect((await loadInbox(db, inbox, { runId: 't', now: new Date() })).rejected).toEqual([]);
});
afterEach(() => db.close());

async function scored(asOf: string): Promise<string[]> {
  await buildFeatures(db, 'scoring_population', asOf, 'scoring_features');
  return (await db.rowsJson<{ person_id: string }>('SELECT person_id FROM scoring_features ORDER BY 1')).map((r) => r.person_id);
}

describe('scoring population', () => {
  it('scores the newest snapshot: not people who left, died on or before as_of, or opted out', async () => {
    expect(await scored('2026-11-21')).toEqual(['joins', 'stays']);
  });

  it('never scores nor trains on a person_id holding an NHS number, even one an older version loaded', async () => {
    // As the previous version's load let it in: a hyphenated NHS number as a pseudonym.
    await db.run(
      `INSERT INTO persons SELECT '943-476-5919', year_of_birth, sex, ethnic_category, lsoa_code, imd_decile, practice_code, pcn_code,
              registered_on, date_of_death, opt_out, first_extract, last_extract FROM persons WHERE person_id = 'stays'`,
    );
    expect(await scored('2026-11-21')).toEqual(['joins', 'stays']);
    await buildFeatures(db, 'training_population', '2026-11-21', 'training_features');
    const trained = await db.rowsJson<{ person_id: string }>('SELECT person_id FROM training_features ORDER BY 1');
    expect(trained.map((r) => r.person_id)).not.toContain('943-476-5919');
    expect(trained.map((r) => r.person_id)).toContain('stays');
  });

  it('scores an earlier as_of from the snapshot in force then, honouring the newest opt-out', async () => {
    expect(await scored('2026-11-20')).toEqual(['leaves', 'stays']);
  });
});
