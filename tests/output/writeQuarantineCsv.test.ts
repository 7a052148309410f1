// quarantine.csv: every NHS number in every written form is masked by the TypeScript rule (called from DuckDB
// while it writes the CSV on several threads), the same rows give the same bytes, and the database's own
// quarantine keeps every row whole.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../core/db/Database.ts';
import { initDatabase } from '../../core/db/initDatabase.ts';
import { writeQuarantineCsv } from '../../pipeline/output/writeOutputs.ts';
import { maskDirectIdentifiers } from '../../core/privacy/maskDirectIdentifiers.ts';
import { maskingCases } from '../helpers/nhsNumberCases.ts';
import { makeNhsNumber, scanForNhsNumbers } from '../helpers/nhsNumberScanner.ts';
import { temporaryFolder } from '../helpers/testDatabase.ts';

const asOf = '2026-11-22';
// All 30k rows come from one source file: lift the per-file limits (tested in quarantineCsvBound.test.ts).
const unbounded = { maxRowsPerSourceFile: 1_000_000, maxBytesPerSourceFile: 1024 ** 3 };
const spread = (n: string) => `${n.slice(0, 3)} ${n.slice(3, 6)}-${n.slice(6)}`;
let db: Database;
let rawRows: string[];

beforeAll(async () => {
  // Several threads, so DuckDB calls the masking function from its workers while the COPY runs.
  db = await Database.open({ path: ':memory:', threads: 4 });
  await initDatabase(db);
  // Every case, then enough rows (each with its own NHS number) to fill many vectors.
  rawRows = [
    ...maskingCases.map(([input]) => `R1,${input},2026-11-01`),
    ...Array.from({ length: 30_000 }, (_, i) => `R${i},${i % 2 ? spread(makeNhsNumber(i * 7)) : `X${makeNhsNumber(i * 7)}_Y`},"a, b"`),
  ];
  await db.run(
    `INSERT INTO quarantine
     SELECT DATE '2026-11-22', 'test', 'prescriptions.csv', i + 1, 'direct_identifier', 'person_id is or holds an NHS number', v
     FROM (SELECT unnest(from_json($rows, '["VARCHAR"]')) AS v, generate_subscripts(from_json($rows, '["VARCHAR"]'), 1) AS i)`,
    { rows: JSON.stringify(rawRows) },
  );
});
afterAll(() => db.close());

describe('writeQuarantineCsv', () => {
  it('masks every NHS number as the TypeScript rule does, and the scanner finds none', async () => {
    const folder = temporaryFolder();
    const written = await writeQuarantineCsv(db, folder, asOf, unbounded);
    expect(written.rows).toBe(rawRows.length);
    const bytes = readFileSync(join(folder, 'quarantine.csv'));
    expect(scanForNhsNumbers(bytes)).toEqual([]);
    // Read back by DuckDB's CSV reader, every row is the raw row masked by the rule, nothing else changed.
    const back = await db.rows<{ row: string }>(
      `SELECT "row" FROM read_csv($path, header = true, all_varchar = true, auto_detect = false,
         columns = {'extract_date': 'VARCHAR', 'file': 'VARCHAR', 'line': 'VARCHAR', 'reason': 'VARCHAR', 'detail': 'VARCHAR', 'row': 'VARCHAR'})
       ORDER BY CAST(line AS INTEGER)`,
      { path: join(folder, 'quarantine.csv') },
    );
    expect(back.map((r) => r.row ?? '')).toEqual(rawRows.map(maskDirectIdentifiers));
  });

  it('writes the same bytes when written again', async () => {
    const [a, b] = [temporaryFolder(), temporaryFolder()];
    const first = await writeQuarantineCsv(db, a, asOf, unbounded);
    const second = await writeQuarantineCsv(db, b, asOf, unbounded);
    expect(second.sha256).toBe(first.sha256);
    expect(readFileSync(join(b, 'quarantine.csv')).equals(readFileSync(join(a, 'quarantine.csv')))).toBe(true);
  });

  it('leaves the database quarantine whole, for the sender to be told', async () => {
    const kept = await db.rows<{ raw_row: string }>('SELECT raw_row FROM quarantine ORDER BY line');
    expect(kept.map((r) => r.raw_row)).toEqual(rawRows);
  });
});
