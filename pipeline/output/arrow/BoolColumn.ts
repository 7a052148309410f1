// BOOLEAN: DuckDB keeps one byte per value, Arrow one bit, so values are packed as they are appended.
import { Bool, type Data } from 'apache-arrow';
import { BitmapBuilder, isBitSet } from './BitmapBuilder.ts';
import { makeColumnData, type ColumnWriter } from './ColumnWriter.ts';
import { readVectorData, readVectorValidity, sizeofBool, type RawVector } from '../../../core/db/duckdbVectors.ts';

export class BoolColumn implements ColumnWriter {
  readonly type = new Bool();
  private readonly values: BitmapBuilder;
  private readonly validity: BitmapBuilder;
  private source: Uint8Array = new Uint8Array(0);
  private sourceValidity: Uint8Array | null = null;

  constructor(initialCapacity: number) {
    if (sizeofBool !== 1) throw new Error(`writeArrowFile expects 1-byte DuckDB booleans, not ${sizeofBool}-byte ones`);
    this.values = new BitmapBuilder(initialCapacity);
    this.validity = new BitmapBuilder(initialCapacity);
  }

  load(vector: RawVector, rowCount: number): void {
    this.source = readVectorData(vector, rowCount);
    this.sourceValidity = readVectorValidity(vector, rowCount);
  }

  append(start: number, count: number): void {
    const { source, sourceValidity } = this;
    for (let row = start; row < start + count; row++) {
      this.values.appendBit(source[row] !== 0 && isBitSet(sourceValidity, row));
    }
    this.validity.appendMask(sourceValidity, start, count);
  }

  flush(): Data {
    const length = this.values.length;
    const nullCount = this.validity.zeroCount;
    const nullBitmap = this.validity.finish();
    return makeColumnData(this.type, length, { values: this.values.finish(), nullBitmap, nullCount });
  }
}
