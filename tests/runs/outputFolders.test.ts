// Output folders: swapped into place whole, recovered after a crash, and pruned by retention without
// ever losing the newest successful run.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyRetention, checkOutputFolderWritable, publishFolder, recoverOutputFolders, stagingFolderFor } from '../../pipeline/runs/outputFolders.ts';
import { temporaryFolder } from '../helpers/testDatabase.ts';

function outputFolder(out: string, name: string, content = name): string {
  const folder = join(out, name);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'run.json'), content);
  return folder;
}

describe('publishFolder', () => {
  it('replaces an earlier run of the same date whole, leaving nothing hidden behind', () => {
    const out = temporaryFolder();
    outputFolder(out, '2026-11-22', 'first run');
    const staging = outputFolder(out, '.2026-11-22.run-b.partial', 'second run');
    expect(publishFolder(staging, out, '2026-11-22', 'run-b')).toBe(join(out, '2026-11-22'));
    expect(readFileSync(join(out, '2026-11-22', 'run.json'), 'utf8')).toBe('second run');
    expect(readdirSync(out)).toEqual(['2026-11-22']);
  });
});

describe('recoverOutputFolders', () => {
  it('removes staging folders of interrupted runs', () => {
    const out = temporaryFolder();
    outputFolder(out, '2026-11-22');
    outputFolder(out, basename(stagingFolderFor(out, '2026-11-23', 'run-killed')));
    expect(recoverOutputFolders(out)).toEqual(['removed .2026-11-23.run-killed.partial']);
    expect(readdirSync(out)).toEqual(['2026-11-22']);
  });

  it('puts back a folder moved aside in the instant before a swap that never happened', () => {
    const out = temporaryFolder();
    outputFolder(out, '.2026-11-22.run-b.previous', 'first run');
    outputFolder(out, '.2026-11-22.run-b.partial', 'half of the second run');
    recoverOutputFolders(out);
    expect(readdirSync(out)).toEqual(['2026-11-22']);
    expect(readFileSync(join(out, '2026-11-22', 'run.json'), 'utf8')).toBe('first run');
  });

  it('removes a folder moved aside when its replacement did arrive', () => {
    const out = temporaryFolder();
    outputFolder(out, '.2026-11-22.run-b.previous', 'first run');
    outputFolder(out, '2026-11-22', 'second run');
    recoverOutputFolders(out);
    expect(readdirSync(out)).toEqual(['2026-11-22']);
    expect(readFileSync(join(out, '2026-11-22', 'run.json'), 'utf8')).toBe('second run');
  });
});

describe('applyRetention', () => {
  it('keeps the newest N dated folders, never the protected one, and nothing that is not a run folder', () => {
    const out = temporaryFolder();
    for (const day of ['2026-11-18', '2026-11-19', '2026-11-20', '2026-11-21', '2026-11-22']) outputFolder(out, day);
    mkdirSync(join(out, '2026-01-01')); // no run.json: not ours to delete
    writeFileSync(join(out, 'strata.duckdb'), '');
    expect(applyRetention(out, 2, ['2026-11-19'])).toEqual(['2026-11-20', '2026-11-18']);
    expect(readdirSync(out).sort()).toEqual(['2026-01-01', '2026-11-19', '2026-11-21', '2026-11-22', 'strata.duckdb']);
  });
});

describe('checkOutputFolderWritable', () => {
  it('creates a missing output folder and leaves no probe behind', () => {
    const out = join(temporaryFolder(), 'new', 'out');
    checkOutputFolderWritable(out);
    expect(readdirSync(out)).toEqual([]);
  });

  it('refuses an output path that runs through a file, in one line', () => {
    const parent = temporaryFolder();
    writeFileSync(join(parent, 'file'), '');
    expect(() => checkOutputFolderWritable(join(parent, 'file', 'out'))).toThrow(/is not a folder \(a file is in the way\): choose another --out/);
    expect(existsSync(join(parent, 'file', 'out'))).toBe(false);
  });
});
