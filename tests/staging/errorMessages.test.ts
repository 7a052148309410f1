// Error messages never quote the contents of an input file (data-contract.md §3): a refused extract names the
// file, and the line or column, never what the sender wrote there. Each input below carries a canary and NHS
// numbers where the old messages quoted them.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../core/db/Database.ts';
import { loadInbox } from '../../pipeline/ingest/loadInbox.ts';
import { scanForNhsNumbers } from '../helpers/nhsNumberScanner.ts';
import { openTestDatabase, temporaryFolder } from '../helpers/testDatabase.ts';
import { demographicsHeader, person, rewriteManifest, sha256, writeExtract } from '../helpers/writeExtract.ts';

const canary = 'CANARY_7f3a';
let db: Database;
let inbox: string;

beforeEach(async () => {
  db = await openTestDatabase();
  inbox = temporaryFolder();
});
afterEach(() => db.close());

async function refusal(): Promise<string> {
  const result = await loadInbox(db, inbox, { runId: 'test', now: new Date('2026-11-22T00:00:00Z') });
  expect(result.rejected).toHaveLength(1);
  const message = result.rejected[0]!.message;
  expect(message).not.toContain(canary);
  expect(scanForNhsNumbers(Buffer.from(message))).toEqual([]);
  return message;
}

describe('a refused extract says where, never what', () => {
  it('names header columns the contract does not know by their position', async () => {
    writeExtract(inbox, '2026-11-21', [
      { name: 'demographics.csv', lines: [`${demographicsHeader},943 476 5919,${canary},SP6907366258`, `${person('P1')},a,b,c`] },
    ]);
    expect(await refusal()).toBe(
      'extract 2026-11-21 rejected: demographics.csv: header: columns 12, 13, 14 are not contract columns',
    );
  });

  it('lists at most ten positions', async () => {
    const extra = Array.from({ length: 25 }, (_, i) => `${canary}${i}`);
    writeExtract(inbox, '2026-11-21', [{ name: 'demographics.csv', lines: [`${demographicsHeader},${extra.join(',')}`, `${person('P1')},${extra.join(',')}`] }]);
    expect(await refusal()).toMatch(/header: columns 12, 13, 14, 15, 16, 17, 18, 19, 20, 21 and 15 more are not contract columns$/);
  });

  it('names a repeated contract column by both positions (the contract name may be said)', async () => {
    writeExtract(inbox, '2026-11-21', [{ name: 'demographics.csv', lines: [`${demographicsHeader},person_id`, `${person('P1')},9434765919`] }]);
    expect(await refusal()).toMatch(/demographics\.csv: header: column 12 repeats column 1 \(person_id\)$/);
  });

  it('names the line where a quote that is never closed opened, without quoting it', async () => {
    writeExtract(inbox, '2026-11-21', [
      { name: 'demographics.csv', lines: [demographicsHeader, person('P1'), `"${canary}9434765919,${person('P2')}`, person('P3')] },
    ]);
    expect(await refusal()).toBe('extract 2026-11-21 rejected: demographics.csv: a quoted field opened on line 3 is never closed (the file ends inside it)');
  });

  it('says a parquet file DuckDB cannot read is unreadable, without its bytes', async () => {
    const folder = writeExtract(inbox, '2026-11-21', [{ name: 'demographics.csv', lines: [demographicsHeader, person('P1')] }]);
    const bytes = Buffer.from(`PAR1${canary} 943-476-5919 ${canary}`);
    writeFileSync(join(folder, 'gp_conditions.parquet'), bytes);
    rewriteManifest(folder, (m) => m.files.push({ name: 'gp_conditions.parquet', rows: 1, sha256: sha256(bytes) }));
    expect(await refusal()).toMatch(/gp_conditions\.parquet: not a readable parquet file \(DuckDB .*Error/);
  });

  it("does not quote the manifest's extract_date or sha256", async () => {
    const folder = writeExtract(inbox, '2026-11-21', [{ name: 'demographics.csv', lines: [demographicsHeader, person('P1')] }]);
    rewriteManifest(folder, (m) => (m.extract_date = `${canary} 943 476 5919`));
    expect(await refusal()).toBe("extract 2026-11-21 rejected: manifest.json: manifest extract_date is not the folder's date (2026-11-21)");

    const second = temporaryFolder();
    const other = writeExtract(second, '2026-11-21', [{ name: 'demographics.csv', lines: [demographicsHeader, person('P1')] }]);
    const listed = `9434765919${'a'.repeat(54)}`;
    rewriteManifest(other, (m) => (m.files[0]!.sha256 = listed));
    inbox = second;
    const message = await refusal();
    expect(message).toMatch(/demographics\.csv: sha256 mismatch: the file's sha256 is [0-9a-f]{64}, not the one manifest\.json gives$/);
    expect(message).not.toContain(listed);
  });
});
