// Writes a run's outputs into <out>/<as_of>/: the scored population and per-practice case-finding
// lists as Arrow, the quarantine as CSV, and the report. Every file is renamed into place when complete.
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from '../db/Database.ts';
import { dateParam } from '../db/values.ts';
import { scoreColumnDescriptions } from './outputColumns.ts';
import { writeArrowFile } from './writeArrowFile.ts';
import { temporaryPathFor, publishFile } from './writeFileAtomic.ts';
import { sha256File } from '../ingest/verifyManifest.ts';

export interface WrittenOutput {
  path: string;
  rows: number;
  sha256: string;
}

const scoreColumns = [
  'person_id', 'practice_code', 'pcn_code', 'age', 'age_band', 'sex', 'ethnic_group', 'imd_decile', 'ltc_count',
  'charlson_index', 'frailty_score', 'frailty_band', 'emergency_admissions_12m', 'emergency_bed_days_12m',
  'ae_attendances_12m', 'days_since_emergency_discharge', 'distinct_medicines_6m', 'ea_risk', 'ea_tier', 'ltc_risk',
  'top_factors', 'previous_ea_tier',
];

function arrowColumns(names: string[]) {
  return Object.fromEntries(names.map((n) => [n, { description: scoreColumnDescriptions[n] ?? n, dictionary: ['practice_code', 'pcn_code', 'age_band', 'sex', 'ethnic_group', 'frailty_band'].includes(n) }]));
}

export async function writePopulationScores(db: Database, folder: string, metadata: Record<string, string>): Promise<WrittenOutput> {
  const written = await writeArrowFile(
    db.connection,
    `SELECT ${scoreColumns.join(', ')} FROM scores ORDER BY ea_rank`,
    undefined,
    join(folder, 'population_scores.arrow'),
    { columns: arrowColumns(scoreColumns), metadata },
  );
  return { path: 'population_scores.arrow', rows: written.rows, sha256: written.sha256 };
}

/** One list per practice in the scored population: its people in the listed tiers, highest risk first. */
export async function writeCaseFindingLists(
  db: Database,
  folder: string,
  listTiers: number,
  metadata: Record<string, string>,
): Promise<WrittenOutput[]> {
  const listFolder = join(folder, 'case-finding');
  mkdirSync(listFolder, { recursive: true });
  await db.run(
    `CREATE OR REPLACE TEMP TABLE case_finding AS
     SELECT ${scoreColumns.join(', ')},
       CAST(row_number() OVER (PARTITION BY practice_code ORDER BY ea_risk DESC, person_id) AS INTEGER) AS rank_in_practice,
       coalesce(previous_ea_tier > 2, true) AS new_to_list
     FROM scores WHERE ea_tier <= $list_tiers`,
    { list_tiers: listTiers },
  );
  const practices = (await db.rows<{ practice_code: string }>(
    'SELECT DISTINCT practice_code FROM scores ORDER BY practice_code',
  )).map((r) => r.practice_code);
  const outputs: WrittenOutput[] = [];
  const columns = [...scoreColumns, 'rank_in_practice', 'new_to_list'];
  for (const practice of practices) {
    const name = `${practice}.arrow`;
    const written = await writeArrowFile(
      db.connection,
      `SELECT ${columns.join(', ')} FROM case_finding WHERE practice_code = $practice ORDER BY rank_in_practice`,
      { practice },
      join(listFolder, name),
      { columns: arrowColumns(columns), metadata: { ...metadata, practice_code: practice } },
    );
    outputs.push({ path: `case-finding/${name}`, rows: written.rows, sha256: written.sha256 });
  }
  // A practice that has left the population keeps no stale list from an earlier run of this date.
  const current = new Set(practices.map((p) => `${p}.arrow`));
  for (const file of readdirSync(listFolder)) {
    if (file.endsWith('.arrow') && !current.has(file)) rmSync(join(listFolder, file));
  }
  return outputs;
}

/**
 * The quarantine of the newest load up to as_of (so a re-run with nothing new rewrites the same file),
 * with every NHS-number-like value masked.
 */
export async function writeQuarantineCsv(db: Database, folder: string, asOf: string): Promise<WrittenOutput> {
  const path = join(folder, 'quarantine.csv');
  const temporary = temporaryPathFor(path);
  if (!existsSync(folder)) mkdirSync(folder, { recursive: true });
  const query = `
    SELECT strftime(q.extract_date, '%Y-%m-%d') AS extract_date, q.file_name AS file, q.line, q.reason, q.detail,
           strata_mask_identifiers(q.raw_row) AS row
    FROM quarantine q
    WHERE q.run_id = (SELECT run_id FROM extracts WHERE extract_date <= $as_of ORDER BY extract_date DESC LIMIT 1)
    ORDER BY q.extract_date, q.file_name, q.line`;
  try {
    await db.run(`COPY (${query}) TO $path (FORMAT csv, HEADER true)`, { as_of: dateParam(asOf), path: temporary });
    publishFile(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  const rows = Number(await db.value<bigint>(`SELECT count(*) FROM (${query})`, { as_of: dateParam(asOf) }));
  return { path: 'quarantine.csv', rows, sha256: await sha256File(path) };
}
