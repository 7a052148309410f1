// The DuckDB-only SQL that TypeScript composes, in one place: reading extract files (read_csv with its
// rejects table, read_parquet), numbering parsed rows by line (rowid, variables, POSITIONAL JOIN), writing
// a CSV (COPY), and the hash that samples training rows. docs/scale-out.md says what each becomes on Spark
// SQL or Trino, and lists the DuckDB functions that the SQL files under sql/ still use.
// Every value here stays a bound parameter ($path); only our own column names are composed, quoted.
import { quoteIdentifier } from './Database.ts';

/**
 * A CSV extract with every column VARCHAR, in the file's column order. Rows the parser cannot read go to
 * the reject_errors table instead of failing the read. Use it only as `SELECT * FROM` this, materialised:
 * a filter or projection on a store_rejects scan can raise an INTERNAL error (tech-notes.md).
 */
export function readCsvStoringRejects(columns: readonly string[]): string {
  const typed = columns.map((c) => `${quoteString(c)}: 'VARCHAR'`).join(', ');
  return `read_csv($path, columns = {${typed}}, header = true, auto_detect = false,
                   delim = ',', quote = '"', escape = '"', strict_mode = true, store_rejects = true)`;
}

/** Clears the rejects tables a previous readCsvStoringRejects left. */
export const clearParserRejects = 'DROP TABLE IF EXISTS reject_errors; DROP TABLE IF EXISTS reject_scans;';

/** reject_errors as one row per rejected line (a short line is reported once per missing column). */
export const parserRejectsByLine = `
  SELECT
    line,
    CASE WHEN bool_or(error_type = 'INVALID ENCODING') THEN 'bad_encoding' ELSE 'bad_value' END AS reason,
    CASE
      WHEN bool_or(error_type = 'INVALID ENCODING') THEN 'row holds bytes that are not valid UTF-8'
      WHEN bool_or(error_type = 'MISSING COLUMNS') THEN 'row has fewer fields than the header'
      WHEN bool_or(error_type = 'TOO MANY COLUMNS') THEN 'row has more fields than the header'
      WHEN bool_or(error_type = 'UNQUOTED VALUE') THEN 'row has an unclosed or stray quote'
      ELSE 'row cannot be parsed as CSV: ' || lower(min(error_type))
    END AS detail,
    min(csv_line) AS raw_row
  FROM reject_errors
  GROUP BY line`;

/**
 * Statements that make view `view` number the rows of `table` (in file order) by physical line: row g is on
 * line g + 2 when no line was skipped. A variable rather than a scalar subquery in the view: the subquery
 * became a cross product that cost seconds on 28M rows.
 */
export function numberRowsInFileOrder(view: string, table: string, columns: readonly string[]): string[] {
  const select = columns.map((c) => `p.${quoteIdentifier(c)}`).join(', ');
  return [
    `SET VARIABLE strata_first_rowid = (SELECT min(rowid) FROM ${quoteIdentifier(table)})`,
    `CREATE TEMP VIEW ${quoteIdentifier(view)} AS
     SELECT p.rowid - getvariable('strata_first_rowid') + 2 AS line, ${select} FROM ${quoteIdentifier(table)} p`,
  ];
}

/** The same when lines were skipped: `lines` holds the kept line numbers in order, paired by position. */
export function numberRowsByKeptLines(view: string, table: string, lines: string, columns: readonly string[]): string {
  const select = columns.map((c) => `p.${quoteIdentifier(c)}`).join(', ');
  return `CREATE TEMP VIEW ${quoteIdentifier(view)} AS
          SELECT l.line, ${select} FROM ${quoteIdentifier(lines)} l POSITIONAL JOIN ${quoteIdentifier(table)} p`;
}

/** A parquet extract's column names. */
export const describeParquet = 'DESCRIBE SELECT * FROM read_parquet($path)';

/** A parquet extract with every column VARCHAR and `line` its 1-based row number. */
export function readParquetNumbered(columns: readonly string[]): string {
  const select = columns.map((c) => `CAST(${quoteIdentifier(c)} AS VARCHAR) AS ${quoteIdentifier(c)}`).join(', ');
  return `SELECT file_row_number + 1 AS line, ${select} FROM read_parquet($path, file_row_number = true)`;
}

/** Writes the rows of `query` to the file $path as CSV with a header row. */
export function copyToCsv(query: string): string {
  return `COPY (${query}) TO $path (FORMAT csv, HEADER true)`;
}

/**
 * A deterministic bucket in [0, buckets) for a value, for sampling by hash. The hash is DuckDB's: the same
 * sample on another engine needs the same hash function (see docs/scale-out.md).
 */
export function hashBucket(expression: string, buckets: number): string {
  if (!Number.isInteger(buckets) || buckets < 1) throw new Error(`hashBucket: buckets must be a positive integer, not ${buckets}`);
  return `hash(${expression}) % ${buckets}`;
}

/** A 64-bit hash of the columns of a key, to group by before grouping by the values themselves. */
export function keyHash(columns: readonly string[]): string {
  return `hash(${columns.map(quoteIdentifier).join(', ')})`;
}

/**
 * The first $max_people rows of `query` in the order of a hash of `column`: a deterministic sample of people
 * that does not depend on how many there are or on their outcomes. DuckDB's hash, as for hashBucket.
 */
export function sampleByHash(query: string, column: string): string {
  const key = quoteIdentifier(column);
  return `SELECT * FROM (${query}) ORDER BY hash(${key}), ${key} LIMIT $max_people`;
}

function quoteString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
