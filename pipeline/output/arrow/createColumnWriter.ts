// Maps a DuckDB result column type to its Arrow type and the writer that fills it. Types without a
// natural Arrow mapping here are refused with the column named, before any file is written.
import { DuckDBTypeId, type DuckDBType } from '@duckdb/node-api';
import {
  Binary,
  DateDay,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  Int8,
  TimeMicrosecond,
  Timestamp,
  TimeUnit,
  Uint16,
  Uint32,
  Uint64,
  Uint8,
  Utf8,
  type DataType,
} from 'apache-arrow';
import { BoolColumn } from './BoolColumn.ts';
import type { ColumnWriter } from './ColumnWriter.ts';
import { DictionaryColumn } from './DictionaryColumn.ts';
import { FixedWidthColumn } from './FixedWidthColumn.ts';
import { ListColumn } from './ListColumn.ts';
import { StringColumn } from './StringColumn.ts';

export interface ColumnWriterSpec {
  name: string;
  type: DuckDBType;
  /** Rows per record batch: the writer's starting capacity. */
  capacity: number;
  /** For a VARCHAR column written as a dictionary: all its values, and the dictionary id. */
  dictionary?: { values: readonly string[]; id: number };
}

/** DuckDB types stored exactly as Arrow stores them: the Arrow type and the width in bytes. */
const fixedWidth: Partial<Record<DuckDBTypeId, () => [DataType, number]>> = {
  [DuckDBTypeId.TINYINT]: () => [new Int8(), 1],
  [DuckDBTypeId.SMALLINT]: () => [new Int16(), 2],
  [DuckDBTypeId.INTEGER]: () => [new Int32(), 4],
  [DuckDBTypeId.BIGINT]: () => [new Int64(), 8],
  [DuckDBTypeId.UTINYINT]: () => [new Uint8(), 1],
  [DuckDBTypeId.USMALLINT]: () => [new Uint16(), 2],
  [DuckDBTypeId.UINTEGER]: () => [new Uint32(), 4],
  [DuckDBTypeId.UBIGINT]: () => [new Uint64(), 8],
  [DuckDBTypeId.FLOAT]: () => [new Float32(), 4],
  [DuckDBTypeId.DOUBLE]: () => [new Float64(), 8],
  [DuckDBTypeId.DATE]: () => [new DateDay(), 4],
  [DuckDBTypeId.TIME]: () => [new TimeMicrosecond(), 8],
  [DuckDBTypeId.TIMESTAMP]: () => [new Timestamp(TimeUnit.MICROSECOND), 8],
  [DuckDBTypeId.TIMESTAMP_S]: () => [new Timestamp(TimeUnit.SECOND), 8],
  [DuckDBTypeId.TIMESTAMP_MS]: () => [new Timestamp(TimeUnit.MILLISECOND), 8],
  [DuckDBTypeId.TIMESTAMP_NS]: () => [new Timestamp(TimeUnit.NANOSECOND), 8],
  [DuckDBTypeId.TIMESTAMP_TZ]: () => [new Timestamp(TimeUnit.MICROSECOND, 'UTC'), 8],
};

export function createColumnWriter(spec: ColumnWriterSpec): ColumnWriter {
  const { name, type, capacity, dictionary } = spec;
  if (dictionary && type.typeId !== DuckDBTypeId.VARCHAR) {
    throw new Error(`writeArrowFile: column "${name}" is ${type.toString()}; dictionary: true is only for VARCHAR columns`);
  }
  const fixed = fixedWidth[type.typeId];
  if (fixed) {
    const [arrowType, byteWidth] = fixed();
    return new FixedWidthColumn(arrowType, byteWidth, capacity);
  }
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return new BoolColumn(capacity);
    case DuckDBTypeId.VARCHAR:
      return dictionary
        ? new DictionaryColumn(name, dictionary.values, dictionary.id, capacity)
        : new StringColumn(new Utf8(), name, capacity);
    case DuckDBTypeId.BLOB:
      return new StringColumn(new Binary(), name, capacity);
    case DuckDBTypeId.LIST: {
      const child = createColumnWriter({ name: `${name}[]`, type: type.valueType, capacity: 1024 });
      return new ListColumn(name, child, capacity);
    }
    default:
      throw new Error(
        `writeArrowFile: column "${name}" has type ${type.toString()}, which has no Arrow mapping here; ` +
          'cast it in the query (for example to DOUBLE, BIGINT or VARCHAR)',
      );
  }
}
