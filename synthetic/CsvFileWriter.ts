// Streams one CSV file of the inbox: rows are gathered into ~1 MB chunks, optionally gzipped, and hashed
// as written, so the manifest's sha256 is of the bytes on disk (compressed bytes for .csv.gz).
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

/** Bytes gathered before a write; rows are ASCII text written straight into this buffer. */
const chunkBytes = 1 << 20;
/** Stream buffering, so the main thread keeps producing while zlib and the disk work in the thread pool. */
const streamBuffer = 8 << 20;

export interface WrittenFile {
  name: string;
  rows: number;
  sha256: string;
}

export class CsvFileWriter {
  /** Data rows written (header excluded), planted rows included. */
  rows = 0;
  /** The last regular row written (without its newline), for planting an in-file duplicate. */
  lastRow: string | undefined;
  private chunk = Buffer.allocUnsafe(chunkBytes);
  private used = 0;
  private readonly hash = createHash('sha256');
  private readonly head: Writable;
  private readonly done: Promise<void>;

  constructor(
    readonly path: string,
    readonly name: string,
    columns: readonly string[],
    gzip: boolean,
  ) {
    const hash = this.hash;
    const hasher = new Transform({
      highWaterMark: streamBuffer,
      transform(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        callback(null, chunk);
      },
    });
    const file = createWriteStream(path, { highWaterMark: streamBuffer });
    if (gzip) {
      // zlib passes stream options through; its option type just does not list highWaterMark.
      const gzipOptions = { level: 6, highWaterMark: streamBuffer };
      const gzipStream = createGzip(gzipOptions);
      this.head = gzipStream;
      this.done = pipeline(gzipStream, hasher, file);
    } else {
      this.head = hasher;
      this.done = pipeline(hasher, file);
    }
    this.append(`${columns.join(',')}\n`);
  }

  /** Physical line number the next row will have (the header is line 1). */
  get nextLine(): number {
    return this.rows + 2;
  }

  writeRow(line: string): void {
    this.append(line);
    this.append('\n');
    this.rows++;
    this.lastRow = line;
  }

  /** Writes a row given as raw bytes (used to plant invalid UTF-8); returns its line number. */
  writeRawRow(bytes: Buffer): number {
    const line = this.nextLine;
    this.flushChunk();
    this.head.write(Buffer.concat([bytes, Buffer.from('\n')]));
    this.rows++;
    return line;
  }

  /** Writes a planted row as text without making it the duplicate candidate; returns its line number. */
  writePlantedRow(line: string): number {
    const number = this.nextLine;
    this.append(`${line}\n`);
    this.rows++;
    return number;
  }

  /** Waits for the file to accept more data (backpressure). */
  async drain(): Promise<void> {
    if (this.head.writableNeedDrain) await once(this.head, 'drain');
  }

  async close(): Promise<WrittenFile> {
    this.flushChunk();
    this.head.end();
    await this.done;
    return { name: this.name, rows: this.rows, sha256: this.hash.digest('hex') };
  }

  private append(text: string): void {
    // UTF-8 needs at most 3 bytes per UTF-16 unit; rows are far smaller than a chunk.
    if (this.used + text.length * 3 > chunkBytes) this.flushChunk();
    this.used += this.chunk.write(text, this.used, 'utf8');
  }

  private flushChunk(): void {
    if (this.used === 0) return;
    // The stream keeps the written buffer, so start a fresh one rather than reuse it.
    this.head.write(this.chunk.subarray(0, this.used));
    this.chunk = Buffer.allocUnsafe(chunkBytes);
    this.used = 0;
  }
}
