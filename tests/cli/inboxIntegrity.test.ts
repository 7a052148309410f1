// What was checked is what is loaded, end to end from the CLI (issue 13, data-contract.md §1 and §3).
// A run reads exactly the files it checked, whatever characters its inbox path holds, and no single hostile
// file can wedge, exhaust or fool it: each refusal is exit 3 with one line that names the folder, file and
// why, never quoting the file's contents. The loader-level cases (a file swapped or changed while it is
// read, parquet rows, row accounting) are in tests/staging/hostileInputs.test.ts.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import pl from 'nodejs-polars';
import { beforeAll, describe, expect, it } from 'vitest';
import { pathsUnder } from '../helpers/outputFiles.ts';
import { repoRoot, runCli } from '../helpers/runCli.ts';
import { temporaryFolder } from '../helpers/testDatabase.ts';
import { rewriteManifest, sha256, spellsHeader } from '../helpers/writeExtract.ts';

const sampleInbox = join(repoRoot, 'data-samples', 'inbox');
const sampleFolders = readdirSync(sampleInbox).sort();
const newest = sampleFolders.at(-1)!;
const oldest = sampleFolders[0]!;

const readArrow = (path: string): Record<string, unknown>[] => pl.readIPC(readFileSync(path)).toRecords() as Record<string, unknown>[];
const sha256Of = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

/** The sample's oldest folder's demographics, which every one-folder inbox below starts from. */
function copyDemographicsFolder(inbox: string, extractDate: string): string {
  const folder = join(inbox, extractDate);
  mkdirSync(folder, { recursive: true });
  cpSync(join(sampleInbox, oldest, 'demographics.csv'), join(folder, 'demographics.csv'));
  const manifest = JSON.parse(readFileSync(join(sampleInbox, oldest, 'manifest.json'), 'utf8'));
  manifest.extract_date = extractDate;
  manifest.files = manifest.files.filter((file: { name: string }) => file.name === 'demographics.csv');
  writeFileSync(join(folder, 'manifest.json'), JSON.stringify(manifest));
  return folder;
}

/** Adds a file of these bytes to a folder, listed in its manifest with `rows`. */
function addFile(folder: string, name: string, bytes: Buffer, rows: number): void {
  writeFileSync(join(folder, name), bytes);
  rewriteManifest(folder, (manifest) => { manifest.files.push({ name, rows, sha256: sha256(bytes) }); });
}

/** Runs an inbox of one hostile folder: it must be refused (exit 3) with one line, and nothing loaded. */
function expectRefused(inbox: string, env: Record<string, string> = {}) {
  const out = join(inbox, '..', 'out');
  const result = runCli(['run', '--inbox', inbox, '--out', out, '--db', join(inbox, '..', 'strata.duckdb')], { env });
  expect(result.status).toBe(3);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  return { ...result, out };
}

