// One test per quarantine reason (data-contract.md §3), each on a small fixture: the bad row is
// quarantined under its reason at its line, and every good row beside it loads.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../core/db/Database.ts';
import { loadInbox } from '../../pipeline/ingest/loadInbox.ts';
import { openTestDatabase, temporaryFolder } from '../helpers/testDatabase.ts';
import {
  aeHeader, conditionsHeader, demographicsHeader, outpatientHeader, person, prescriptionsHeader, spellsHeader, writeExtract,
} from '../helpers/writeExtract.ts';

const extractDate = '2026-11-21';
let db: Database;
let inbox: string;

beforeEach(async () => {
  db = await openTestDatabase();
  inbox = temporaryFolder();
});
afterEach(() => db.close());

const goodPeople = [person('P1'), person('P2')];
const goodSpell = 'S1,P1,2026-01-01,2026-01-05,21,J44.1,I10;E11.9,300';

interface QuarantinedRow { file_name: string; line: number; reason: string; raw_row: string }

async function loadAndQuarantine(files: Parameters<typeof writeExtract>[2]): Promise<QuarantinedRow[]> {
  writeExtract(inbox, extractDate, files);
  const result = await loadInbox(db, inbox, { runId: 'test', now: new Date() });
  expect(result.rejected).toEqual([]);
  return db.rows<QuarantinedRow>(
    'SELECT file_name, CAST(line AS INTEGER) AS line, reason, raw_row FROM quarantine ORDER BY file_name, line',
  );
}

async function spellsWith(badRow: string | Buffer): Promise<QuarantinedRow[]> {
  return loadAndQuarantine([
    { name: 'demographics.csv', lines: [demographicsHeader, ...goodPeople] },
    { name: 'inpatient_spells.csv', lines: [spellsHeader, goodSpell, badRow, 'S9,P2,2026-02-01,2026-02-02,11,C50.9,,100'] },
  ]);
}

async function loadedSpellIds(): Promise<string[]> {
  return (await db.rows<{ spell_id: string }>('SELECT spell_id FROM inpatient_spells ORDER BY spell_id')).map((r) => r.spell_id);
}

