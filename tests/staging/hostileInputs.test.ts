// Inputs written to break the loader (issue 13, data-contract.md §1 and §3): what is checked is what is
// loaded, nothing in a file can make the loader lose a row or choke, and every refusal says where.
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Database } from '../../core/db/Database.ts';
import { ExitCode, StrataError } from '../../core/errors.ts';
import { loadInbox, type LoadInboxOptions } from '../../pipeline/ingest/loadInbox.ts';
import { openTestDatabase, temporaryFolder } from '../helpers/testDatabase.ts';
import { demographicsHeader, person, rewriteManifest, sha256, spellsHeader, writeExtract } from '../helpers/writeExtract.ts';

let db: Database;
let inbox: string;
beforeEach(async () => {
  db = await openTestDatabase();
  inbox = temporaryFolder();
});
afterEach(() => {
  vi.restoreAllMocks();
  db.close();
});

const load = (options: Partial<LoadInboxOptions> = {}) => loadInbox(db, inbox, { runId: 'test', now: new Date(), ...options });
const quarantined = () => db.rowsJson<{ file_name: string; line: number; reason: string; detail: string; raw_row: string }>(
  'SELECT file_name, CAST(line AS INTEGER) AS line, reason, detail, raw_row FROM quarantine ORDER BY file_name, line',
);
const spell = (id: string, person = 'P1') => `${id},${person},2026-11-01,,21,J44.1,,300`;

/** Writes `body` as a folder's only activity file with a manifest that says `rows`. */
function writeRawFile(extractDate: string, name: string, body: Buffer, rows: number): string {
  const folder = writeExtract(inbox, extractDate, [{ name: 'demographics.csv', lines: [demographicsHeader, person('P1')] }]);
  writeFileSync(join(folder, name), body);
  rewriteManifest(folder, (m) => { m.files.push({ name, rows, sha256: sha256(body) }); });
  return folder;
}

describe('line endings and quotes', () => {
  it('loads a file mixing CRLF and LF line endings, with exact line numbers', async () => {
    writeRawFile('2026-11-20', 'inpatient_spells.csv', Buffer.from(`${spellsHeader}\r\n${spell('S1')}\n${spell('S2')}\r\n${spell('S3')}`), 3);
    const result = await load();
    expect(result.rejected).toEqual([]);
    expect(await db.rowsJson('SELECT spell_id, treatment_specialty, CAST(source_line AS INTEGER) AS line FROM inpatient_spells ORDER BY 1')).toEqual([
      { spell_id: 'S1', treatment_specialty: '300', line: 2 },
      { spell_id: 'S2', treatment_specialty: '300', line: 3 },
      { spell_id: 'S3', treatment_specialty: '300', line: 4 },
    ]);
  });

  it('quarantines a row holding a lone carriage return, whole, and loads the rest', async () => {
    const bad = `S2,P1,2026-11-01,,21,J44.1\r,,300`;
    writeRawFile('2026-11-20', 'inpatient_spells.csv', Buffer.from(`${spellsHeader}\r\n${spell('S1')}\r\n${bad}\r\n${spell('S3')}\r\n`), 3);
    expect((await load()).rejected).toEqual([]);
    expect(await quarantined()).toEqual([
      { file_name: 'inpatient_spells.csv', line: 3, reason: 'bad_value', detail: 'row holds a carriage return that does not end a line', raw_row: bad },
    ]);
    expect(await db.rowsJson('SELECT spell_id FROM inpatient_spells ORDER BY 1')).toEqual([{ spell_id: 'S1' }, { spell_id: 'S3' }]);
  });

  it('keeps line breaks inside a quoted field as data, and counts the lines they take', async () => {
    writeRawFile('2026-11-20', 'inpatient_spells.csv', Buffer.from(`${spellsHeader}\n"S1\r\nx",P1,2026-11-01,,21,J44.1,,300\n${spell('S2')}\nS3,P1,2026-13-01,,21,J44.1,,300\n`), 3);
    expect((await load()).rejected).toEqual([]);
    expect(await db.rowsJson('SELECT spell_id, CAST(source_line AS INTEGER) AS line FROM inpatient_spells ORDER BY line')).toEqual([
      { spell_id: 'S1\r\nx', line: 2 },
      { spell_id: 'S2', line: 4 },
    ]);
    expect((await quarantined()).map((q) => [q.line, q.reason])).toEqual([[5, 'bad_date']]);
  });

  it('quarantines a row with a quote inside an unquoted field, or text after a closing quote', async () => {
    const strays = ['S2,P1,2026-11-01,,21,J4"4.1,,300', 'S3,"P1"x,2026-11-01,,21,J44.1,,300'];
    writeRawFile('2026-11-20', 'inpatient_spells.csv', Buffer.from(`${spellsHeader}\n${spell('S1')}\n${strays.join('\n')}\n${spell('S4')}\n`), 4);
    expect((await load()).rejected).toEqual([]);
    expect((await quarantined()).map((q) => [q.line, q.reason, q.raw_row])).toEqual([[3, 'bad_value', strays[0]], [4, 'bad_value', strays[1]]]);
    expect(await db.rowsJson('SELECT spell_id FROM inpatient_spells ORDER BY 1')).toEqual([{ spell_id: 'S1' }, { spell_id: 'S4' }]);
  });

  it('refuses a file whose quote is never closed, naming the line where it opened', async () => {
    writeRawFile('2026-11-20', 'inpatient_spells.csv', Buffer.from(`${spellsHeader}\n${spell('S1')}\n${spell('S2')}\n"S3,P1\n${spell('S4')}\n`), 4);
    const result = await load();
    expect(result.rejected.map((r) => r.message)).toEqual([
      'extract 2026-11-20 rejected: inpatient_spells.csv: a quoted field opened on line 4 is never closed (the file ends inside it)',
    ]);
    expect(await db.value('SELECT count(*) FROM extracts')).toBe(0n);
  });
});