describe('the inbox path is a path, nothing more', () => {
  // One run whose inbox path holds `~`, a glob class `[b]` and a hive `opt_out=N` folder. Beside it, the
  // look-alikes that DuckDB's own path rules would have read instead: `inb` (what the glob `in[b]` matches)
  // and $HOME/opt_out=N/in[b] (what `~` expands to). Each look-alike is the sample with every practice
  // code changed to Z99999. The real inbox's newest demographics mixes CRLF and LF endings and adds one
  // person whose row holds a lone carriage return.
  const root = temporaryFolder('strata-paths-');
  const work = join(root, 'work');
  const home = join(root, 'home');
  const inboxArgument = join('~', 'opt_out=N', 'in[b]');
  const realInbox = join(work, inboxArgument);
  const out = join(root, 'out');
  const loneCrRow = 'PloneCR,1950,1,A,E01000001\r,5,P89969,U14583,2020-01-01,,N';
  let result: ReturnType<typeof runCli>;
  let loneCrLine = 0;

  beforeAll(() => {
    cpSync(sampleInbox, realInbox, { recursive: true });
    const demographicsPath = join(realInbox, newest, 'demographics.csv');
    const lines = readFileSync(demographicsPath, 'utf8').split('\n').filter((line) => line !== '');
    loneCrLine = lines.length + 1;
    const mixed = `${lines.map((line, index) => `${line}${index % 2 === 0 ? '\r\n' : '\n'}`).join('')}${loneCrRow}\r\n`;
    writeFileSync(demographicsPath, mixed);
    rewriteManifest(join(realInbox, newest), (manifest) => {
      const entry = manifest.files.find((file) => file.name === 'demographics.csv')!;
      entry.rows = lines.length;
      entry.sha256 = sha256(Buffer.from(mixed));
    });
    for (const lookAlike of [join(work, '~', 'opt_out=N', 'inb'), join(home, 'opt_out=N', 'in[b]')]) {
      cpSync(sampleInbox, lookAlike, { recursive: true });
      for (const folder of sampleFolders) {
        const path = join(lookAlike, folder, 'demographics.csv');
        writeFileSync(path, readFileSync(path, 'utf8').replace(/,[A-Z]\d{5},U/g, ',Z99999,U'));
      }
    }
    result = runCli(['run', '--inbox', inboxArgument, '--out', out, '--db', join(root, 'strata.duckdb')], { cwd: work, env: { HOME: home } });
  }, 300_000);

  it('loads and scores, reading no look-alike', () => {
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const scores = readArrow(join(out, newest, 'population_scores.arrow'));
    expect(scores.length).toBeGreaterThan(1000);
    expect(scores.some((row) => row.practice_code === 'Z99999')).toBe(false);
    expect(readdirSync(join(out, newest, 'case-finding')).some((name) => name.includes('Z99999'))).toBe(false);
  });

  it('takes opt_out from the file, not from an `opt_out=N` folder in the path', () => {
    const objectors = readFileSync(join(realInbox, newest, 'demographics.csv'), 'utf8')
      .split(/\r?\n/).filter((line) => line.endsWith(',Y')).map((line) => line.split(',')[0]);
    expect(objectors.length).toBeGreaterThan(10);
    const scored = new Set(readArrow(join(out, newest, 'population_scores.arrow')).map((row) => row.person_id));
    expect(objectors.filter((id) => scored.has(id))).toEqual([]);
  });

  it('records the checksums of the bytes it read, and quarantines the lone-CR row whole with its line', () => {
    const run = JSON.parse(readFileSync(join(out, newest, 'run.json'), 'utf8'));
    const demographics = run.files.find((file: { extract: string; name: string }) => file.extract === newest && file.name === 'demographics.csv');
    expect(demographics.sha256).toBe(sha256Of(join(realInbox, newest, 'demographics.csv')));
    expect(demographics.rows_read).toBe(demographics.rows_loaded + demographics.rows_quarantined);
    const quarantine = readFileSync(join(out, newest, 'quarantine.csv'), 'utf8');
    const row = quarantine.split('\n').find((line) => line.includes('PloneCR'));
    expect(row).toContain(`demographics.csv,${loneCrLine},bad_value`);
    expect(row).toContain('carriage return');
  });
});

