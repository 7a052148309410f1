// The first pass over the caller's query, before its rows are streamed: how many rows it returns and
// the distinct values of each dictionary column, in one aggregate query.
//
// The row count is needed because @duckdb/node-api 1.5.5 reports an error part-way through a streamed
// result as a normal end of the stream (fetch_chunk returns null and the bindings never read
// duckdb_result_error), so a failing query would otherwise leave a short file that looks complete.
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { quoteIdentifier } from '../../../core/db/Database.ts';

/** Dictionary encoding is for low-cardinality columns; beyond this, write the column as plain Utf8. */
export const MAX_DICTIONARY_VALUES = 1_000_000;

export interface QuerySurvey {
  rows: number;
  /** Distinct non-null values of each dictionary column, sorted, by column name. */
  dictionaries: Map<string, string[]>;
}

type Params = Record<string, DuckDBValue> | undefined;

export async function surveyQuery(
  connection: DuckDBConnection,
  sql: string,
  params: Params,
  dictionaryColumns: readonly string[],
): Promise<QuerySurvey> {
  const { aggregates, outputs } = surveyExpressions(dictionaryColumns);
  const query = `SELECT ${outputs.join(', ')} FROM (SELECT ${aggregates.join(',\n')}\nFROM ${asSubquery(sql)})`;
  const rows = await runSurvey(connection, query, params, dictionaryColumns);
  return readSurvey(rows[0]!, 0, dictionaryColumns);
}

/** surveyQuery for each value of `groupColumn` at once (values as VARCHAR; rows with a null group are left out). */
export async function surveyGroups(
  connection: DuckDBConnection,
  sql: string,
  params: Params,
  groupColumn: string,
  dictionaryColumns: readonly string[],
): Promise<Map<string, QuerySurvey>> {
  const { aggregates, outputs } = surveyExpressions(dictionaryColumns);
  const group = quoteIdentifier(groupColumn);
  const query =
    `SELECT group_value, ${outputs.join(', ')} FROM (SELECT CAST(${group} AS VARCHAR) AS group_value, ${aggregates.join(',\n')}\n` +
    `FROM ${asSubquery(sql)} WHERE ${group} IS NOT NULL GROUP BY ALL)`;
  const rows = await runSurvey(connection, query, params, dictionaryColumns);
  return new Map(rows.map((row) => [String(row[0]), readSurvey(row, 1, dictionaryColumns)]));
}

// One DISTINCT aggregate per dictionary column; the outer query sorts the values and hands them over
// only when there are few enough.
function surveyExpressions(dictionaryColumns: readonly string[]): { aggregates: string[]; outputs: string[] } {
  const aggregates = ['count(*) AS row_count'];
  const outputs = ['row_count'];
  dictionaryColumns.forEach((column, index) => {
    const quoted = quoteIdentifier(column);
    aggregates.push(`list(DISTINCT ${quoted}::VARCHAR) FILTER (WHERE ${quoted} IS NOT NULL) AS values_${index}`);
    outputs.push(
      `coalesce(len(values_${index}), 0)`,
      `CASE WHEN len(values_${index}) <= ${MAX_DICTIONARY_VALUES} THEN list_sort(values_${index}) END`,
    );
  });
  return { aggregates, outputs };
}

async function runSurvey(connection: DuckDBConnection, query: string, params: Params, dictionaryColumns: readonly string[]): Promise<unknown[][]> {
  try {
    const reader = await connection.runAndReadAll(query, params);
    return reader.getRowsJS();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const what = dictionaryColumns.length > 0 ? ` and collecting the values of ${dictionaryColumns.join(', ')}` : '';
    throw new Error(`writeArrowFile: counting the query's rows${what} failed: ${message}`, { cause: error });
  }
}

function readSurvey(row: unknown[], offset: number, dictionaryColumns: readonly string[]): QuerySurvey {
  const dictionaries = new Map<string, string[]>();
  dictionaryColumns.forEach((column, index) => {
    const distinct = Number(row[offset + 1 + index * 2]);
    if (distinct > MAX_DICTIONARY_VALUES) {
      throw new Error(
        `writeArrowFile: column "${column}" has ${distinct} distinct values; dictionary: true is for columns ` +
          `with at most ${MAX_DICTIONARY_VALUES}`,
      );
    }
    dictionaries.set(column, (row[offset + 2 + index * 2] as string[] | null) ?? []);
  });
  return { rows: Number(row[offset]), dictionaries };
}

/**
 * Explains a stream that ended with a different number of rows than the survey counted. Evaluating
 * every column of every row (the row-struct filter below forces that, without keeping the rows)
 * raises the error that the stream swallowed; if none is raised, the query's rows changed between runs.
 */
export async function explainShortStream(
  connection: DuckDBConnection,
  sql: string,
  params: Params,
  streamed: number,
  expected: number,
): Promise<Error> {
  try {
    await connection.runAndReadAll(`SELECT count(*) FROM ${asSubquery(sql)} WHERE strata_source IS NOT NULL`, params);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return new Error(`writeArrowFile: the query failed after ${streamed} rows: ${message}`, { cause: error });
  }
  return new Error(
    `writeArrowFile: the query returned ${streamed} rows, but ${expected} when counted just before; ` +
      'it must return the same rows each time it runs',
  );
}

/** `sql` as a FROM item. The newline before the parenthesis keeps a trailing line comment from swallowing it. */
function asSubquery(sql: string): string {
  const query = sql.trim().replace(/;+\s*$/, '');
  return `(\n${query}\n) AS strata_source`;
}
