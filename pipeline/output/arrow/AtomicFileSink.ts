// Where writeArrowFile's bytes go: a temporary file beside the target, hashed as it is written, then
// fsynced and renamed into place. A reader never sees a half-written file under the final name.
//
// The Arrow writer hands over bytes synchronously; they are hashed and copied into blocks at once, and
// the blocks are written (and periodically fdatasync'ed) on libuv's thread pool, so the disk works
// while this thread converts the next chunks. drain() bounds the bytes waiting to be written.
import { createHash, type Hash } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { AsyncByteQueue } from 'apache-arrow/io/stream';

const BLOCK_BYTES = 4 << 20;
/** drain() waits while more than this is queued for the disk. */
const MAX_QUEUED_BYTES = 64 << 20;
/** Flush to the disk every so often, rather than leave it all to the final fsync. */
const SYNC_EVERY_BYTES = 64 << 20;
let temporaryCounter = 0;

/**
 * An apache-arrow writer sink. It has to be an AsyncByteQueue for RecordBatchWriter.reset() to write
 * into it directly; write() is overridden, so nothing is ever queued for a reader.
 */
export class AtomicFileSink extends AsyncByteQueue {
  private readonly hash: Hash = createHash('sha256');
  private block: Uint8Array = new Uint8Array(BLOCK_BYTES);
  private blockUsed = 0;
  private readonly spareBlocks: Uint8Array[] = [];
  private queuedBytes = 0;
  private bytesSinceSync = 0;
  /** The last disk operation queued; it never rejects: a failure is kept in `failure` instead. */
  private tail: Promise<void> = Promise.resolve();
  private failure: { error: unknown } | null = null;
  private closed_ = false;
  bytes = 0;

  private constructor(
    readonly path: string,
    readonly temporaryPath: string,
    private readonly file: FileHandle,
  ) {
    super();
  }

  static async open(path: string): Promise<AtomicFileSink> {
    const folder = dirname(path);
    mkdirSync(folder, { recursive: true });
    const temporaryPath = join(folder, `.${basename(path)}.${process.pid}.${++temporaryCounter}.tmp`);
    return new AtomicFileSink(path, temporaryPath, await open(temporaryPath, 'w', 0o640));
  }

  override write(value: ArrayBufferView): void {
    const chunk = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    if (chunk.byteLength === 0) return;
    this.hash.update(chunk);
    this.bytes += chunk.byteLength;
    for (let done = 0; done < chunk.byteLength; ) {
      const take = Math.min(chunk.byteLength - done, BLOCK_BYTES - this.blockUsed);
      this.block.set(chunk.subarray(done, done + take), this.blockUsed);
      this.blockUsed += take;
      done += take;
      if (this.blockUsed === BLOCK_BYTES) this.queueBlock();
    }
  }

  /** Waits while too much is queued for the disk; throws if a write has failed. */
  async drain(): Promise<void> {
    if (this.queuedBytes > MAX_QUEUED_BYTES) await this.tail;
    this.throwIfFailed();
  }

  /** Writes what is left, makes the file durable and renames it into place; returns its size and sha256. */
  async commit(): Promise<{ bytes: number; sha256: string }> {
    if (this.blockUsed > 0) this.queueBlock();
    await this.tail;
    this.throwIfFailed();
    await this.file.sync();
    await this.closeFile();
    renameSync(this.temporaryPath, this.path);
    syncFolder(dirname(this.path));
    return { bytes: this.bytes, sha256: this.hash.digest('hex') };
  }

  /** Closes and removes the temporary file, after any write in flight. For use after a failure. */
  async discard(): Promise<void> {
    await this.tail;
    try {
      await this.closeFile();
    } finally {
      rmSync(this.temporaryPath, { force: true });
    }
  }

  private queueBlock(): void {
    const block = this.block;
    const length = this.blockUsed;
    this.block = this.spareBlocks.pop() ?? new Uint8Array(BLOCK_BYTES);
    this.blockUsed = 0;
    this.queuedBytes += length;
    this.tail = this.tail.then(async () => {
      if (this.failure) return;
      try {
        for (let written = 0; written < length; ) {
          written += (await this.file.write(block, written, length - written)).bytesWritten;
        }
        this.bytesSinceSync += length;
        if (this.bytesSinceSync >= SYNC_EVERY_BYTES) {
          this.bytesSinceSync = 0;
          await this.file.datasync();
        }
      } catch (error) {
        this.failure = { error };
      } finally {
        this.queuedBytes -= length;
        this.spareBlocks.push(block);
      }
    });
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure.error;
  }

  private async closeFile(): Promise<void> {
    if (this.closed_) return;
    this.closed_ = true;
    await this.file.close();
  }
}

/** fsyncs a folder so that a rename in it survives a crash. Windows cannot open folders; skip there. */
function syncFolder(folder: string): void {
  if (process.platform === 'win32') return;
  const fd = openSync(folder, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
