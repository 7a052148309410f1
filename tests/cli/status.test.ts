// `strata status` from the CLI: what it reports after the sample run (text and JSON), a failed and an
// interrupted run, and that it only reads: the database is unchanged, a missing file is never created,
// and a database held by a run gives exit 4.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../core/db/Database.ts';
import { formatStatus } from '../../pipeline/status/formatStatus.ts';
import { readStatus, type StrataStatus } from '../../pipeline/status/readStatus.ts';
import { repoRoot, runCli } from '../helpers/runCli.ts';
import { temporaryFolder } from '../helpers/testDatabase.ts';

const sampleInbox = join(repoRoot, 'data-samples', 'inbox');
const sampleExtracts = readdirSync(sampleInbox).sort();
const planted: { extract: string; file: string; reason: string }[] = JSON.parse(
  readFileSync(join(repoRoot, 'data-samples', 'planted-bad-rows.json'), 'utf8'),
);

/** Another process that opens the database and keeps it open until killed. */
function holdDatabase(path: string, options: Record<string, string>) {
  const holder = spawn(process.execPath, ['--input-type=module', '-e',
    `import { DuckDBInstance } from '@duckdb/node-api'; const db = await DuckDBInstance.create(${JSON.stringify(path)}, ${JSON.stringify(options)}); await db.connect(); console.log('holding'); setTimeout(() => {}, 60000);`,
  ], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
  return { process: holder, holding: new Promise<void>((resolve) => holder.stdout!.once('data', () => resolve())) };
}

const fileHash = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const statusJson = (db: string, ...more: string[]): StrataStatus => {
  const result = runCli(['status', '--db', db, '--json', ...more]);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return JSON.parse(result.stdout) as StrataStatus;
};

describe('strata status after the sample run', () => {
  const out = temporaryFolder('strata-status-');
  const db = join(out, 'strata.duckdb');
  let runJson: {
    run_id: string;
    files: { extract: string; rows_read: number; rows_loaded: number; rows_quarantined: number }[];
    models: Record<string, string>;
  };

  beforeAll(() => {
    const run = runCli(['run', '--inbox', sampleInbox, '--out', out]);
    expect(run.status).toBe(0);
    runJson = JSON.parse(readFileSync(join(out, sampleExtracts.at(-1)!, 'run.json'), 'utf8'));
  });

  it('reports the run, every extract with its row accounting, the models and the quarantine, as JSON', () => {
    const status = statusJson(db);
    expect(status.database).toBe(db);
    expect(status.runs_total).toBe(1);
    const [run] = status.runs;
    expect(run).toMatchObject({ run_id: runJson.run_id, status: 'succeeded', as_of: sampleExtracts.at(-1), message: null, interrupted: false });
    expect(run!.started_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(run!.finished_at! >= run!.started_at).toBe(true);
    expect(run!.duration_ms).toBeGreaterThan(0);

    expect(status.extracts.map((e) => e.extract_date)).toEqual([...sampleExtracts].reverse());
    for (const extract of status.extracts) {
      const files = runJson.files.filter((f) => f.extract === extract.extract_date);
      expect(extract).toMatchObject({
        run_id: runJson.run_id,
        files: files.length,
        rows_read: files.reduce((s, f) => s + f.rows_read, 0),
        rows_loaded: files.reduce((s, f) => s + f.rows_loaded, 0),
        rows_quarantined: files.reduce((s, f) => s + f.rows_quarantined, 0),
      });
      expect(extract.rows_read).toBe(extract.rows_loaded + extract.rows_quarantined);
    }

    expect(status.models.filter((m) => m.newest_for_target).map((m) => [m.target, m.model_version]).sort())
      .toEqual(Object.entries(runJson.models).sort());
    for (const model of status.models) {
      expect(model.fitted_for_as_of).toBe(sampleExtracts.at(-1));
      expect(model.training_rows).toBeGreaterThan(0);
    }

    const expected = new Map<string, { rows: number; files: Set<string> }>();
    for (const p of planted) {
      const entry = expected.get(`${p.extract}|${p.reason}`) ?? { rows: 0, files: new Set<string>() };
      entry.rows++;
      entry.files.add(p.file);
      expected.set(`${p.extract}|${p.reason}`, entry);
    }
    expect(status.rows_quarantined).toBe(planted.length);
    expect(Object.fromEntries(status.quarantine.map((q) => [`${q.extract_date}|${q.reason}`, { rows: q.rows, files: q.files }])))
      .toEqual(Object.fromEntries([...expected].map(([key, e]) => [key, { rows: e.rows, files: [...e.files].sort() }])));
  });

  it('prints the same as readable text, and never changes the database', () => {
    const before = fileHash(db);
    const files = readdirSync(out).sort();
    const result = runCli(['status', '--db', db]);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(new RegExp(`${runJson.run_id} .* succeeded +${sampleExtracts.at(-1)}`));
    for (const extract of sampleExtracts) expect(result.stdout).toMatch(new RegExp(`^  ${extract} `, 'm'));
    for (const version of Object.values(runJson.models)) expect(result.stdout).toMatch(new RegExp(`${version} .* newest`));
    for (const reason of new Set(planted.map((p) => p.reason))) expect(result.stdout).toContain(` ${reason} `);
    expect(result.stdout).toContain(`Rows quarantined: ${planted.length}, by extract and reason`);
    expect(fileHash(db)).toBe(before);
    expect(readdirSync(out).sort()).toEqual(files);
  });

  it('opens read-only: it works while another process reads the database', async () => {
    const reader = holdDatabase(db, { access_mode: 'READ_ONLY' });
    try {
      await reader.holding;
      expect(runCli(['status', '--db', db]).status).toBe(0); // a read-write open would be refused here
    } finally {
      reader.process.kill();
    }
  });

  it('exits 4 with one line while another process holds the database for writing', async () => {
    const { process: holder, holding } = holdDatabase(db, {});
    try {
      await holding;
      const result = runCli(['status', '--db', db]);
      expect(result.status).toBe(4);
      expect(result.stdout).toBe('');
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(new RegExp(`in use by another process \\(pid ${holder.pid}\\)`));
    } finally {
      holder.kill();
    }
  });

  it('names the run in progress from its lock file, still in one line with exit 4', async () => {
    const { process: holder, holding } = holdDatabase(db, {});
    const lock = `${db}.lock`;
    try {
      await holding;
      // What a run writes beside the database while it holds it (pipeline/runs/RunLock.ts).
      writeFileSync(lock, `${JSON.stringify({ pid: holder.pid, host: hostname(), process_start: null, started_at: '2026-11-23T02:00:00.000Z', run_id: '20261123T020000Z-abc123', command: 'strata run' })}\n`);
      const result = runCli(['status', '--db', db]);
      expect(result.status).toBe(4);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe(
        `strata: a run is in progress on ${db}: strata run 20261123T020000Z-abc123 (pid ${holder.pid} on ${hostname()}, started 2026-11-23T02:00:00.000Z); the status can be read when it finishes\n`,
      );
    } finally {
      holder.kill();
      rmSync(lock, { force: true });
    }
  });
});

describe('strata status on failed and interrupted runs', () => {
  const out = temporaryFolder('strata-status-failed-');
  const db = join(out, 'strata.duckdb');

  beforeAll(() => {
    // An empty inbox: the run fails with exit 1 and is recorded as failed.
    expect(runCli(['run', '--inbox', temporaryFolder(), '--out', out]).status).toBe(1);
  });

  it('shows a failed run as failed, with its message', () => {
    const status = statusJson(db);
    expect(status.runs_total).toBe(1);
    expect(status.runs[0]).toMatchObject({ status: 'failed', interrupted: false });
    expect(status.runs[0]!.message).toMatch(/^nothing to score: no extract has been loaded/);
    expect(status.extracts).toEqual([]);
    expect(status.models).toEqual([]);
    expect(status.quarantine).toEqual([]);

    const text = runCli(['status', '--db', db]);
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`${status.runs[0]!.run_id} .* failed`));
    expect(text.stdout).toMatch(/^ {6}nothing to score: no extract has been loaded/m);
    expect(text.stdout).toContain('Extracts loaded: none yet');
  });

  it('shows a run left as running, with no process holding the database, as interrupted; --runs N keeps the newest N', async () => {
    const copy = join(temporaryFolder(), 'copy.duckdb');
    copyFileSync(db, copy);
    const writer = await Database.open({ path: copy });
    await writer.run(`INSERT INTO runs VALUES ('killed-run', TIMESTAMP '2099-11-23 02:30:00', NULL, 'running', NULL, NULL)`);
    writer.close();
    const status = await readStatus(copy, { runs: 1 });
    expect(status.runs_total).toBe(2);
    expect(status.runs).toHaveLength(1);
    expect(status.runs[0]).toMatchObject({ run_id: 'killed-run', status: 'running', interrupted: true, finished_at: null, duration_ms: null });
    expect(formatStatus(status)).toMatch(/killed-run .* interrupted +-\n {6}recorded as running, but no process holds the database/);
  });
});

describe('strata status on a path that is not a Strata database', () => {
  it('exits 2 with one line for a missing file, and does not create it', () => {
    const missing = join(temporaryFolder(), 'strata.duckdb');
    const result = runCli(['status', '--db', missing]);
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(`no database at ${missing}`);
    expect(existsSync(missing)).toBe(false);
    expect(existsSync(`${missing}.wal`)).toBe(false);
  });

  it('refuses (exit 2: a wrong --db) a DuckDB file without the Strata tables', async () => {
    const other = join(temporaryFolder(), 'other.duckdb');
    const instance = await DuckDBInstance.create(other);
    (await instance.connect()).closeSync();
    instance.closeSync();
    const refused = readStatus(other, { runs: 10 });
    await expect(refused).rejects.toThrow(/is not a Strata database \(it has no runs, extracts, extract_files, models, quarantine tables\); check --db/);
    await expect(refused).rejects.toMatchObject({ exitCode: 2 });
  });
});
