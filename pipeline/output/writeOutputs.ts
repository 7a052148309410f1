// Writes a run's outputs into <out>/<as_of>/: the scored population and the practice and PCN
// case-finding lists as Arrow, and the quarantine as CSV. Every file is renamed into place when complete.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type Database, fillSqlSlots, sqlFile } from '../../core/db/Database.ts';
import { copyToCsv } from '../../core/db/duckdbDialect.ts';
import { dateParam } from '../../core/db/dateParam.ts';
import { scoreColumnDescriptions } from './outputColumns.ts';
import { writeArrowFile, writeArrowFilesByGroup } from './writeArrowFile.ts';
import { sha256File } from '../ingest/verifyManifest.ts';
import { publishFile, temporaryPathFor } from '../../core/files/writeFileAtomic.ts';
import type { ProgressFactory } from '../../core/logging/Logger.ts';
import { maskedColumnSql, registerMaskingFunction } from '../../core/privacy/registerMaskingFunction.ts';
import { defaultQuarantineCsvLimits, type QuarantineCsvLimits } from './quarantineCsvLimits.ts';

export interface WrittenOutput {
  path: string;
  rows: number;
  sha256: string;
}

/** The score columns population_scores.arrow opens with; the segment (contract v2) follows them. */
const scoreColumns = [
  'person_id', 'practice_code', 'pcn_code', 'age', 'age_band', 'sex', 'ethnic_group', 'imd_decile', 'ltc_count',
  'charlson_index', 'frailty_score', 'frailty_band', 'emergency_admissions_12m', 'emergency_bed_days_12m',
  'ae_attendances_12m', 'days_since_emergency_discharge', 'distinct_medicines_6m', 'ea_risk', 'ea_tier', 'ltc_risk',
  'top_factors', 'previous_ea_tier',
];
/** population_scores.arrow's columns, in order: the score columns, then the segment (contract v2). */
const populationScoreColumns = [...scoreColumns, 'segment'];

function arrowColumns(names: string[]) {
  return Object.fromEntries(names.map((n) => [n, { description: scoreColumnDescriptions[n] ?? n, dictionary: ['practice_code', 'pcn_code', 'age_band', 'sex', 'sex_label', 'ethnic_group', 'frailty_band', 'reason_left', 'last_mdt_outcome', 'segment'].includes(n) }]));
}

export async function writePopulationScores(db: Database, folder: string, metadata: Record<string, string>): Promise<WrittenOutput> {
  const written = await writeArrowFile(
    db.connection,
    `SELECT ${populationScoreColumns.join(', ')} FROM scores ORDER BY ea_rank`,
    undefined,
    join(folder, 'population_scores.arrow'),
    { columns: arrowColumns(populationScoreColumns), metadata },
  );
  return { path: 'population_scores.arrow', rows: written.rows, sha256: written.sha256 };
}

/**
 * The case-finding lists' columns, in order (data-contract.md, "v2: case-finding lists an MDT can act on"): what an
 * MDT reads first (rank, who, why, new), then what it acts on, then everything else population_scores.arrow has.
 */
const caseFindingColumns = [
  'rank_in_practice', 'person_id', 'age', 'sex_label', 'ea_tier', 'ea_risk', 'top_factors', 'new_to_list',
  'segment', 'long_term_conditions', 'frailty_band', 'emergency_admissions_12m', 'last_emergency_admission_on',
  'last_ae_attendance_on', 'in_hospital_now', 'discharged_in_last_30_days', 'distinct_medicines_6m',
  'last_mdt_review_on', 'last_mdt_outcome', 'review_due', 'declined_or_not_appropriate_6m', 'practice_code', 'pcn_code', 'rank_in_pcn', 'age_band', 'sex', 'ethnic_group', 'imd_decile', 'ltc_count',
  'charlson_index', 'frailty_score', 'emergency_bed_days_12m', 'ae_attendances_12m', 'days_since_emergency_discharge',
  'ltc_risk', 'previous_ea_tier', 'tier_change', 'ea_risk_change', 'polypharmacy',
];

/** case-finding/left/<practice_code>.arrow's columns (sql/marts/case_finding_left.sql). */
const leftListColumns = [
  'person_id', 'age', 'sex_label', 'previous_ea_tier', 'reason_left', 'ea_tier', 'ea_risk', 'top_factors', 'practice_code',
];

