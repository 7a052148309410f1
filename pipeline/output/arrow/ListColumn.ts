// LIST(x) -> List<x>. DuckDB keeps (offset, length) per row into one child vector per chunk; Arrow keeps
// int32 offsets into one child array per batch. Consecutive rows' child ranges are appended as one range.
import { Field, List, type Data } from 'apache-arrow';
import { BitmapBuilder, isBitSet } from './BitmapBuilder.ts';
import { MAX_OFFSET, makeColumnData, offsetOverflow, type ColumnWriter } from './ColumnWriter.ts';
import { listChildCount, listChildVector, readVectorData, readVectorValidity, uint32View, type RawVector } from '../../../core/db/duckdbVectors.ts';

const TWO_32 = 4294967296;

export class ListColumn implements ColumnWriter {
  readonly type: List;
  private offsets: Int32Array;
  private childLength = 0;
  private length = 0;
  private readonly validity: BitmapBuilder;
  /** Per source row: offset low, offset high, length low, length high (uint64 pairs). */
  private entries: Uint32Array = new Uint32Array(0);
  private sourceValidity: Uint8Array | null = null;

  constructor(
    private readonly name: string,
    private readonly child: ColumnWriter,
    initialCapacity: number,
  ) {
    this.type = new List(new Field('item', child.type, true));
    this.offsets = new Int32Array(initialCapacity + 1);
    this.validity = new BitmapBuilder(initialCapacity);
  }

  load(vector: RawVector, rowCount: number): void {
    this.entries = uint32View(readVectorData(vector, rowCount * 16));
    this.sourceValidity = readVectorValidity(vector, rowCount);
    const childCount = listChildCount(vector);
    if (childCount > 0) this.child.load(listChildVector(vector), childCount);
  }

  append(start: number, count: number): void {
    const { entries, sourceValidity } = this;
    if (this.length + count + 1 > this.offsets.length) {
      const grown = new Int32Array(Math.max(this.length + count + 1, this.offsets.length * 2));
      grown.set(this.offsets.subarray(0, this.length + 1));
      this.offsets = grown;
    }
    let childLength = this.childLength;
    let rangeStart = 0;
    let rangeEnd = 0;
    for (let row = start, slot = this.length + 1; row < start + count; row++, slot++) {
      if (isBitSet(sourceValidity, row)) {
        const e = row * 4;
        const offset = entries[e]! + entries[e + 1]! * TWO_32;
        const length = entries[e + 2]! + entries[e + 3]! * TWO_32;
        if (length > 0) {
          if (offset !== rangeEnd || rangeEnd === rangeStart) {
            if (rangeEnd > rangeStart) this.child.append(rangeStart, rangeEnd - rangeStart);
            rangeStart = offset;
          }
          rangeEnd = offset + length;
          childLength += length;
          if (childLength > MAX_OFFSET) throw offsetOverflow(this.name, 'list items');
        }
      }
      this.offsets[slot] = childLength;
    }
    if (rangeEnd > rangeStart) this.child.append(rangeStart, rangeEnd - rangeStart);
    this.childLength = childLength;
    this.validity.appendMask(sourceValidity, start, count);
    this.length += count;
  }

  flush(): Data {
    const { length } = this;
    const nullCount = this.validity.zeroCount;
    const data = makeColumnData(this.type, length, {
      offsets: this.offsets.subarray(0, length + 1),
      nullBitmap: this.validity.finish(),
      nullCount,
      children: [this.child.flush()],
    });
    this.childLength = 0;
    this.length = 0;
    return data;
  }
}
