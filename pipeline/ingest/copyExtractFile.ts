// Reads one listed extract file exactly once and keeps a private copy of what it read, which is what DuckDB
// loads (data-contract.md §1). So:
//   - the bytes checked against the manifest's sha256 are the bytes loaded: the file being swapped or
//     rewritten after the check changes nothing, and a file that changes while it is read rejects the folder;
//   - the file is opened as itself: a symlink (O_NOFOLLOW), a device, a FIFO or a folder rejects the folder;
//   - DuckDB never sees the sender's path, so no character in it ([, *, ?, ~, key=value) is interpreted;
//   - a CSV is split into records here, in bounded memory, whatever it holds (CsvRecordScanner): a gzip of
//     100 MiB of newlines costs a counter, not gigabytes.
import { createHash } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { ExitCode, ExtractRejectedError, StrataError } from '../../core/errors.ts';
import { splitCsvRow } from '../../core/csv.ts';
import { CsvFileError, CsvRecordScanner, type ScanCounts } from './CsvRecordScanner.ts';
import type { ManifestFile } from './verifyManifest.ts';

export interface CopiedCsv {
  /** The header's column names, as the sender wrote them. */
  header: string[];
  counts: ScanCounts;
  /** Rows quarantined while splitting records, as CSV: line,reason,detail,raw_row (no header). */
  rejectsPath: string;
  /** Runs of empty lines, as CSV: first,last (no header). */
  blanksPath: string;
}

export interface CopiedFile extends ManifestFile {
  /** The private copy DuckDB reads: for a CSV, one record per line, each prefixed with its line number. */
  copyPath: string;
  csv: CopiedCsv | null;
}

export interface CopyHooks {
  /** Called once the first chunk of the file has been read (tests change the file here). */
  afterFirstChunk?: () => Promise<void> | void;
}

const chunkSize = 1 << 20;

/**
 * Reads `file` once: checks it is a regular file, hashes its bytes, and writes the copy into `workFolder`.
 * Throws ExtractRejectedError when the file is not a regular file, changes while read, does not match the
 * manifest's sha256, cannot be decompressed, or is not a CSV whose records can be told apart.
 */
export async function copyExtractFile(
  extractDate: string,
  file: ManifestFile,
  workFolder: string,
  copyName: string,
  hooks: CopyHooks = {},
): Promise<CopiedFile> {
  const reject = (reason: string) => new ExtractRejectedError(extractDate, file.name, reason);
  const handle = await openRegularFile(file.path, reject);
  try {
    const before = await handle.stat();
    if (!before.isFile()) throw reject('is not a regular file; every listed file must be a regular file inside its folder');

    const copyPath = join(workFolder, copyName + (file.format === '.parquet' ? '.parquet' : '.csv'));
    const csv = file.format === '.parquet' ? null : { rejectsPath: `${copyPath}.rejects`, blanksPath: `${copyPath}.blanks` };
    const hash = createHash('sha256');
    let bytesRead = 0;
    let scanner: CsvRecordScanner | null = null;
    let failure: unknown = null;
    try {
      scanner = await copyBytes(handle, file, copyPath, csv, hooks, (chunk) => {
        hash.update(chunk);
        bytesRead += chunk.length;
      });
    } catch (error) {
      if (isWorkingCopyFailure(error)) {
        throw new StrataError(
          `extract ${extractDate}: ${file.name}: the working copy could not be written in ${workFolder} (${(error as NodeJS.ErrnoException).code}); free space there or set --temp-directory`,
          ExitCode.failed,
          { cause: error },
        );
      }
      failure = error;
    }
    // A file that could not be read to the end is hashed in full all the same: a checksum that does not
    // hold says more (the file was damaged on the way) than the damage does.
    const sha256 = failure === null ? hash.digest('hex') : await hashWhole(handle);
    const after = await handle.stat();
    if (changed(before, after) || (failure === null && bytesRead !== after.size)) {
      throw reject('the file changed while it was being read; the folder is refused rather than loading part of a change');
    }
    if (sha256 !== file.sha256) {
      // The manifest's own value is not quoted (error messages never quote an input file); the file's is ours.
      throw reject(`sha256 mismatch: the file's sha256 is ${sha256}, not the one manifest.json gives`);
    }
    if (failure !== null) throw reject(describeCopyFailure(failure, file));
    return {
      ...file,
      sha256,
      copyPath,
      csv: csv && scanner ? { ...csv, header: splitCsvRow(scanner.header!.toString('utf8')), counts: scanner.counts } : null,
    };
  } finally {
    await handle.close();
  }
}

