// The temporal split never leaks outcomes into features: an admission on the index date is a feature,
// one the day after is an outcome, and the outcome window ends exactly 365 days after the index date.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../core/db/Database.ts';
import { buildFeatures } from '../../models/buildFeatures.ts';
import { loadInbox } from '../../pipeline/ingest/loadInbox.ts';
import { openTestDatabase, temporaryFolder } from '../helpers/testDatabase.ts';
import { conditionsHeader, demographicsHeader, person, spellsHeader, writeExtract } from '../helpers/writeExtract.ts';

const index = '2025-11-21';
let db: Database;
beforeEach(async () => {
  db = await openTestDatabase();
  const inbox = temporaryFolder();
  writeExtract(inbox, '2026-11-22', [
    { name: 'demographics.csv', lines: [demographicsHeader, person('on-index'), person('day-after'), person('last-day'), person('too-late'), person('new-ltc'), person('old-ltc')] },
    {
      name: 'inpatient_spells.csv',
      lines: [
        spellsHeader,
        'S1,on-index,2025-11-21,2025-11-22,21,J44.1,,300',
        'S2,day-after,2025-11-22,2025-11-23,21,J44.1,,300',
        'S3,last-day,2026-11-21,2026-11-22,21,J44.1,,300', // index + 365: the last day of the outcome year
        'S4,too-late,2026-11-22,2026-11-22,21,J44.1,,300', // index + 366: outside it
      ],
    },
    { name: 'gp_conditions.csv', lines: [conditionsHeader, 'new-ltc,DM,2025-11-22', 'old-ltc,DM,2025-11-21'] },
  ]);
  expect((await loadInbox(db, inbox, { runId: 't', now: new Date() })).rejected).toEqual([]);
  await buildFeatures(db, 'training_population', index, 'training_features', { withOutcomes: true });
});
afterEach(() => db.close());

async function row(id: string) {
  const rows = await db.rows<{ emergency_admissions_12m: bigint; emergency_admission_next_12m: boolean; ltc_count: bigint; new_ltc_next_12m: boolean }>(
    'SELECT emergency_admissions_12m, emergency_admission_next_12m, ltc_count, new_ltc_next_12m FROM training_features WHERE person_id = $id',
    { id },
  );
  return rows[0]!;
}

describe('temporal split', () => {
  it('an admission on the index date is history, not outcome', async () => {
    expect(await row('on-index')).toMatchObject({ emergency_admissions_12m: 1n, emergency_admission_next_12m: false });
  });

  it('an admission the day after the index date is outcome, not history', async () => {
    expect(await row('day-after')).toMatchObject({ emergency_admissions_12m: 0n, emergency_admission_next_12m: true });
  });

  it('the outcome year ends 365 days after the index date', async () => {
    expect((await row('last-day')).emergency_admission_next_12m).toBe(true);
    expect((await row('too-late')).emergency_admission_next_12m).toBe(false);
  });

  it('a register entry after the index date is a new LTC outcome and not on the record at the index date', async () => {
    expect(await row('new-ltc')).toMatchObject({ ltc_count: 0n, new_ltc_next_12m: true });
    expect(await row('old-ltc')).toMatchObject({ ltc_count: 1n, new_ltc_next_12m: false });
  });
});

describe('the training sample', () => {
  it('takes at most maxPeople, the same people on every build, and counts everyone eligible', async () => {
    const first = await buildFeatures(db, 'training_population', index, 'sampled_a', { withOutcomes: true, maxPeople: 4 });
    const again = await buildFeatures(db, 'training_population', index, 'sampled_b', { withOutcomes: true, maxPeople: 4 });
    const all = await buildFeatures(db, 'training_population', index, 'sampled_all', { withOutcomes: true, maxPeople: 100 });
    expect(first).toEqual({ table: 'sampled_a', rows: 4, eligible: 6 });
    expect(all).toEqual({ table: 'sampled_all', rows: 6, eligible: 6 });
    expect(again.rows).toBe(4);
    const ids = async (table: string) => (await db.rows<{ person_id: string }>(`SELECT person_id FROM ${table} ORDER BY person_id`)).map((r) => r.person_id);
    expect(await ids('sampled_a')).toEqual(await ids('sampled_b'));
    // The sample is by a hash of person_id, not the first four in name order.
    expect(await ids('sampled_a')).not.toEqual((await ids('sampled_all')).slice(0, 4));
  });
});
