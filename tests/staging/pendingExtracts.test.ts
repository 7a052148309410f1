// What the scheduler asks before each tick: which extract folders would the next run load or refuse?
// The answer must match what loadInbox then does.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../core/db/Database.ts';
import { listExtractFolders, loadInbox, pendingExtracts } from '../../pipeline/ingest/loadInbox.ts';
import { openTestDatabase, temporaryFolder } from '../helpers/testDatabase.ts';
import { demographicsHeader, person, writeExtract } from '../helpers/writeExtract.ts';

let db: Database;
let inbox: string;
beforeEach(async () => {
  db = await openTestDatabase();
  inbox = temporaryFolder();
});
afterEach(() => db.close());

const night = (date: string) => writeExtract(inbox, date, [{ name: 'demographics.csv', lines: [demographicsHeader, person('P1')] }]);

describe('pendingExtracts', () => {
  it('lists the dated folders not loaded yet, in date order, and ignores other entries', async () => {
    night('2026-11-21');
    night('2026-11-20');
    mkdirSync(join(inbox, 'archive'));
    mkdirSync(join(inbox, '2026-02-30')); // not a real date
    writeFileSync(join(inbox, '2026-11-22'), 'a file, not a folder');
    expect(await pendingExtracts(db, inbox)).toEqual(['2026-11-20', '2026-11-21']);
    expect(listExtractFolders(inbox).ignored).toEqual(['2026-02-30', '2026-11-22', 'archive']);
  });

  it('is empty once loadInbox has loaded everything, and sees a folder that arrives later', async () => {
    night('2026-11-20');
    night('2026-11-21');
    await loadInbox(db, inbox, { runId: 'first', now: new Date() });
    expect(await pendingExtracts(db, inbox)).toEqual([]);
    night('2026-11-22');
    expect(await pendingExtracts(db, inbox)).toEqual(['2026-11-22']);
    expect(await pendingExtracts(db, inbox, '2026-11-21')).toEqual([]);
  });

  it('keeps a refused folder pending, since a later run would refuse it again', async () => {
    night('2026-11-21');
    await loadInbox(db, inbox, { runId: 'first', now: new Date() });
    night('2026-11-20'); // late: older than the newest loaded
    const load = await loadInbox(db, inbox, { runId: 'second', now: new Date() });
    expect(load.rejected.map((r) => r.extract)).toEqual(['2026-11-20']);
    expect(await pendingExtracts(db, inbox)).toEqual(['2026-11-20']);
  });

  it('names a missing inbox as bad usage', async () => {
    await expect(pendingExtracts(db, join(inbox, 'nowhere'))).rejects.toThrow(/the inbox .*nowhere is not a folder/);
  });
});
