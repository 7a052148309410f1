// Makes the TypeScript masking rule callable from DuckDB SQL, so quarantine.csv is masked by the same code as
// every other text Strata writes, while DuckDB still writes the CSV (COPY) with its own quoting.
import { type DuckDBConnection, DuckDBScalarFunction, VARCHAR } from '@duckdb/node-api';
import { maskDirectIdentifiers } from './maskDirectIdentifiers.ts';

/** The SQL name of the scalar function: strata_mask_direct_identifiers(text) -> text, NULL for NULL. */
export const maskingFunctionName = 'strata_mask_direct_identifiers';

/**
 * Registers the masking function on the connection's database (registering again replaces it). DuckDB calls
 * it from its worker threads, but the calls run one at a time on the JavaScript thread: only use it in a
 * query that is awaited (never from a *Sync call), or the workers wait for a thread that waits for them.
 */
export function registerMaskingFunction(connection: DuckDBConnection): void {
  connection.registerScalarFunction(
    DuckDBScalarFunction.create({
      name: maskingFunctionName,
      mainFunction: (_info, input, output) => {
        const values = input.getColumnVector(0);
        for (let row = 0; row < input.rowCount; row++) {
          const value = values.getItem(row) as string | null;
          output.setItem(row, value === null ? null : maskDirectIdentifiers(value));
        }
        output.flush();
      },
      returnType: VARCHAR,
      parameterTypes: [VARCHAR],
    }),
  );
}

/**
 * SQL for `column` masked: the function runs only where a cheap necessary condition holds (ten digits in a
 * row, or 3-3-4 digits with single separators), so a row with no candidate is never handed to JavaScript.
 */
export function maskedColumnSql(column: string): string {
  return `CASE WHEN regexp_matches(${column}, '[0-9]{10}|[0-9]{3}[ -][0-9]{3}[ -][0-9]{4}') THEN ${maskingFunctionName}(${column}) ELSE ${column} END`;
}
