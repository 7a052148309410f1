// Section 8: data quality. For each extract file in this report: rows read, loaded and quarantined, and why rows
// were quarantined. Counts only: a quarantined row's content (raw_row, detail) never reaches the report.
import { listValue } from '@duckdb/node-api';
import { dateParam } from '../../pipeline/db/values.ts';
import { formatCount } from '../formatFigures.ts';
import type { ReportContext, ReportSection } from '../reportContext.ts';
import { paragraph } from '../renderParagraph.ts';
import { renderTable } from '../renderTable.ts';
import { type CountGroup, suppressSmallNumbers } from '../suppressSmallNumbers.ts';

const filesSql = `
SELECT
  strftime(extract_date, '%Y-%m-%d') AS extract_date,
  file_name,
  table_name,
  rows_read::DOUBLE AS rows_read,
  rows_loaded::DOUBLE AS rows_loaded,
  rows_quarantined::DOUBLE AS rows_quarantined,
  rows_corrected::DOUBLE AS rows_corrected
FROM extract_files
WHERE list_contains($extract_dates, extract_date)
ORDER BY extract_date, file_name, run_id`;

const quarantineSql = `
WITH final AS (
  SELECT strftime(extract_date, '%Y-%m-%d') AS extract_date, file_name, reason, count(*)::DOUBLE AS rows_quarantined
  FROM quarantine
  WHERE list_contains($extract_dates, extract_date)
  GROUP BY ALL
)
SELECT * FROM final ORDER BY extract_date, file_name, reason`;

const historySql = `
SELECT strftime(min(extract_date), '%Y-%m-%d') AS first_extract, strftime(max(extract_date), '%Y-%m-%d') AS last_extract,
  count(DISTINCT extract_date)::INTEGER AS extracts
FROM extracts
WHERE extract_date <= $as_of`;

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
  rows_read: number;
  rows_loaded: number;
  rows_quarantined: number;
  rows_corrected: number;
};
type ReasonRow = { extract_date: string; file_name: string; reason: string; rows_quarantined: number };

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
  const files = await db.rows<FileRow>(filesSql, params);
  const reasons = await db.rows<ReasonRow>(quarantineSql, params);

  const counts = new Map<string, number>();
  const groups: CountGroup[] = [];
  files.forEach((file, index) => {
    counts.set(`read|${index}`, file.rows_read);
    counts.set(`loaded|${index}`, file.rows_loaded);
    counts.set(`quarantined|${index}`, file.rows_quarantined);
    counts.set(`corrected|${index}`, file.rows_corrected);
    // rows read = rows loaded + rows quarantined (contract §3).
    groups.push({ parts: [`loaded|${index}`, `quarantined|${index}`], total: `read|${index}` });
  });
  const reasonCell = (row: ReasonRow): string => `reason|${row.extract_date}|${row.file_name}|${row.reason}`;
  for (const row of reasons) counts.set(reasonCell(row), row.rows_quarantined);
  for (const key of new Set(reasons.map((row) => `${row.extract_date}|${row.file_name}`))) {
    const parts = reasons.filter((row) => `${row.extract_date}|${row.file_name}` === key).map(reasonCell);
    const fileIndexes = files.flatMap((file, index) => (`${file.extract_date}|${file.file_name}` === key ? [index] : []));
    // A file's reasons add up to its quarantined rows; with no single matching file row, treat the sum as known anyway.
    groups.push(fileIndexes.length === 1 ? { parts, total: `quarantined|${fileIndexes[0]}` } : { parts });
  }
  const figures = suppressSmallNumbers({ counts, groups, threshold: input.suppressionThreshold });

  const filesTable =
    files.length === 0
      ? paragraph('No files are recorded for these extracts.')
      : renderTable({
          caption: 'Rows in each extract file',
          compact: true,
          columns: [
            { header: 'Extract date' },
            { header: 'File' },
            { header: 'Rows read', numeric: true },
            { header: 'Loaded', numeric: true },
            { header: 'Quarantined', numeric: true },
            { header: 'Corrections to earlier rows', numeric: true },
          ],
          rows: files.map((file, index) => ({
            cells: [
              file.extract_date,
              file.file_name,
              formatCount(figures.count(`read|${index}`)),
              formatCount(figures.count(`loaded|${index}`)),
              formatCount(figures.count(`quarantined|${index}`)),
              formatCount(figures.count(`corrected|${index}`)),
            ],
          })),
          note: 'Rows read = rows loaded + rows quarantined. A correction is a row that replaced an earlier version of the same record.',
        });

  const reasonsTable =
    reasons.length === 0
      ? paragraph('No rows were quarantined in these extracts.')
      : renderTable({
          caption: 'Quarantined rows by file and reason',
          compact: true,
          columns: [{ header: 'Extract date' }, { header: 'File' }, { header: 'Reason' }, { header: 'Rows', numeric: true }],
          rows: reasons.map((row) => ({
            cells: [row.extract_date, row.file_name, reasonNames[row.reason] ?? row.reason, formatCount(figures.count(reasonCell(row)))],
          })),
        });

  const html = [
    paragraph(
      'Each night\'s extract is checked row by row. A row that breaks a rule is not loaded: it is set aside ' +
        '(quarantined) with the reason, so the sender can correct it. Analysts receive the quarantined rows in ' +
        `quarantine.csv; this report gives the counts only. Extracts covered: ${input.extractDates.join(', ')}. ${historyText}`.trim(),
    ),
    filesTable,
    reasonsTable,
  ].join('\n');
  return { id: 'data-quality', title: 'Data quality', html };
}
