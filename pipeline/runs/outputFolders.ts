// The run's output folder appears whole or not at all. A run writes into a hidden staging folder beside
// the final one and swaps it into place at the end; a crash leaves only hidden folders, which the next
// run clears (or, in the instant of the swap, puts back). Retention then prunes old dated folders.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isIsoDate } from '../../core/dates.ts';
import { ExitCode, StrataError } from '../../core/errors.ts';

const hiddenFolder = /^\.(\d{4}-\d{2}-\d{2})\.([A-Za-z0-9-]+)\.(partial|previous)$/;

export function stagingFolderFor(out: string, asOf: string, runId: string): string {
  return join(out, `.${asOf}.${runId}.partial`);
}

/**
 * Checks, before any work, that the output folder can be written: created if missing, and a probe file
 * written and removed. Running as root ignores permission bits, so this is the real test.
 */
export function checkOutputFolderWritable(out: string): void {
  const probe = join(out, `.strata-write-check.${process.pid}`);
  try {
    mkdirSync(out, { recursive: true });
    writeFileSync(probe, 'ok\n');
    rmSync(probe, { force: true });
  } catch (error) {
    throw describeWriteError(error, out);
  }
}

/** Puts the staged folder in place of `<out>/<asOf>`, replacing an earlier run of the same date. */
export function publishFolder(staging: string, out: string, asOf: string, runId: string): string {
  const final = join(out, asOf);
  const previous = join(out, `.${asOf}.${runId}.previous`);
  try {
    if (existsSync(final)) renameSync(final, previous);
    renameSync(staging, final);
    syncFolder(out);
    rmSync(previous, { recursive: true, force: true });
  } catch (error) {
    throw describeWriteError(error, out);
  }
  return final;
}

/**
 * Clears what an interrupted run left in `out`: staging folders are removed, and an earlier output folder
 * moved aside in the instant before a swap is put back when its replacement never arrived.
 * Returns the names of the folders it removed or restored, for the log.
 */
export function recoverOutputFolders(out: string): string[] {
  if (!existsSync(out)) return [];
  const actions: string[] = [];
  for (const name of readdirSync(out)) {
    const match = hiddenFolder.exec(name);
    if (!match) continue;
    const [, asOf, , kind] = match;
    const path = join(out, name);
    if (kind === 'previous' && !existsSync(join(out, asOf!))) {
      renameSync(path, join(out, asOf!));
      actions.push(`restored ${asOf} from ${name}`);
    } else {
      rmSync(path, { recursive: true, force: true });
      actions.push(`removed ${name}`);
    }
  }
  return actions;
}

/**
 * Keeps the newest `keepRuns` dated output folders and deletes older ones. A folder counts only when it
 * holds a run.json (so nothing else in `out` is touched), and `protect` (the newest successful run's
 * folder) is never deleted. Returns the folders deleted.
 */
export function applyRetention(out: string, keepRuns: number, protect: string[]): string[] {
  const dated = readdirSync(out)
    .filter((name) => isIsoDate(name) && statSync(join(out, name)).isDirectory() && existsSync(join(out, name, 'run.json')))
    .sort()
    .reverse();
  const deleted: string[] = [];
  for (const name of dated.slice(keepRuns)) {
    if (protect.includes(name)) continue;
    rmSync(join(out, name), { recursive: true, force: true });
    deleted.push(name);
  }
  return deleted;
}

/** A write failure as one line a person can act on: disk full, no permission, or not a folder. */
export function describeWriteError(error: unknown, out: string): StrataError {
  if (error instanceof StrataError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  const message = error instanceof Error ? error.message : String(error);
  const outputsKept = 'the previous outputs are untouched';
  if (code === 'ENOSPC' || code === 'EDQUOT' || /No space left on device|Disk quota exceeded/i.test(message)) {
    return new StrataError(`no space left on the disk holding ${out}: free some space and re-run; ${outputsKept}`, ExitCode.failed, { cause: error });
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new StrataError(`cannot write to the output folder ${out} (${code}): check its permissions; ${outputsKept}`, ExitCode.failed, { cause: error });
  }
  if (code === 'ENOTDIR' || code === 'EEXIST') {
    return new StrataError(`the output folder ${out} is not a folder (a file is in the way): choose another --out`, ExitCode.failed, { cause: error });
  }
  return new StrataError(`cannot write outputs to ${out}: ${message.split('\n')[0]}; ${outputsKept}`, ExitCode.failed, { cause: error });
}

/** Makes renames in a folder durable. Some platforms cannot open a folder; there it is skipped. */
function syncFolder(folder: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(folder, 'r');
    fsyncSync(fd);
  } catch {
    // Not supported here; the rename is still atomic, only its durability across power loss is weaker.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
