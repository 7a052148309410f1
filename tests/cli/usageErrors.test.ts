// Usage errors change nothing (issue 13 §3, data-contract.md §1 and §5): overlapping --out/--db/--inbox,
// a missing inbox, `evaluate` with a missing file and `status` on a file that is not a database each give
// exit 2 and one plain line, and afterwards every file and folder under the test's root is exactly as before:
// no database, no run record, no output folder, no lock, no log, nothing deleted from the inbox.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { repoRoot, runCli, type CliResult } from '../helpers/runCli.ts';
import { temporaryFolder } from '../helpers/testDatabase.ts';

const sampleInbox = join(repoRoot, 'data-samples', 'inbox');

/** Every path below `root` (symlinks not followed) with what it is: a file's sha256, a link's target. */
function snapshot(root: string): Record<string, string> {
  const seen: Record<string, string> = {};
  const walk = (folder: string) => {
    for (const name of readdirSync(folder).sort()) {
      const path = join(folder, name);
      const stat = lstatSync(path);
      const key = relative(root, path);
      if (stat.isSymbolicLink()) seen[key] = `link -> ${readlinkSync(path)}`;
      else if (stat.isDirectory()) {
        seen[key] = 'folder';
        walk(path);
      } else seen[key] = `file ${createHash('sha256').update(readFileSync(path)).digest('hex')}`;
    }
  };
  walk(root);
  return seen;
}

/** A root holding a copy of the sample inbox at <root>/inbox, and the symlinks some cases use. */
function rootWithInbox(): { root: string; inbox: string } {
  const root = temporaryFolder('strata-usage-');
  const inbox = join(root, 'inbox');
  cpSync(sampleInbox, inbox, { recursive: true });
  symlinkSync(inbox, join(root, 'inbox-alias'));
  // A literal `~` folder: Strata never expands it, so ~/inbox here is <root>/~/inbox, a symlink to the inbox.
  mkdirSync(join(root, '~'));
  symlinkSync('../inbox', join(root, '~', 'inbox'));
  return { root, inbox };
}

