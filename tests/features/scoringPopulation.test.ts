// Who is scored (data-contract.md §2): in the snapshot in force at as_of, alive then, not opted out.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../pipeline/db/Database.ts';
import { buildFeatures } from '../../pipeline/features/buildFeatures.ts';
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
  expect((await loadInbox(db, inbox, { runId: 't', now: new Date(0) })).rejected).toEqual([]);
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

  it('scores an earlier as_of from the snapshot in force then, honouring the newest opt-out', async () => {
    expect(await scored('2026-11-20')).toEqual(['leaves', 'stays']);
  });
});
