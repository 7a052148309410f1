// Section 9: data quality. For each extract file in this report: rows loaded and quarantined, and, over all of them,
// why rows were quarantined. Counts only: a quarantined row's content (raw_row, detail) never reaches the report.
//
// Loaded rows and corrections are counted only for the people scored today, like every other figure of the report:
// the rows of a person who has since opted out (or died, or left the register) count in no file, so neither their
// objection nor a count of 1 to 7 can be worked out from "rows loaded" beside "people scored". The counts are taken
// from what the database holds now, not from extract_files (run.json keeps those):
// - an activity file: its rows still held (activity tables keep extract_date) whose person is scored today. A row
//   replaced by a later correction is counted in the correcting file, not its own;
// - a demographics file: the people scored today whose records span that snapshot (first_extract to last_extract).
//   Only the newest record is kept, so a person who left and came back counts in the snapshots they were missing from.
//   These are counts of people: the newest equals the people scored, and two snapshots differ by the people first
//   seen between them, so they are suppressed with those differences (snapshotGroups);
// - corrections: from the corrections table, by the person the correcting row names. Files loaded before that table
//   existed show no corrections;
// - quarantined rows: every one, as before. A quarantined row is linked to nobody (its person_id may be what is
//   wrong with it), and it counts the same whether or not its sender's person has objected.
// - quarantine.csv: how many rows it holds and, when its per-file limits cut it, which files and how many of their
//   rows it holds (the database keeps them all), suppressed with the files' quarantined counts.
import { listValue } from '@duckdb/node-api';
import { type Database, fillSqlSlots, type Params, quoteIdentifier, sqlFile } from '../../core/db/Database.ts';
import { dateParam } from '../../core/db/dateParam.ts';
import { extractTables } from '../../core/extractTables.ts';
import { formatCount, formatNumber, inWords } from '../formatFigures.ts';
import type { ReportContext, ReportSection } from '../reportContext.ts';
import type { QuarantineCsvSummary } from '../reportInput.ts';
import { paragraph } from '../renderParagraph.ts';
import { renderTable } from '../renderTable.ts';
import { type CountGroup, publishedValue, type SuppressedFigures, suppressSmallNumbers } from '../suppressSmallNumbers.ts';

const filesSql = sqlFile('report/data_quality_files.sql');

/** Rows of one activity table still held, by the extract that loaded them, of the people scored today. */
const activityRowsSql = (table: string): string => fillSqlSlots(sqlFile('report/data_quality_activity_rows.sql'), { activity_table: quoteIdentifier(table) });

/** People scored today in each demographics snapshot. */
const snapshotRowsSql = sqlFile('report/data_quality_snapshot_rows.sql');

/** Corrections of the people scored today, by extract and table. */
const correctionsSql = sqlFile('report/data_quality_corrections.sql');

const quarantineSql = sqlFile('report/data_quality_quarantine_reasons.sql');

const historySql = sqlFile('report/extract_history.sql');

/** The contract's quarantine reason codes (§3), in words. */
const reasonNames: Readonly<Record<string, string>> = {
  bad_date: 'a date that cannot be read',
  bad_code: 'a code not in the allowed list',
  bad_value: 'a value that cannot be read',
  missing_value: 'a required value missing',
  date_order: 'dates in the wrong order',
  future_date: 'a date after the extract date',
  unknown_person: 'a person not in any demographics extract',
  duplicate_key: 'the same record twice in one file',
  direct_identifier: 'a direct identifier (NHS number) where a pseudonym belongs',
  bad_encoding: 'text that is not valid UTF-8',
};

type FileRow = {
  extract_date: string;
  file_name: string;
  table_name: string;
  rows_loaded: number;
  rows_quarantined: number;
  rows_corrected: number;
};
type CountRow = { extract_date: string; n: number };
type ReasonRow = { extract_date: string; file_name: string; reason: string; rows_quarantined: number };

function fileMeasure(file: FileRow, measure: 'loaded' | 'quarantined' | 'corrected'): number {
  return measure === 'loaded' ? file.rows_loaded : measure === 'quarantined' ? file.rows_quarantined : file.rows_corrected;
}

