// Numbers, dates and timestamps: DuckDB stores them exactly as Arrow does (little-endian, fixed width),
// so each chunk's values are copied as bytes. Slots under nulls are zeroed so output is deterministic.
import type { Data, DataType } from 'apache-arrow';
import { BitmapBuilder, isBitSet } from './BitmapBuilder.ts';
import { makeColumnData, type ColumnWriter } from './ColumnWriter.ts';
import { readVectorData, readVectorValidity, type RawVector } from '../../../core/db/duckdbVectors.ts';

type TypedArrayConstructor = new (buffer: ArrayBufferLike, byteOffset: number, length: number) => ArrayBufferView;

export class FixedWidthColumn implements ColumnWriter {
  private values: Uint8Array;
  private length = 0;
  private readonly validity: BitmapBuilder;
  private source: Uint8Array = new Uint8Array(0);
  private sourceValidity: Uint8Array | null = null;

  constructor(
    readonly type: DataType,
    private readonly byteWidth: number,
    initialCapacity: number,
  ) {
    this.values = new Uint8Array(initialCapacity * byteWidth);
    this.validity = new BitmapBuilder(initialCapacity);
  }

  load(vector: RawVector, rowCount: number): void {
    this.source = readVectorData(vector, rowCount * this.byteWidth);
    this.sourceValidity = readVectorValidity(vector, rowCount);
  }

  append(start: number, count: number): void {
    const width = this.byteWidth;
    const needed = (this.length + count) * width;
    if (needed > this.values.length) {
      const grown = new Uint8Array(Math.max(needed, this.values.length * 2));
      grown.set(this.values.subarray(0, this.length * width));
      this.values = grown;
    }
    const at = this.length * width;
    this.values.set(this.source.subarray(start * width, (start + count) * width), at);
    const mask = this.sourceValidity;
    if (mask !== null) {
      for (let i = 0; i < count; i++) {
        if (!isBitSet(mask, start + i)) this.values.fill(0, at + i * width, at + (i + 1) * width);
      }
    }
    this.validity.appendMask(mask, start, count);
    this.length += count;
  }

  flush(): Data {
    const { length } = this;
    const nullCount = this.validity.zeroCount;
    const nullBitmap = this.validity.finish();
    const ArrayType = this.type.ArrayType as TypedArrayConstructor;
    const values = new ArrayType(this.values.buffer, 0, length);
    this.length = 0;
    return makeColumnData(this.type, length, { values, nullBitmap, nullCount });
  }
}
