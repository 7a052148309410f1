// Builds Arrow bit-packed buffers (validity bitmaps and boolean values) for one record batch at a time.
// DuckDB validity masks are LSB-first like Arrow's, so aligned runs are copied a byte at a time.

const POPCOUNT = new Uint8Array(256);
for (let byte = 1; byte < 256; byte++) POPCOUNT[byte] = (byte & 1) + POPCOUNT[byte >> 1]!;

const bytesFor = (bits: number): number => (bits + 7) >> 3;

export class BitmapBuilder {
  private bits: Uint8Array;
  /** Number of bits appended since the last finish(). */
  length = 0;
  /** Number of zero bits appended since the last finish(): the null count of a validity bitmap. */
  zeroCount = 0;

  constructor(initialCapacity: number) {
    this.bits = new Uint8Array(bytesFor(initialCapacity));
  }

  private reserve(extraBits: number): void {
    const needed = bytesFor(this.length + extraBits);
    if (needed > this.bits.length) {
      const grown = new Uint8Array(Math.max(needed, this.bits.length * 2));
      grown.set(this.bits);
      this.bits = grown;
    }
  }

  appendOnes(count: number): void {
    this.reserve(count);
    const bits = this.bits;
    let i = this.length;
    const end = i + count;
    while (i < end && (i & 7) !== 0) {
      bits[i >> 3]! |= 1 << (i & 7);
      i++;
    }
    const wholeEnd = end & ~7;
    if (wholeEnd > i) {
      bits.fill(0xff, i >> 3, wholeEnd >> 3);
      i = wholeEnd;
    }
    while (i < end) {
      bits[i >> 3]! |= 1 << (i & 7);
      i++;
    }
    this.length = end;
  }

  appendBit(set: boolean): void {
    this.reserve(1);
    if (set) this.bits[this.length >> 3]! |= 1 << (this.length & 7);
    else this.zeroCount++;
    this.length++;
  }

  /** Appends bits [start, start + count) of an LSB-first mask; `null` means every bit is set. */
  appendMask(mask: Uint8Array | null, start: number, count: number): void {
    if (mask === null) {
      this.appendOnes(count);
      return;
    }
    this.reserve(count);
    const bits = this.bits;
    const destination = this.length;
    let zeros = 0;
    let done = 0;
    if (((start | destination) & 7) === 0) {
      const wholeBytes = count >> 3;
      const from = start >> 3;
      bits.set(mask.subarray(from, from + wholeBytes), destination >> 3);
      for (let k = 0; k < wholeBytes; k++) zeros += 8 - POPCOUNT[mask[from + k]!]!;
      done = wholeBytes << 3;
    }
    for (let i = done; i < count; i++) {
      const source = start + i;
      if ((mask[source >> 3]! >> (source & 7)) & 1) {
        const target = destination + i;
        bits[target >> 3]! |= 1 << (target & 7);
      } else {
        zeros++;
      }
    }
    this.length = destination + count;
    this.zeroCount += zeros;
  }

  /** Returns a copy of the bits appended so far and starts an empty bitmap in the same memory. */
  finish(): Uint8Array {
    const used = bytesFor(this.length);
    const result = this.bits.slice(0, used);
    this.bits.fill(0, 0, used);
    this.length = 0;
    this.zeroCount = 0;
    return result;
  }
}

/** True if bit `index` of an LSB-first mask is set; a null mask has every bit set. */
export function isBitSet(mask: Uint8Array | null, index: number): boolean {
  return mask === null || ((mask[index >> 3]! >> (index & 7)) & 1) === 1;
}
