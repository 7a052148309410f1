// Taking over a dead run's lock is atomic (issue 13 §4): of several processes that find the same dead lock,
// exactly one takes it and none removes another's; the lock is keyed by the database's real path; a lock from
// another host is never taken, only cleared on purpose.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Database } from '../../core/db/Database.ts';
import { ExitCode, StrataError } from '../../core/errors.ts';
import { openLockedDatabase } from '../../pipeline/runs/openLockedDatabase.ts';
import { RunLock } from '../../pipeline/runs/RunLock.ts';
import { repoRoot } from '../helpers/runCli.ts';
import { temporaryFolder } from '../helpers/testDatabase.ts';

/** The pid of a process that has already exited (and so cannot hold anything). */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid!;
}

function writeDeadLock(db: string, runId = 'run-killed'): void {
  writeFileSync(`${db}.lock`, `${JSON.stringify({ pid: deadPid(), host: hostname(), process_start: null, started_at: '2026-11-22T02:30:00.000Z', run_id: runId, kind: 'strata run', command: 'strata run' })}\n`);
}

function errorOf(work: () => unknown): StrataError {
  try {
    work();
  } catch (error) {
    return error as StrataError;
  }
  throw new Error('expected an error');
}

describe('taking over a dead run\'s lock', () => {
  it('is atomic: a run that judged the lock dead, when another took it over meanwhile, refuses instead of removing the new lock', () => {
    const db = join(temporaryFolder(), 'strata.duckdb');
    writeDeadLock(db);
    let other: RunLock | null = null;
    // Between judging the holder dead and taking over, another run takes the dead lock over (the race
    // after a crash, when two runs start at once).
    const refused = errorOf(() =>
      RunLock.acquire(db, 'run-a', 'strata run', new Date(), {
        beforeTakeover: () => {
          other ??= RunLock.acquire(db, 'run-b', 'strata run', new Date('2026-11-23T02:30:00Z'));
        },
      }),
    );
    expect(refused).toBeInstanceOf(StrataError);
    expect(refused.exitCode).toBe(ExitCode.databaseLocked);
    expect(refused.message).toBe(
      `the database ${db} is in use by strata run run-b (pid ${process.pid} on ${hostname()}, started 2026-11-23T02:30:00.000Z); wait for it to finish, or stop that process`,
    );
    // The other run's lock is whole and still its own.
    expect(JSON.parse(readFileSync(`${db}.lock`, 'utf8')).run_id).toBe('run-b');
    expect(other!.stillHeld()).toBe(true);
    other!.release();
    expect(existsSync(`${db}.lock`)).toBe(false);
    // No guard or candidate file is left beside the database.
    expect(readdirSync(join(db, '..'))).toEqual([]);
  });

  it('of eight processes that find the same dead lock at the same moment, exactly one takes it, and keeps it to the end', async () => {
    const folder = temporaryFolder();
    const db = join(folder, 'strata.duckdb');
    writeDeadLock(db);
    const startAt = Date.now() + 1500;
    const script = `
      import { existsSync, readFileSync } from 'node:fs';
      import { RunLock } from ${JSON.stringify(join(repoRoot, 'pipeline', 'runs', 'RunLock.ts'))};
      while (Date.now() < ${startAt}) {}
      let lock;
      try {
        lock = RunLock.acquire(${JSON.stringify(db)}, 'run-' + process.pid, 'strata run');
      } catch (error) {
        console.log(JSON.stringify({ acquired: false, exitCode: error.exitCode, message: error.message }));
        process.exit(0);
      }
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const lockFile = ${JSON.stringify(`${db}.lock`)};
      const stillHeld = existsSync(lockFile) && JSON.parse(readFileSync(lockFile, 'utf8')).run_id === 'run-' + process.pid;
      console.log(JSON.stringify({ acquired: true, tookOverFrom: lock.tookOverFrom?.run_id ?? null, stillHeld }));
      lock.release();
    `;
    const children = Array.from({ length: 8 }, () =>
      new Promise<Record<string, unknown>>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
        child.on('error', reject);
        child.on('exit', (code) => (out.trim() === '' ? reject(new Error(`a child exited ${code} without a result`)) : resolve(JSON.parse(out))));
      }),
    );
    const results = await Promise.all(children);
    const winners = results.filter((r) => r['acquired']);
    expect(winners).toHaveLength(1);
    expect(winners[0]).toMatchObject({ stillHeld: true });
    // The winner followed the dead lock: it saw it (tookOverFrom), or linked into the gap the moment another
    // process removed it, having never read it (null). Which one wins is the scheduler's choice.
    expect(['run-killed', null]).toContain(winners[0]!['tookOverFrom']);
    for (const loser of results.filter((r) => !r['acquired'])) {
      expect(loser['exitCode']).toBe(ExitCode.databaseLocked);
      expect(loser['message']).toMatch(/is in use by strata run run-\d+ \(pid \d+ on /);
    }
    expect(readdirSync(folder)).toEqual([]);
  }, 60_000);

  it('skips a takeover guard left by a taker that died holding it, so the dead lock is still taken over', () => {
    const folder = temporaryFolder();
    const db = join(folder, 'strata.duckdb');
    writeDeadLock(db);
    // The guard a taker creates is named after the very lock file it takes over (its device, inode and bytes).
    const { dev, ino } = statSync(`${db}.lock`);
    const tag = createHash('sha256').update(`${dev}:${ino}:${readFileSync(`${db}.lock`, 'utf8')}`).digest('hex').slice(0, 16);
    writeFileSync(`${db}.lock.takeover-${tag}-0`, `${JSON.stringify({ pid: deadPid(), host: hostname(), process_start: null })}\n`);
    const lock = RunLock.acquire(db, 'run-new', 'strata run');
    expect(lock.tookOverFrom?.run_id).toBe('run-killed');
    lock.release();
  });
});