export async function dataQualitySection(context: ReportContext): Promise<ReportSection> {
  const { db, input } = context;
  const history = (await db.rows<{ first_extract: string | null; last_extract: string | null; extracts: number }>(historySql, {
    as_of: dateParam(input.asOf),
  }))[0];
  const historyText =
    history?.first_extract && history.last_extract
      ? `The database holds ${history.extracts} extract(s), from ${history.first_extract} to ${history.last_extract}.`
      : '';

  if (input.extractDates.length === 0) {
    return {
      id: 'data-quality',
      title: 'Data quality',
      html: paragraph(`No new extract was loaded for this report. ${historyText}`.trim()),
    };
  }
  const params = { extract_dates: listValue(input.extractDates.map(dateParam)) };
  const files = await countedFiles(db, params);
  const reasons = await db.rows<ReasonRow>(quarantineSql, params);

  // Rows read are not shown: with them, a file's loaded and quarantined rows would give each other away, and the
  // loaded column would be mostly '*' beside a handful of quarantined rows. Reasons are summed over the report's
  // files and extracts, so a reason is one row however many files it turned up in.
  const counts = new Map<string, number>();
  const measures = ['loaded', 'quarantined', 'corrected'] as const;
  files.forEach((file, index) => {
    counts.set(`loaded|${index}`, file.rows_loaded);
    counts.set(`quarantined|${index}`, file.rows_quarantined);
    counts.set(`corrected|${index}`, file.rows_corrected);
  });
  for (const measure of measures) counts.set(`${measure}|all`, files.reduce((sum, file) => sum + fileMeasure(file, measure), 0));
  const groups: CountGroup[] = measures.map((measure) => ({ parts: files.map((_file, index) => `${measure}|${index}`), total: `${measure}|all` }));
  // In the contract's order (§3), then any other code.
  const contractOrder = Object.keys(reasonNames);
  const rank = (code: string): number => (contractOrder.includes(code) ? contractOrder.indexOf(code) : contractOrder.length);
  const reasonCodes = [...new Set(reasons.map((row) => row.reason))].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : 1));
  for (const reason of reasonCodes) {
    counts.set(`reason|${reason}`, reasons.filter((row) => row.reason === reason).reduce((sum, row) => sum + row.rows_quarantined, 0));
  }
  // Quarantined rows are counted once per file and once per reason: both add up to the same total.
  groups.push({ parts: reasonCodes.map((reason) => `reason|${reason}`), total: 'quarantined|all' });
  const csvSourceFiles = quarantineCsvGroups(input.quarantineCsv, files, counts, groups);
  const people = snapshotGroups(files, counts, groups);
  const peopleScored = context.population.count('people', 'all');
  const figures = suppressSmallNumbers({
    counts,
    groups,
    ...(people === undefined ? {} : peopleScored.kind === 'suppressed' ? { alreadySuppressed: [people] } : {}),
    // A file cut at the row limit wrote exactly that many rows, which the paragraph states: a known figure.
    fixed: [
      ...(people !== undefined && peopleScored.kind !== 'suppressed' ? [people] : []),
      ...csvSourceFiles.filter((f) => f.atRowLimit).map((f) => f.written),
    ],
    threshold: input.suppressionThreshold,
  });

  const filesTable =
    files.length === 0
      ? paragraph('No files are recorded for these extracts.')
      : renderTable({
          caption: 'Rows in each extract file',
          compact: true,
          columns: [
            { header: 'Extract date' },
            { header: 'File' },
            { header: 'Rows loaded', numeric: true },
            { header: 'Rows quarantined', numeric: true },
            { header: 'Corrections to earlier rows', numeric: true },
          ],
          rows: [
            ...files.map((file, index) => ({
              cells: [
                file.extract_date,
                file.file_name,
                ...measures.map((measure) => formatCount(figures.count(`${measure}|${index}`))),
              ],
            })),
            { cells: ['All files', '', ...measures.map((measure) => formatCount(figures.count(`${measure}|all`)))], total: true },
          ],
          note:
            'A correction is a row that replaced an earlier version of the same record; a row since replaced is counted in ' +
            'the file that corrected it. run.json has every file\'s full counts, in which each row read is either loaded ' +
            'or quarantined.',
        });

  const reasonsTable =
    reasons.length === 0
      ? paragraph('No rows were quarantined in these extracts.')
      : renderTable({
          caption: 'Quarantined rows by reason, all files and extracts in this report',
          compact: true,
          columns: [{ header: 'Reason' }, { header: 'Rows', numeric: true }, { header: 'In the files' }],
          rows: [
            ...reasonCodes.map((reason) => ({
              cells: [
                reasonNames[reason] ?? reason,
                formatCount(figures.count(`reason|${reason}`)),
                [...new Set(reasons.filter((row) => row.reason === reason).map((row) => row.file_name))].sort().join(', '),
              ],
            })),
            { cells: ['All reasons', formatCount(figures.count('quarantined|all')), ''], total: true },
          ],
        });

  const html = [
    paragraph(
      'Each night\'s extract is checked row by row. A row that breaks a rule is not loaded: it is set aside ' +
        '(quarantined) with the reason, so the sender can correct it. Analysts receive the quarantined rows in ' +
        `quarantine.csv; this report gives the counts only. Extracts covered: ${input.extractDates.join(', ')}. ${historyText}`.trim(),
    ),
    paragraph(
      `Rows loaded and corrections are counted only for the people scored on ${input.asOf}: the rows of anyone who has ` +
        'since died, left the register or opted out are in no file\'s count, and every quarantined row is counted.',
    ),
    filesTable,
    reasonsTable,
    ...(input.quarantineCsv ? [quarantineCsvParagraph(input.quarantineCsv, csvSourceFiles, figures)] : []),
  ].join('\n');
  const finding = dataQualityFinding(
    files.length,
    input.extractDates.length,
    publishedValue(figures.count('quarantined|all')),
    reasonCodes.map((reason) => ({ name: reasonNames[reason] ?? reason, rows: publishedValue(figures.count(`reason|${reason}`)) })),
  );
  return { id: 'data-quality', title: 'Data quality', html, finding };
}

