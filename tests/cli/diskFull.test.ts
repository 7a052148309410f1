// A full disk or an output folder that cannot be written: one clear line, exit 1, and the previous
// night's outputs exactly as they were. The full disk is real: a small tmpfs mounted for the test.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checksums, readOnlyRows } from '../helpers/outputFiles.ts';
import { temporaryFolder } from '../helpers/testDatabase.ts';
import { repoRoot, runCli } from '../helpers/runCli.ts';

const sampleInbox = join(repoRoot, 'data-samples', 'inbox');
const [, secondNight, thirdNight] = readdirSync(sampleInbox).sort();

async function lastRun(dbPath: string): Promise<Record<string, unknown>> {
  return (await readOnlyRows(dbPath, 'SELECT status, message FROM runs ORDER BY started_at DESC LIMIT 1'))[0]!;
}

/** Mounts a tmpfs of `size` at a new folder; null when this machine does not allow it (not root). */
function mountSmallDisk(size: string): string | null {
  const mountPoint = temporaryFolder('strata-small-disk-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', mountPoint], { stdio: 'ignore' });
    return mountPoint;
  } catch {
    return null;
  }
}

const smallDisk = mountSmallDisk('4m');

/** Bytes of the files under a folder. */
function folderBytes(folder: string): number {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .reduce((total, entry) => total + statSync(join(entry.parentPath, entry.name)).size, 0);
}

describe('when the outputs cannot be written', () => {
  afterAll(() => {
    if (smallDisk) execFileSync('umount', [smallDisk]);
  });

  it.skipIf(smallDisk === null)('a full disk: exit 1, one line saying so, the run marked failed, and the previous night untouched', async () => {
    const out = join(smallDisk!, 'out');
    const db = join(temporaryFolder(), 'strata.duckdb'); // the database lives on a disk with room
    const first = runCli(['run', '--inbox', sampleInbox, '--out', out, '--db', db, '--as-of', secondNight!]);
    expect(first.status).toBe(0);
    const before = checksums(join(out, secondNight!));

    // Room left for half a night's outputs: the next night's do not fit beside the last.
    const nightBytes = folderBytes(join(out, secondNight!));
    const disk = statfsSync(smallDisk!);
    const free = disk.bavail * disk.bsize;
    writeFileSync(join(smallDisk!, 'ballast'), Buffer.alloc(Math.max(0, free - Math.floor(nightBytes / 2))));
    const second = runCli(['run', '--inbox', sampleInbox, '--out', out, '--db', db]);
    expect(second.status).toBe(1);
    expect(second.stderr).toBe(`strata: no space left on the disk holding ${out}: free some space and re-run; the previous outputs are untouched\n`);
    expect(readdirSync(out).sort()).toEqual([secondNight]);
    expect(checksums(join(out, secondNight!))).toEqual(before);
    // The database says so too, for `strata status` and the morning check.
    expect(await lastRun(db)).toEqual({ status: 'failed', message: expect.stringMatching(/^no space left on the disk holding /) });

    // With space again, the same command finishes the night.
    execFileSync('rm', [join(smallDisk!, 'ballast'), '-f']);
    execFileSync('rm', ['-rf', join(out, secondNight!)]);
    const third = runCli(['run', '--inbox', sampleInbox, '--out', out, '--db', db]);
    expect(third.status).toBe(0);
    expect(readdirSync(out)).toContain(thirdNight);
  });

  it('an output path that runs through a file: exit 1 before any work, in one line', () => {
    const parent = temporaryFolder();
    writeFileSync(join(parent, 'not-a-folder'), 'x');
    const out = join(parent, 'not-a-folder', 'out');
    const result = runCli(['run', '--inbox', sampleInbox, '--out', out, '--db', join(parent, 'strata.duckdb')]);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`strata: the output folder ${out} is not a folder (a file is in the way): choose another --out\n`);
    expect(readdirSync(parent)).toEqual(['not-a-folder']); // no database was even created
  });

  it.skipIf(smallDisk === null)('an output folder on a read-only filesystem: exit 1 before any work, in one line', () => {
    const readOnly = join(smallDisk!, 'ro');
    mkdirSync(readOnly);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,ro', 'tmpfs', readOnly]);
    try {
      const result = runCli(['run', '--inbox', sampleInbox, '--out', readOnly, '--db', join(temporaryFolder(), 'strata.duckdb')]);
      expect(result.status).toBe(1);
      expect(result.stderr).toBe(`strata: cannot write to the output folder ${readOnly} (EROFS): check its permissions; the previous outputs are untouched\n`);
    } finally {
      execFileSync('umount', [readOnly]);
    }
  });
});