describe('once the database is open, the run checks the lock is still its own', () => {
  it('a lock replaced while the run opened the database: exit 4, the database closed again, the other lock left alone', async () => {
    const db = join(temporaryFolder(), 'strata.duckdb');
    const lock = RunLock.acquire(db, 'run-a', 'strata run');
    // Say someone cleared the lock (strata unlock) and another run took it in that moment.
    rmSync(`${db}.lock`);
    const other = RunLock.acquire(db, 'run-b', 'strata run');
    const opening = openLockedDatabase(lock, { path: db }, { maxWaitMs: 0 });
    await expect(opening).rejects.toThrow(`the lock ${db}.lock was removed or replaced by another process while this run opened the database; nothing was changed: run again`);
    await expect(opening).rejects.toMatchObject({ exitCode: ExitCode.databaseLocked });
    lock.release();
    expect(other.stillHeld()).toBe(true);
    // And it can be opened for writing again.
    (await Database.open({ path: db })).close();
    other.release();
  });
});

describe('the lock is keyed by the database\'s real path', () => {
  it('the same database through a symlinked folder, a symlink to the file, or a path with .. is the same lock', () => {
    const root = temporaryFolder();
    mkdirSync(join(root, 'data'));
    const db = join(root, 'data', 'strata.duckdb');
    writeFileSync(db, '');
    symlinkSync(join(root, 'data'), join(root, 'alias'));
    symlinkSync(db, join(root, 'link.duckdb'));
    const lock = RunLock.acquire(db, 'run-a', 'strata run', new Date('2026-11-23T02:30:00Z'));
    try {
      for (const other of [join(root, 'alias', 'strata.duckdb'), join(root, 'link.duckdb'), `${root}/alias/../data/strata.duckdb`]) {
        expect(RunLock.lockPathFor(other)).toBe(`${db}.lock`);
        const refused = errorOf(() => RunLock.acquire(other, 'run-b', 'strata run'));
        expect(refused.exitCode).toBe(ExitCode.databaseLocked);
        expect(refused.message).toContain(`is in use by strata run run-a (pid ${process.pid}`);
      }
    } finally {
      lock.release();
    }
  });
});

describe('the refusal names the command holding the lock', () => {
  it('strata train, with its run id, pid, host and start time; an older lock without kind by its command line', () => {
    const db = join(temporaryFolder(), 'strata.duckdb');
    const train = RunLock.acquire(db, 'train-1', 'bin/strata.js train --db x', new Date('2026-11-23T01:00:00Z'), { kind: 'strata train' });
    expect(errorOf(() => RunLock.acquire(db, 'run-b', 'strata run')).message).toBe(
      `the database ${db} is in use by strata train train-1 (pid ${process.pid} on ${hostname()}, started 2026-11-23T01:00:00.000Z); wait for it to finish, or stop that process`,
    );
    train.release();
    writeFileSync(`${db}.lock`, JSON.stringify({ pid: process.pid, host: hostname(), process_start: null, started_at: 't', run_id: 'old', command: '/opt/strata/bin/strata.js train --db x' }));
    expect(RunLock.liveHolder(db)?.kind).toBe('strata train');
  });
});

describe('a lock held from another host', () => {
  it('is never taken over: the refusal says so, names host, pid, command and start, and how to clear it', () => {
    const db = join(temporaryFolder(), 'strata.duckdb');
    const bytes = JSON.stringify({ pid: deadPid(), host: 'strata-02', process_start: null, started_at: '2026-11-23T02:30:00.000Z', run_id: 'run-remote', kind: 'strata run', command: 'strata run' });
    writeFileSync(`${db}.lock`, bytes);
    const refused = errorOf(() => RunLock.acquire(db, 'run-new', 'strata run'));
    expect(refused.exitCode).toBe(ExitCode.databaseLocked);
    expect(refused.message).toMatch(/^the database .* is locked from another host: strata run run-remote \(pid \d+ on strata-02, started 2026-11-23T02:30:00.000Z\); this machine cannot see whether it still runs: if it has stopped, clear the lock with strata unlock --db .* --force-foreign-host$/);
    expect(errorOf(() => RunLock.clear(db, false)).message).toBe(refused.message);
    expect(readFileSync(`${db}.lock`, 'utf8')).toBe(bytes);
    expect(RunLock.clear(db, true)).toMatchObject({ run_id: 'run-remote', host: 'strata-02' });
    expect(existsSync(`${db}.lock`)).toBe(false);
  });
});
