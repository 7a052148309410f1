// Reads the UTF-8 bytes of a DuckDB VARCHAR (or BLOB) vector without building JS strings.
//
// Each row is a 16-byte duckdb_string_t: a uint32 length, then either the bytes inlined (length <= 12)
// or a 4-byte prefix and a pointer into DuckDB memory. Fetching each pointed-to string with its own
// native call costs about 0.7 µs, so strings that sit near each other in memory (DuckDB packs a
// chunk's strings into arena blocks) are fetched together as one "run" with one call.
//
// Why a run is safe to read: it is the union of valid strings, merged only when the gap to the run
// is under MAX_GAP bytes. Memory is mapped in whole pages of at least 4 KiB, so any byte lying less
// than a page between two readable bytes sits on the page of one of them and is readable too. Gap
// bytes are read but never used.
import { readPointedBytes, readVectorData, readVectorValidity, uint32View, type RawVector } from '../../../core/db/duckdbVectors.ts';

const INLINE_LENGTH = 12;
const STRING_T_BYTES = 16;
const MAX_GAP = 1024;
const MAX_RUN_BYTES = 16 * 1024 * 1024;
const TWO_32 = 4294967296;
/** Below this many bytes a copy goes four bytes at a time; above it, through TypedArray.set. */
const SMALL_COPY = 64;
/** copyRange may write up to this many bytes past the end of the last value (see its comment). */
export const COPY_SLACK = 4;

export class DuckDBStringReader {
  /** The duckdb_string_t entries as uint32 words: length, then prefix or inlined bytes, then pointer low and high. */
  words: Uint32Array = new Uint32Array(0);
  validity: Uint8Array | null = null;
  count = 0;

  private runs: Uint8Array[] = [];
  private runViews: DataView[] = [];
  private runStarts: number[] = [];
  /** Per row with a pointed-to value: the run holding its bytes, and its address. */
  private runOf = new Int32Array(0);
  private address = new Float64Array(0);
  private readonly pointerCell = new ArrayBuffer(8);
  private readonly pointerWords = new Uint32Array(this.pointerCell);

  load(vector: RawVector, count: number): void {
    this.count = count;
    this.words = uint32View(readVectorData(vector, count * STRING_T_BYTES));
    this.validity = readVectorValidity(vector, count);
    this.resolvePointedStrings();
  }

  isValid(row: number): boolean {
    const validity = this.validity;
    return validity === null || ((validity[row >> 3]! >> (row & 7)) & 1) === 1;
  }

  /** Total bytes of the valid rows in [start, start + count). */
  rangeByteLength(start: number, count: number): number {
    const { words, validity } = this;
    let total = 0;
    for (let row = start; row < start + count; row++) {
      if (validity === null || (validity[row >> 3]! >> (row & 7)) & 1) total += words[row * 4]!;
    }
    return total;
  }

  /**
   * Copies the bytes of rows [start, start + count) into `target` from `at`, and writes each row's end
   * position into offsets[slot], offsets[slot + 1], ... (a null row adds no bytes). Returns the new end.
   *
   * Short values are copied four bytes at a time, so up to COPY_SLACK bytes past a value's end may be
   * written; the next value overwrites them, and past the last value they are outside the output.
   * `target` must have room for rangeByteLength(start, count) + COPY_SLACK more bytes.
   */
  copyRange(start: number, count: number, target: Uint8Array, at: number, offsets: Int32Array, slot: number): number {
    const { words, validity, runOf, address, runStarts, runs, runViews } = this;
    const targetView = new DataView(target.buffer, target.byteOffset, target.byteLength);
    let position = at;
    // Pointed-to values that follow each other in one run (and in the output) are copied together.
    let blockRun = -1;
    let blockFrom = 0;
    let blockLength = 0;
    let blockTo = 0;
    for (let row = start; row < start + count; row++, slot++) {
      if (validity === null || (validity[row >> 3]! >> (row & 7)) & 1) {
        const w = row * 4;
        const length = words[w]!;
        if (length <= INLINE_LENGTH) {
          // Writes must go in position order, because each may spill a few bytes past its end.
          if (blockLength > 0) {
            copyBlock(runs[blockRun]!, runViews[blockRun]!, blockFrom, blockLength, target, targetView, blockTo);
            blockLength = 0;
          }
          if (length > 0) targetView.setUint32(position, words[w + 1]!, true);
          if (length > 4) targetView.setUint32(position + 4, words[w + 2]!, true);
          if (length > 8) targetView.setUint32(position + 8, words[w + 3]!, true);
        } else {
          const run = runOf[row]!;
          const from = address[row]! - runStarts[run]!;
          if (blockLength > 0 && run === blockRun && from === blockFrom + blockLength && position === blockTo + blockLength) {
            blockLength += length;
          } else {
            if (blockLength > 0) copyBlock(runs[blockRun]!, runViews[blockRun]!, blockFrom, blockLength, target, targetView, blockTo);
            blockRun = run;
            blockFrom = from;
            blockLength = length;
            blockTo = position;
          }
        }
        position += length;
      }
      offsets[slot] = position;
    }
    if (blockLength > 0) copyBlock(runs[blockRun]!, runViews[blockRun]!, blockFrom, blockLength, target, targetView, blockTo);
    return position;
  }

