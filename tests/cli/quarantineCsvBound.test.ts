// End to end from the CLI (issue 13 §2): a small parquet file whose every row is quarantined must not blow up
// quarantine.csv. On the sample inbox plus a night whose prescriptions.parquet (a few hundred KB) holds 40,000
// rows of 2 KB each, and whose ae_attendances.parquet holds 12,000 short ones, all quarantined: the CSV takes at
// most 16 MiB and 10,000 rows from each source file, run.json and the report say it was cut and how many rows it
// holds, the log warns, the database keeps every row, and the CSV's cells are neutralised against formulas.
import { cpSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../core/db/Database.ts';
import { readOnlyRows } from '../helpers/outputFiles.ts';
import { repoRoot, runCli } from '../helpers/runCli.ts';
import { temporaryFolder } from '../helpers/testDatabase.ts';
import { sha256 } from '../helpers/writeExtract.ts';

const night = '2026-11-23';
const prescriptionRows = 40_000;
const attendanceRows = 12_000;
const mib = 1024 * 1024;

interface QuarantineCsvEntry {
  path: string;
  rows: number;
  rows_in_database: number;
  cut: boolean;
  limits: { max_rows_per_source_file: number; max_bytes_per_source_file: number };
  source_files: { extract: string; name: string; rows_in_database: number; rows_written: number; cut: boolean }[];
}

let root: string;
let status: number | null;
let stdout: string;
let stderr: string;
let parquetBytes: number;

/** A night with the newest sample snapshot and two hostile parquet files, every row of which is quarantined. */
async function writeHostileNight(inbox: string): Promise<void> {
  const folder = join(inbox, night);
  cpSync(join(repoRoot, 'data-samples', 'inbox', '2026-11-22'), folder, { recursive: true, filter: (p) => !p.endsWith('.gz') });
  const db = await Database.open({ path: ':memory:' });
  try {
    // The first field begins with '=', so each quarantined row would start a formula in a spreadsheet; the person_id,
    // the same 2 KB on every row (bad_value), is stored once in the parquet's dictionary.
    await db.run(
      `COPY (SELECT '=1+' || i AS prescription_id, 'NOBODY' || repeat('A', 2000) AS person_id, '2026-11-01' AS issued_on,
                    '0212000B0AAABAB' AS bnf_code
             FROM range(1, $rows + 1) t(i)) TO $path (FORMAT parquet)`,
      { rows: prescriptionRows, path: join(folder, 'prescriptions.parquet') },
    );
    await db.run(
      `COPY (SELECT 'AE' || i AS attendance_id, 'NOBODY' AS person_id, '2026-11-01T10:00:00' AS arrival_at, '01' AS department_type,
                    '3' AS acuity, 'N' AS admitted
             FROM range(1, $rows + 1) t(i)) TO $path (FORMAT parquet)`,
      { rows: attendanceRows, path: join(folder, 'ae_attendances.parquet') },
    );
  } finally {
    db.close();
  }
  const files = [
    { name: 'demographics.csv', rows: readFileSync(join(folder, 'demographics.csv'), 'utf8').trimEnd().split('\n').length - 1 },
    { name: 'prescriptions.parquet', rows: prescriptionRows },
    { name: 'ae_attendances.parquet', rows: attendanceRows },
  ].map((f) => ({ ...f, sha256: sha256(readFileSync(join(folder, f.name))) }));
  writeFileSync(join(folder, 'manifest.json'), JSON.stringify({ extract_date: night, files }, null, 2));
  parquetBytes = statSync(join(folder, 'prescriptions.parquet')).size;
}

beforeAll(async () => {
  root = temporaryFolder('strata-quarantine-bound-');
  const inbox = join(root, 'inbox');
  cpSync(join(repoRoot, 'data-samples', 'inbox'), inbox, { recursive: true });
  await writeHostileNight(inbox);
  ({ status, stdout, stderr } = runCli(['run', '--inbox', inbox, '--out', join(root, 'out'), '--log-format', 'json']));
}, 240_000);

const outputFolder = () => join(root, 'out', night);
const quarantineCsvEntry = (): QuarantineCsvEntry =>
  JSON.parse(readFileSync(join(outputFolder(), 'run.json'), 'utf8')).outputs.find((o: { path: string }) => o.path === 'quarantine.csv');

describe('a hostile parquet file cannot blow up quarantine.csv', () => {
  it('runs to the end (exit 0) and keeps every quarantined row in the database', async () => {
    expect(status, stderr).toBe(0);
    expect(parquetBytes).toBeLessThan(mib);
    const runJson = JSON.parse(readFileSync(join(outputFolder(), 'run.json'), 'utf8'));
    expect(runJson.files.find((f: { extract: string; name: string }) => f.extract === night && f.name === 'prescriptions.parquet'))
      .toMatchObject({ rows_read: prescriptionRows, rows_loaded: 0, rows_quarantined: prescriptionRows });
    const kept = await readOnlyRows(join(root, 'out', 'strata.duckdb'),
      `SELECT strftime(extract_date, '%Y-%m-%d') AS extract, file_name, count(*)::INTEGER AS n FROM quarantine
       WHERE file_name LIKE '%.parquet' GROUP BY 1, 2 ORDER BY 1, 2`);
    expect(kept).toEqual([
      { extract: night, file_name: 'ae_attendances.parquet', n: attendanceRows },
      { extract: night, file_name: 'prescriptions.parquet', n: prescriptionRows },
    ]);
  });

  it('writes at most 16 MiB and 10,000 rows of each source file, and says so in run.json', () => {
    const entry = quarantineCsvEntry();
    expect(entry.limits).toEqual({ max_rows_per_source_file: 10_000, max_bytes_per_source_file: 16 * mib });
    expect(entry.cut).toBe(true);
    const prescriptions = entry.source_files.find((f) => f.extract === night && f.name === 'prescriptions.parquet')!;
    const attendances = entry.source_files.find((f) => f.extract === night && f.name === 'ae_attendances.parquet')!;
    // About 2 KB a row: the byte limit stops the prescriptions first; the short attendances stop at the row limit.
    expect(prescriptions).toMatchObject({ rows_in_database: prescriptionRows, cut: true });
    expect(prescriptions.rows_written).toBeGreaterThan(7_000);
    expect(prescriptions.rows_written).toBeLessThan(10_000);
    expect(attendances).toEqual({ extract: night, name: 'ae_attendances.parquet', rows_in_database: attendanceRows, rows_written: 10_000, cut: true });
    expect(entry.rows).toBe(entry.source_files.reduce((sum, f) => sum + f.rows_written, 0));
    expect(entry.rows_in_database).toBe(entry.source_files.reduce((sum, f) => sum + f.rows_in_database, 0));
    // Uncut, the prescriptions alone would take about 80 MB; the whole file stays under the two files' limits.
    const size = statSync(join(outputFolder(), 'quarantine.csv')).size;
    expect(size).toBeLessThan(16 * mib + 2 * mib);
    const lines = readFileSync(join(outputFolder(), 'quarantine.csv'), 'utf8').trimEnd().split('\n');
    expect(lines.length - 1).toBe(entry.rows);
  });

  it('neutralises the rows\' formulas in quarantine.csv', () => {
    const text = readFileSync(join(outputFolder(), 'quarantine.csv'), 'utf8');
    // Asserted as booleans: the file is megabytes long.
    const detail = 'person_id must be 1-64 characters of A-Z, a-z, 0-9, _ or -';
    // A parquet row's line is its row number.
    expect(text.includes(`${night},prescriptions.parquet,1,bad_value,"${detail}","'=1+1,NOBODYAAA`)).toBe(true);
    expect(/,"?=1\+/.test(text)).toBe(false);
  });

  it('says in the report\'s data-quality section that quarantine.csv was cut, and how many rows it holds', () => {
    const entry = quarantineCsvEntry();
    const html = readFileSync(join(outputFolder(), 'report.html'), 'utf8');
    const written = entry.rows.toLocaleString('en-GB');
    const inDatabase = entry.rows_in_database.toLocaleString('en-GB');
    expect(html).toContain(`quarantine.csv was cut: it holds ${written} of the ${inDatabase} rows quarantined`);
    expect(html).toContain('at most 10,000 rows and 16 MiB from each file');
    expect(html).toContain(`${night} ae_attendances.parquet (10,000 of 12,000 rows written)`);
  });

  it('warns in the log, in one line', () => {
    const warning = stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((event) => event['event'] === 'quarantine_csv_cut');
    expect(warning?.['level']).toBe('warn');
    expect(String(warning?.['message'])).toMatch(/^quarantine\.csv was cut: it holds \d+ of the \d+ rows quarantined/);
  });
});
