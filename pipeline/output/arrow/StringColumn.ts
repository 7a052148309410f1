// VARCHAR -> Utf8 and BLOB -> Binary: the bytes of each value are copied from the DuckDB vector into
// one contiguous buffer per batch, with int32 offsets. No JS strings are made.
import type { Binary, Data, Utf8 } from 'apache-arrow';
import { BitmapBuilder } from './BitmapBuilder.ts';
import { MAX_OFFSET, makeColumnData, offsetOverflow, type ColumnWriter } from './ColumnWriter.ts';
import { COPY_SLACK, DuckDBStringReader } from './DuckDBStringReader.ts';
import type { RawVector } from '../../../core/db/duckdbVectors.ts';

export class StringColumn implements ColumnWriter {
  private readonly reader = new DuckDBStringReader();
  private offsets: Int32Array;
  private bytes: Uint8Array;
  private byteCount = 0;
  private length = 0;
  private readonly validity: BitmapBuilder;

  constructor(
    readonly type: Utf8 | Binary,
    private readonly name: string,
    initialCapacity: number,
  ) {
    this.offsets = new Int32Array(initialCapacity + 1);
    this.bytes = new Uint8Array(initialCapacity * 16);
    this.validity = new BitmapBuilder(initialCapacity);
  }

  load(vector: RawVector, rowCount: number): void {
    this.reader.load(vector, rowCount);
  }

  append(start: number, count: number): void {
    const { reader } = this;
    if (this.length + count + 1 > this.offsets.length) {
      const grown = new Int32Array(Math.max(this.length + count + 1, this.offsets.length * 2));
      grown.set(this.offsets.subarray(0, this.length + 1));
      this.offsets = grown;
    }
    const needed = this.byteCount + reader.rangeByteLength(start, count);
    if (needed + COPY_SLACK > this.bytes.length) this.growBytes(needed);
    this.byteCount = reader.copyRange(start, count, this.bytes, this.byteCount, this.offsets, this.length + 1);
    this.validity.appendMask(reader.validity, start, count);
    this.length += count;
  }

  private growBytes(needed: number): void {
    if (needed > MAX_OFFSET) throw offsetOverflow(this.name, 'string data');
    const grown = new Uint8Array(Math.min(MAX_OFFSET, Math.max(needed, this.bytes.length * 2)) + COPY_SLACK);
    grown.set(this.bytes.subarray(0, this.byteCount));
    this.bytes = grown;
  }

  flush(): Data {
    const { length } = this;
    const nullCount = this.validity.zeroCount;
    const data = makeColumnData(this.type, length, {
      offsets: this.offsets.subarray(0, length + 1),
      values: this.bytes.subarray(0, this.byteCount),
      nullBitmap: this.validity.finish(),
      nullCount,
    });
    this.byteCount = 0;
    this.length = 0;
    return data;
  }
}
