// The DuckDB-only SQL that TypeScript composes, in one place: reading extract files (read_csv with its
// rejects table, read_parquet), writing a CSV (COPY), and the hash that samples training rows. docs/scale-out.md says what each becomes on Spark
// SQL or Trino, and lists the DuckDB functions that the SQL files under sql/ still use.
// Every value here stays a bound parameter ($path); only our own column names are composed, quoted.
import { quoteIdentifier } from './Database.ts';

/**
 * The copy of a CSV extract that copyExtractFile wrote (no header line): its first field is the line the record started on
 * (BIGINT `line`), then every column VARCHAR, in the file's column order. Rows the parser cannot read go to
 * the reject_errors table instead of failing the read. Use it only as `SELECT * FROM` this, materialised:
 * a filter or projection on a store_rejects scan can raise an INTERNAL error (tech-notes.md). The options
 * are all explicit, so nothing is sniffed, and nothing in the path is read as a glob or hive partition.
 */
export function readCsvStoringRejects(columns: readonly string[]): string {
  const typed = [`'line': 'BIGINT'`, ...columns.map((c) => `${quoteString(c)}: 'VARCHAR'`)].join(', ');
  return `read_csv($path, columns = {${typed}}, header = false, auto_detect = false, delim = ',', quote = '"',
                   escape = '"', new_line = '\\n', strict_mode = true, hive_partitioning = false, store_rejects = true)`;
}

/** A CSV file Strata wrote itself (no header), with the given columns and types. */
export function readOwnCsv(columns: Record<string, string>): string {
  const typed = Object.entries(columns).map(([c, type]) => `${quoteString(c)}: ${quoteString(type)}`).join(', ');
  return `read_csv($path, columns = {${typed}}, header = false, auto_detect = false, delim = ',', quote = '"',
                   escape = '"', new_line = '\\n', strict_mode = true, hive_partitioning = false)`;
}

/** Clears the rejects tables a previous readCsvStoringRejects left. */
export const clearParserRejects = 'DROP TABLE IF EXISTS reject_errors; DROP TABLE IF EXISTS reject_scans;';

/**
 * reject_errors as one row per rejected record (a short line is reported once per missing column), with the
 * record's own line, which the copy wrote before its first comma, and the record as the sender wrote it.
 */
export const parserRejectsByLine = `
  SELECT
    CAST(split_part(csv_line, ',', 1) AS BIGINT) AS line,
    CASE WHEN bool_or(error_type = 'INVALID ENCODING') THEN 'bad_encoding' ELSE 'bad_value' END AS reason,
    CASE
      WHEN bool_or(error_type = 'INVALID ENCODING') THEN 'row holds bytes that are not valid UTF-8'
      WHEN bool_or(error_type = 'MISSING COLUMNS') THEN 'row has fewer fields than the header'
      WHEN bool_or(error_type = 'TOO MANY COLUMNS') THEN 'row has more fields than the header'
      WHEN bool_or(error_type = 'UNQUOTED VALUE') THEN 'row has an unclosed or stray quote'
      ELSE 'row cannot be parsed as CSV: ' || lower(min(error_type))
    END AS detail,
    substr(min(csv_line), strpos(min(csv_line), ',') + 1) AS raw_row
  FROM reject_errors
  GROUP BY CAST(split_part(csv_line, ',', 1) AS BIGINT)`;

/** A parquet extract's column names. */
export const describeParquet = 'DESCRIBE SELECT * FROM read_parquet($path, hive_partitioning = false)';

/** A parquet extract with every column VARCHAR and `line` its 1-based row number. */
export function readParquetNumbered(columns: readonly string[]): string {
  const select = columns.map((c) => `CAST(${quoteIdentifier(c)} AS VARCHAR) AS ${quoteIdentifier(c)}`).join(', ');
  return `SELECT file_row_number + 1 AS line, ${select} FROM read_parquet($path, file_row_number = true, hive_partitioning = false)`;
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
