// Splits the bytes of a CSV extract into records (RFC 4180 quoting), chunk by chunk, in bounded memory, and
// writes the copy that DuckDB loads: one line per record, prefixed with the physical line it started on, so
// every row DuckDB parses or rejects carries its own line number. Whatever the sender's line endings, the
// copy ends every record with LF. What DuckDB's reader would choke on, or silently skip, is decided here:
//   an empty line         is counted, never written (the loader decides whether the sender counted it);
//   a row over 1 MiB      is quarantined bad_value, its first 10,000 characters kept and its length noted;
//   a lone CR, a quote inside an unquoted field
//                         quarantine that row (bad_value), whole;
//   more fields than the header, in a record ending in a comma or holding a quote
//                         quarantines that row (bad_value): DuckDB's reader would load a row whose one extra
//                         field is empty (a trailing comma), as though it had the header's fields. Other records
//                         with too many fields are left to DuckDB, which rejects them with the same reason, so
//                         the common record is never counted field by field;
//   a quote never closed  rejects the file, naming the line where it opened.
// Nothing here quotes the file in an error message (data-contract.md §3).

import { quoteCsvField } from '../../core/csv.ts';

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const COMMA = 0x2c;
const DIGIT_ZERO = 0x30;
/** Up to this many bytes, ByteSink copies byte by byte rather than with Buffer.copy. */
const shortCopy = 256;

/** The longest row loaded (data-contract.md §3); a longer one is quarantined. */
export const maxRowBytes = 1 << 20;
/** How much of a longer row the quarantine keeps. */
export const keptCharacters = 10_000;
/** Enough bytes for keptCharacters of UTF-8. */
const keptBytes = keptCharacters * 4;

// Where the scanner is within a record.
const fieldStart = 0;
const unquoted = 1;
const quoted = 2;
const quoteInQuoted = 3; // a quote seen inside a quoted field: its end, or the first of an escaped pair

/** A problem that rejects the whole file; the caller names the extract and file. */
export class CsvFileError extends Error {}

export interface ScanCounts {
  /** Records written to the copy. */
  recordsWritten: number;
  /** Records quarantined here (too long, lone CR, stray quote). */
  recordsRejected: number;
  /** Empty lines, never written. */
  blankLines: number;
}

/**
 * Feed it the file's bytes with push(), then call finish(). After each push, take() hands over what to
 * append to the copy, to the rejects file and to the blank-lines file, so memory stays bounded.
 */
export class CsvRecordScanner {
  /** The header row's bytes (BOM and line ending removed), once read. */
  header: Buffer | null = null;
  readonly counts: ScanCounts = { recordsWritten: 0, recordsRejected: 0, blankLines: 0 };

  private line = 1;
  private recordLine = 1;
  private state = fieldStart;
  private quoteLine = 0;
  private crPending = false;
  private loneCr = false;
  private strayQuote = false;
  /** Fields in the header, once read. */
  private headerFields = 0;
  /** Commas outside quotes so far in the current record (counted by the fast path only when it ends in one). */
  private commas = 0;
  /** Whether the current record's last byte so far (a CRLF's CR aside) is a comma outside quotes. */
  private endsInComma = false;
  /** Whether the current record holds a quoted field. */
  private quoteSeen = false;
  /** Bytes of the current record from earlier chunks (at most maxRowBytes + 1, then only the first keptBytes). */
  private pieces: Buffer[] = [];
  private recordLength = 0;
  private firstChunk = true;
  private blankRun: [number, number] | null = null;
  /** In the chunk being scanned: where the next quote and CR are (its length when there is none). */
  private nextQuote = -1;
  private nextCr = -1;

  private readonly copy = new ByteSink();
  private rejects: string[] = [];
  private blanks: string[] = [];

  push(chunk: Buffer): void {
    let bytes = chunk;
    if (this.firstChunk && bytes.length > 0) {
      this.firstChunk = false;
      if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
    }
    let start = 0;
    let state = this.state;
    this.nextQuote = -1;
    this.nextCr = -1;
    for (let i = 0; i < bytes.length; i++) {
      if (i === start && state === fieldStart && this.recordLength === 0 && !this.crPending) {
        // Most records hold no quote and no CR but a CRLF's: found with native searches, copied whole.
        const end = this.simpleRecordEnd(bytes, i);
        if (end !== -1) {
          const crlf = end > i && bytes[end - 1] === CR;
          // Only a record ending in a comma can hide an extra field from DuckDB; the others are not counted.
          const last = end - (crlf ? 2 : 1);
          this.endsInComma = last >= i && bytes[last] === COMMA;
          if (this.endsInComma) this.commas = countCommas(bytes, i, last + 1);
          this.endRecord(bytes, start, end, crlf);
          start = end + 1;
          i = end;
          continue;
        }
      }
      const b = bytes[i]!;
      if (this.crPending) {
        this.crPending = false;
        if (b === LF) {
          this.state = state;
          this.endRecord(bytes, start, i, true);
          state = fieldStart;
          start = i + 1;
          continue;
        }
        this.loneCr = true;
      }
      if (state === quoted) {
        if (b === QUOTE) state = quoteInQuoted;
        else if (b === LF) this.line++;
        continue;
      }
      if (b === LF) {
        this.state = state;
        this.endRecord(bytes, start, i, false);
        state = fieldStart;
        start = i + 1;
      } else if (b === COMMA) {
        state = fieldStart;
        this.commas++;
        this.endsInComma = true;
      } else if (b === QUOTE) {
        this.endsInComma = false;
        if (state === fieldStart) {
          state = quoted;
          this.quoteSeen = true;
          this.quoteLine = this.line;
        } else if (state === quoteInQuoted) {
          state = quoted; // an escaped quote
        } else {
          this.strayQuote = true;
        }
      } else if (b === CR) {
        // The CR of a CRLF does not end the record's last field; a lone CR rejects the record anyway.
        this.crPending = true;
        state = unquoted;
      } else {
        this.endsInComma = false;
        if (state === quoteInQuoted) {
          this.strayQuote = true; // text after a closing quote
          state = unquoted;
        } else if (state === fieldStart) {
          state = unquoted;
        }
      }
    }
    this.state = state;
    if (start < bytes.length) this.keep(bytes.subarray(start));
  }

