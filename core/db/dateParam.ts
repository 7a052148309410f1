// An ISO date string as a DuckDB DATE value, so dates are bound as parameters, never pasted into SQL.
import { dateValue, type DuckDBDateValue } from '@duckdb/node-api';
import { isIsoDate } from '../dates.ts';

export function dateParam(isoDate: string): DuckDBDateValue {
  if (!isIsoDate(isoDate)) throw new Error(`not a YYYY-MM-DD date: ${isoDate}`);
  const [year, month, day] = isoDate.split('-').map(Number) as [number, number, number];
  return dateValue({ year, month, day });
}