describe('rows too long, and compressed files that expand', () => {
  it('quarantines a row over 1 MiB as bad_value, keeping its first 10,000 characters and saying its length', async () => {
    const long = `S2,P1,2026-11-01,,21,J44.1,,${'é'.repeat(600_000)}`; // 1.2 MB of UTF-8
    writeRawFile('2026-11-20', 'inpatient_spells.csv.gz', gzipSync(`${spellsHeader}\n${spell('S1')}\n${long}\n${spell('S3')}\n`), 3);
    expect((await load()).rejected).toEqual([]);
    const [row] = await quarantined();
    expect(row).toMatchObject({ line: 3, reason: 'bad_value' });
    expect(row!.detail).toBe(`row is ${Buffer.byteLength(long)} bytes long, over the 1 MiB limit; only its first 10000 characters are kept`);
    expect(row!.raw_row).toBe([...long].slice(0, 10_000).join(''));
    expect(await db.rowsJson('SELECT spell_id FROM inpatient_spells ORDER BY 1')).toEqual([{ spell_id: 'S1' }, { spell_id: 'S3' }]);
  });

  it('quarantines a parquet row over 1 MiB the same way', async () => {
    const folder = writeExtract(inbox, '2026-11-20', [{ name: 'demographics.csv', lines: [demographicsHeader, person('P1')] }]);
    const path = join(folder, 'inpatient_spells.parquet');
    await db.run(
      `COPY (SELECT * FROM (VALUES ('S1', 'P1', '2026-11-01', NULL, '21', 'J44.1', NULL, '300'),
                                   ('S2', 'P1', '2026-11-01', NULL, '21', 'J44.1', NULL, repeat('x', 1100000)))
             t(spell_id, person_id, admission_date, discharge_date, admission_method, primary_diagnosis, secondary_diagnoses, treatment_specialty))
       TO $path (FORMAT parquet)`,
      { path },
    );
    rewriteManifest(folder, (m) => { m.files.push({ name: 'inpatient_spells.parquet', rows: 2, sha256: sha256(readFileSync(path)) }); });
    expect((await load()).rejected).toEqual([]);
    const rows = await quarantined();
    expect(rows.map((q) => [q.line, q.reason, q.raw_row.length])).toEqual([[2, 'bad_value', 10_000]]);
    expect(rows[0]!.detail).toMatch(/^row is 1100\d{3} bytes long, over the 1 MiB limit/);
  });

  it('reads a gzip of 100 MiB of newlines in bounded memory: no row, nothing loaded from it, nothing lost', async () => {
    writeRawFile('2026-11-20', 'inpatient_spells.csv.gz', gzipSync(Buffer.concat([Buffer.from(`${spellsHeader}\n`), Buffer.alloc(100 << 20, 0x0a)])), 0);
    const heapBefore = process.memoryUsage().heapUsed;
    const result = await load();
    expect(result.rejected).toEqual([]);
    expect(result.files.find((f) => f.table === 'inpatient_spells')).toMatchObject({ rows_read: 0, rows_loaded: 0, rows_quarantined: 0 });
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 << 20);
  });

  it('refuses a gzip of 50 MiB of zeros that claims no rows: the zeros are one over-long row, counted', async () => {
    writeRawFile('2026-11-20', 'inpatient_spells.csv.gz', gzipSync(Buffer.concat([Buffer.from(`${spellsHeader}\n`), Buffer.alloc(50 << 20, 0)])), 0);
    expect((await load()).rejected.map((r) => r.message)).toEqual([
      'extract 2026-11-20 rejected: inpatient_spells.csv.gz: row count mismatch: manifest says 0, file has 1',
    ]);
  });

  it('refuses a damaged gzip whose checksum holds, saying so', async () => {
    const whole = gzipSync(`${spellsHeader}\n${spell('S1')}\n`);
    writeRawFile('2026-11-20', 'inpatient_spells.csv.gz', whole.subarray(0, whole.length - 12), 1);
    expect((await load()).rejected.map((r) => r.message)).toEqual([
      'extract 2026-11-20 rejected: inpatient_spells.csv.gz: the file cannot be decompressed as gzip (it ends early)',
    ]);
  });
});

