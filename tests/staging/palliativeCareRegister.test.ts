// Contract v2 adds PC (palliative care) to the gp_conditions codes: it loads like any register, every other code
// still loads, and a code outside the list (or PC spelled another way) is still quarantined bad_code.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../core/db/Database.ts';
import { loadInbox } from '../../pipeline/ingest/loadInbox.ts';
import { openTestDatabase, temporaryFolder } from '../helpers/testDatabase.ts';
import { conditionsHeader, demographicsHeader, person, writeExtract } from '../helpers/writeExtract.ts';

const extractDate = '2026-11-21';
const contractCodes = ['AF', 'AST', 'CAN', 'CHD', 'CKD', 'COPD', 'DEM', 'DEP', 'DM', 'EP', 'HF', 'HYP', 'LD', 'MH', 'OST', 'PAD', 'PC', 'RA', 'STIA'];
let db: Database;

beforeEach(async () => {
  db = await openTestDatabase();
});
afterEach(() => db.close());

describe('gp_conditions: the PC palliative care register', () => {
  it('loads PC and every other contract code, and quarantines other codes as bad_code', async () => {
    const inbox = temporaryFolder();
    writeExtract(inbox, extractDate, [
      { name: 'demographics.csv', lines: [demographicsHeader, person('P1'), person('P2')] },
      {
        name: 'gp_conditions.csv',
        lines: [conditionsHeader, ...contractCodes.map((code) => `P1,${code},2026-10-01`), 'P2,pc,2026-10-01', 'P2,PAL,2026-10-01', 'P2,XYZ,2026-10-01', 'P2,PC,2026-11-22'],
      },
    ]);
    const load = await loadInbox(db, inbox, { runId: 'test', now: new Date() });
    expect(load.rejected).toEqual([]);
    const loaded = await db.rows<{ condition: string }>("SELECT condition FROM gp_conditions WHERE person_id = 'P1' ORDER BY condition");
    expect(loaded.map((r) => r.condition)).toEqual([...contractCodes].sort());
    const quarantined = await db.rows<{ line: number; reason: string }>(
      'SELECT CAST(line AS INTEGER) AS line, reason FROM quarantine ORDER BY line',
    );
    const first = contractCodes.length + 2;
    expect(quarantined).toEqual([
      { line: first, reason: 'bad_code' },
      { line: first + 1, reason: 'bad_code' },
      { line: first + 2, reason: 'bad_code' },
      { line: first + 3, reason: 'future_date' },
    ]);
  });
});
