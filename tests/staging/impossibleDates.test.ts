// Impossible dates (data-contract.md §2 and §3, v2): no date of a person may fall before 1 January of their
// year of birth (date_order), a death before birth is date_order, and a date or timestamp in year 0 is bad_date.
// The year of birth is the newest one known: this folder's snapshot when it lists the person, else the last one
// loaded. A row whose person is unknown is still quarantined unknown_person, never lost through the join, and
// every file's rows read = loaded + quarantined.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../core/db/Database.ts';
import { loadInbox } from '../../pipeline/ingest/loadInbox.ts';
import { openTestDatabase, temporaryFolder } from '../helpers/testDatabase.ts';
import {
  aeHeader, conditionsHeader, demographicsHeader, outpatientHeader, person, prescriptionsHeader, spellsHeader, writeExtract,
} from '../helpers/writeExtract.ts';

let db: Database;
let inbox: string;
beforeEach(async () => {
  db = await openTestDatabase();
  inbox = temporaryFolder();
});
afterEach(() => db.close());

interface Quarantined { file_name: string; line: number; reason: string; detail: string }

async function load(): Promise<Awaited<ReturnType<typeof loadInbox>>> {
  const result = await loadInbox(db, inbox, { runId: 'test', now: new Date('2026-11-25T12:00:00Z') });
  expect(result.rejected).toEqual([]);
  for (const file of result.files) expect(file.rows_read, file.name).toBe(file.rows_loaded + file.rows_quarantined);
  return result;
}
const quarantined = () => db.rowsJson<Quarantined>(
  'SELECT file_name, CAST(line AS INTEGER) AS line, reason, detail FROM quarantine ORDER BY extract_date, file_name, line',
);
const count = async (table: string) => Number(await db.value<bigint>(`SELECT count(*) FROM ${table}`));

// P1 was born in 1990, P2 in 1950.
const people = [person('P1', { year_of_birth: '1990', registered_on: '1990-03-01' }), person('P2')];

describe('dates before the year of birth are date_order', () => {
  it('in every activity table, on the first date that breaks it; 1 January of the year of birth loads', async () => {
    writeExtract(inbox, '2026-11-20', [
      { name: 'demographics.csv', lines: [demographicsHeader, ...people] },
      { name: 'inpatient_spells.csv', lines: [
        spellsHeader,
        'S1,P1,1990-01-01,1990-01-03,21,J44.1,,300',
        'S2,P1,1989-12-31,1990-01-03,21,J44.1,,300',
        'S3,P2,1949-06-01,,21,J44.1,,300',
      ] },
      { name: 'ae_attendances.csv', lines: [aeHeader, 'A1,P1,1990-01-01T00:00:00,01,3,N', 'A2,P1,1989-12-31T23:59:59,01,3,N'] },
      { name: 'outpatient_appointments.csv', lines: [outpatientHeader, 'O1,P1,1985-05-05,5,1,300', 'O2,P1,2020-05-05,5,1,300'] },
      { name: 'gp_conditions.csv', lines: [conditionsHeader, 'P1,HYP,1970-01-01', 'P2,HYP,1970-01-01'] },
      { name: 'prescriptions.csv', lines: [prescriptionsHeader, 'R1,P1,1989-11-30,0212000B0AAABAB', 'R2,P2,1989-11-30,0212000B0AAABAB'] },
    ]);
    await load();
    const birth = (column: string) => `${column} is before 1 January of the person's year_of_birth`;
    expect(await quarantined()).toEqual([
      { file_name: 'ae_attendances.csv', line: 3, reason: 'date_order', detail: birth('arrival_at') },
      { file_name: 'gp_conditions.csv', line: 2, reason: 'date_order', detail: birth('diagnosed_on') },
      { file_name: 'inpatient_spells.csv', line: 3, reason: 'date_order', detail: birth('admission_date') },
      { file_name: 'inpatient_spells.csv', line: 4, reason: 'date_order', detail: birth('admission_date') },
      { file_name: 'outpatient_appointments.csv', line: 2, reason: 'date_order', detail: birth('appointment_date') },
      { file_name: 'prescriptions.csv', line: 2, reason: 'date_order', detail: birth('issued_on') },
    ]);
    expect(await db.rowsJson('SELECT spell_id FROM inpatient_spells')).toEqual([{ spell_id: 'S1' }]);
    expect(await db.rowsJson('SELECT attendance_id FROM ae_attendances')).toEqual([{ attendance_id: 'A1' }]);
    expect(await db.rowsJson('SELECT person_id FROM gp_conditions')).toEqual([{ person_id: 'P2' }]);
  });

  it('in demographics: a death before birth, and a registration before birth', async () => {
    writeExtract(inbox, '2026-11-20', [
      { name: 'demographics.csv', lines: [
        demographicsHeader,
        person('P1', { year_of_birth: '1990', registered_on: '1990-01-01', date_of_death: '1989-12-31' }),
        person('P2', { year_of_birth: '1990', registered_on: '1989-07-01' }),
        person('P3', { year_of_birth: '1990', registered_on: '1990-01-01', date_of_death: '1990-01-01' }),
      ] },
    ]);
    await load();
    expect(await quarantined()).toEqual([
      { file_name: 'demographics.csv', line: 2, reason: 'date_order', detail: 'date_of_death is before 1 January of year_of_birth (a death before birth)' },
      { file_name: 'demographics.csv', line: 3, reason: 'date_order', detail: 'registered_on is before 1 January of year_of_birth' },
    ]);
    expect(await db.rowsJson('SELECT person_id FROM persons')).toEqual([{ person_id: 'P3' }]);
  });

  it('takes the newest year of birth: this folder\'s snapshot, else the last one loaded', async () => {
    writeExtract(inbox, '2026-11-20', [{ name: 'demographics.csv', lines: [demographicsHeader, person('P1', { year_of_birth: '1950' }), person('P2')] }]);
    // The next snapshot corrects P1's year of birth to 1990 and no longer lists P2 (who left; still known).
    writeExtract(inbox, '2026-11-21', [
      { name: 'demographics.csv', lines: [demographicsHeader, person('P1', { year_of_birth: '1990', registered_on: '1990-03-01' })] },
      { name: 'prescriptions.csv', lines: [
        prescriptionsHeader,
        'R1,P1,1980-01-01,0212000B0AAABAB',
        'R2,P2,1980-01-01,0212000B0AAABAB',
        'R3,P2,1949-12-31,0212000B0AAABAB',
      ] },
    ]);
    await load();
    expect(await quarantined()).toMatchObject([
      { file_name: 'prescriptions.csv', line: 2, reason: 'date_order' },
      { file_name: 'prescriptions.csv', line: 4, reason: 'date_order' },
    ]);
    expect(await db.rowsJson('SELECT prescription_id FROM prescriptions')).toEqual([{ prescription_id: 'R2' }]);
  });
});

