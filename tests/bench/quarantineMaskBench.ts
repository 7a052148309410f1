// Benchmark for masking quarantine.csv: a quarantine of N rows (half of them holding an NHS number in one of
// its written forms) written by writeQuarantineCsv, which masks with the TypeScript rule called from DuckDB,
// against the old SQL macro (\b[0-9]{10}\b, which missed most forms) and against streaming the rows out to
// mask in TypeScript (no CSV quoting even). Run with `npx tsx tests/bench/quarantineMaskBench.ts [rows] [threads]`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Database } from '../../core/db/Database.ts';
import { copyToCsv } from '../../core/db/duckdbDialect.ts';
import { initDatabase } from '../../core/db/initDatabase.ts';
import { writeQuarantineCsv } from '../../pipeline/output/writeOutputs.ts';
import { maskDirectIdentifiers } from '../../core/privacy/maskDirectIdentifiers.ts';
import { maskedColumnSql, registerMaskingFunction } from '../../core/privacy/registerMaskingFunction.ts';

const rows = Number(process.argv[2] ?? 200_000);
const threads = Number(process.argv[3] ?? 2);
const folder = mkdtempSync(join(process.env['BENCH_DIR'] ?? tmpdir(), 'strata-quarantine-bench-'));
const db = await Database.open({ path: ':memory:', threads });
await initDatabase(db);
await db.run(
  `INSERT INTO quarantine
   SELECT DATE '2026-11-22', 'bench', ['prescriptions.csv', 'inpatient_spells.csv', 'demographics.csv'][1 + i % 3], i + 2,
          CASE WHEN i % 2 = 0 THEN 'direct_identifier' ELSE 'bad_code' END, 'detail',
          'RX' || i || ',' ||
          CASE WHEN i % 2 = 0 THEN ['9434765919', '943 476 5919', '943-476-5919', 'SP6907366258', '8836075983_A'][1 + i % 5]
               ELSE 'P' || lpad(CAST(i AS VARCHAR), 7, '0') END ||
          ',2026-11-01,0407010H0AAAMAM,"free text, with a comma"'
   FROM range($rows) r(i)`,
  { rows },
);
const query = (row: string) =>
  `SELECT strftime(extract_date, '%Y-%m-%d') AS extract_date, file_name AS file, line, reason, detail, ${row} AS row
   FROM quarantine ORDER BY extract_date, file_name, line`;

/** Wall time and CPU time (every thread of the process, DuckDB's included: steadier on a shared machine). */
async function time(name: string, work: () => Promise<unknown>): Promise<void> {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let k = 0; k < 3; k++) {
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    await work();
    const used = process.cpuUsage(cpuBefore);
    wall.push(performance.now() - started);
    cpu.push((used.user + used.system) / 1000);
  }
  const seconds = (values: number[]) => values.map((t) => (t / 1000).toFixed(2)).join(' / ');
  console.log(`${name.padEnd(52)} wall ${seconds(wall)} s, cpu ${seconds(cpu)} s`);
}

await db.run(
  `CREATE OR REPLACE MACRO bench_old_mask(x) AS list_reduce(
     list_prepend(x, list_filter(regexp_extract_all(x, '\\b[0-9]{10}\\b'), lambda t: strata_passes_nhs_check(t))),
     lambda acc, t: replace(acc, t, '[direct identifier removed]'))`,
);
registerMaskingFunction(db.connection);
console.log(`${rows} quarantined rows, ${threads} threads`);
await time('COPY, no masking', () => db.run(copyToCsv(query('raw_row')), { path: join(folder, 'a.csv') }));
await time('COPY, old SQL macro (\\b[0-9]{10}\\b)', () => db.run(copyToCsv(query('bench_old_mask(raw_row)')), { path: join(folder, 'b.csv') }));
await time('COPY, TS function on every row', () => db.run(copyToCsv(query('strata_mask_direct_identifiers(raw_row)')), { path: join(folder, 'c.csv') }));
await time('COPY, TS function behind the regex guard', () => db.run(copyToCsv(query(maskedColumnSql('raw_row'))), { path: join(folder, 'd.csv') }));
// Every row written, as the other lines write them: the default limits would keep 10,000 per source file.
const unbounded = { maxRowsPerSourceFile: rows, maxBytesPerSourceFile: 2 ** 50 };
await time('writeQuarantineCsv (unbounded, masked, neutralised)', () => writeQuarantineCsv(db, join(folder, 'out'), '2026-11-22', unbounded));
await time('writeQuarantineCsv (default per-file limits)', () => writeQuarantineCsv(db, join(folder, 'out'), '2026-11-22'));
await time('stream rows out, mask in TS (no CSV quoting)', async () => {
  const result = await db.connection.stream(query('raw_row'));
  let bytes = 0;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    for (const row of chunk.getRows()) bytes += maskDirectIdentifiers(row.join(',')).length;
  }
  return bytes;
});
db.close();
rmSync(folder, { recursive: true, force: true });