  /**
   * Where the record starting at `from` ends (its LF), when it is complete in `bytes` and holds no quote and
   * no CR but one just before the LF; otherwise -1, and the byte loop decides. The next quote and CR are
   * searched for only once passed, so a chunk is searched from end to end once, however many records it holds.
   */
  private simpleRecordEnd(bytes: Buffer, from: number): number {
    const lf = bytes.indexOf(LF, from);
    if (lf === -1) return -1;
    if (this.nextQuote !== bytes.length && this.nextQuote < from) this.nextQuote = foundOrEnd(bytes.indexOf(QUOTE, from), bytes);
    if (this.nextQuote < lf) return -1;
    if (this.nextCr !== bytes.length && this.nextCr < from) this.nextCr = foundOrEnd(bytes.indexOf(CR, from), bytes);
    return this.nextCr >= lf - 1 ? lf : -1;
  }

  /** Ends the last record. Throws CsvFileError when the file ends inside a quoted field or has no header. */
  finish(): void {
    if (this.state === quoted) {
      throw new CsvFileError(`a quoted field opened on line ${this.quoteLine} is never closed (the file ends inside it)`);
    }
    if (this.recordLength > 0) {
      // A CR just before the end of the file ends the last line, as a CRLF would.
      const trim = this.crPending;
      this.crPending = false;
      this.endRecord(Buffer.alloc(0), 0, 0, trim);
    }
    this.closeBlankRun();
    if (this.header === null) throw new CsvFileError('the file is empty: it has no header line');
  }

  /** What to append to the copy, the rejects file (CSV: line,reason,detail,raw_row) and the blank-lines file (first,last). */
  take(): { copy: Buffer[]; rejects: string; blanks: string } {
    const taken = { copy: this.copy.take(), rejects: this.rejects.join(''), blanks: this.blanks.join('') };
    this.rejects = [];
    this.blanks = [];
    return taken;
  }

  /** Keeps part of a record that continues in the next chunk, copied (the chunk is not held). */
  private keep(part: Buffer): void {
    const before = this.recordLength;
    this.recordLength += part.length;
    if (this.recordLength <= maxRowBytes + 1) {
      this.pieces.push(Buffer.from(part));
    } else if (before <= maxRowBytes + 1) {
      // Over the limit: from now on only its beginning is kept, for the quarantine.
      this.pieces = [Buffer.concat([...this.pieces, part]).subarray(0, keptBytes)];
    }
  }

  private endRecord(bytes: Buffer, start: number, end: number, crlf: boolean): void {
    const length = this.recordLength + (end - start) - (crlf ? 1 : 0);
    const line = this.recordLine;
    if (this.header === null) {
      if (length > maxRowBytes) throw new CsvFileError('the header line is longer than 1 MiB');
      this.header = this.recordBytes(bytes, start, end, length);
      this.headerFields = countFields(this.header);
    } else if (length === 0) {
      this.countBlank(line);
    } else if (length > maxRowBytes) {
      const kept = this.recordBytes(bytes, start, end, Math.min(length, keptBytes));
      const text = firstCharacters(kept, keptCharacters);
      this.reject(line, `row is ${length} bytes long, over the 1 MiB limit; only its first ${keptCharacters} characters are kept`, text);
    } else if (this.loneCr) {
      this.reject(line, 'row holds a carriage return that does not end a line', this.recordBytes(bytes, start, end, length).toString('utf8'));
    } else if (this.strayQuote) {
      this.reject(line, 'row has a quote inside an unquoted field', this.recordBytes(bytes, start, end, length).toString('utf8'));
    } else if ((this.endsInComma || this.quoteSeen) && this.commas + 1 > this.headerFields) {
      this.reject(line, 'row has more fields than the header', this.recordBytes(bytes, start, end, length).toString('utf8'));
    } else {
      this.closeBlankRun();
      this.copy.writeDecimal(line);
      this.copy.writeByte(COMMA);
      if (this.pieces.length === 0) {
        // The usual record, whole in this chunk: copied without making a view of it.
        this.copy.writeRange(bytes, start, start + length);
      } else {
        // `length` leaves out a CRLF's CR, which may be the last byte of a kept piece.
        let remaining = length;
        for (const piece of [...this.pieces, bytes.subarray(start, end)]) {
          this.copy.writeBytes(piece.length <= remaining ? piece : piece.subarray(0, remaining));
          remaining -= Math.min(piece.length, remaining);
        }
      }
      this.copy.writeByte(LF);
      this.counts.recordsWritten++;
    }
    this.line++;
    this.recordLine = this.line;
    this.pieces = [];
    this.recordLength = 0;
    this.loneCr = false;
    this.strayQuote = false;
    this.commas = 0;
    this.endsInComma = false;
    this.quoteSeen = false;
    this.state = fieldStart;
  }

