// Reads one extract file into temporary tables, losing nothing:
//   staging_raw     every parsed row, all columns VARCHAR, with its line number (a view: the rows are
//                   stored once, in staging_parsed, and the line number is worked out as they are read);
//   staging_rejects every row the parser could not read (bad encoding, wrong field count), whole.
// Validation of values is left to sql/staging/<table>.sql. No error raised here quotes the file's contents
// (data-contract.md §3): a header column is named by its position, a parse failure by its line.
import { closeSync, openSync, readSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { Database } from '../db/Database.ts';
import {
  clearParserRejects, describeParquet, numberRowsByKeptLines, numberRowsInFileOrder, parserRejectsByLine,
  readCsvStoringRejects, readParquetNumbered,
} from '../db/duckdbDialect.ts';
import { ExtractRejectedError } from '../errors.ts';
import { findBlankLines } from './findBlankLines.ts';
import type { ManifestFile } from './verifyManifest.ts';

export interface ReadResult {
  /** The file's columns in the order they appear in it. */
  columnOrder: string[];
  /** Rows the parser produced or rejected; empty lines not included. */
  rowsRead: number;
  rowsRejectedByParser: number;
  /** Physical line numbers of empty lines, which the parser skips. */
  blankLines: number[];
}

export async function readExtractFile(db: Database, extractDate: string, file: ManifestFile): Promise<ReadResult> {
  await dropStagingTables(db);
  if (file.format === '.parquet') return readParquet(db, extractDate, file);
  return readCsv(db, extractDate, file);
}

async function readCsv(db: Database, extractDate: string, file: ManifestFile): Promise<ReadResult> {
  const header = readCsvHeader(file.path, file.format === '.csv.gz');
  const columnOrder = checkColumns(extractDate, file, header);
  // verifyChecksum already looked for empty lines in a plain CSV while hashing it.
  const blankLines = file.hasEmptyLine === false ? [] : await findBlankLines(file.path, file.format === '.csv.gz');
  await db.run(
    `CREATE TEMP TABLE staging_blank_lines AS
     SELECT CAST(unnest(string_split($lines, ',')) AS BIGINT) AS line WHERE $lines <> ''`,
    { lines: blankLines.join(',') },
  );
  await db.run(clearParserRejects);
  // Materialise first, with no filter or projection on the read itself (tech-notes.md: a filter on a
  // store_rejects scan can raise an INTERNAL error that invalidates the database instance).
  try {
    await db.run(`CREATE OR REPLACE TEMP TABLE staging_parsed AS SELECT * FROM ${readCsvStoringRejects(columnOrder)}`, { path: file.path });
  } catch (error) {
    throw new ExtractRejectedError(extractDate, file.name, `the file cannot be read as CSV (${describeReadError(error)})`);
  }
  await db.run(`CREATE TEMP TABLE staging_rejects AS ${parserRejectsByLine}`);
  // The parser keeps file order, so the g-th parsed row sits on the g-th physical line (from line 2, after
  // the header) that was neither rejected nor empty. With no such line, that is line g + 2; otherwise the
  // lines that remain are listed in order and paired with the parsed rows by position. Either way the rows
  // are not copied, which matters for a 28M-row backfill.
  const skipped = await db.value<bigint>('SELECT (SELECT count(*) FROM staging_rejects) + (SELECT count(*) FROM staging_blank_lines)');
  if (skipped === 0n) {
    for (const statement of numberRowsInFileOrder('staging_raw', 'staging_parsed', columnOrder)) await db.run(statement);
  } else {
    await db.run(`
      CREATE TEMP TABLE staging_lines AS
      WITH skipped AS (SELECT line FROM staging_rejects UNION SELECT line FROM staging_blank_lines)
      SELECT l AS line
      FROM range(2, (SELECT count(*) FROM staging_parsed) + (SELECT count(*) FROM skipped) + 2) AS r(l)
      WHERE l NOT IN (SELECT line FROM skipped)
      ORDER BY l
    `);
    await db.run(numberRowsByKeptLines('staging_raw', 'staging_parsed', 'staging_lines', columnOrder));
  }
  await db.run(clearParserRejects);
  return summarise(db, columnOrder, blankLines);
}

/** Drops what readExtractFile creates (staging_raw is a view over staging_parsed). */
export async function dropStagingTables(db: Database): Promise<void> {
  await db.run(`
    DROP VIEW IF EXISTS staging_raw; DROP TABLE IF EXISTS staging_lines; DROP TABLE IF EXISTS staging_parsed;
    DROP TABLE IF EXISTS staging_rejects; DROP TABLE IF EXISTS staging_blank_lines;`);
}

async function readParquet(db: Database, extractDate: string, file: ManifestFile): Promise<ReadResult> {
  let described: { column_name: string }[];
  try {
    described = await db.rows<{ column_name: string }>(describeParquet, { path: file.path });
  } catch (error) {
    throw new ExtractRejectedError(extractDate, file.name, `not a readable parquet file (${describeReadError(error)})`);
  }
  const columnOrder = checkColumns(extractDate, file, described.map((d) => d.column_name));
  // For parquet, "line" is the 1-based row number within the file.
  try {
    await db.run(`CREATE TEMP TABLE staging_parsed AS ${readParquetNumbered(columnOrder)}`, { path: file.path });
  } catch (error) {
    throw new ExtractRejectedError(extractDate, file.name, `the parquet file cannot be read to the end (${describeReadError(error)})`);
  }
  await db.run('CREATE TEMP VIEW staging_raw AS SELECT * FROM staging_parsed');
  await db.run(`CREATE TEMP TABLE staging_rejects (line BIGINT, reason VARCHAR, detail VARCHAR, raw_row VARCHAR)`);
  return summarise(db, columnOrder, []);
}

async function summarise(db: Database, columnOrder: string[], blankLines: number[]): Promise<ReadResult> {
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

/** Reads the first line of a CSV (gzipped or not) and splits it into column names. */
function readCsvHeader(path: string, gzipped: boolean): string[] {
  let text = gzipped ? firstBytesGunzipped(path) : firstBytes(path, 1 << 16).toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const end = text.search(/\r?\n/);
  const line = end === -1 ? text : text.slice(0, end);
  return line.split(',').map((name) => name.trim().replace(/^"(.*)"$/, '$1'));
}

function firstBytes(path: string, size: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(size);
    const read = readSync(fd, buffer, 0, size, 0);
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

function firstBytesGunzipped(path: string): string {
  // A header fits in the first 64 KiB of compressed bytes; a truncated stream is fine for reading it.
  const compressed = firstBytes(path, 1 << 16);
  try {
    return gunzipSync(compressed, { finishFlush: 2 /* Z_SYNC_FLUSH */ }).toString('utf8');
  } catch {
    return '';
  }
}

/**
 * What DuckDB said about a file it could not read, without the file's contents (its messages can quote the
 * offending line): DuckDB's kind of error, the line when it names one, and its fixed wording where that is
 * known to quote nothing.
 */
export function describeReadError(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const kind = /^([A-Za-z ]{1,40} Error):/.exec(text)?.[1] ?? 'error';
  const line = /\bline:? (\d+)/i.exec(text)?.[1];
  const known = knownReadErrors.find((known) => known.pattern.test(text));
  return `DuckDB ${kind}${line ? ` at line ${line}` : ''}: ${known?.says ?? 'its text is not shown, as it can quote the file'}`;
}

const knownReadErrors = [
  { pattern: /The CSV Parser state machine reached an invalid state/, says: 'the CSV parser reached an invalid state (a stray carriage return?)' },
  { pattern: /No magic bytes found at end of file/, says: 'no parquet footer (not a parquet file, or cut short)' },
  { pattern: /No space left on device/, says: 'no space left on the device' },
];
