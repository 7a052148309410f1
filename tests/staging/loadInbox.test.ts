// Folder-level rules of data-contract.md §1: manifests, date order, load-once, corrections, formats,
// all-or-nothing loading, and row accounting.
import { appendFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../core/db/Database.ts';
import { loadInbox } from '../../pipeline/ingest/loadInbox.ts';
import { openTestDatabase, temporaryFolder } from '../helpers/testDatabase.ts';
import {
  conditionsHeader, demographicsHeader, person, prescriptionsHeader, rewriteManifest, sha256, spellsHeader, writeExtract,
} from '../helpers/writeExtract.ts';

let db: Database;
let inbox: string;
beforeEach(async () => {
  db = await openTestDatabase();
  inbox = temporaryFolder();
});
afterEach(() => db.close());

const load = () => loadInbox(db, inbox, { runId: 'test', now: new Date() });
const count = async (table: string) => Number(await db.value<bigint>(`SELECT count(*) FROM ${table}`));

function firstNight() {
  return writeExtract(inbox, '2026-11-20', [
    { name: 'demographics.csv', lines: [demographicsHeader, person('P1'), person('P2')] },
    { name: 'inpatient_spells.csv', lines: [spellsHeader, 'S1,P1,2026-11-01,,21,J44.1,,300', 'S2,P2,2026-10-01,2026-10-03,21,I50.9,,300'] },
  ]);
}

describe('manifest verification', () => {
  it('refuses the whole folder on a checksum mismatch, names the file, and loads nothing of it', async () => {
    const folder = writeExtract(inbox, '2026-11-21', [
      { name: 'demographics.csv', lines: [demographicsHeader, person('P1')] },
      { name: 'inpatient_spells.csv', lines: [spellsHeader, 'S1,P1,2026-11-01,,21,J44.1,,300'] },
    ]);
    appendFileSync(join(folder, 'inpatient_spells.csv'), 'S2,P1,2026-11-02,,21,J44.1,,300\n');
    const result = await load();
    expect(result.loaded).toEqual([]);
    expect(result.rejected).toHaveLength(1);
    expect(result.rejected[0]!.file).toBe('inpatient_spells.csv');
    expect(result.rejected[0]!.message).toMatch(/sha256 mismatch/);
    for (const table of ['persons', 'inpatient_spells', 'quarantine', 'extracts', 'extract_files']) expect(await count(table)).toBe(0);
  });

  it('refuses a wrong row count after parsing, rolling back the files already loaded from that folder', async () => {
    const folder = writeExtract(inbox, '2026-11-21', [
      { name: 'demographics.csv', lines: [demographicsHeader, person('P1')] },
      { name: 'inpatient_spells.csv', lines: [spellsHeader, 'S1,P1,2026-11-01,,21,J44.1,,300'] },
    ]);
    rewriteManifest(folder, (m) => { m.files.find((f) => f.name === 'inpatient_spells.csv')!.rows = 2; });
    const result = await load();
    expect(result.rejected[0]!.message).toMatch(/inpatient_spells\.csv: row count mismatch: manifest says 2, file has 1/);
    expect(await count('persons')).toBe(0);
    expect(await count('inpatient_spells')).toBe(0);
  });

  it('names a checksum mismatch in a later file before a row-count problem found while staging an earlier one', async () => {
    // Checksums are checked beside staging, in load order; the answer must be the one checking them first gave.
    const folder = writeExtract(inbox, '2026-11-21', [
      { name: 'prescriptions.csv', lines: [prescriptionsHeader, 'RX1,P1,2026-11-01,0205052C0AAAAAA'] },
      { name: 'demographics.csv', lines: [demographicsHeader, person('P1')] },
      { name: 'inpatient_spells.csv', lines: [spellsHeader, 'S1,P1,2026-11-01,,21,J44.1,,300'] },
    ]);
    rewriteManifest(folder, (m) => { m.files.find((f) => f.name === 'demographics.csv')!.rows = 5; });
    appendFileSync(join(folder, 'prescriptions.csv'), 'RX2,P1,2026-11-02,0205052C0AAAAAA\n');
    appendFileSync(join(folder, 'inpatient_spells.csv'), 'S2,P1,2026-11-02,,21,J44.1,,300\n');
    const result = await load();
    // The first mismatch in manifest order, although demographics is staged first and spells hashed before prescriptions.
    expect(result.rejected).toMatchObject([{ file: 'prescriptions.csv', message: expect.stringMatching(/prescriptions\.csv: sha256 mismatch/) }]);
    for (const table of ['persons', 'prescriptions', 'inpatient_spells', 'quarantine', 'extracts']) expect(await count(table)).toBe(0);
  });

  it('refuses a file present but not listed, and a file listed but missing', async () => {
    const folder = writeExtract(inbox, '2026-11-21', [{ name: 'demographics.csv', lines: [demographicsHeader, person('P1')] }]);
    writeFileSync(join(folder, 'prescriptions.csv'), `${prescriptionsHeader}\n`);
    expect((await load()).rejected[0]!.message).toMatch(/prescriptions\.csv: file is present but not listed/);

    rmSync(join(folder, 'prescriptions.csv'));
    rewriteManifest(folder, (m) => { m.files.push({ name: 'gp_conditions.csv', rows: 0, sha256: sha256(Buffer.from('')) }); });
    expect((await load()).rejected[0]!.message).toMatch(/gp_conditions\.csv: file is listed in manifest\.json but missing/);
    expect(await count('persons')).toBe(0);
  });

  it('refuses a header that does not name the contract columns', async () => {
    writeExtract(inbox, '2026-11-21', [
      { name: 'demographics.csv', lines: [demographicsHeader, person('P1')] },
      { name: 'gp_conditions.csv', lines: ['person_id,condition,diagnosis_date', 'P1,HYP,2020-01-01'] },
    ]);
    const message = (await load()).rejected[0]!.message;
    expect(message).toMatch(/gp_conditions\.csv: header: missing column\(s\) diagnosed_on; column 3 is not a contract column/);
    // The header line is the sender's: a column the contract does not know is named by position, never quoted.
    expect(message).not.toContain('diagnosis_date');
  });

  it('accepts the header columns in any order', async () => {
    writeExtract(inbox, '2026-11-21', [
      { name: 'demographics.csv', lines: [demographicsHeader, person('P1')] },
      { name: 'gp_conditions.csv', lines: ['diagnosed_on,condition,person_id', '2020-01-01,HYP,P1'] },
    ]);
    expect((await load()).loaded).toEqual(['2026-11-21']);
    expect(await db.rowsJson('SELECT person_id, condition, diagnosed_on FROM gp_conditions')).toEqual([
      { person_id: 'P1', condition: 'HYP', diagnosed_on: '2020-01-01' },
    ]);
  });
});

describe('folder order', () => {
  it('loads folders in date order, each once; a re-run changes nothing', async () => {
    firstNight();
    writeExtract(inbox, '2026-11-21', [{ name: 'demographics.csv', lines: [demographicsHeader, person('P1'), person('P2'), person('P3')] }]);
    expect((await load()).loaded).toEqual(['2026-11-20', '2026-11-21']);
    const again = await load();
    expect(again.loaded).toEqual([]);
    expect(again.alreadyLoaded).toEqual(['2026-11-20', '2026-11-21']);
    expect(await count('inpatient_spells')).toBe(2);
    expect(await count('extracts')).toBe(2);
  });

  it('refuses an older folder that arrives after a newer one was loaded', async () => {
    writeExtract(inbox, '2026-11-21', [{ name: 'demographics.csv', lines: [demographicsHeader, person('P1')] }]);
    await load();
    firstNight();
    const result = await load();
    expect(result.loaded).toEqual([]);
    expect(result.rejected).toMatchObject([{ extract: '2026-11-20' }]);
    expect(result.rejected[0]!.message).toMatch(/older than the newest extract already loaded \(2026-11-21\)/);
    expect(await count('inpatient_spells')).toBe(0);
  });

  it('holds back folders after a refused one, so the refused one can still be fixed and loaded', async () => {
    const bad = firstNight();
    rewriteManifest(bad, (m) => { m.files[0]!.rows = 99; });
    writeExtract(inbox, '2026-11-21', [{ name: 'demographics.csv', lines: [demographicsHeader, person('P1')] }]);
    const result = await load();
    expect(result.rejected.map((r) => r.extract)).toEqual(['2026-11-20', '2026-11-21']);
    expect(result.rejected[1]!.message).toMatch(/held back until the earlier extract 2026-11-20/);

    rewriteManifest(bad, (m) => { m.files[0]!.rows = 2; });
    expect((await load()).loaded).toEqual(['2026-11-20', '2026-11-21']);
  });
});

describe('corrections and formats', () => {
  it('replaces a record whose key was loaded before, never counting it twice', async () => {
    firstNight();
    writeExtract(inbox, '2026-11-21', [
      { name: 'demographics.csv', lines: [demographicsHeader, person('P1'), person('P2')] },
      { name: 'inpatient_spells.csv', lines: [spellsHeader, 'S1,P1,2026-11-01,2026-11-06,21,J44.1,,300', 'S3,P2,2026-11-21,,21,J18.9,,300'] },
      { name: 'gp_conditions.csv', lines: [conditionsHeader, 'P1,COPD,2015-01-01'] },
    ]);
    const result = await load();
    expect(result.files.find((f) => f.name === 'inpatient_spells.csv' && f.extract === '2026-11-21')).toMatchObject({
      rows_read: 2, rows_loaded: 2, rows_quarantined: 0, rows_corrected: 1,
    });
    expect(await db.rowsJson('SELECT spell_id, discharge_date FROM inpatient_spells ORDER BY spell_id')).toEqual([
      { spell_id: 'S1', discharge_date: '2026-11-06' },
      { spell_id: 'S2', discharge_date: '2026-10-03' },
      { spell_id: 'S3', discharge_date: null },
    ]);
    // Each correction is kept with the person its row names, so the report can leave out an objector's.
    expect(await db.rowsJson('SELECT extract_date, table_name, person_id, CAST(source_line AS INTEGER) AS line FROM corrections')).toEqual([
      { extract_date: '2026-11-21', table_name: 'inpatient_spells', person_id: 'P1', line: 2 },
    ]);
  });

  it('reads .csv.gz and .parquet files with the same rules', async () => {
    writeExtract(inbox, '2026-11-20', [
      { name: 'demographics.csv', lines: [demographicsHeader, person('P1'), person('P2')] },
      { name: 'inpatient_spells.csv.gz', lines: [spellsHeader, 'S1,P1,2026-11-01,,21,J44.1,,300', 'S2,P1,2026-13-01,,21,J44.1,,300'] },
    ]);
    const parquetSource = join(temporaryFolder(), 'rx.csv');
    writeFileSync(parquetSource, `${prescriptionsHeader}\nR1,P1,2026-11-01,0205051R0AAAAAA\nR2,P9,2026-11-01,0205051R0AAAAAA\n`);
    const folder = writeExtract(inbox, '2026-11-21', [{ name: 'demographics.csv', lines: [demographicsHeader, person('P1'), person('P2')] }]);
    const parquetPath = join(folder, 'prescriptions.parquet');
    await db.run(`COPY (SELECT * REPLACE (CAST(issued_on AS DATE) AS issued_on) FROM read_csv($src, all_varchar = true)) TO $dst (FORMAT parquet)`, {
      src: parquetSource, dst: parquetPath,
    });
    const { readFileSync } = await import('node:fs');
    rewriteManifest(folder, (m) => { m.files.push({ name: 'prescriptions.parquet', rows: 2, sha256: sha256(readFileSync(parquetPath)) }); });

    const result = await load();
    expect(result.rejected).toEqual([]);
    expect(await db.rowsJson('SELECT file_name, CAST(line AS INTEGER) AS line, reason FROM quarantine ORDER BY file_name')).toEqual([
      { file_name: 'inpatient_spells.csv.gz', line: 3, reason: 'bad_date' },
      { file_name: 'prescriptions.parquet', line: 2, reason: 'unknown_person' },
    ]);
    expect(await db.rowsJson('SELECT prescription_id, issued_on FROM prescriptions')).toEqual([{ prescription_id: 'R1', issued_on: '2026-11-01' }]);
  });
});

describe('empty lines', () => {
  const lines = [spellsHeader, 'S1,P1,2026-11-01,,21,J44.1,,300', '', 'S2,P1,2026-11-02,,21,J44.1,,300', 'S3,P1,2026-02-30,,21,J44.1,,300'];

  it('keeps physical line numbers exact after an empty line the manifest did not count', async () => {
    const folder = writeExtract(inbox, '2026-11-20', [
      { name: 'demographics.csv', lines: [demographicsHeader, person('P1')] },
      { name: 'inpatient_spells.csv', lines },
    ]);
    rewriteManifest(folder, (m) => { m.files.find((f) => f.name === 'inpatient_spells.csv')!.rows = 3; });
    const result = await load();
    expect(result.rejected).toEqual([]);
    expect(await db.rowsJson('SELECT spell_id, CAST(source_line AS INTEGER) AS line FROM inpatient_spells ORDER BY 1')).toEqual([
      { spell_id: 'S1', line: 2 },
      { spell_id: 'S2', line: 4 },
    ]);
    expect(await db.rowsJson('SELECT CAST(line AS INTEGER) AS line, reason FROM quarantine')).toEqual([{ line: 5, reason: 'bad_date' }]);
  });

  it('quarantines an empty line as a bad row when the manifest counted it', async () => {
    writeExtract(inbox, '2026-11-20', [
      { name: 'demographics.csv', lines: [demographicsHeader, person('P1')] },
      { name: 'inpatient_spells.csv', lines },
    ]);
    const result = await load();
    expect(result.files.find((f) => f.name === 'inpatient_spells.csv')).toMatchObject({ rows_read: 4, rows_loaded: 2, rows_quarantined: 2 });
    expect(await db.rowsJson('SELECT CAST(line AS INTEGER) AS line, reason, detail FROM quarantine ORDER BY line')).toEqual([
      { line: 3, reason: 'bad_value', detail: 'line is empty' },
      { line: 5, reason: 'bad_date', detail: 'admission_date is not a real YYYY-MM-DD date' },
    ]);
  });
});

describe('row accounting', () => {
  it('rows read = rows loaded + rows quarantined, for every file', async () => {
    writeExtract(inbox, '2026-11-20', [
      { name: 'demographics.csv', lines: [demographicsHeader, person('P1'), person('P2'), person('P1'), person('9434765919')] },
      {
        name: 'inpatient_spells.csv',
        lines: [spellsHeader, 'S1,P1,2026-11-01,,21,J44.1,,300', 'S2,P1', Buffer.from([0x53, 0x33, 0x2c, 0xff, 0x0a].slice(0, 4)), 'S4,P7,2026-11-01,,21,J44.1,,300', 'S5,P2,2026-11-01,,21,J44.1,,300'],
      },
    ]);
    const result = await load();
    const files = await db.rows<{ file_name: string; rows_read: bigint; rows_loaded: bigint; rows_quarantined: bigint }>('SELECT * FROM extract_files ORDER BY file_name');
    // Both copies of P1 are quarantined (contract §2), so P1 is in no snapshot and S1 is unknown_person.
    expect(files.map((f) => [f.file_name, Number(f.rows_read), Number(f.rows_loaded), Number(f.rows_quarantined)])).toEqual([
      ['demographics.csv', 4, 1, 3],
      ['inpatient_spells.csv', 5, 1, 4],
    ]);
    for (const f of result.files) expect(f.rows_read).toBe(f.rows_loaded + f.rows_quarantined);
    expect(await count('quarantine')).toBe(7);
  });
});
