// Writes a file so that a reader never sees it half-written: temporary name, fsync, rename.
// Text passes the NHS number masking here, so no text output (report, run.json, model files) can carry one.
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { maskDirectIdentifiers } from '../privacy/maskDirectIdentifiers.ts';

export function temporaryPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
}

/** Writes `content` atomically; a string is masked first (data-contract.md §3), a Buffer written as it is. */
export function writeFileAtomic(path: string, content: string | Buffer): { bytes: number; sha256: string } {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = temporaryPathFor(path);
  const bytes = typeof content === 'string' ? Buffer.from(maskDirectIdentifiers(content), 'utf8') : content;
  try {
    const fd = openSync(temporary, 'w', 0o640);
    try {
      writeSync(fd, bytes);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  return { bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** Renames a finished temporary file into place (for files written by DuckDB or a stream). */
export function publishFile(temporary: string, path: string): void {
  renameSync(temporary, path);
}