describe('the file checked is the file read', () => {
  it('loads the bytes it checked, even when the file is replaced after its checksum held', async () => {
    const folder = writeExtract(inbox, '2026-11-20', [{ name: 'demographics.csv', lines: [demographicsHeader, person('P1'), person('P2')] }]);
    const original = sha256(readFileSync(join(folder, 'demographics.csv')));
    const result = await load({
      onFileLoading: () => {
        // Swapped after the check, before DuckDB reads: same rows, a different person and an opt-out.
        writeFileSync(join(folder, 'swap.tmp'), `${demographicsHeader}\n${person('P1')}\n${person('X9', { opt_out: 'Y' })}\n`);
        renameSync(join(folder, 'swap.tmp'), join(folder, 'demographics.csv'));
      },
    });
    expect(result.rejected).toEqual([]);
    expect(await db.rowsJson('SELECT person_id, opt_out FROM persons ORDER BY 1')).toEqual([
      { person_id: 'P1', opt_out: 'N' },
      { person_id: 'P2', opt_out: 'N' },
    ]);
    expect(result.files[0]!.sha256).toBe(original);
  });

  it('refuses a file that changes while it is being read', async () => {
    const folder = writeExtract(inbox, '2026-11-20', [{ name: 'demographics.csv', lines: [demographicsHeader, person('P1')] }]);
    const result = await load({ copyHooks: { afterFirstChunk: () => appendFileSync(join(folder, 'demographics.csv'), `${person('P2')}\n`) } });
    expect(result.rejected.map((r) => r.message)).toEqual([
      'extract 2026-11-20 rejected: demographics.csv: the file changed while it was being read; the folder is refused rather than loading part of a change',
    ]);
    expect(await db.value('SELECT count(*) FROM persons')).toBe(0n);
  });

  it('refuses a listed file that is a symlink, even to a good file inside the inbox', async () => {
    const elsewhere = temporaryFolder();
    const folder = writeExtract(elsewhere, '2026-11-20', [{ name: 'demographics.csv', lines: [demographicsHeader, person('P1')] }]);
    mkdirSync(join(inbox, '2026-11-20'));
    symlinkSync(join(folder, 'demographics.csv'), join(inbox, '2026-11-20', 'demographics.csv'));
    writeFileSync(join(inbox, '2026-11-20', 'manifest.json'), readFileSync(join(folder, 'manifest.json')));
    expect((await load()).rejected.map((r) => r.message)).toEqual([
      'extract 2026-11-20 rejected: demographics.csv: it is a symbolic link; every file must be a regular file inside its folder',
    ]);
    expect(await db.value('SELECT count(*) FROM persons')).toBe(0n);
  });

  it('refuses a symlink to a system file without echoing a line of it', async () => {
    writeExtract(inbox, '2026-11-20', [{ name: 'demographics.csv', lines: [demographicsHeader, person('P1')] }]);
    const folder = join(inbox, '2026-11-20');
    rmSync(join(folder, 'demographics.csv'));
    symlinkSync('/etc/passwd', join(folder, 'demographics.csv'));
    rewriteManifest(folder, (m) => { m.files[0]!.sha256 = sha256(readFileSync('/etc/passwd')); });
    const [refusal] = (await load()).rejected;
    expect(refusal!.message).toMatch(/demographics\.csv: it is a symbolic link/);
    expect(refusal!.message).not.toMatch(/root|nologin|bin\//);
  });

  it('refuses an extract folder that is a symlink, and a FIFO in place of a file, without waiting on it', async () => {
    const elsewhere = temporaryFolder();
    const real = writeExtract(elsewhere, '2026-11-20', [{ name: 'demographics.csv', lines: [demographicsHeader, person('P1')] }]);
    symlinkSync(real, join(inbox, '2026-11-20'));
    const fifoFolder = writeExtract(inbox, '2026-11-21', [{ name: 'demographics.csv', lines: [demographicsHeader, person('P1')] }]);
    rmSync(join(fifoFolder, 'demographics.csv'));
    execFileSync('mkfifo', [join(fifoFolder, 'demographics.csv')]);
    const result = await load();
    expect(result.rejected.map((r) => r.message)).toEqual([
      'extract 2026-11-20 rejected: the extract folder is a symbolic link or not a folder; it must be a folder inside the inbox',
      'extract 2026-11-21 rejected: held back until the earlier extract 2026-11-20 is fixed or removed',
    ]);
    rmSync(join(inbox, '2026-11-20'));
    expect((await load()).rejected.map((r) => r.message)).toEqual([
      'extract 2026-11-21 rejected: demographics.csv: it is not a regular file; every file must be a regular file inside its folder',
    ]);
  });

  it('reads exactly the inbox named, whatever glob or hive characters its path holds', async () => {
    const root = temporaryFolder();
    const [strange, lookAlike] = [join(root, 'opt_out=N', 'in[b]'), join(root, 'opt_out=N', 'inb')];
    writeExtract(strange, '2026-11-20', [{ name: 'demographics.csv', lines: [demographicsHeader, person('P1', { opt_out: 'Y' }), person('P2')] }]);
    writeExtract(lookAlike, '2026-11-20', [{ name: 'demographics.csv', lines: [demographicsHeader, person('DECOY')] }]);
    const result = await loadInbox(db, strange, { runId: 'test', now: new Date() });
    expect(result.rejected).toEqual([]);
    expect(await db.rowsJson('SELECT person_id, opt_out FROM persons ORDER BY 1')).toEqual([
      { person_id: 'P1', opt_out: 'Y' },
      { person_id: 'P2', opt_out: 'N' },
    ]);
  });
});

describe('dates of folders', () => {
  it('refuses a folder dated after tomorrow, and still loads the real next folder', async () => {
    const now = new Date('2026-11-21T09:00:00');
    writeExtract(inbox, '2026-11-20', [{ name: 'demographics.csv', lines: [demographicsHeader, person('P1')] }]);
    writeExtract(inbox, '2026-11-22', [{ name: 'demographics.csv', lines: [demographicsHeader, person('P1')] }]);
    writeExtract(inbox, '2099-01-01', [{ name: 'demographics.csv', lines: [demographicsHeader, person('P1')] }]);
    const first = await load({ now });
    expect(first.loaded).toEqual(['2026-11-20', '2026-11-22']);
    expect(first.rejected.map((r) => r.message)).toEqual([
      "extract 2099-01-01 rejected: it is dated after tomorrow (2026-11-22) by this machine's clock; check the folder's date (a mistyped year?) or the clock",
    ]);
    writeExtract(inbox, '2026-11-23', [{ name: 'demographics.csv', lines: [demographicsHeader, person('P1')] }]);
    expect((await load({ now: new Date('2026-11-23T02:30:00') })).loaded).toEqual(['2026-11-23']);
  });
});

describe('the run checks its own row accounting', () => {
  it('fails (exit 1) and publishes nothing of the folder when a quarantined row did not reach the quarantine', async () => {
    writeRawFile('2026-11-20', 'inpatient_spells.csv', Buffer.from(`${spellsHeader}\n${spell('S1')}\nS2,P1,2026-13-01,,21,J44.1,,300\n`), 2);
    // A fault that loses the quarantined rows of a file on their way to the quarantine table.
    const run = Database.prototype.run;
    vi.spyOn(Database.prototype, 'run').mockImplementation(function (this: Database, sql, params) {
      if (sql.startsWith('INSERT INTO folder_quarantine') && params?.['file_name'] === 'inpatient_spells.csv') return Promise.resolve();
      return run.call(this, sql, params);
    });
    const error = await load().then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(StrataError);
    expect((error as StrataError).exitCode).toBe(ExitCode.failed);
    expect((error as StrataError).message).toBe(
      'extract 2026-11-20: inpatient_spells.csv: 2 rows were read, but the database holds 1 loaded and 0 quarantined (the loader counted 1 and 1); ' +
        'nothing of the folder is published. This is a fault in Strata: keep the extract folder and report it',
    );
    vi.restoreAllMocks();
    expect(await db.value('SELECT count(*) FROM extracts')).toBe(0n);
    expect(await db.value('SELECT count(*) FROM inpatient_spells')).toBe(0n);
  });
});
