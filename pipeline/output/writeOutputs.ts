// Writes a run's outputs into <out>/<as_of>/: the scored population and the practice and PCN
// case-finding lists as Arrow, and the quarantine as CSV. Every file is renamed into place when complete.
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from '../db/Database.ts';
import { copyToCsv } from '../db/duckdbDialect.ts';
import { dateParam } from '../db/values.ts';
import { scoreColumnDescriptions } from './outputColumns.ts';
import { writeArrowFile, writeArrowFilesByGroup } from './writeArrowFile.ts';
import { sha256File } from '../ingest/verifyManifest.ts';
import { publishFile, temporaryPathFor } from './writeFileAtomic.ts';
import type { ProgressFactory } from '../logging/Logger.ts';
import { maskedColumnSql, registerMaskingFunction } from '../privacy/registerMaskingFunction.ts';

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

/** Columns the case-finding lists add to the scored population's. */
const caseFindingColumns = [
  'rank_in_practice', 'new_to_list', 'tier_change', 'ea_risk_change', 'long_term_conditions', 'polypharmacy', 'rank_in_pcn',
];

function removeStaleLists(folder: string, current: Set<string>): void {
  for (const file of readdirSync(folder)) {
    if (file.endsWith('.arrow') && !current.has(file)) rmSync(join(folder, file));
  }
}

/**
 * One list per practice in the scored population (its people in the listed tiers, highest risk first),
 * and one per primary care network.
 */
export async function writeCaseFindingLists(
  db: Database,
  folder: string,
  listTiers: number,
  asOf: string,
  metadata: Record<string, string>,
  progress?: ProgressFactory,
): Promise<WrittenOutput[]> {
  const listFolder = join(folder, 'case-finding');
  mkdirSync(listFolder, { recursive: true });
  // The facts an MDT asks for first sit beside the scores: movement since the last run and the registers.
  await db.run(
    `CREATE OR REPLACE TEMP TABLE case_finding AS
     WITH registers AS (
       SELECT g.person_id, list(r.condition_name ORDER BY r.condition_name) AS long_term_conditions
       FROM gp_conditions g JOIN ref_ltc_registers r USING (condition)
       WHERE g.diagnosed_on <= $as_of AND g.person_id IN (SELECT person_id FROM scores WHERE ea_tier <= $list_tiers)
       GROUP BY g.person_id
     )
     SELECT ${scoreColumns.map((c) => `s.${c}`).join(', ')},
       CAST(row_number() OVER (PARTITION BY s.practice_code ORDER BY s.ea_risk DESC, s.person_id) AS INTEGER) AS rank_in_practice,
       coalesce(s.previous_ea_tier > $list_tiers, true) AS new_to_list,
       CASE WHEN s.previous_ea_tier IS NULL THEN 'new' WHEN s.ea_tier < s.previous_ea_tier THEN 'up'
            WHEN s.ea_tier > s.previous_ea_tier THEN 'down' ELSE 'same' END AS tier_change,
       s.ea_risk - s.previous_ea_risk AS ea_risk_change,
       coalesce(r.long_term_conditions, []) AS long_term_conditions,
       s.distinct_medicines_6m >= 5 AS polypharmacy,
       CAST(row_number() OVER (PARTITION BY s.pcn_code ORDER BY s.ea_risk DESC, s.person_id) AS INTEGER) AS rank_in_pcn
     FROM scores s LEFT JOIN registers r USING (person_id)
     WHERE s.ea_tier <= $list_tiers`,
    { list_tiers: listTiers, as_of: dateParam(asOf) },
  );
  const groupCount = await db.value<bigint>('SELECT count(DISTINCT practice_code) + count(DISTINCT pcn_code) FROM scores');
  const step = progress?.(Number(groupCount)) ?? (() => {});
  let written = 0;
  const onWritten = (path: string) => step(++written, path);
  const byPractice = await writeGroupLists(db, 'practice_code', 'rank_in_practice', listFolder, 'case-finding', metadata, onWritten);
  // The same lists for each primary care network, ranked within the network.
  const byPcn = await writeGroupLists(db, 'pcn_code', 'rank_in_pcn', join(listFolder, 'pcn'), 'case-finding/pcn', metadata, onWritten);
  return [...byPractice, ...byPcn];
}