/** Runs the CLI from `cwd` (relative paths are taken from there), killed if it hangs. */
function runIn(cwd: string, args: string[]): CliResult {
  const result = spawnSync(process.execPath, [join(repoRoot, 'bin', 'strata.js'), ...args], {
    cwd, encoding: 'utf8', env: { ...process.env, TZ: 'UTC' }, timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * Exit 2, exactly one line on stderr (the one given, or matching), nothing changed. On stdout, at most the
 * JSON log event a run or schedule writes for a log shipper when it stops, saying the same.
 */
function expectRefusedUnchanged(root: string, run: () => CliResult, line: string | RegExp): void {
  const before = snapshot(root);
  const result = run();
  expect(result.status).toBe(2);
  expect(result.stderr.split('\n')).toHaveLength(2); // one line and its newline
  for (const event of result.stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l))) {
    expect(event).toMatchObject({ level: 'error', message: result.stderr.slice('strata: '.length, -1) });
  }
  if (typeof line === 'string') expect(result.stderr).toBe(`strata: ${line}\n`);
  else expect(result.stderr).toMatch(line);
  expect(result.stderr).not.toMatch(/ENOENT|IO Error|Catalog Error|valid DuckDB|\n\s+at /);
  expect(snapshot(root)).toEqual(before);
}

describe('--out and --db may not be the inbox, inside it or hold it (exit 2, nothing written or deleted)', () => {
  const outside = (flag: string, path: string, where: string, inbox: string, what: string) =>
    `${flag} ${path} ${where} ${inbox}: ${what} would be mixed with the extracts; choose a ${flag} outside the inbox (nothing was written)`;

  it('--out equal to --inbox (this once deleted the night\'s extracts)', () => {
    const { root, inbox } = rootWithInbox();
    expectRefusedUnchanged(root, () => runCli(['run', '--inbox', inbox, '--out', inbox]), outside('--out', inbox, 'is the inbox', inbox, 'the outputs'));
  });

  it('--out inside the inbox, and --out holding the inbox', () => {
    const { root, inbox } = rootWithInbox();
    const inside = join(inbox, 'out');
    expectRefusedUnchanged(root, () => runCli(['run', '--inbox', inbox, '--out', inside]), outside('--out', inside, 'is inside the inbox', inbox, 'the outputs'));
    expectRefusedUnchanged(root, () => runCli(['run', '--inbox', inbox, '--out', root]), outside('--out', root, 'holds the inbox', inbox, 'the outputs'));
    // An extract folder given as the inbox: --out would hold it.
    const night = join(inbox, '2026-11-20');
    expectRefusedUnchanged(root, () => runCli(['run', '--inbox', night, '--out', inbox]), outside('--out', inbox, 'holds the inbox', night, 'the outputs'));
  });

  it('a symlinked alias of the inbox is the inbox: as --out, under --out, and as the --inbox itself', () => {
    const { root, inbox } = rootWithInbox();
    const alias = join(root, 'inbox-alias');
    expectRefusedUnchanged(root, () => runCli(['run', '--inbox', inbox, '--out', alias]), outside('--out', alias, 'is the inbox', inbox, 'the outputs'));
    expectRefusedUnchanged(root, () => runCli(['run', '--inbox', inbox, '--out', join(alias, 'out')]), outside('--out', join(alias, 'out'), 'is inside the inbox', inbox, 'the outputs'));
    expectRefusedUnchanged(root, () => runCli(['run', '--inbox', alias, '--out', join(inbox, 'out')]), outside('--out', join(inbox, 'out'), 'is inside the inbox', alias, 'the outputs'));
  });

  it('a literal ~ is a folder name, never expanded: ~/inbox here is the symlinked inbox, so --out under it is refused', () => {
    const { root } = rootWithInbox();
    expectRefusedUnchanged(root, () => runIn(root, ['run', '--inbox', 'inbox', '--out', '~/inbox/out']), outside('--out', '~/inbox/out', 'is inside the inbox', 'inbox', 'the outputs'));
    expectRefusedUnchanged(root, () => runIn(root, ['run', '--inbox', '~/inbox', '--out', 'inbox/out']), outside('--out', 'inbox/out', 'is inside the inbox', '~/inbox', 'the outputs'));
  });

  it('--db inside the inbox, equal to it, or reached through an alias of it', () => {
    const { root, inbox } = rootWithInbox();
    const out = join(root, 'out');
    for (const db of [join(inbox, 'strata.duckdb'), inbox, join(root, 'inbox-alias', 'strata.duckdb'), join(inbox, '2026-11-20', 'x.duckdb')]) {
      const where = db === inbox ? 'is the inbox' : 'is inside the inbox';
      expectRefusedUnchanged(root, () => runCli(['run', '--inbox', inbox, '--out', out, '--db', db]), outside('--db', db, where, inbox, 'the database'));
    }
  });

  it('--temp-directory (DuckDB spill files) inside the inbox', () => {
    const { root, inbox } = rootWithInbox();
    const spill = join(inbox, 'tmp');
    expectRefusedUnchanged(root, () => runCli(['run', '--inbox', inbox, '--out', join(root, 'out'), '--temp-directory', spill]),
      outside('--temp-directory', spill, 'is inside the inbox', inbox, "DuckDB's spill files"));
  });

  it('strata schedule refuses the same at start, before its first tick', () => {
    const { root, inbox } = rootWithInbox();
    expectRefusedUnchanged(root, () => runIn(root, ['schedule', '--cron', '* * * * * *', '--inbox', inbox, '--out', inbox]),
      outside('--out', inbox, 'is the inbox', inbox, 'the outputs'));
  });
});

describe('a missing inbox is bad usage: nothing is created (it used to create the database, a failed run and --out)', () => {
  it('an inbox that does not exist', () => {
    const root = temporaryFolder('strata-usage-');
    const inbox = join(root, 'no-such-inbox');
    expectRefusedUnchanged(root, () => runCli(['run', '--inbox', inbox, '--out', join(root, 'out')]), `the inbox ${inbox} is not a folder: nothing is there; check --inbox`);
    expectRefusedUnchanged(root, () => runCli(['run', '--inbox', inbox, '--out', join(root, 'out'), '--db', join(root, 'db', 'strata.duckdb')]),
      `the inbox ${inbox} is not a folder: nothing is there; check --inbox`);
  });

  it('an inbox that is a file', () => {
    const root = temporaryFolder('strata-usage-');
    const inbox = join(root, 'inbox.txt');
    writeFileSync(inbox, 'not a folder\n');
    expectRefusedUnchanged(root, () => runCli(['run', '--inbox', inbox, '--out', join(root, 'out')]), `the inbox ${inbox} is not a folder: it is a file; check --inbox`);
  });
});

describe('evaluate and status on files that are not there or not what they should be', () => {
  it('evaluate with a missing scores or truth file: one line, exit 2, no ENOENT', () => {
    const root = temporaryFolder('strata-usage-');
    const scores = join(root, 'population_scores.arrow');
    const truth = join(root, 'truth.csv');
    expectRefusedUnchanged(root, () => runCli(['evaluate', '--scores', scores, '--truth', truth]), `--scores ${scores} does not exist: give population_scores.arrow from a run`);
    writeFileSync(scores, 'x');
    expectRefusedUnchanged(root, () => runCli(['evaluate', '--scores', scores, '--truth', truth]), `--truth ${truth} does not exist: give the truth CSV written by strata generate --truth`);
    expectRefusedUnchanged(root, () => runCli(['evaluate', '--scores', root, '--truth', truth]), `--scores ${root} is not a file: give population_scores.arrow from a run`);
  });

  it('status on a text file, an empty file, a missing file or a folder: one line, exit 2, no DuckDB text, nothing created', () => {
    const root = temporaryFolder('strata-usage-');
    const text = join(root, 'notes.txt');
    writeFileSync(text, 'this is not a database\n');
    const empty = join(root, 'empty.duckdb');
    writeFileSync(empty, '');
    const hint = 'check --db (a run creates <out>/strata.duckdb unless given --db)';
    expectRefusedUnchanged(root, () => runCli(['status', '--db', text]), `${text} is not a DuckDB database file: ${hint}`);
    expectRefusedUnchanged(root, () => runCli(['status', '--db', empty]), `${empty} is not a DuckDB database file: ${hint}`);
    expectRefusedUnchanged(root, () => runCli(['status', '--db', join(root, 'missing.duckdb')]), `no database at ${join(root, 'missing.duckdb')}: ${hint}`);
    expectRefusedUnchanged(root, () => runCli(['status', '--db', root]), `--db ${root} is a folder, not a database file`);
  });

  it('status on a DuckDB file that is not a Strata database: exit 2 too (a wrong --db), and it is not changed', async () => {
    const root = temporaryFolder('strata-usage-');
    const other = join(root, 'other.duckdb');
    const instance = await DuckDBInstance.create(other);
    (await instance.connect()).closeSync();
    instance.closeSync();
    expectRefusedUnchanged(root, () => runCli(['status', '--db', other]),
      `${other} is not a Strata database (it has no runs, extracts, extract_files, models, quarantine tables); check --db`);
  });
});