  /** The first `length` bytes of the current record: the kept pieces, then bytes[start, end). */
  private recordBytes(bytes: Buffer, start: number, end: number, length: number): Buffer {
    return Buffer.concat([...this.pieces, bytes.subarray(start, end)]).subarray(0, length);
  }

  private reject(line: number, detail: string, raw: string): void {
    this.closeBlankRun();
    this.counts.recordsRejected++;
    this.rejects.push(`${line},bad_value,${quoteCsvField(detail)},${quoteCsvField(raw)}\n`);
  }

  private countBlank(line: number): void {
    this.counts.blankLines++;
    if (this.blankRun && this.blankRun[1] === line - 1) this.blankRun[1] = line;
    else {
      this.closeBlankRun();
      this.blankRun = [line, line];
    }
  }

  private closeBlankRun(): void {
    if (!this.blankRun) return;
    this.blanks.push(`${this.blankRun[0]},${this.blankRun[1]}\n`);
    this.blankRun = null;
  }
}

/** Commas in bytes[from, to), a part of a record that holds no quote. */
function countCommas(bytes: Buffer, from: number, to: number): number {
  let commas = 0;
  for (let at = from; at < to; at++) if (bytes[at] === COMMA) commas++;
  return commas;
}

/** Fields in a header row: its commas outside quotes, plus one. */
function countFields(header: Buffer): number {
  let fields = 1;
  let inQuotes = false;
  for (const b of header) {
    if (b === QUOTE) inQuotes = !inQuotes;
    else if (b === COMMA && !inQuotes) fields++;
  }
  return fields;
}

function foundOrEnd(index: number, bytes: Buffer): number {
  return index === -1 ? bytes.length : index;
}

/** The first `count` characters (code points) of UTF-8 bytes that may end mid-character. */
function firstCharacters(bytes: Buffer, count: number): string {
  let text = '';
  let taken = 0;
  for (const character of bytes.toString('utf8')) {
    if (taken++ === count) break;
    text += character;
  }
  return text;
}

/** Appends bytes into large blocks, so a file of tiny records is not written a few bytes at a time. */
class ByteSink {
  private static readonly blockSize = 1 << 20;
  private block = Buffer.allocUnsafe(ByteSink.blockSize);
  private used = 0;
  private full: Buffer[] = [];

  writeByte(byte: number): void {
    if (this.used === this.block.length) this.nextBlock();
    this.block[this.used++] = byte;
  }

  /** A non-negative whole number in decimal digits, written straight into the block (no string is made). */
  writeDecimal(value: number): void {
    if (this.used + 16 > this.block.length) this.nextBlock();
    let digits = 1;
    for (let power = 10; power <= value; power *= 10) digits++;
    let at = this.used + digits;
    this.used = at;
    let rest = value;
    do {
      this.block[--at] = DIGIT_ZERO + (rest % 10);
      rest = Math.floor(rest / 10);
    } while (rest > 0);
  }

  writeBytes(bytes: Buffer): void {
    this.writeRange(bytes, 0, bytes.length);
  }

  /** bytes[from, to), copied without making a view of it. */
  writeRange(bytes: Buffer, from: number, to: number): void {
    const length = to - from;
    if (length > this.block.length - this.used) {
      this.nextBlock();
      if (length > this.block.length) {
        this.full.push(Buffer.from(bytes.subarray(from, to)));
        return;
      }
    }
    if (length <= shortCopy) {
      // A byte loop beats Buffer.copy's native call, and the view it makes, for a typical record.
      const block = this.block;
      let at = this.used;
      for (let i = from; i < to; i++) block[at++] = bytes[i]!;
    } else {
      bytes.copy(this.block, this.used, from, to);
    }
    this.used += length;
  }

  take(): Buffer[] {
    this.nextBlock();
    const taken = this.full;
    this.full = [];
    return taken;
  }

  private nextBlock(): void {
    if (this.used === 0) return;
    this.full.push(this.block.subarray(0, this.used));
    this.block = Buffer.allocUnsafe(ByteSink.blockSize);
    this.used = 0;
  }
}
