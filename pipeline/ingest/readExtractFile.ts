// Reads one extract file's private copy (copyExtractFile) into temporary tables, losing nothing:
//   staging_raw     every parsed row, all columns VARCHAR, with its line number (a view over staging_parsed);
//   staging_rejects every row that could not be read (bad encoding, wrong field count, too long, a lone CR,
//                   a stray quote), with its line, the row itself (the first 10,000 characters of a long one);
//   staging_blank_runs the runs of empty lines in a CSV (first, last), which are not rows.
// Validation of values is left to sql/staging/<table>.sql. No error raised here quotes the file's contents
// (data-contract.md §3): a header column is named by its position, a parse failure by its line.
import { type Database, quoteIdentifier } from '../../core/db/Database.ts';
import {
  clearParserRejects, describeParquet, parserRejectsByLine, readCsvStoringRejects, readOwnCsv, readParquetNumbered,
} from '../../core/db/duckdbDialect.ts';
import { ExtractRejectedError, StrataError } from '../../core/errors.ts';
import type { CopiedFile } from './copyExtractFile.ts';
import { keptCharacters, maxRowBytes } from './CsvRecordScanner.ts';
import type { ManifestFile } from './verifyManifest.ts';

export interface ReadResult {
  /** The file's columns in the order they appear in it. */
  columnOrder: string[];
  /** Rows parsed or rejected; empty lines not included. */
  rowsRead: number;
  rowsRejectedByParser: number;
  /** How many empty lines there are (staging_blank_runs lists them). */
  blankLines: number;
}

export async function readExtractFile(db: Database, extractDate: string, file: CopiedFile): Promise<ReadResult> {
  await dropStagingTables(db);
  await db.run('CREATE TEMP TABLE staging_blank_runs (first BIGINT, last BIGINT)');
  if (file.csv === null) return readParquet(db, extractDate, file);
  return readCsv(db, extractDate, file, file.csv);
}

async function readCsv(db: Database, extractDate: string, file: CopiedFile, csv: NonNullable<CopiedFile['csv']>): Promise<ReadResult> {
  const columnOrder = checkColumns(extractDate, file, csv.header.map((name) => name.trim()));
  await db.run(clearParserRejects);
  // Materialise first, with no filter or projection on the read itself (tech-notes.md: a filter on a
  // store_rejects scan can raise an INTERNAL error that invalidates the database instance). The copy's
  // first field is the line each record started on.
  try {
    await db.run(`CREATE OR REPLACE TEMP TABLE staging_parsed AS SELECT * FROM ${readCsvStoringRejects(columnOrder)}`, { path: file.copyPath });
  } catch (error) {
    throw new ExtractRejectedError(extractDate, file.name, `the file cannot be read as CSV (${describeReadError(error)})`);
  }
  await db.run(`CREATE TEMP TABLE staging_rejects AS ${parserRejectsByLine}`);
  await db.run(clearParserRejects);
  if (csv.counts.recordsRejected > 0) {
    await db.run(`INSERT INTO staging_rejects SELECT * FROM ${readOwnCsv({ line: 'BIGINT', reason: 'VARCHAR', detail: 'VARCHAR', raw_row: 'VARCHAR' })}`, { path: csv.rejectsPath });
  }
  if (csv.counts.blankLines > 0) {
    await db.run(`INSERT INTO staging_blank_runs SELECT * FROM ${readOwnCsv({ first: 'BIGINT', last: 'BIGINT' })}`, { path: csv.blanksPath });
  }
  await db.run('CREATE TEMP VIEW staging_raw AS SELECT * FROM staging_parsed');
  const result = await summarise(db, columnOrder, csv.counts.blankLines);
  // Every record written to the copy is parsed or rejected by DuckDB; anything else would lose a row.
  const fromCopy = result.rowsRead - csv.counts.recordsRejected;
  if (fromCopy !== csv.counts.recordsWritten) {
    throw new StrataError(`extract ${extractDate}: ${file.name}: ${csv.counts.recordsWritten} rows were copied for loading but ${fromCopy} were read back; nothing of the folder is loaded`);
  }
  return result;
}

/** Drops what readExtractFile creates (staging_raw is a view over staging_parsed), and the loader's view over it. */
export async function dropStagingTables(db: Database): Promise<void> {
  await db.run(`
    DROP VIEW IF EXISTS staging_activity_rows; DROP VIEW IF EXISTS staging_raw; DROP TABLE IF EXISTS staging_parsed;
    DROP TABLE IF EXISTS staging_rejects; DROP TABLE IF EXISTS staging_blank_runs;`);
}

