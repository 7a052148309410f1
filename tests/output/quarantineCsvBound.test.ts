// What one source file can write to quarantine.csv is bounded (issue 13: an 80 KB parquet file once expanded into a
// 409 MB quarantine.csv): each source file's first rows, up to a row limit and a byte limit taken on the cells as
// written (masked, neutralised, quoted). The database keeps every row, and the output entry run.json records says
// whether the file was cut, the limits, and each source file's rows in the database and rows written.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseRunConfig, resolveRunConfig } from '../../pipeline/config.ts';
import type { Database } from '../../core/db/Database.ts';
import { defaultQuarantineCsvLimits } from '../../pipeline/output/quarantineCsvLimits.ts';
import { describeQuarantineCsvCut, writeQuarantineCsv } from '../../pipeline/output/writeOutputs.ts';
import { openTestDatabase, temporaryFolder } from '../helpers/testDatabase.ts';

const asOf = '2026-11-22';
let db: Database;
beforeEach(async () => {
  db = await openTestDatabase();
});
afterEach(() => db.close());

/** Quarantines `rows` rows of one source file, line 2 onwards, each raw_row given by SQL over i (1-based). */
async function quarantine(extractDate: string, fileName: string, rows: number, rawRowSql: string): Promise<void> {
  await db.run(
    `INSERT INTO quarantine
     SELECT CAST($extract_date AS DATE), 'test', $file_name, i + 1, 'unknown_person', 'person_id is in no demographics snapshot loaded so far', ${rawRowSql}
     FROM range(1, $rows + 1) t(i)`,
    { extract_date: extractDate, file_name: fileName, rows },
  );
}

async function csvRows(folder: string): Promise<{ extract_date: string; file: string; line: number; row: string }[]> {
  return db.rowsJson(
    `SELECT extract_date, file, CAST(line AS INTEGER) AS line, "row" FROM read_csv($path, header = true, auto_detect = false,
       columns = {'extract_date': 'VARCHAR', 'file': 'VARCHAR', 'line': 'VARCHAR', 'reason': 'VARCHAR', 'detail': 'VARCHAR', 'row': 'VARCHAR'})`,
    { path: join(folder, 'quarantine.csv') },
  );
}

