// An inbox written by a different hand from strata's generator: every field quoted, CRLF line ends,
// a byte-order mark, columns in another order, gzip and parquet files, and planted bad rows of every
// reason. Every bad row must be quarantined under its reason at its line, and nothing else lost.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { quoteCsvField } from '../../core/csv.ts';
import type { Database } from '../../core/db/Database.ts';
import { loadInbox } from '../../pipeline/ingest/loadInbox.ts';
import { openTestDatabase, temporaryFolder } from '../helpers/testDatabase.ts';

type Row = Record<string, string>;
interface Planted { extract: string; file: string; line: number; reason: string }

let db: Database;
let inbox: string;
beforeEach(async () => {
  db = await openTestDatabase();
  inbox = temporaryFolder('strata-foreign-');
});
afterEach(() => db.close());

/** Writes rows (planted ones included) with quoted fields, CRLF and a BOM, in the given column order. */
function csvBytes(columns: string[], rows: (Row | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`\ufeff${columns.map(quoteCsvField).join(',')}\r\n`)];
  for (const row of rows) {
    parts.push(Buffer.isBuffer(row) ? row : Buffer.from(columns.map((c) => (row[c] === '' ? '' : quoteCsvField(row[c] ?? ''))).join(',')));
    parts.push(Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

function writeFolder(date: string, files: { name: string; bytes: Buffer; rows: number }[]): string {
  const folder = join(inbox, date);
  mkdirSync(folder, { recursive: true });
  for (const f of files) writeFileSync(join(folder, f.name), f.bytes);
  const manifest = {
    extract_date: date,
    files: files.map((f) => ({ name: f.name, rows: f.rows, sha256: createHash('sha256').update(f.bytes).digest('hex') })),
  };
  writeFileSync(join(folder, 'manifest.json'), JSON.stringify(manifest));
  return folder;
}

describe('an inbox from another generator', () => {
  it('quarantines exactly the planted rows, under their reasons, at their lines', async () => {
    const planted: Planted[] = [];
    const people: Row[] = Array.from({ length: 60 }, (_, i) => ({
      person_id: `ext-${i.toString(36)}_x`, year_of_birth: String(1930 + i), sex: i % 2 ? '1' : '2', ethnic_category: i % 7 ? 'A' : '',
      lsoa_code: `E0100${String(1000 + i).padStart(4, '0')}`, imd_decile: String((i % 10) + 1), practice_code: i % 2 ? 'B82005' : 'Y02345',
      pcn_code: i % 5 ? 'U54321' : '', registered_on: '2005-04-01', date_of_death: i === 7 ? '2026-06-01' : '', opt_out: i === 9 ? 'Y' : 'N',
    }));
    const demographicColumns = ['opt_out', 'person_id', 'sex', 'year_of_birth', 'registered_on', 'practice_code', 'pcn_code', 'lsoa_code', 'imd_decile', 'ethnic_category', 'date_of_death'];
    const demographics: (Row | Buffer)[] = [...people];
    const plant = (rows: (Row | Buffer)[], row: Row | Buffer, extract: string, file: string, reason: string, at: number) => {
      rows.splice(at, 0, row);
      planted.push({ extract, file, line: at + 2, reason });
    };
    plant(demographics, { ...people[0]!, person_id: '4010232137' }, '2026-11-20', 'demographics.csv', 'direct_identifier', 5);
    plant(demographics, { ...people[0]!, person_id: 'ext-new', registered_on: '2026-11-21' }, '2026-11-20', 'demographics.csv', 'future_date', 17);
    plant(demographics, { ...people[0]!, person_id: 'ext-nope', ethnic_category: 'Q' }, '2026-11-20', 'demographics.csv', 'bad_code', 30);

    const spellColumns = ['primary_diagnosis', 'secondary_diagnoses', 'spell_id', 'person_id', 'admission_method', 'admission_date', 'discharge_date', 'treatment_specialty'];
    const spells: (Row | Buffer)[] = people.slice(0, 40).map((p, i) => ({
      spell_id: `sp-${i}`, person_id: p.person_id!, admission_date: `2025-0${(i % 9) + 1}-1${i % 10}`, discharge_date: `2025-0${(i % 9) + 1}-2${i % 9}`,
      admission_method: ['21', '2A', '12', '31'][i % 4]!, primary_diagnosis: ['j44.1', 'I50.0X', 'E11-', 'R29.6'][i % 4]!,
      secondary_diagnoses: i % 3 ? 'N18.4; I10X' : '', treatment_specialty: i % 5 ? '300' : '',
    }));
    const s = (over: Row) => ({ ...(spells[0] as Row), ...over });
    plant(spells, s({ spell_id: 'sp-x1', admission_date: '2025-13-01' }), '2026-11-20', 'inpatient_spells.csv.gz', 'bad_date', 3);
    plant(spells, s({ spell_id: 'sp-x2', admission_method: '2E' }), '2026-11-20', 'inpatient_spells.csv.gz', 'bad_code', 8);
    plant(spells, s({ spell_id: 'sp-x3', discharge_date: '2025-01-01', admission_date: '2025-02-01' }), '2026-11-20', 'inpatient_spells.csv.gz', 'date_order', 12);
    plant(spells, s({ spell_id: 'sp-x4', person_id: 'someone-else' }), '2026-11-20', 'inpatient_spells.csv.gz', 'unknown_person', 20);
    plant(spells, s({}), '2026-11-20', 'inpatient_spells.csv.gz', 'duplicate_key', 25);
    plant(spells, s({ spell_id: 'sp-x6', primary_diagnosis: '' }), '2026-11-20', 'inpatient_spells.csv.gz', 'missing_value', 30);
    plant(spells, Buffer.concat([Buffer.from('"J44","","sp-x7","ext-1_x","21","2025-01-01","","3'), Buffer.from([0xc3, 0x28]), Buffer.from('0"')]), '2026-11-20', 'inpatient_spells.csv.gz', 'bad_encoding', 33);
    plant(spells, Buffer.from('"J44","","sp-x8","ext-1_x","21","2025-01-01",""'), '2026-11-20', 'inpatient_spells.csv.gz', 'bad_value', 35);

    const aeColumns = ['attendance_id', 'person_id', 'arrival_at', 'department_type', 'acuity', 'admitted'];
    const ae: (Row | Buffer)[] = people.slice(0, 30).map((p, i) => ({
      attendance_id: `ae-${i}`, person_id: p.person_id!, arrival_at: `2026-0${(i % 9) + 1}-0${(i % 9) + 1}T0${i % 10}:15:00`,
      department_type: '0' + ((i % 4) + 1), acuity: i % 6 ? String((i % 5) + 1) : '', admitted: i % 3 ? 'N' : 'Y',
    }));
    plant(ae, { ...(ae[0] as Row), attendance_id: 'ae-x', acuity: '0' }, '2026-11-20', 'ae_attendances.csv', 'bad_value', 4);
    plant(ae, { ...(ae[0] as Row), attendance_id: 'ae-y', arrival_at: '2026-11-21T00:00:01' }, '2026-11-20', 'ae_attendances.csv', 'future_date', 9);

    writeFolder('2026-11-20', [
      { name: 'demographics.csv', bytes: csvBytes(demographicColumns, demographics), rows: demographics.length },
      { name: 'inpatient_spells.csv.gz', bytes: gzipSync(csvBytes(spellColumns, spells)), rows: spells.length },
      { name: 'ae_attendances.csv', bytes: csvBytes(aeColumns, ae), rows: ae.length },
    ]);

    // The second night: a correction of sp-0, and prescriptions as parquet with one unknown person.
    const rxSource = join(temporaryFolder(), 'rx.csv');
    writeFileSync(rxSource, 'prescription_id,person_id,issued_on,bnf_code\nrx-1,ext-1_x,2026-11-20,0206020A0AAAAAA\nrx-2,ghost,2026-11-20,0206020A0AAAAAA\nrx-3,ext-2_x,2026-11-21,0206020A0AAAAAA\n');
    const second = writeFolder('2026-11-21', [
      { name: 'demographics.csv', bytes: csvBytes(demographicColumns, people), rows: people.length },
      { name: 'inpatient_spells.csv', bytes: csvBytes(spellColumns, [{ ...(spells[0] as Row), discharge_date: '2025-01-25' }]), rows: 1 },
    ]);
    await db.run(`COPY (SELECT prescription_id, person_id, CAST(issued_on AS DATE) AS issued_on, bnf_code FROM read_csv($src, all_varchar = true)) TO $dst (FORMAT parquet)`, {
      src: rxSource, dst: join(second, 'prescriptions.parquet'),
    });
    const manifest = JSON.parse(readFileSync(join(second, 'manifest.json'), 'utf8'));
    manifest.files.push({ name: 'prescriptions.parquet', rows: 3, sha256: createHash('sha256').update(readFileSync(join(second, 'prescriptions.parquet'))).digest('hex') });
    writeFileSync(join(second, 'manifest.json'), JSON.stringify(manifest));
    planted.push({ extract: '2026-11-21', file: 'prescriptions.parquet', line: 2, reason: 'unknown_person' });

    const result = await loadInbox(db, inbox, { runId: 'foreign', now: new Date() });
    expect(result.rejected).toEqual([]);
    expect(result.loaded).toEqual(['2026-11-20', '2026-11-21']);
    const quarantined = await db.rowsJson<{ extract: string; file: string; line: number; reason: string }>(
      `SELECT strftime(extract_date, '%Y-%m-%d') AS extract, file_name AS file, CAST(line AS INTEGER) AS line, reason FROM quarantine ORDER BY ALL`,
    );
    const byKey = (a: Planted, b: Planted) => `${a.extract}${a.file}${String(a.line).padStart(4)}`.localeCompare(`${b.extract}${b.file}${String(b.line).padStart(4)}`);
    expect([...quarantined].sort(byKey)).toEqual([...planted].sort(byKey));
    for (const f of result.files) expect(f.rows_read).toBe(f.rows_loaded + f.rows_quarantined);

    expect(await db.value('SELECT count(*) FROM persons')).toBe(60n);
    expect(await db.value('SELECT count(*) FROM inpatient_spells')).toBe(40n);
    expect(await db.value('SELECT count(*) FROM ae_attendances')).toBe(30n);
    expect(await db.value('SELECT count(*) FROM prescriptions')).toBe(2n);
    expect(await db.rowsJson("SELECT discharge_date, primary_diagnosis, secondary_diagnoses FROM inpatient_spells WHERE spell_id = 'sp-0'")).toEqual([
      { discharge_date: '2025-01-25', primary_diagnosis: 'J441', secondary_diagnoses: null },
    ]);
    expect(await db.rowsJson("SELECT secondary_diagnoses FROM inpatient_spells WHERE spell_id = 'sp-1'")).toEqual([{ secondary_diagnoses: ['N184', 'I10'] }]);
  });
});
