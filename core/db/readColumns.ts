// Reads query results column by column into typed arrays, straight from DuckDB's vectors: no JS value is
// made per row. Training, validation and drift read every person's predictions this way; with
// getColumnsJS a million rows of a dozen columns took seconds of conversion and garbage collection.
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { DuckDBTypeId } from '@duckdb/node-api';
import { chunkColumn, readVectorData, readVectorValidity } from './duckdbVectors.ts';

/**
 * Runs `sql`, whose columns must all be DOUBLE, and returns one Float64Array per column in result order.
 * A NULL becomes 0, as Float64Array.from makes of the null getColumnsJS returns.
 */
export async function readDoubleColumns(
  connection: DuckDBConnection,
  sql: string,
  params?: Record<string, DuckDBValue>,
): Promise<Float64Array[]> {
  const result = await connection.stream(sql, params);
  const types = result.columnTypes();
  types.forEach((type, i) => {
    if (type.typeId !== DuckDBTypeId.DOUBLE) {
      throw new Error(`readDoubleColumns: column ${result.columnName(i)} is ${type.toString()}, not DOUBLE; cast it in the query`);
    }
  });
  let columns = types.map(() => new Float64Array(1 << 16));
  let rows = 0;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (chunk === null || chunk.rowCount === 0) break;
    const count = chunk.rowCount;
    if (rows + count > columns[0]!.length) {
      const capacity = Math.max(rows + count, columns[0]!.length * 2);
      columns = columns.map((column) => {
        const grown = new Float64Array(capacity);
        grown.set(column.subarray(0, rows));
        return grown;
      });
    }
    columns.forEach((column, c) => {
      const vector = chunkColumn(chunk, c);
      const bytes = readVectorData(vector, count * 8);
      const values = new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + count * 8));
      const validity = readVectorValidity(vector, count);
      if (validity !== null) {
        for (let i = 0; i < count; i++) if (((validity[i >> 3]! >> (i & 7)) & 1) === 0) values[i] = 0;
      }
      column.set(values, rows);
    });
    rows += count;
  }
  return columns.map((column) => column.subarray(0, rows));
}