describe('quarantine.csv per source file limits', () => {
  it('writes each source file\'s first rows up to the row limit, and says what was cut', async () => {
    await quarantine('2026-11-21', 'prescriptions.parquet', 25, "'R' || i || ',P404,2026-11-01,0212000B0AAABAB'");
    await quarantine('2026-11-22', 'prescriptions.parquet', 25, "'R' || i || ',P404,2026-11-01,0212000B0AAABAB'");
    await quarantine('2026-11-22', 'ae_attendances.csv', 3, "'A' || i || ',P404,2026-11-01T10:00:00,01,3,N'");
    const folder = temporaryFolder();
    const written = await writeQuarantineCsv(db, folder, asOf, { maxRowsPerSourceFile: 10, maxBytesPerSourceFile: 1024 * 1024 });
    const rows = await csvRows(folder);
    const lines = (extract: string, file: string) => rows.filter((r) => r.extract_date === extract && r.file === file).map((r) => r.line);
    const firstTen = Array.from({ length: 10 }, (_, i) => i + 2);
    expect(lines('2026-11-21', 'prescriptions.parquet')).toEqual(firstTen);
    expect(lines('2026-11-22', 'prescriptions.parquet')).toEqual(firstTen);
    expect(lines('2026-11-22', 'ae_attendances.csv')).toEqual([2, 3, 4]);
    expect(written).toMatchObject({
      path: 'quarantine.csv',
      rows: 23,
      rows_in_database: 53,
      cut: true,
      limits: { max_rows_per_source_file: 10, max_bytes_per_source_file: 1024 * 1024 },
      source_files: [
        { extract: '2026-11-21', name: 'prescriptions.parquet', rows_in_database: 25, rows_written: 10, cut: true },
        { extract: '2026-11-22', name: 'ae_attendances.csv', rows_in_database: 3, rows_written: 3, cut: false },
        { extract: '2026-11-22', name: 'prescriptions.parquet', rows_in_database: 25, rows_written: 10, cut: true },
      ],
    });
    expect(describeQuarantineCsvCut(written)).toBe(
      'quarantine.csv was cut: it holds 23 of the 53 rows quarantined, at most 10 rows and 1048576 bytes from each file; cut: ' +
        '2026-11-21 prescriptions.parquet (10 of 25), 2026-11-22 prescriptions.parquet (10 of 25). ' +
        "Every row is in the database's quarantine table (docs/operations.md)",
    );
    // The database keeps every row.
    expect(Number(await db.value<bigint>('SELECT count(*) FROM quarantine'))).toBe(53);
  });

  it('stops a source file at the byte limit, counting the cells as written: masked, neutralised and quoted', async () => {
    // Each row: a formula mark (one more byte), quotes (doubled) and NHS numbers (10 digits masked to 27 characters).
    const raw = `'=' || i || ',"' || repeat('9434765919 "', 150) || '"'`;
    await quarantine('2026-11-22', 'inpatient_spells.parquet', 200, raw);
    const limit = 64 * 1024;
    const folder = temporaryFolder();
    const written = await writeQuarantineCsv(db, folder, asOf, { maxRowsPerSourceFile: 10_000, maxBytesPerSourceFile: limit });
    const rows = await csvRows(folder);
    expect(rows.length).toBe(written.rows);
    expect(rows.map((r) => r.line)).toEqual(Array.from({ length: rows.length }, (_, i) => i + 2));
    expect(rows[0]!.row.startsWith("'=1,")).toBe(true);
    expect(rows[0]!.row).toContain('[direct identifier removed]');
    const header = 'extract_date,file,line,reason,detail,row\n';
    const bytes = statSync(join(folder, 'quarantine.csv')).size - header.length;
    expect(bytes).toBeLessThanOrEqual(limit);
    // Close to the limit: one more row (each about 5 KB as written) would pass it.
    const perRow = bytes / rows.length;
    expect(bytes + perRow).toBeGreaterThan(limit);
    expect(written).toMatchObject({ cut: true, rows_in_database: 200, source_files: [{ rows_in_database: 200, rows_written: rows.length, cut: true }] });
  });

  it('keeps 10,000 rows and 16 MiB per source file by default', async () => {
    expect(defaultQuarantineCsvLimits).toEqual({ maxRowsPerSourceFile: 10_000, maxBytesPerSourceFile: 16 * 1024 * 1024 });
    await quarantine('2026-11-22', 'prescriptions.parquet', 10_050, "'R' || i || ',P404,2026-11-01,0212000B0AAABAB'");
    const folder = temporaryFolder();
    const written = await writeQuarantineCsv(db, folder, asOf);
    expect(written).toMatchObject({ rows: 10_000, rows_in_database: 10_050, cut: true });
    expect(readFileSync(join(folder, 'quarantine.csv'), 'utf8').trimEnd().split('\n').at(-1)).toMatch(/^2026-11-22,prescriptions\.parquet,10001,/);
  });

  it('is not cut, and says so, when every source file is within the limits', async () => {
    await quarantine('2026-11-22', 'prescriptions.csv', 4, "'R' || i || ',P404,2026-11-01,0212000B0AAABAB'");
    const written = await writeQuarantineCsv(db, temporaryFolder(), asOf);
    expect(written).toMatchObject({ rows: 4, rows_in_database: 4, cut: false, source_files: [{ rows_in_database: 4, rows_written: 4, cut: false }] });
  });

  it('takes its limits from the run\'s configuration, defaulting to 10,000 rows and 16 MiB', () => {
    const base = { inbox: 'in', out: 'out', db: 'out/strata.duckdb' };
    expect(parseRunConfig(base)).toMatchObject({ quarantineCsvMaxRows: 10_000, quarantineCsvMaxBytes: 16 * 1024 * 1024 });
    expect(parseRunConfig({ ...base, quarantineCsvMaxRows: 500, quarantineCsvMaxBytes: 65_536 }))
      .toMatchObject({ quarantineCsvMaxRows: 500, quarantineCsvMaxBytes: 65_536 });
    const cwd = temporaryFolder();
    writeFileSync(join(cwd, 'strata.config.json'), JSON.stringify({ quarantineCsvMaxRows: 0 }));
    expect(() => resolveRunConfig({ inbox: 'in', out: 'out' }, undefined, cwd)).toThrow(/strata\.config\.json: "quarantineCsvMaxRows" Too small/);
  });
});
