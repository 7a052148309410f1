// The entry point runs the compiled dist/ only while it holds today's code: never yesterday's build after an edit.
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtIsCurrent, sourceFolders } from '../../bin/builtIsCurrent.js';
import { temporaryFolder } from '../helpers/testDatabase.ts';
import { repoRoot, runCli } from '../helpers/runCli.ts';

const at = (iso: string) => new Date(iso);

function checkout(): string {
  const root = temporaryFolder('strata-built-');
  for (const folder of sourceFolders) {
    mkdirSync(join(root, folder, 'sub'), { recursive: true });
    writeFileSync(join(root, folder, 'sub', 'a.ts'), '');
    utimesSync(join(root, folder, 'sub', 'a.ts'), at('2026-12-01T10:00:00Z'), at('2026-12-01T10:00:00Z'));
  }
  return root;
}

function build(root: string, when: string): void {
  mkdirSync(join(root, 'dist'), { recursive: true });
  writeFileSync(join(root, 'dist', '.built'), '');
  utimesSync(join(root, 'dist', '.built'), at(when), at(when));
}

describe('builtIsCurrent', () => {
  it('is false before any build, and true once the stamp is newer than every source', () => {
    const root = checkout();
    expect(builtIsCurrent(root)).toBe(false);
    build(root, '2026-12-01T11:00:00Z');
    expect(builtIsCurrent(root)).toBe(true);
  });

  it('is false once any source file, however deep, is edited after the build', () => {
    const root = checkout();
    build(root, '2026-12-01T11:00:00Z');
    const edited = join(root, 'models', 'sub', 'deeper', 'b.ts');
    mkdirSync(join(root, 'models', 'sub', 'deeper'));
    writeFileSync(edited, '');
    utimesSync(edited, at('2026-12-01T12:00:00Z'), at('2026-12-01T12:00:00Z'));
    expect(builtIsCurrent(root)).toBe(false);
  });

  it('ignores files that are not compiled (SQL, notes)', () => {
    const root = checkout();
    build(root, '2026-12-01T11:00:00Z');
    writeFileSync(join(root, 'core', 'notes.md'), '');
    expect(builtIsCurrent(root)).toBe(true);
  });

  it('holds for this checkout after the suite\'s build, and the command line answers from it', () => {
    expect(builtIsCurrent(repoRoot)).toBe(true);
    const help = runCli(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('strata run');
  });
});