describe('year 0 is bad_date', () => {
  it('a date 0000-05-01 and a timestamp 0000-01-01T10:00:00, in demographics and activity', async () => {
    writeExtract(inbox, '2026-11-20', [
      { name: 'demographics.csv', lines: [demographicsHeader, ...people, person('P3', { date_of_death: '0000-05-01' })] },
      { name: 'ae_attendances.csv', lines: [aeHeader, 'A1,P1,0000-01-01T10:00:00,01,3,N', 'A2,P9,0000-01-01 10:00:00,01,3,N'] },
      { name: 'gp_conditions.csv', lines: [conditionsHeader, 'P1,HYP,0000-05-01'] },
    ]);
    await load();
    expect(await quarantined()).toEqual([
      { file_name: 'ae_attendances.csv', line: 2, reason: 'bad_date', detail: 'arrival_at is not a real YYYY-MM-DDTHH:MM:SS timestamp' },
      { file_name: 'ae_attendances.csv', line: 3, reason: 'bad_date', detail: 'arrival_at is not a real YYYY-MM-DDTHH:MM:SS timestamp' },
      { file_name: 'demographics.csv', line: 4, reason: 'bad_date', detail: 'date_of_death is not a real YYYY-MM-DD date' },
      { file_name: 'gp_conditions.csv', line: 2, reason: 'bad_date', detail: 'diagnosed_on is not a real YYYY-MM-DD date' },
    ]);
  });
});

describe('no row is lost through the join with known persons', () => {
  it('a row of an unknown person with an ancient date is unknown_person, and every row is accounted for', async () => {
    writeExtract(inbox, '2026-11-20', [
      { name: 'demographics.csv', lines: [demographicsHeader, ...people] },
      { name: 'prescriptions.csv', lines: [
        prescriptionsHeader,
        'R1,P404,1800-01-01,0212000B0AAABAB',
        'R2,P1,2020-01-01,0212000B0AAABAB',
        'R3,,2020-01-01,0212000B0AAABAB',
        'R4,P2,2020-01-01,0212000B0AAABAB',
      ] },
    ]);
    const result = await load();
    expect(await quarantined()).toMatchObject([
      { file_name: 'prescriptions.csv', line: 2, reason: 'unknown_person' },
      { file_name: 'prescriptions.csv', line: 4, reason: 'missing_value' },
    ]);
    expect(await count('prescriptions')).toBe(2);
    expect(result.files.find((f) => f.name === 'prescriptions.csv')).toMatchObject({ rows_read: 4, rows_loaded: 2, rows_quarantined: 2 });
  });
});