/** Opens a listed file for reading without following a symlink, and without blocking on a FIFO. */
async function openRegularFile(path: string, reject: (reason: string) => ExtractRejectedError): Promise<FileHandle> {
  try {
    return await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw reject('is a symbolic link; every listed file must be a regular file inside its folder');
    if (code === 'ENOENT') throw reject('file is listed in manifest.json but missing');
    throw reject(`cannot be opened (${code ?? 'error'})`);
  }
}

/** Streams the file through `onRawChunk` into its copy; for a CSV, record by record. */
async function copyBytes(
  handle: FileHandle,
  file: ManifestFile,
  copyPath: string,
  csv: { rejectsPath: string; blanksPath: string } | null,
  hooks: CopyHooks,
  onRawChunk: (chunk: Buffer) => void,
): Promise<CsvRecordScanner | null> {
  const copy = await open(copyPath, 'wx', 0o600);
  const rejects = csv ? await open(csv.rejectsPath, 'wx', 0o600) : null;
  const blanks = csv ? await open(csv.blanksPath, 'wx', 0o600) : null;
  const scanner = csv ? new CsvRecordScanner() : null;
  let first = true;
  const watch = new Transform({
    highWaterMark: chunkSize,
    transform(chunk: Buffer, _encoding, done) {
      onRawChunk(chunk);
      if (!first) return done(null, chunk);
      first = false;
      Promise.resolve(hooks.afterFirstChunk?.()).then(() => done(null, chunk), done);
    },
  });
  const consume = async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) {
      if (!scanner) {
        await copy.write(chunk);
        continue;
      }
      scanner.push(chunk);
      await flush(scanner, copy, rejects!, blanks!);
    }
  };
  try {
    const input = handle.createReadStream({ start: 0, highWaterMark: chunkSize, autoClose: false });
    if (file.format === '.csv.gz') await pipeline(input, watch, createGunzip({ chunkSize: 1 << 16 }), consume);
    else await pipeline(input, watch, consume);
    if (scanner) {
      scanner.finish();
      await flush(scanner, copy, rejects!, blanks!);
    }
    return scanner;
  } finally {
    await Promise.all([copy.close(), rejects?.close(), blanks?.close()]);
  }
}

async function flush(scanner: CsvRecordScanner, copy: FileHandle, rejects: FileHandle, blanks: FileHandle): Promise<void> {
  const taken = scanner.take();
  for (const block of taken.copy) await copy.write(block);
  if (taken.rejects) await rejects.write(taken.rejects);
  if (taken.blanks) await blanks.write(taken.blanks);
}

async function hashWhole(handle: FileHandle): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of handle.createReadStream({ start: 0, highWaterMark: chunkSize, autoClose: false })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function changed(before: Stats, after: Stats): boolean {
  return before.size !== after.size || before.mtimeMs !== after.mtimeMs || before.ino !== after.ino || before.dev !== after.dev;
}

/** Why a file whose checksum holds could not be copied, in words that quote nothing of it. */
function describeCopyFailure(failure: unknown, file: ManifestFile): string {
  if (failure instanceof CsvFileError) return failure.message;
  const code = (failure as NodeJS.ErrnoException).code;
  if (file.format === '.csv.gz' && typeof code === 'string' && code.startsWith('Z_')) {
    return `the file cannot be decompressed as gzip (${code === 'Z_BUF_ERROR' ? 'it ends early' : 'the data is damaged'})`;
  }
  return `the file cannot be read (${typeof code === 'string' ? code : 'error'})`;
}

/** A failure to write the working copy (the machine's problem, not the sender's): the run fails, exit 1. */
function isWorkingCopyFailure(error: unknown): boolean {
  const { code, syscall } = error as NodeJS.ErrnoException;
  return (syscall === 'write' || syscall === 'open') && typeof code === 'string' && ['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EIO'].includes(code);
}