describe('quarantine reasons', () => {
  it('bad_date: an impossible calendar date', async () => {
    const rows = await spellsWith('S2,P1,2026-02-30,,21,J44,,');
    expect(rows).toMatchObject([{ file_name: 'inpatient_spells.csv', line: 3, reason: 'bad_date', raw_row: 'S2,P1,2026-02-30,,21,J44,,' }]);
    expect(await loadedSpellIds()).toEqual(['S1', 'S9']);
  });

  it('bad_date: a word where a date should be', async () => {
    const rows = await loadAndQuarantine([
      { name: 'demographics.csv', lines: [demographicsHeader, ...goodPeople] },
      { name: 'gp_conditions.csv', lines: [conditionsHeader, 'P1,HYP,2019-03-01', 'P2,DM,yesterday'] },
    ]);
    expect(rows).toMatchObject([{ file_name: 'gp_conditions.csv', line: 3, reason: 'bad_date' }]);
  });

  it('bad_code: an admission method that is not an NHS code', async () => {
    expect(await spellsWith('S2,P1,2026-01-01,,99,J44,,')).toMatchObject([{ line: 3, reason: 'bad_code' }]);
  });

  it('bad_code: a diagnosis that is not ICD-10, and a sex code outside 1/2/9/X', async () => {
    expect(await spellsWith('S2,P1,2026-01-01,,21,NOTACODE,,')).toMatchObject([{ line: 3, reason: 'bad_code' }]);
    db.close();
    db = await openTestDatabase();
    inbox = temporaryFolder();
    const rows = await loadAndQuarantine([{ name: 'demographics.csv', lines: [demographicsHeader, ...goodPeople, person('P3', { sex: 'Q' })] }]);
    expect(rows).toMatchObject([{ file_name: 'demographics.csv', line: 4, reason: 'bad_code' }]);
  });

  it('bad_value: imd_decile out of range, and a person_id with a space', async () => {
    const rows = await loadAndQuarantine([
      { name: 'demographics.csv', lines: [demographicsHeader, ...goodPeople, person('P3', { imd_decile: '11' }), person('P 4')] },
    ]);
    expect(rows).toMatchObject([{ line: 4, reason: 'bad_value' }, { line: 5, reason: 'bad_value' }]);
  });

  it('bad_value: a row with too few fields and a row with too many', async () => {
    const rows = await spellsWith('S2,P1,2026-01-01');
    expect(rows).toMatchObject([{ line: 3, reason: 'bad_value', raw_row: 'S2,P1,2026-01-01' }]);
    db.close();
    db = await openTestDatabase();
    inbox = temporaryFolder();
    expect(await spellsWith('S2,P1,2026-01-01,,21,J44,,,extra')).toMatchObject([{ line: 3, reason: 'bad_value' }]);
    expect(await loadedSpellIds()).toEqual(['S1', 'S9']);
  });

  it('bad_value: one field too many even when it is empty (a trailing comma), and a quoted empty one', async () => {
    // DuckDB's reader accepts one empty field past the header's columns; the contract does not (§3: one field per column).
    expect(await spellsWith('S2,P1,2026-01-01,,21,J44,,,')).toMatchObject([{ line: 3, reason: 'bad_value', raw_row: 'S2,P1,2026-01-01,,21,J44,,,' }]);
    expect(await loadedSpellIds()).toEqual(['S1', 'S9']);
    db.close();
    db = await openTestDatabase();
    inbox = temporaryFolder();
    expect(await spellsWith('S2,P1,2026-01-01,,21,J44,,,""')).toMatchObject([{ line: 3, reason: 'bad_value' }]);
    expect(await loadedSpellIds()).toEqual(['S1', 'S9']);
  });

  it('a row with every field, the last one empty, still loads', async () => {
    expect(await spellsWith('S2,P1,2026-01-01,2026-01-03,21,J44,,')).toEqual([]);
    expect(await loadedSpellIds()).toEqual(['S1', 'S2', 'S9']);
  });

  it('missing_value: an empty required field', async () => {
    expect(await spellsWith('S2,P1,,,21,J44,,')).toMatchObject([{ line: 3, reason: 'missing_value' }]);
  });

  it('date_order: discharge before admission', async () => {
    expect(await spellsWith('S2,P1,2026-01-10,2026-01-05,21,J44,,')).toMatchObject([{ line: 3, reason: 'date_order' }]);
  });

  it('future_date: a date after the extract date, and an A&E arrival after the end of it', async () => {
    expect(await spellsWith('S2,P1,2026-11-22,,21,J44,,')).toMatchObject([{ line: 3, reason: 'future_date' }]);
    db.close();
    db = await openTestDatabase();
    inbox = temporaryFolder();
    const rows = await loadAndQuarantine([
      { name: 'demographics.csv', lines: [demographicsHeader, ...goodPeople] },
      { name: 'ae_attendances.csv', lines: [aeHeader, 'A1,P1,2026-11-21T23:59:59,01,3,N', 'A2,P1,2026-11-22T00:00:00,01,3,N'] },
    ]);
    expect(rows).toMatchObject([{ file_name: 'ae_attendances.csv', line: 3, reason: 'future_date' }]);
  });

  it('unknown_person: a person in no snapshot loaded so far', async () => {
    expect(await spellsWith('S2,P404,2026-01-01,,21,J44,,')).toMatchObject([{ line: 3, reason: 'unknown_person' }]);
  });

  it('duplicate_key: the second row with a key already in the file; the first loads', async () => {
    const rows = await spellsWith('S1,P1,2026-03-01,2026-03-02,21,J18.9,,300');
    expect(rows).toMatchObject([{ line: 3, reason: 'duplicate_key' }]);
    const kept = await db.rowsJson<{ admission_date: string }>("SELECT admission_date FROM inpatient_spells WHERE spell_id = 'S1'");
    expect(kept).toEqual([{ admission_date: '2026-01-01' }]);
  });

  it('bad_date: every form a lenient date cast accepts but the contract does not', async () => {
    // strata_date casts and then checks the value prints back as itself: each of these casts to a date.
    const loose = ['2026-1-01', ' 2026-01-01', '2026-01-01 ', '2026/01/01', '26-01-01', '2026-01-01T00:00:00', 'epoch', '0000-01-01'];
    const rows = await loadAndQuarantine([
      { name: 'demographics.csv', lines: [demographicsHeader, ...goodPeople] },
      { name: 'prescriptions.csv', lines: [prescriptionsHeader, ...loose.map((d, i) => `RX${i},P1,"${d}",0205052C0AAAAAA`), 'RX99,P2,2024-02-29,0205052C0AAAAAA'] },
    ]);
    expect(rows.map((r) => [r.line, r.reason])).toEqual(loose.map((_, i) => [i + 2, 'bad_date']));
    expect(await db.rowsJson('SELECT prescription_id, issued_on FROM prescriptions')).toEqual([{ prescription_id: 'RX99', issued_on: '2024-02-29' }]);
  });

  it('person checks on activity rows: an NHS number and a malformed id are named as such, not as unknown', async () => {
    const rows = await loadAndQuarantine([
      { name: 'demographics.csv', lines: [demographicsHeader, ...goodPeople] },
      { name: 'prescriptions.csv', lines: [prescriptionsHeader, 'RX1,P1,2026-01-01,0205052C0AAAAAA', 'RX2,9434765919,2026-01-01,0205052C0AAAAAA', 'RX3,P 1,2026-01-01,0205052C0AAAAAA', 'RX4,P404,2026-01-01,0205052C0AAAAAA'] },
    ]);
    expect(rows.map((r) => [r.line, r.reason])).toEqual([[3, 'direct_identifier'], [4, 'bad_value'], [5, 'unknown_person']]);
  });

  it('duplicate_key: found among many distinct keys, by value, for the later row only', async () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `RX${i},P${(i % 2) + 1},2026-01-01,0205052C0AAAAAA`);
    lines.splice(4000, 0, 'RX17,P2,2026-02-01,0205052C0AAAAAA');
    const rows = await loadAndQuarantine([
      { name: 'demographics.csv', lines: [demographicsHeader, ...goodPeople] },
      { name: 'prescriptions.csv', lines: [prescriptionsHeader, ...lines] },
    ]);
    expect(rows).toMatchObject([{ line: 4002, reason: 'duplicate_key', raw_row: 'RX17,P2,2026-02-01,0205052C0AAAAAA' }]);
    expect(await db.value('SELECT count(*) FROM prescriptions')).toBe(5000n);
  });

  it('direct_identifier: a 10-digit person_id passing the NHS modulus-11 check', async () => {
    const rows = await loadAndQuarantine([
      { name: 'demographics.csv', lines: [demographicsHeader, ...goodPeople, person('9434765919'), person('9434765918')] },
    ]);
    // 9434765918 fails the check digit: it is a pseudonym that happens to be numeric, so it loads.
    expect(rows).toMatchObject([{ line: 4, reason: 'direct_identifier', raw_row: expect.stringContaining('9434765919') }]);
    expect(await db.value('SELECT count(*) FROM persons')).toBe(3n);
  });

  it('bad_encoding: a row holding bytes that are not UTF-8', async () => {
    const badBytes = Buffer.concat([Buffer.from('S2,P1,2026-01-01,,21,J44,'), Buffer.from([0xff, 0xfe]), Buffer.from(',')]);
    expect(await spellsWith(badBytes)).toMatchObject([{ line: 3, reason: 'bad_encoding' }]);
    expect(await loadedSpellIds()).toEqual(['S1', 'S9']);
  });

  it('checks every activity table, not only spells', async () => {
    const rows = await loadAndQuarantine([
      { name: 'demographics.csv', lines: [demographicsHeader, ...goodPeople] },
      { name: 'ae_attendances.csv', lines: [aeHeader, 'A1,P1,2026-01-01T10:00:00,07,3,N'] },
      { name: 'outpatient_appointments.csv', lines: [outpatientHeader, 'O1,P1,2026-01-01,8,1,100'] },
      { name: 'prescriptions.csv', lines: [prescriptionsHeader, 'R1,P1,2026-01-01,0205051R0', 'R2,P2,2026-01-01,0205051R0AAAAAA'] },
    ]);
    expect(rows.map((r) => [r.file_name, r.line, r.reason])).toEqual([
      ['ae_attendances.csv', 2, 'bad_code'],
      ['outpatient_appointments.csv', 2, 'bad_code'],
      ['prescriptions.csv', 2, 'bad_code'],
    ]);
  });

  it('normalises ICD-10 codes written in the accepted styles', async () => {
    await spellsWith('S2,P1,2026-01-01,2026-01-02,21,j44.1x,I10X;I10-;E11.9,300');
    const row = await db.rowsJson<{ primary_diagnosis: string; secondary_diagnoses: string[] }>(
      "SELECT primary_diagnosis, secondary_diagnoses FROM inpatient_spells WHERE spell_id = 'S2'",
    );
    expect(row).toEqual([{ primary_diagnosis: 'J441', secondary_diagnoses: ['I10', 'I10', 'E119'] }]);
  });
});
