// Benchmark for writeArrowFile: 3M rows shaped like the scores table, written to a temporary folder.
// Run with `npx tsx tests/bench/arrowWriteBench.ts [rows] [repeats]`; prints seconds, file size and
// peak RSS. Files go to the OS temp folder, or to $BENCH_DIR (e.g. /dev/shm to leave the disk out).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { tableFromIPC } from 'apache-arrow';
import { writeArrowFile, type WrittenFile } from '../../pipeline/output/writeArrowFile.ts';

const rows = Number(process.argv[2] ?? 3_000_000);
const repeats = Number(process.argv[3] ?? 3);
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const peakRss = () => process.resourceUsage().maxRSS * 1024;

/** Samples RSS while `work` runs (the writer awaits every chunk, so the timer gets to run). */
async function withRssSampling<T>(work: () => Promise<T>): Promise<{ result: T; peak: number }> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10);
  try {
    const result = await work();
    return { result, peak: Math.max(peak, process.memoryUsage.rss()) };
  } finally {
    clearInterval(timer);
  }
}

const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
const connection = await instance.connect();
const buildStart = performance.now();
await connection.run(
  `CREATE TABLE scores AS
   WITH people AS (SELECT i, hash(i) AS h FROM range($rows) r(i))
   SELECT
     printf('P%011d', i) AS person_id,
     printf('A%05d', h % 600) AS practice_code,
     printf('U%05d', h % 120) AS pcn_code,
     CAST(h % 100 AS INTEGER) AS age,
     ['1', '2', '9', 'X'][CAST(1 + (h >> 8) % 4 AS BIGINT)] AS sex,
     CASE WHEN (h >> 12) % 10 = 0 THEN NULL ELSE CAST(1 + (h >> 16) % 10 AS INTEGER) END AS imd_decile,
     CAST((h >> 20) % 8 AS INTEGER) AS ltc_count,
     CAST((h >> 24) % 12 AS INTEGER) AS charlson_index,
     ((h >> 28) % 4000) / 100.0::DOUBLE AS frailty_score,
     ((h >> 32) % 1000000) / 1000000.0::DOUBLE AS ea_risk,
     CAST(1 + (h >> 36) % 4 AS INTEGER) AS ea_tier,
     ((h >> 40) % 1000000) / 1000000.0::DOUBLE AS ltc_risk,
     [f[CAST(1 + (h >> 44) % 8 AS BIGINT)], f[CAST(1 + (h >> 48) % 8 AS BIGINT)], f[CAST(1 + (h >> 52) % 8 AS BIGINT)]] AS top_factors,
     CASE WHEN (h >> 56) % 7 = 0 THEN NULL ELSE CAST(1 + (h >> 58) % 4 AS INTEGER) END AS previous_ea_tier
   FROM people, (SELECT ['emergency_admissions_12m', 'charlson_index', 'frailty_score', 'ltc_count', 'age',
                         'imd_decile', 'ae_attendances_12m', 'distinct_medicines_6m'] AS f)
   ORDER BY i`,
  { rows },
);
console.log(
  `built ${rows} rows in ${((performance.now() - buildStart) / 1000).toFixed(2)} s; ` +
    `RSS now ${mb(process.memoryUsage.rss())} (peak while building ${mb(peakRss())})`,
);

const folder = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'strata-arrow-bench-'));
try {
  const path = join(folder, 'population_scores.arrow');
  const dictionary = { dictionary: true };
  const timings: number[] = [];
  let last: WrittenFile | undefined;
  for (let run = 1; run <= repeats; run++) {
    const rssBefore = process.memoryUsage.rss();
    const cpuBefore = process.cpuUsage();
    const start = performance.now();
    const { result, peak } = await withRssSampling(() =>
      writeArrowFile(connection, 'SELECT * FROM scores', undefined, path, {
        columns: { practice_code: dictionary, pcn_code: dictionary, sex: dictionary },
        metadata: { as_of: '2025-03-31' },
      }),
    );
    const seconds = (performance.now() - start) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    last = result;
    timings.push(seconds);
    console.log(
      `run ${run}: ${last.rows} rows in ${seconds.toFixed(2)} s (${Math.round(last.rows / seconds / 1000)}K rows/s), ` +
        `CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s (all threads), ${mb(last.bytes)}, ` +
        `RSS ${mb(rssBefore)} before, peak ${mb(peak)} during (+${mb(peak - rssBefore)})`,
    );
  }
  const sorted = [...timings].sort((a, b) => a - b);
  console.log(`median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(2)} s, best ${sorted[0]!.toFixed(2)} s over ${repeats} runs`);
  const table = tableFromIPC(readFileSync(path));
  if (table.numRows !== rows) throw new Error(`read back ${table.numRows} rows, expected ${rows}`);
  console.log(`read back ${table.numRows} rows in ${table.batches.length} batches; sha256 ${last!.sha256.slice(0, 16)}…`);
} finally {
  rmSync(folder, { recursive: true, force: true });
  connection.closeSync();
  instance.closeSync();
}