/**
 * The case-finding lists: for each practice in the scored population, its adults in the listed tiers
 * (`<practice_code>.arrow`) and its children (`<practice_code>.children.arrow`), highest risk first and ranked apart;
 * the same for each primary care network (`pcn/`); and who left each practice's list since the last run (`left/`).
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
  const params = { list_tiers: listTiers, as_of: dateParam(asOf) };
  // The facts an MDT asks for first sit beside the scores: movement since the last run, registers, hospital activity.
  await db.run(`CREATE OR REPLACE TEMP TABLE case_finding AS ${sqlFile('marts/case_finding.sql')}`, params);
  await db.run(`CREATE OR REPLACE TEMP TABLE case_finding_left AS ${sqlFile('marts/case_finding_left.sql')}`, params);
  const practices = await groupsIn(db, 'practice_code');
  const networks = await groupsIn(db, 'pcn_code');
  const step = progress?.(3 * practices.length + 2 * networks.length) ?? (() => {});
  let written = 0;
  const onWritten = (path: string) => step(++written, path);
  const lists = (groupColumn: 'practice_code' | 'pcn_code', rankColumn: string, groups: string[], subfolder: string, children: boolean) =>
    writeGroupFiles(db, {
      sql: `SELECT ${caseFindingColumns.join(', ')} FROM case_finding WHERE ${groupColumn} IS NOT NULL AND is_child = $children ORDER BY ${groupColumn}, ${rankColumn}`,
      params: { children },
      columns: caseFindingColumns, groupColumn, groups, folder: listFolder, subfolder, suffix: children ? '.children.arrow' : '.arrow',
      metadata, onWritten,
    });
  return [
    ...(await lists('practice_code', 'rank_in_practice', practices, '', false)),
    ...(await lists('practice_code', 'rank_in_practice', practices, '', true)),
    // The same lists for each primary care network, ranked within the network.
    ...(await lists('pcn_code', 'rank_in_pcn', networks, 'pcn/', false)),
    ...(await lists('pcn_code', 'rank_in_pcn', networks, 'pcn/', true)),
    ...(await writeGroupFiles(db, {
      sql: `SELECT ${leftListColumns.join(', ')} FROM case_finding_left ORDER BY practice_code, reason_left, previous_ea_tier, person_id`,
      params: undefined,
      columns: leftListColumns, groupColumn: 'practice_code', groups: practices, folder: listFolder, subfolder: 'left/', suffix: '.arrow',
      metadata, onWritten,
    })),
  ];
}

/** Every practice or network in the scored population, in code order. */
async function groupsIn(db: Database, groupColumn: 'practice_code' | 'pcn_code'): Promise<string[]> {
  const rows = await db.rows<{ code: string }>(`SELECT DISTINCT ${groupColumn} AS code FROM scores WHERE ${groupColumn} IS NOT NULL ORDER BY code`);
  return rows.map((r) => r.code);
}

interface GroupFiles {
  /** Rows of every group, ordered by the group column first. */
  sql: string;
  params: Record<string, boolean> | undefined;
  columns: string[];
  groupColumn: 'practice_code' | 'pcn_code';
  groups: string[];
  /** case-finding/, and the folder under it ('' or ending in '/'). */
  folder: string;
  subfolder: string;
  suffix: string;
  metadata: Record<string, string>;
  onWritten: (path: string) => void;
}

/**
 * Writes one file per group (every practice or PCN in the scored population, even one with nobody in it) from one
 * streamed query. The folder is always new (a run writes into its own staging folder, swapped in whole by
 * pipeline/runs/outputFolders.ts), so no list from an earlier run can be left behind.
 */
async function writeGroupFiles(db: Database, files: GroupFiles): Promise<WrittenOutput[]> {
  const { groupColumn, groups, subfolder, suffix } = files;
  mkdirSync(join(files.folder, subfolder), { recursive: true });
  const written = await writeArrowFilesByGroup(
    db.connection,
    files.sql,
    files.params,
    groupColumn,
    groups.map((code) => ({ value: code, path: join(files.folder, `${subfolder}${code}${suffix}`), metadata: { ...files.metadata, [groupColumn]: code } })),
    { columns: arrowColumns(files.columns) },
  );
  const outputs: WrittenOutput[] = groups.map((code, i) => ({
    path: `case-finding/${subfolder}${code}${suffix}`, rows: written[i]!.rows, sha256: written[i]!.sha256,
  }));
  for (const output of outputs) files.onWritten(output.path);
  return outputs;
}

/** quarantine.csv's entry in run.json: what it holds, and whether the limits cut it. */
export interface QuarantineCsvOutput extends WrittenOutput {
  /** Rows quarantined from the extracts the file covers, every one kept in the database's quarantine table. */
  rows_in_database: number;
  /** True when some source file had more quarantined rows than the limits let into the file. */
  cut: boolean;
  limits: { max_rows_per_source_file: number; max_bytes_per_source_file: number };
  /** Each source file with quarantined rows in the extracts covered, in file order. */
  source_files: QuarantineCsvSourceFile[];
}

export interface QuarantineCsvSourceFile {
  extract: string;
  name: string;
  rows_in_database: number;
  rows_written: number;
  cut: boolean;
}