async function readParquet(db: Database, extractDate: string, file: CopiedFile): Promise<ReadResult> {
  let described: { column_name: string }[];
  try {
    described = await db.rows<{ column_name: string }>(describeParquet, { path: file.copyPath });
  } catch (error) {
    throw new ExtractRejectedError(extractDate, file.name, `not a readable parquet file (${describeReadError(error)})`);
  }
  const columnOrder = checkColumns(extractDate, file, described.map((d) => d.column_name));
  // For parquet, "line" is the 1-based row number within the file.
  try {
    await db.run(`CREATE TEMP TABLE staging_parsed AS ${readParquetNumbered(columnOrder)}`, { path: file.copyPath });
  } catch (error) {
    throw new ExtractRejectedError(extractDate, file.name, `the parquet file cannot be read to the end (${describeReadError(error)})`);
  }
  // A row longer than 1 MiB is quarantined with its first characters, as in a CSV (data-contract.md §3).
  const row = `concat_ws(',', ${columnOrder.map((c) => `strata_csv_field(${quoteIdentifier(c)})`).join(', ')})`;
  await db.run(
    `CREATE TEMP TABLE staging_rejects AS
     SELECT line, 'bad_value' AS reason,
            'row is ' || strlen(${row}) || ' bytes long, over the 1 MiB limit; only its first ${keptCharacters} characters are kept' AS detail,
            left(${row}, ${keptCharacters}) AS raw_row
     FROM staging_parsed WHERE strlen(${row}) > ${maxRowBytes}`,
  );
  await db.run('DELETE FROM staging_parsed WHERE line IN (SELECT line FROM staging_rejects)');
  await db.run('CREATE TEMP VIEW staging_raw AS SELECT * FROM staging_parsed');
  return summarise(db, columnOrder, 0);
}

async function summarise(db: Database, columnOrder: string[], blankLines: number): Promise<ReadResult> {
  const counts = await db.rows<{ parsed: bigint; rejected: bigint }>(
    'SELECT (SELECT count(*) FROM staging_raw) AS parsed, (SELECT count(*) FROM staging_rejects) AS rejected',
  );
  const parsed = Number(counts[0]!.parsed);
  const rejected = Number(counts[0]!.rejected);
  return { columnOrder, rowsRead: parsed + rejected, rowsRejectedByParser: rejected, blankLines };
}

/**
 * The header must name exactly the contract's columns, in any order. The header line is the sender's, so a
 * column the contract does not know is named by its position, never quoted; the contract's own names may be.
 */
function checkColumns(extractDate: string, file: ManifestFile, header: string[]): string[] {
  const expected = new Set(file.table.columns);
  const missing = file.table.columns.filter((c) => !header.includes(c));
  const problems: string[] = [];
  if (missing.length) problems.push(`missing column(s) ${missing.join(', ')}`);
  const unknown = header.flatMap((name, i) => (expected.has(name) ? [] : [i + 1]));
  if (unknown.length === 1) problems.push(`column ${unknown[0]} is not a contract column`);
  else if (unknown.length > 1) {
    const listed = unknown.length > 10 ? `${unknown.slice(0, 10).join(', ')} and ${unknown.length - 10} more` : unknown.join(', ');
    problems.push(`columns ${listed} are not contract columns`);
  }
  header.forEach((name, i) => {
    const first = header.indexOf(name);
    if (expected.has(name) && first !== i) problems.push(`column ${i + 1} repeats column ${first + 1} (${name})`);
  });
  if (problems.length) throw new ExtractRejectedError(extractDate, file.name, `header: ${problems.join('; ')}`);
  return header;
}

/**
 * What DuckDB said about a file it could not read, without the file's contents (its messages can quote the
 * offending line): DuckDB's kind of error, the line when it names one, and its fixed wording where that is
 * known to quote nothing.
 */
export function describeReadError(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const kind = /^([A-Za-z ]{1,40} Error):/.exec(text)?.[1] ?? 'error';
  const known = knownReadErrors.find((known) => known.pattern.test(text));
  return `DuckDB ${kind}: ${known?.says ?? 'its text is not shown, as it can quote the file'}`;
}

const knownReadErrors = [
  { pattern: /No magic bytes found at end of file/, says: 'no parquet footer (not a parquet file, or cut short)' },
  { pattern: /No space left on device/, says: 'no space left on the device' },
];

