// The contract between writeArrowFile and the per-type column writers: load a DuckDB chunk's vector,
// append row ranges of it to the record batch being built, then flush that batch's Arrow Data.
import { Data, type DataType, type Vector } from 'apache-arrow';
import type { RawVector } from '../../../core/db/duckdbVectors.ts';

export interface ColumnWriter {
  /** The Arrow type of the Data this writer produces. */
  readonly type: DataType;
  /** Copies what it needs from `vector` (the column of one DuckDB chunk, `rowCount` rows long). */
  load(vector: RawVector, rowCount: number): void;
  /** Appends rows [start, start + count) of the loaded vector to the current batch. */
  append(start: number, count: number): void;
  /**
   * Returns the current batch's Data and starts an empty one. The Data may share memory with the
   * writer, so it is valid only until the next append(): write it out before then.
   */
  flush(): Data;
}

/** Arrow offsets are int32: more than this many bytes or list items in one batch cannot be written. */
export const MAX_OFFSET = 2 ** 31 - 1;

export function offsetOverflow(column: string, what: string): Error {
  return new Error(
    `writeArrowFile: column "${column}" has more than 2 GiB of ${what} in one record batch; pass a smaller batchRows`,
  );
}

export interface DataParts {
  offsets?: Int32Array;
  values?: ArrayBufferView;
  /** The validity bitmap; left out of the Data when there are no nulls. */
  nullBitmap: Uint8Array;
  nullCount: number;
  children?: Data[];
  dictionary?: Vector;
}

/** Wraps finished buffers as Arrow Data at offset 0, the way makeData would for `type`. */
export function makeColumnData(type: DataType, length: number, parts: DataParts): Data {
  const buffers = {
    0: parts.offsets,
    1: parts.values,
    2: parts.nullCount > 0 ? parts.nullBitmap : undefined,
  };
  return new Data(type, 0, length, parts.nullCount, buffers, parts.children ?? [], parts.dictionary);
}