/**
 * Writes quarantine.csv: the quarantined rows in scope (sql/marts/quarantine_csv_source_files.sql), each source
 * file's first rows up to the limits (sql/marts/quarantine_csv_rows.sql, limits from
 * pipeline/output/quarantineCsvLimits.ts), so that one hostile file cannot fill a disk or a
 * spreadsheet; the database keeps every row, and the returned entry says what was cut.
 * Every NHS number, in any written form, is masked by core/privacy/maskDirectIdentifiers.ts, called from
 * DuckDB as a scalar function: 200k quarantined rows, half holding NHS numbers, took 0.25 s with the old
 * \b[0-9]{10}\b macro and about 0.4-0.55 s with the function (only rows with a candidate reach it); streaming
 * the rows out to mask and quote them in TypeScript took 1.3 s before any CSV quoting. Then every text cell is
 * neutralised against spreadsheet formulas (strata_spreadsheet_safe, data-contract.md §3).
 */
export async function writeQuarantineCsv(
  db: Database,
  folder: string,
  asOf: string,
  limits: QuarantineCsvLimits = defaultQuarantineCsvLimits,
): Promise<QuarantineCsvOutput> {
  const path = join(folder, 'quarantine.csv');
  const temporary = temporaryPathFor(path);
  if (!existsSync(folder)) mkdirSync(folder, { recursive: true });
  registerMaskingFunction(db.connection);
  const asOfParam = { as_of: dateParam(asOf) };
  try {
    await db.run(`CREATE OR REPLACE TEMP TABLE quarantine_csv_source_files AS ${sqlFile('marts/quarantine_csv_source_files.sql')}`, asOfParam);
    // The rows as written, with their source file and order; at most the limits of each source file.
    await db.run(
      `CREATE OR REPLACE TEMP TABLE quarantine_csv_rows AS ${fillSqlSlots(sqlFile('marts/quarantine_csv_rows.sql'), {
        masked_file_name: maskedColumnSql('file_name'),
        masked_detail: maskedColumnSql('detail'),
        masked_raw_row: maskedColumnSql('raw_row'),
      })}`,
      { max_rows: limits.maxRowsPerSourceFile, max_bytes: limits.maxBytesPerSourceFile },
    );
    try {
      await db.run(
        copyToCsv(`SELECT extract_date, file, line, reason, detail, "row" FROM quarantine_csv_rows ORDER BY source_extract, source_file, nth`),
        { path: temporary },
      );
      publishFile(temporary, path);
    } catch (error) {
      rmSync(temporary, { force: true });
      throw error;
    }
    const sourceFiles = (await db.rows<{ extract: string; name: string; in_database: bigint; written: bigint }>(
      `WITH written AS (
         SELECT source_extract AS extract_date, source_file AS file_name, count(*) AS n FROM quarantine_csv_rows GROUP BY ALL
       )
       SELECT strftime(d.extract_date, '%Y-%m-%d') AS extract, d.file_name AS name, d.rows_in_database AS in_database,
              coalesce(w.n, 0) AS written
       FROM quarantine_csv_source_files d LEFT JOIN written w USING (extract_date, file_name)
       ORDER BY d.extract_date, d.file_name`,
    )).map((f): QuarantineCsvSourceFile => ({
      extract: f.extract, name: f.name, rows_in_database: Number(f.in_database), rows_written: Number(f.written),
      cut: f.written < f.in_database,
    }));
    return {
      path: 'quarantine.csv',
      rows: sourceFiles.reduce((sum, f) => sum + f.rows_written, 0),
      sha256: await sha256File(path),
      rows_in_database: sourceFiles.reduce((sum, f) => sum + f.rows_in_database, 0),
      cut: sourceFiles.some((f) => f.cut),
      limits: { max_rows_per_source_file: limits.maxRowsPerSourceFile, max_bytes_per_source_file: limits.maxBytesPerSourceFile },
      source_files: sourceFiles,
    };
  } finally {
    await db.run('DROP TABLE IF EXISTS quarantine_csv_rows');
    await db.run('DROP TABLE IF EXISTS quarantine_csv_source_files');
  }
}

/** One line for the log when quarantine.csv was cut: how many rows it holds, of how many, and where the rest are. */
export function describeQuarantineCsvCut(output: QuarantineCsvOutput): string {
  const cut = output.source_files.filter((f) => f.cut).map((f) => `${f.extract} ${f.name} (${f.rows_written} of ${f.rows_in_database})`);
  return `quarantine.csv was cut: it holds ${output.rows} of the ${output.rows_in_database} rows quarantined, at most ` +
    `${output.limits.max_rows_per_source_file} rows and ${output.limits.max_bytes_per_source_file} bytes from each file; cut: ` +
    `${cut.join(', ')}. Every row is in the database's quarantine table (docs/operations.md)`;
}
