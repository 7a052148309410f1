// quarantine.csv is opened in spreadsheets (data-contract.md §3): a cell that would begin with =, +, - (followed by
// anything but a digit), @, a tab or a carriage return is written with a leading ', in every text column, after
// NHS numbers are masked. The database's quarantine keeps every row as it came.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../core/db/Database.ts';
import { initDatabase } from '../../core/db/initDatabase.ts';
import { writeQuarantineCsv } from '../../pipeline/output/writeOutputs.ts';
import { temporaryFolder } from '../helpers/testDatabase.ts';

const asOf = '2026-11-22';

/** [raw_row as quarantined, the cell quarantine.csv must hold]. */
const rowCases: [string, string][] = [
  ['=HYPERLINK("http://example.invalid","click"),P1,2026-11-01', `'=HYPERLINK("http://example.invalid","click"),P1,2026-11-01`],
  ['+1+1,P1', "'+1+1,P1"],
  ['@SUM(A1:A9),P1', "'@SUM(A1:A9),P1"],
  ['\t=1+1,P1', "'\t=1+1,P1"],
  ['\r=1+1,P1', "'\r=1+1,P1"],
  ['-x,P1', "'-x,P1"],
  ['- 1,P1', "'- 1,P1"],
  ['-', "'-"],
  ['=', "'="],
  // Masked first: the mask puts a '[' after the '-', which a spreadsheet would then read as a formula.
  ['-9434765919,P1', "'-[direct identifier removed],P1"],
  ['=943 476 5919', "'=[direct identifier removed]"],
  // Left alone: a negative number, a mark that is not first, a cell already quoted, text.
  ['-1,P1,2026-11-01', '-1,P1,2026-11-01'],
  ['S1,=1+1,2026-11-01', 'S1,=1+1,2026-11-01'],
  ["'=1+1,P1", "'=1+1,P1"],
  [' =1+1,P1', ' =1+1,P1'],
  ['S1,P1,2026-11-01', 'S1,P1,2026-11-01'],
  // The contract's '-' rule lets a digit after the '-' through, whatever follows it: this cell is written as it came
  // (a gap in the contract, reported rather than drifted from).
  ["-2+3+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0"],
];

let db: Database;
let cells: Record<string, string | null>[];

beforeAll(async () => {
  db = await Database.open({ path: ':memory:' });
  await initDatabase(db);
  await db.run(
    `INSERT INTO quarantine
     SELECT DATE '2026-11-22', 'test', 'inpatient_spells.csv', i + 1, 'bad_value', 'row is bad', v
     FROM (SELECT unnest(from_json($rows, '["VARCHAR"]')) AS v, generate_subscripts(from_json($rows, '["VARCHAR"]'), 1) AS i)`,
    { rows: JSON.stringify(rowCases.map(([raw]) => raw)) },
  );
  // Every other text column: a file name, a reason and a detail that begin with a formula mark.
  await db.run(
    `INSERT INTO quarantine VALUES (DATE '2026-11-22', 'test', '=zz.csv', 1, '+reason', '@detail', 'S1'),
                                   (DATE '2026-11-22', 'test', '=zz.csv', 2, 'bad_value', '-detail', NULL)`,
  );
  const folder = temporaryFolder();
  await writeQuarantineCsv(db, folder, asOf);
  const path = join(folder, 'quarantine.csv');
  cells = await db.rows<Record<string, string | null>>(
    `SELECT * FROM read_csv($path, header = true, auto_detect = false, strict_mode = true,
       columns = {'extract_date': 'VARCHAR', 'file': 'VARCHAR', 'line': 'VARCHAR', 'reason': 'VARCHAR', 'detail': 'VARCHAR', 'row': 'VARCHAR'})`,
    { path },
  );
});
afterAll(() => db.close());

describe('quarantine.csv cells are neutralised against spreadsheet formulas', () => {
  it('prefixes with \' every row cell that would begin a formula, after masking, and leaves the rest as they came', () => {
    const rows = cells.filter((c) => c['file'] === 'inpatient_spells.csv');
    expect(rows.map((c) => c['row'])).toEqual(rowCases.map(([, expected]) => expected));
  });

  it('neutralises every text column: file, reason and detail too', () => {
    const rows = cells.filter((c) => c['file'] !== 'inpatient_spells.csv');
    expect(rows).toEqual([
      { extract_date: '2026-11-22', file: "'=zz.csv", line: '1', reason: "'+reason", detail: "'@detail", row: 'S1' },
      { extract_date: '2026-11-22', file: "'=zz.csv", line: '2', reason: 'bad_value', detail: "'-detail", row: null },
    ]);
  });

  it('keeps the database rows as they came', async () => {
    const kept = await db.rows<{ raw_row: string }>(
      "SELECT raw_row FROM quarantine WHERE file_name = 'inpatient_spells.csv' ORDER BY line",
    );
    expect(kept.map((r) => r.raw_row)).toEqual(rowCases.map(([raw]) => raw));
  });
});
