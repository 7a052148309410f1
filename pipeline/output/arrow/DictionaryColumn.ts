// VARCHAR with dictionary: true -> Dictionary<Utf8, Int32>. The dictionary is collected before streaming
// starts (see surveyQuery.ts) and shared by every batch, because the IPC file writer cannot replace a
// dictionary part-way through a file (a new dictionary per batch silently loses the later batches).
import { Dictionary, Int32, Utf8, makeData, makeVector, type Data, type Vector } from 'apache-arrow';
import { BitmapBuilder } from './BitmapBuilder.ts';
import { makeColumnData, type ColumnWriter } from './ColumnWriter.ts';
import { DuckDBStringReader } from './DuckDBStringReader.ts';
import type { RawVector } from '../../../core/db/duckdbVectors.ts';

const INLINE_LENGTH = 12;

export class DictionaryColumn implements ColumnWriter {
  readonly type: Dictionary<Utf8, Int32>;
  private readonly dictionary: Vector<Utf8>;
  /** Dictionary index by the value's bytes, each byte as one char code (see DuckDBStringReader.byteKey). */
  private readonly indexByBytes = new Map<string, number>();
  /** Dictionary index by the 16-byte duckdb_string_t of an inlined value: skips building a key string. */
  private readonly inlineIndex = new InlinedStringTable();
  private readonly reader = new DuckDBStringReader();
  private indices: Int32Array;
  private length = 0;
  private readonly validity: BitmapBuilder;

  /**
   * @param values every non-null value the column will hold, in dictionary order
   * @param id the dictionary id written to the file; fixed so that output is byte-identical across runs
   */
  constructor(
    private readonly name: string,
    values: readonly string[],
    id: number,
    initialCapacity: number,
  ) {
    this.type = new Dictionary(new Utf8(), new Int32(), id, false);
    this.dictionary = utf8Vector(values);
    values.forEach((value, index) => this.indexByBytes.set(Buffer.from(value, 'utf8').toString('latin1'), index));
    this.indices = new Int32Array(initialCapacity);
    this.validity = new BitmapBuilder(initialCapacity);
  }

  load(vector: RawVector, rowCount: number): void {
    this.reader.load(vector, rowCount);
  }

  append(start: number, count: number): void {
    const { reader, inlineIndex } = this;
    const words = reader.words;
    if (this.length + count > this.indices.length) {
      const grown = new Int32Array(Math.max(this.length + count, this.indices.length * 2));
      grown.set(this.indices.subarray(0, this.length));
      this.indices = grown;
    }
    for (let row = start, slot = this.length; row < start + count; row++, slot++) {
      if (!reader.isValid(row)) {
        this.indices[slot] = 0;
        continue;
      }
      const w = row * 4;
      if (words[w]! <= INLINE_LENGTH) {
        let index = inlineIndex.get(words[w]!, words[w + 1]!, words[w + 2]!, words[w + 3]!);
        if (index < 0) {
          index = this.lookUp(row);
          inlineIndex.set(words[w]!, words[w + 1]!, words[w + 2]!, words[w + 3]!, index);
        }
        this.indices[slot] = index;
      } else {
        this.indices[slot] = this.lookUp(row);
      }
    }
    this.validity.appendMask(reader.validity, start, count);
    this.length += count;
  }

  private lookUp(row: number): number {
    const key = this.reader.byteKey(row);
    const index = this.indexByBytes.get(key);
    if (index === undefined) {
      const value = Buffer.from(key, 'latin1').toString('utf8');
      throw new Error(
        `writeArrowFile: column "${this.name}" returned ${JSON.stringify(value)}, which was not among its values ` +
          'when the dictionary was collected; the query must return the same rows each time it runs',
      );
    }
    return index;
  }

  flush(): Data {
    const { length } = this;
    const nullCount = this.validity.zeroCount;
    const data = makeColumnData(this.type, length, {
      values: this.indices.subarray(0, length),
      nullBitmap: this.validity.finish(),
      nullCount,
      dictionary: this.dictionary,
    });
    this.length = 0;
    return data;
  }
}

function utf8Vector(values: readonly string[]): Vector<Utf8> {
  const encoded = values.map((value) => Buffer.from(value, 'utf8'));
  const valueOffsets = new Int32Array(values.length + 1);
  encoded.forEach((bytes, index) => (valueOffsets[index + 1] = valueOffsets[index]! + bytes.length));
  const data = Buffer.concat(encoded);
  return makeVector(makeData({ type: new Utf8(), length: values.length, nullCount: 0, valueOffsets, data }));
}

/**
 * An open-addressing hash table from the four uint32 words of an inlined duckdb_string_t to an index.
 * The words hold the length and every inline byte, so equal words mean equal values (and if DuckDB
 * ever left padding bytes dirty, that would only add keys, never map a value to the wrong index).
 */
class InlinedStringTable {
  private keys = new Uint32Array(4 * 64);
  private indices = new Int32Array(64).fill(-1);
  private size = 0;

  get(a: number, b: number, c: number, d: number): number {
    const mask = this.indices.length - 1;
    for (let slot = hash(a, b, c, d) & mask; ; slot = (slot + 1) & mask) {
      const index = this.indices[slot]!;
      if (index < 0) return -1;
      const k = slot * 4;
      const keys = this.keys;
      if (keys[k] === a && keys[k + 1] === b && keys[k + 2] === c && keys[k + 3] === d) return index;
    }
  }

  set(a: number, b: number, c: number, d: number, index: number): void {
    if ((this.size + 1) * 2 > this.indices.length) this.grow();
    const mask = this.indices.length - 1;
    let slot = hash(a, b, c, d) & mask;
    while (this.indices[slot]! >= 0) slot = (slot + 1) & mask;
    const k = slot * 4;
    this.keys[k] = a;
    this.keys[k + 1] = b;
    this.keys[k + 2] = c;
    this.keys[k + 3] = d;
    this.indices[slot] = index;
    this.size++;
  }

  private grow(): void {
    const { keys, indices } = this;
    this.keys = new Uint32Array(keys.length * 2);
    this.indices = new Int32Array(indices.length * 2).fill(-1);
    this.size = 0;
    for (let slot = 0; slot < indices.length; slot++) {
      const k = slot * 4;
      if (indices[slot]! >= 0) this.set(keys[k]!, keys[k + 1]!, keys[k + 2]!, keys[k + 3]!, indices[slot]!);
    }
  }
}

function hash(a: number, b: number, c: number, d: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ b ^ (h >>> 15), 0xc2b2ae35);
  h = Math.imul(h ^ c ^ (h >>> 13), 0x85ebca6b);
  h = Math.imul(h ^ d ^ (h >>> 16), 0xc2b2ae35);
  return (h ^ (h >>> 15)) >>> 0;
}