/**
 * The section's finding: how many rows were quarantined and the commonest reason. The commonest is named outright
 * only when no reason's count is hidden, or it is at least what the hidden counts add up to (so the words tell
 * nothing about a hidden count the table does not); otherwise it is the commonest of those published.
 */
export function dataQualityFinding(
  fileCount: number,
  extractCount: number,
  quarantined: number | null,
  reasons: readonly { name: string; rows: number | null }[],
): string {
  const files = `${inWords(fileCount)} file${fileCount === 1 ? '' : 's'} of ${extractCount === 1 ? 'this extract' : `these ${inWords(extractCount)} extracts`}`;
  if (fileCount === 0) return 'No files are recorded for the extracts in this report.';
  if (quarantined === 0) return `Every row read from the ${files} was loaded: none was quarantined.`;
  if (quarantined === null) return `Some rows of the ${files} were quarantined; their number is not published (small numbers, and any figure that would give one away, are hidden).`;
  const published = reasons.filter((reason): reason is { name: string; rows: number } => reason.rows !== null);
  const lead = `${formatNumber(quarantined)} row${quarantined === 1 ? ' was' : 's were'} quarantined from the ${files} (quarantine.csv lists them for the senders)`;
  if (published.length === 0) return `${lead}; no reason's count is published (small numbers, and any figure that would give one away, are hidden).`;
  // First of equal counts, in the table's order, so the words depend only on the data.
  const commonest = published.reduce((best, reason) => (reason.rows > best.rows ? reason : best));
  const hiddenSum = quarantined - published.reduce((sum, reason) => sum + reason.rows, 0);
  const outright = published.length === reasons.length || commonest.rows >= hiddenSum;
  const which = outright ? 'the commonest reason' : 'of the reasons whose counts are published, the commonest';
  return `${lead}; ${which} is ${commonest.name} (${formatNumber(commonest.rows)} row${commonest.rows === 1 ? '' : 's'}).`;
}

/**
 * When its limits cut quarantine.csv: its rows written and left out, per source file and in all, as counts suppressed
 * with the rest (a file's rows written and left out add up to its quarantined rows in the files table, so a small
 * number left out must not be worked out from the two). Returns the source files' cell ids; none when the file was
 * not cut, as the report then gives no count of it and suppresses nothing more than before.
 */
function quarantineCsvGroups(
  csv: QuarantineCsvSummary | null,
  files: readonly FileRow[],
  counts: Map<string, number>,
  groups: CountGroup[],
): { extract: string; name: string; cut: boolean; atRowLimit: boolean; written: string; leftOut: string; total: string }[] {
  if (csv === null || !csv.cut) return [];
  const sourceFiles = csv.source_files.map((file, index) => {
    const ids = { written: `csv written|${index}`, leftOut: `csv left out|${index}` };
    counts.set(ids.written, file.rows_written);
    counts.set(ids.leftOut, file.rows_in_database - file.rows_written);
    const shown = files.findIndex((f) => f.extract_date === file.extract && f.file_name === file.name);
    let total = `quarantined|${shown}`;
    if (shown < 0) {
      total = `csv in database|${index}`;
      counts.set(total, file.rows_in_database);
    }
    groups.push({ parts: [ids.written, ids.leftOut], total });
    const atRowLimit = file.cut && file.rows_written === csv.limits.max_rows_per_source_file;
    return { extract: file.extract, name: file.name, cut: file.cut, atRowLimit, ...ids, total };
  });
  counts.set('csv written|all', csv.rows);
  counts.set('csv left out|all', csv.rows_in_database - csv.rows);
  counts.set('csv in database|all', csv.rows_in_database);
  groups.push(
    { parts: sourceFiles.map((f) => f.written), total: 'csv written|all' },
    { parts: sourceFiles.map((f) => f.leftOut), total: 'csv left out|all' },
    { parts: ['csv written|all', 'csv left out|all'], total: 'csv in database|all' },
    { parts: sourceFiles.map((f) => f.total), total: 'csv in database|all' },
  );
  return sourceFiles;
}

