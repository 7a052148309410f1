// Did two loads write the same rows? `npx tsx tests/bench/compareLoadedTables.ts A.duckdb B.duckdb`. For each table
// a load writes, the row count and an order-free digest (the XOR of a hash of every row, over every column but the run's
// own id and load time), read-only. Written for issue 18, to check that a faster loader loads exactly what the old one
// did on the 1M inbox without keeping two copies of 40M rows to diff. Exits 1 when any table differs.
import { Database, quoteIdentifier } from '../../core/db/Database.ts';

const tables = [
  'persons', 'inpatient_spells', 'ae_attendances', 'outpatient_appointments', 'gp_conditions', 'prescriptions',
  'mdt_reviews', 'quarantine', 'extracts', 'extract_files', 'corrections',
];
const runOwnColumns = new Set(['run_id', 'loaded_at']);

const [first, second] = process.argv.slice(2);
if (!first || !second) {
  console.error('usage: npx tsx tests/bench/compareLoadedTables.ts A.duckdb B.duckdb');
  process.exit(2);
}

async function digests(path: string): Promise<Map<string, string>> {
  const db = await Database.open({ path, readOnly: true });
  try {
    const result = new Map<string, string>();
    for (const table of tables) {
      const columns = (await db.rows<{ column_name: string }>(`SELECT column_name FROM (DESCRIBE ${quoteIdentifier(table)})`))
        .map((c) => c.column_name)
        .filter((c) => !runOwnColumns.has(c));
      const [row] = await db.rowsJson<{ rows: string; digest: string | null }>(
        `SELECT count(*) AS rows, bit_xor(hash(${columns.map(quoteIdentifier).join(', ')})) AS digest FROM ${quoteIdentifier(table)}`,
      );
      result.set(table, `${row!.rows} rows, digest ${row!.digest ?? 'none'}`);
    }
    return result;
  } finally {
    db.close();
  }
}

const [a, b] = [await digests(first), await digests(second)];
let differs = false;
for (const table of tables) {
  const same = a.get(table) === b.get(table);
  differs ||= !same;
  console.log(`${same ? 'same' : 'DIFFERS'}  ${table}: ${a.get(table)}${same ? '' : ` against ${b.get(table)}`}`);
}
process.exit(differs ? 1 : 0);
