// Readers and takeovers never break a run (issue 13 §4), end to end from the CLI: a reader that has the
// database open when a run starts makes the run wait (bounded, logged), not fail; `strata status` in a loop
// beside a real run never fails it; a run refused the database touches no output folder; the lock is the
// database's real path; a lock from another host is refused by name and cleared only by `strata unlock`.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { findNewExtracts } from '../../pipeline/schedule/findNewExtracts.ts';
import { readOnlyRows } from '../helpers/outputFiles.ts';
import { repoRoot, runCli, type CliResult } from '../helpers/runCli.ts';
import { temporaryFolder } from '../helpers/testDatabase.ts';

const sampleInbox = join(repoRoot, 'data-samples', 'inbox');
const asOf = readdirSync(sampleInbox).sort().at(-1)!;
const cli = join(repoRoot, 'bin', 'strata.js');

/** Another process that opens the database read-only, as status does, and keeps it open for `ms` (or until killed). */
function holdReadOnly(path: string, ms: number) {
  const holder = spawn(process.execPath, ['--input-type=module', '-e',
    `import { DuckDBInstance } from '@duckdb/node-api';
     const db = await DuckDBInstance.create(${JSON.stringify(path)}, { access_mode: 'READ_ONLY' });
     const connection = await db.connect();
     console.log('holding');
     setTimeout(() => { connection.closeSync(); db.closeSync(); }, ${ms});`,
  ], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
  return { process: holder, holding: new Promise<void>((resolve) => holder.stdout!.once('data', () => resolve())) };
}

/** `strata <args>` in the background, with its JSON log events (one per line), each also given to `onEvent` as it comes. */
function runAsync(args: string[], onEvent?: (event: Record<string, unknown>) => void): Promise<CliResult & { events: Record<string, unknown>[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: repoRoot, env: { ...process.env, TZ: 'UTC' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const events: Record<string, unknown>[] = [];
    let pending = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      if (onEvent === undefined) return;
      pending += chunk.toString('utf8');
      let newline: number;
      while ((newline = pending.indexOf('\n')) >= 0) {
        const event = JSON.parse(pending.slice(0, newline)) as Record<string, unknown>;
        pending = pending.slice(newline + 1);
        events.push(event);
        onEvent(event);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (status) => resolve({ status, stdout, stderr, events }));
  });
}

function writeConfig(folder: string, values: Record<string, unknown>): string {
  const path = join(folder, `strata.config.${Math.random().toString(16).slice(2)}.json`);
  writeFileSync(path, JSON.stringify(values));
  return path;
}

/** A lock file as a run writes it, held by this (live) test process. */
function liveLock(db: string, kind: string, runId: string, host = hostname()): string {
  const bytes = `${JSON.stringify({ pid: process.pid, host, process_start: null, started_at: '2026-11-23T02:30:00.000Z', run_id: runId, kind, command: `${kind} --db ${db}` })}\n`;
  writeFileSync(`${db}.lock`, bytes);
  return bytes;
}

const runCount = async (db: string) => Number((await readOnlyRows(db, 'SELECT count(*) AS n FROM runs'))[0]!['n']);

describe('readers never make a run fail', () => {
  const out = temporaryFolder('strata-readers-');
  const db = join(out, 'strata.duckdb');

  beforeAll(() => {
    expect(runCli(['run', '--inbox', sampleInbox, '--out', out]).status).toBe(0);
  }, 300_000);

  it('a run that starts while a reader has the database open waits for it, logs the wait, and succeeds', async () => {
    const reader = holdReadOnly(db, 120_000);
    await reader.holding;
    // The reader closes 1.5 s after the run says it is waiting for it.
    const run = await runAsync(['run', '--inbox', sampleInbox, '--out', out, '--log-format', 'json'], (event) => {
      if (event['event'] === 'database_busy') setTimeout(() => reader.process.kill(), 1500);
    });
    reader.process.kill();
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const busy = run.events.find((e) => e['event'] === 'database_busy');
    expect(busy).toMatchObject({ level: 'warn', holder_pid: reader.process.pid });
    expect(String(busy!['message'])).toMatch(/is open in another process \(pid \d+\), a reader such as strata status; waiting up to 60 s for it to close$/);
    const opened = run.events.find((e) => e['event'] === 'database_opened');
    expect(opened!['waited_ms']).toBeGreaterThanOrEqual(1500);
    expect(opened!['waited_ms']).toBeLessThan(60_000);
  }, 300_000);

  it('gives up after databaseBusyWaitSeconds with exit 4 in one line, and a run refused the database touches no output folder', async () => {
    // What a live run's staging folder looks like; a refused run must never clear it.
    const staging = join(out, `.${asOf}.20261123T023000Z-live00.partial`);
    mkdirSync(staging);
    writeFileSync(join(staging, 'population_scores.arrow'), 'half written');
    const runsBefore = await runCount(db);
    const reader = holdReadOnly(db, 120_000);
    try {
      await reader.holding;
      const config = writeConfig(temporaryFolder(), { databaseBusyWaitSeconds: 2 });
      const started = Date.now();
      const run = runCli(['run', '--inbox', sampleInbox, '--out', out, '--config', config]);
      expect(run.status).toBe(4);
      expect(run.stderr).toBe(
        `strata: the database ${db} stayed open in another process (pid ${reader.process.pid}) for 2 s while this run held its lock: ` +
          'close that process (a DuckDB session, say) and run again, or raise databaseBusyWaitSeconds\n',
      );
      expect(Date.now() - started).toBeGreaterThan(2000);
    } finally {
      reader.process.kill();
    }
    expect(readFileSync(join(staging, 'population_scores.arrow'), 'utf8')).toBe('half written');
    expect(existsSync(`${db}.lock`)).toBe(false);
    expect(await runCount(db)).toBe(runsBefore); // no run recorded: it never had the database
  }, 300_000);

  it('strata status in a loop beside a real run: the run succeeds; each status exits 0, or 4 naming the run', async () => {
    const statuses: { status: number | null; stderr: string; ms: number }[] = [];
    let running = true;
    const loop = async () => {
      while (running) {
        const started = performance.now();
        const result = await runAsync(['status', '--db', db, '--json']);
        statuses.push({ status: result.status, stderr: result.stderr, ms: performance.now() - started });
      }
    };
    const loops = [loop(), loop()];
    // Let the status loops get going, so one is likely to have the database open when the run opens it.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const run = await runAsync(['run', '--inbox', sampleInbox, '--out', out, '--retrain', '--log-format', 'json'], () => {});
    running = false;
    await Promise.all(loops);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(statuses.length).toBeGreaterThan(3);
    for (const s of statuses) {
      if (s.status === 0) continue;
      expect(s.status).toBe(4);
      expect(s.stderr).toMatch(/^strata: (a run is in progress on .*: strata run \d{8}T\d{6}Z-[0-9a-f]+ \(pid \d+ on .*, started .*\); the status can be read when it finishes|the database .* is in use by another process \(pid \d+\); wait for that run to finish)\n$/);
    }
    expect(statuses.some((s) => s.status === 0)).toBe(true);
  }, 300_000);

  it('the scheduler\'s look for new extracts never opens a database a run holds', async () => {
    liveLock(db, 'strata run', '20261123T023000Z-abc123');
    try {
      const check = findNewExtracts(sampleInbox, db);
      await expect(check).rejects.toThrow(`strata run 20261123T023000Z-abc123 (pid ${process.pid} on ${hostname()}, started 2026-11-23T02:30:00.000Z) holds the database ${db}`);
      await expect(check).rejects.toMatchObject({ exitCode: 4 });
    } finally {
      await import('node:fs').then((fs) => fs.rmSync(`${db}.lock`, { force: true }));
    }
  });
});

describe('the run lock, from the CLI', () => {
  it('is the database\'s real path: a run through a symlinked alias is refused, names the holder (strata train) and clears no staging folder', () => {
    const root = temporaryFolder('strata-lock-alias-');
    const out = join(root, 'out');
    mkdirSync(out);
    const db = join(out, 'strata.duckdb');
    writeFileSync(db, '');
    symlinkSync(out, join(root, 'alias'));
    const staging = join(out, `.${asOf}.20261123T023000Z-live00.partial`);
    mkdirSync(staging);
    const bytes = liveLock(db, 'strata train', '20261123T013000Z-def456');
    const run = runCli(['run', '--inbox', sampleInbox, '--out', join(root, 'alias'), '--db', join(root, 'alias', 'strata.duckdb')]);
    expect(run.status).toBe(4);
    expect(run.stderr).toBe(
      `strata: the database ${join(root, 'alias', 'strata.duckdb')} is in use by strata train 20261123T013000Z-def456 (pid ${process.pid} on ${hostname()}, started 2026-11-23T02:30:00.000Z); wait for it to finish, or stop that process\n`,
    );
    expect(existsSync(staging)).toBe(true);
    expect(readFileSync(`${db}.lock`, 'utf8')).toBe(bytes);
    expect(readdirSync(root).sort()).toEqual(['alias', 'out']);
    expect(readdirSync(out).sort()).toEqual([`.${asOf}.20261123T023000Z-live00.partial`, 'strata.duckdb', 'strata.duckdb.lock']);
  });

  it('held from another host: run and a plain unlock refuse by name (exit 4); unlock --force-foreign-host clears it, logged', () => {
    const out = temporaryFolder('strata-lock-foreign-');
    const db = join(out, 'strata.duckdb');
    writeFileSync(db, '');
    const bytes = liveLock(db, 'strata run', '20261123T023000Z-remote', 'strata-02');
    const refusal = `strata: the database ${db} is locked from another host: strata run 20261123T023000Z-remote (pid ${process.pid} on strata-02, started 2026-11-23T02:30:00.000Z); ` +
      `this machine cannot see whether it still runs: if it has stopped, clear the lock with strata unlock --db ${db} --force-foreign-host\n`;

    const run = runCli(['run', '--inbox', sampleInbox, '--out', out]);
    expect(run.status).toBe(4);
    expect(run.stderr).toBe(refusal);
    const unlock = runCli(['unlock', '--db', db]);
    expect(unlock.status).toBe(4);
    expect(unlock.stderr).toBe(refusal);
    expect(readFileSync(`${db}.lock`, 'utf8')).toBe(bytes);

    const forced = runCli(['unlock', '--db', db, '--force-foreign-host', '--log-format', 'json']);
    expect(forced.stderr).toBe('');
    expect(forced.status).toBe(0);
    const event = JSON.parse(forced.stdout.trim());
    expect(event).toMatchObject({
      level: 'warn', event: 'lock_cleared', lock: `${db}.lock`, cleared_by_host: hostname(),
      holder: { host: 'strata-02', run_id: '20261123T023000Z-remote', kind: 'strata run', started_at: '2026-11-23T02:30:00.000Z' },
      message: `cleared the lock of strata run 20261123T023000Z-remote (pid ${process.pid} on strata-02, started 2026-11-23T02:30:00.000Z), held from another host, strata-02, cleared with --force-foreign-host`,
    });
    expect(existsSync(`${db}.lock`)).toBe(false);
    expect(runCli(['unlock', '--db', db, '--log-format', 'text']).stderr).toMatch(/no lock on .*; nothing to clear\n$/);
  });
});