describe('hostile files are refused with one line naming where, and exhaust nothing', () => {
  it('refuses a listed file that is a symlink to a system file, and never echoes its contents', () => {
    const root = temporaryFolder('strata-link-');
    const inbox = join(root, 'inbox');
    const folder = copyDemographicsFolder(inbox, oldest);
    symlinkSync('/etc/passwd', join(folder, 'prescriptions.csv'));
    rewriteManifest(folder, (manifest) => { manifest.files.push({ name: 'prescriptions.csv', rows: 1, sha256: sha256(readFileSync('/etc/passwd')) }); });
    const { stderr, out } = expectRefused(inbox);
    expect(stderr).toContain(`extract ${oldest} rejected: prescriptions.csv:`);
    expect(stderr).toContain('symbolic link');
    const firstLine = readFileSync('/etc/passwd', 'utf8').split('\n')[0]!;
    expect(stderr).not.toContain(firstLine.split(':')[0] + ':');
    for (const path of existsSync(out) ? pathsUnder(out) : []) {
      if (path.endsWith('.json') || path.endsWith('.csv')) expect(readFileSync(path, 'utf8')).not.toContain(firstLine);
    }
  });

  it('refuses a folder that is a symlink, and a folder holding a FIFO, without blocking on it', () => {
    const root = temporaryFolder('strata-fifo-');
    const elsewhere = copyDemographicsFolder(join(root, 'elsewhere'), oldest);
    const linked = join(root, 'linked');
    mkdirSync(linked);
    symlinkSync(elsewhere, join(linked, oldest));
    expect(expectRefused(linked).stderr).toMatch(/symbolic link or not a folder/);

    const inbox = join(root, 'inbox');
    const folder = copyDemographicsFolder(inbox, oldest);
    execFileSync('mkfifo', [join(folder, 'gp_conditions.csv')]);
    const { stderr } = expectRefused(inbox);
    expect(stderr).toContain(`extract ${oldest} rejected: gp_conditions.csv:`);
    expect(stderr).toContain('not a regular file');
  });

  it('refuses a folder dated after tomorrow: a mistyped year wedges nothing', () => {
    const root = temporaryFolder('strata-future-');
    const inbox = join(root, 'inbox');
    copyDemographicsFolder(inbox, '2099-01-01');
    const { stderr } = expectRefused(inbox);
    expect(stderr).toContain('2099-01-01');
    expect(stderr).toContain('dated after tomorrow');
  });

  it('counts a gzip of 100 MiB of newlines in bounded memory and time, and refuses it for its row count', () => {
    const root = temporaryFolder('strata-bomb-');
    const inbox = join(root, 'inbox');
    const folder = copyDemographicsFolder(inbox, oldest);
    const bomb = gzipSync(Buffer.concat([Buffer.from(`${spellsHeader}\n`), Buffer.alloc(100 * 1024 * 1024, 0x0a)]), { level: 9 });
    expect(bomb.length).toBeLessThan(200 * 1024);
    addFile(folder, 'inpatient_spells.csv.gz', bomb, 1);
    const started = Date.now();
    const { stderr } = expectRefused(inbox, { NODE_OPTIONS: '--max-old-space-size=256' });
    expect(stderr).toContain(`extract ${oldest} rejected: inpatient_spells.csv.gz:`);
    expect(stderr).toContain('row count mismatch: manifest says 1, file has 0');
    expect(Date.now() - started).toBeLessThan(60_000);
  }, 120_000);

  it('counts a gzip of 50 MiB of zeros as one over-long row: a manifest saying 0 rows is refused', () => {
    const root = temporaryFolder('strata-zeros-');
    const inbox = join(root, 'inbox');
    const folder = copyDemographicsFolder(inbox, oldest);
    addFile(folder, 'prescriptions.csv.gz', gzipSync(Buffer.concat([Buffer.from('prescription_id,person_id,issued_on,bnf_code\n'), Buffer.alloc(50 * 1024 * 1024)])), 0);
    const { stderr } = expectRefused(inbox, { NODE_OPTIONS: '--max-old-space-size=256' });
    expect(stderr).toContain(`extract ${oldest} rejected: prescriptions.csv.gz:`);
    expect(stderr).toContain('row count mismatch: manifest says 0, file has 1');
  }, 120_000);

  it('names the line where an unclosed quote opened', () => {
    const root = temporaryFolder('strata-quote-');
    const inbox = join(root, 'inbox');
    const folder = copyDemographicsFolder(inbox, oldest);
    const body = `${spellsHeader}\nS1,P06lqbfy,2026-11-01,,21,J44.1,,300\nS2,P06lqbfy,2026-11-01,,21,"J44.1,,300\nS3,P06lqbfy,2026-11-01,,21,J44.1,,300\n`;
    addFile(folder, 'inpatient_spells.csv', Buffer.from(body), 3);
    const { stderr } = expectRefused(inbox);
    expect(stderr).toContain(`extract ${oldest} rejected: inpatient_spells.csv:`);
    expect(stderr).toContain('a quoted field opened on line 3 is never closed');
  });

  it('refuses a damaged gzip with a plain reason', () => {
    const root = temporaryFolder('strata-gzip-');
    const inbox = join(root, 'inbox');
    const folder = copyDemographicsFolder(inbox, oldest);
    const whole = gzipSync(Buffer.from(`${spellsHeader}\nS1,P06lqbfy,2026-11-01,,21,J44.1,,300\n`));
    addFile(folder, 'inpatient_spells.csv.gz', whole.subarray(0, whole.length - 12), 1);
    const { stderr } = expectRefused(inbox);
    expect(stderr).toContain(`extract ${oldest} rejected: inpatient_spells.csv.gz:`);
    expect(stderr).toMatch(/cannot be decompressed as gzip/);
  });
});
