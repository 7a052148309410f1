// Finds empty lines in a CSV file. DuckDB's reader skips them, so they are found here to keep line
// numbers exact and to account for them as rows when the sender's manifest counted them.
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';

const LF = 0x0a;
const CR = 0x0d;

/** 1-based physical line numbers of empty lines (a lone CR counts as empty). */
export async function findBlankLines(path: string, gzipped: boolean): Promise<number[]> {
  // Fast path: most files have no empty line at all, which a native byte search can tell.
  if (!(await containsEmptyLine(path, gzipped))) return [];
  const blank: number[] = [];
  let line = 1;
  let length = 0; // bytes on the current line so far
  let onlyCr = false; // the current line so far is a single CR
  for await (const chunk of open(path, gzipped)) {
    const bytes = chunk as Buffer;
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      if (b === LF) {
        if (length === 0 || onlyCr) blank.push(line);
        line++;
        length = 0;
        onlyCr = false;
      } else {
        length++;
        onlyCr = length === 1 && b === CR;
      }
    }
  }
  return blank;
}

async function containsEmptyLine(path: string, gzipped: boolean): Promise<boolean> {
  const detector = new EmptyLineDetector();
  for await (const chunk of open(path, gzipped)) {
    detector.update(chunk as Buffer);
    if (detector.found) return true;
  }
  return false;
}

/**
 * Tells, chunk by chunk, whether a stream of CSV bytes holds an empty line, with a native byte search.
 * verifyChecksum feeds it the bytes it hashes, so most files are read once, not twice.
 */
export class EmptyLineDetector {
  found = false;
  private carry = Buffer.alloc(0);
  private first = true;

  update(chunk: Buffer): void {
    if (this.found) return;
    const bytes = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    if (this.first && (bytes[0] === LF || (bytes[0] === CR && bytes[1] === LF))) this.found = true;
    if (bytes.length >= 2) this.first = false;
    if (bytes.indexOf('\n\n') !== -1 || bytes.indexOf('\n\r\n') !== -1) this.found = true;
    this.carry = Buffer.from(bytes.subarray(Math.max(0, bytes.length - 2)));
  }
}

function open(path: string, gzipped: boolean): NodeJS.ReadableStream {
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  return gzipped ? stream.pipe(createGunzip()) : stream;
}