/**
 * Writes one list per value of `groupColumn` (every practice or PCN in the scored population, even one
 * with nobody listed), and removes lists left from an earlier run of this date for groups that have gone.
 */
async function writeGroupLists(
  db: Database,
  groupColumn: 'practice_code' | 'pcn_code',
  rankColumn: 'rank_in_practice' | 'rank_in_pcn',
  folder: string,
  relativeFolder: string,
  metadata: Record<string, string>,
  onWritten: (path: string) => void,
): Promise<WrittenOutput[]> {
  mkdirSync(folder, { recursive: true });
  const groups = (await db.rows<{ code: string }>(
    `SELECT DISTINCT ${groupColumn} AS code FROM scores WHERE ${groupColumn} IS NOT NULL ORDER BY code`,
  )).map((r) => r.code);
  const columns = [...scoreColumns, ...caseFindingColumns];
  // One query for every list of this kind, ordered by group, split into one file per group.
  const written = await writeArrowFilesByGroup(
    db.connection,
    `SELECT ${columns.join(', ')} FROM case_finding WHERE ${groupColumn} IS NOT NULL ORDER BY ${groupColumn}, ${rankColumn}`,
    undefined,
    groupColumn,
    groups.map((code) => ({ value: code, path: join(folder, `${code}.arrow`), metadata: { ...metadata, [groupColumn]: code } })),
    { columns: arrowColumns(columns) },
  );
  const outputs: WrittenOutput[] = groups.map((code, i) => ({
    path: `${relativeFolder}/${code}.arrow`, rows: written[i]!.rows, sha256: written[i]!.sha256,
  }));
  for (const output of outputs) onWritten(output.path);
  removeStaleLists(folder, new Set(groups.map((g) => `${g}.arrow`)));
  return outputs;
}

/**
 * The rows quarantined from the extracts this run's outputs are the first to include: every extract after
 * the as_of of the last run that finished with outputs for an earlier date, up to this as_of. So a re-run
 * of the same night, or a run after a crash, writes the same file as one uninterrupted run would.
 * Every NHS number, in any written form, is masked by pipeline/privacy/maskDirectIdentifiers.ts, called from
 * DuckDB as a scalar function: 200k quarantined rows, half holding NHS numbers, took 0.25 s with the old
 * \b[0-9]{10}\b macro and about 0.4-0.55 s with the function (only rows with a candidate reach it); streaming
 * the rows out to mask and quote them in TypeScript took 1.3 s before any CSV quoting. Then every text cell is
 * neutralised against spreadsheet formulas (strata_spreadsheet_safe, data-contract.md §3), after masking, which
 * can change a cell's first character.
 */
export async function writeQuarantineCsv(db: Database, folder: string, asOf: string): Promise<WrittenOutput> {
  const path = join(folder, 'quarantine.csv');
  const temporary = temporaryPathFor(path);
  if (!existsSync(folder)) mkdirSync(folder, { recursive: true });
  registerMaskingFunction(db.connection);
  const cell = (column: string) => `strata_spreadsheet_safe(${maskedColumnSql(column)})`;
  const query = `
    WITH previous_outputs AS (
      SELECT coalesce(max(as_of), DATE '0001-01-01') AS as_of FROM runs
      WHERE status IN ('succeeded', 'extract_rejected') AND as_of < $as_of
    )
    SELECT strata_spreadsheet_safe(strftime(q.extract_date, '%Y-%m-%d')) AS extract_date, ${cell('q.file_name')} AS file, q.line,
           strata_spreadsheet_safe(q.reason) AS reason, ${cell('q.detail')} AS detail, ${cell('q.raw_row')} AS row
    FROM quarantine q
    WHERE q.extract_date > (SELECT as_of FROM previous_outputs) AND q.extract_date <= $as_of
    ORDER BY q.extract_date, q.file_name, q.line`;
  try {
    await db.run(copyToCsv(query), { as_of: dateParam(asOf), path: temporary });
    publishFile(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  const rows = Number(await db.value<bigint>(`SELECT count(*) FROM (${query})`, { as_of: dateParam(asOf) }));
  return { path: 'quarantine.csv', rows, sha256: await sha256File(path) };
}