/** What quarantine.csv holds, and, when the limits cut it, which files and where the rest of the rows are. */
function quarantineCsvParagraph(
  csv: QuarantineCsvSummary,
  sourceFiles: ReturnType<typeof quarantineCsvGroups>,
  figures: SuppressedFigures,
): string {
  const count = (id: string) => formatCount(figures.count(id));
  if (!csv.cut) return paragraph('quarantine.csv holds every row quarantined from the extracts new since the previous outputs.');
  const limits = `${formatCount({ kind: 'value', value: csv.limits.max_rows_per_source_file })} rows and ` +
    `${formatBytes(csv.limits.max_bytes_per_source_file)}`;
  const cut = sourceFiles.filter((f) => f.cut).map((f) => `${f.extract} ${f.name} (${count(f.written)} of ${count(f.total)} rows written)`);
  return paragraph(
    `quarantine.csv was cut: it holds ${count('csv written|all')} of the ${count('csv in database|all')} rows quarantined from ` +
      `the extracts new since the previous outputs, because it takes at most ${limits} from each file. Files cut: ${cut.join('; ')}. ` +
      'Every quarantined row is kept in the database\'s quarantine table, from which an analyst can read them all.',
  );
}

/** A byte limit in the largest whole binary unit that divides it (16 MiB), else in bytes. */
function formatBytes(bytes: number): string {
  for (const [unit, size] of [['GiB', 1024 ** 3], ['MiB', 1024 ** 2], ['KiB', 1024]] as const) {
    if (bytes % size === 0) return `${formatCount({ kind: 'value', value: bytes / size })} ${unit}`;
  }
  return `${formatCount({ kind: 'value', value: bytes })} bytes`;
}

/** The report's files with their quarantined rows as loaded, and their rows and corrections of people scored today. */
async function countedFiles(db: Database, params: Params): Promise<FileRow[]> {
  const files = await db.rows<Omit<FileRow, 'rows_loaded' | 'rows_corrected'>>(filesSql, params);
  const loaded = new Map<string, number>();
  const key = (extractDate: string, table: string): string => `${extractDate}|${table}`;
  for (const table of extractTables) {
    const sql = table.name === 'demographics' ? snapshotRowsSql : activityRowsSql(table.name);
    for (const row of await db.rows<CountRow>(sql, params)) loaded.set(key(row.extract_date, table.name), row.n);
  }
  const corrected = new Map<string, number>();
  for (const row of await db.rows<CountRow & { table_name: string }>(correctionsSql, params)) {
    corrected.set(key(row.extract_date, row.table_name), row.n);
  }
  return files.map((file) => ({
    ...file,
    rows_loaded: loaded.get(key(file.extract_date, file.table_name)) ?? 0,
    rows_corrected: corrected.get(key(file.extract_date, file.table_name)) ?? 0,
  }));
}

/**
 * A demographics file's count is a count of people (those scored today who were in that snapshot), so beside the
 * headline's people scored, and beside each other, it gives counts of people away: the newest snapshot's is the people
 * scored, and an earlier one's falls short of the next by the people first seen in between. Those differences are
 * added as counts (never shown) with their relations, so a difference from 1 to 7 hides a snapshot's count. Returns
 * the id of the people scored, added as a count equal to the newest snapshot's, or undefined with no snapshot.
 */
function snapshotGroups(files: readonly FileRow[], counts: Map<string, number>, groups: CountGroup[]): string | undefined {
  const snapshots = files.map((file, index) => ({ file, id: `loaded|${index}` })).filter(({ file }) => file.table_name === 'demographics');
  snapshots.forEach(({ file, id }, index) => {
    if (index === 0) return;
    const earlier = snapshots[index - 1]!;
    const firstSeen = `first seen|${file.extract_date}`;
    counts.set(firstSeen, file.rows_loaded - earlier.file.rows_loaded);
    groups.push({ parts: [earlier.id, firstSeen], total: id });
  });
  const newest = snapshots.at(-1);
  if (newest === undefined) return undefined;
  counts.set('people scored', newest.file.rows_loaded);
  groups.push({ parts: [newest.id], total: 'people scored' });
  return 'people scored';
}