  /** The row's bytes as a string of char codes 0-255: one-to-one with the bytes, for use as a Map key. */
  byteKey(row: number): string {
    const w = row * 4;
    const length = this.words[w]!;
    if (length <= INLINE_LENGTH) {
      const inline = new Uint8Array(this.words.buffer, this.words.byteOffset + w * 4 + 4, length);
      return String.fromCharCode(...inline);
    }
    const run = this.runOf[row]!;
    const from = this.address[row]! - this.runStarts[run]!;
    const bytes = this.runs[run]!;
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1', from, from + length);
  }

  private resolvePointedStrings(): void {
    const { words, count } = this;
    if (this.runOf.length < count) {
      this.runOf = new Int32Array(count);
      this.address = new Float64Array(count);
    }
    const runStarts: number[] = [];
    const runEnds: number[] = [];
    let run = -1;
    let runStart = 0;
    let runEnd = 0;
    for (let row = 0; row < count; row++) {
      const length = words[row * 4]!;
      if (length <= INLINE_LENGTH || !this.isValid(row)) continue;
      const start = words[row * 4 + 2]! + words[row * 4 + 3]! * TWO_32;
      const end = start + length;
      if (
        run >= 0 &&
        start <= runEnd + MAX_GAP &&
        end >= runStart - MAX_GAP &&
        Math.max(end, runEnd) - Math.min(start, runStart) <= MAX_RUN_BYTES
      ) {
        runStart = Math.min(start, runStart);
        runEnd = Math.max(end, runEnd);
      } else {
        if (run >= 0) {
          runStarts.push(runStart);
          runEnds.push(runEnd);
        }
        run++;
        runStart = start;
        runEnd = end;
      }
      this.runOf[row] = run;
      this.address[row] = start;
    }
    if (run >= 0) {
      runStarts.push(runStart);
      runEnds.push(runEnd);
    }
    this.runStarts = runStarts;
    this.runs = runStarts.map((start, index) => {
      this.pointerWords[0] = start % TWO_32;
      this.pointerWords[1] = Math.floor(start / TWO_32);
      const bytes = readPointedBytes(this.pointerCell, runEnds[index]! - start);
      // A plain Uint8Array view: Buffer's subarray is several times slower in the copy loops.
      return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    });
    this.runViews = this.runs.map((bytes) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }
}

function copyBlock(
  source: Uint8Array,
  sourceView: DataView,
  from: number,
  length: number,
  target: Uint8Array,
  targetView: DataView,
  to: number,
): void {
  if (length >= SMALL_COPY) {
    target.set(source.subarray(from, from + length), to);
    return;
  }
  // Whole words while they stay inside the source; the target has COPY_SLACK bytes to spare.
  let k = 0;
  for (; k < length && from + k + 4 <= source.length; k += 4) {
    targetView.setUint32(to + k, sourceView.getUint32(from + k, true), true);
  }
  for (; k < length; k++) target[to + k] = source[from + k]!;
}
