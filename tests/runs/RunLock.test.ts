// The run lock: one run per database, the holder named to whoever is refused, and a dead holder's lock
// taken over without anyone having to delete a file.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode, StrataError } from '../../core/errors.ts';
import { RunLock } from '../../pipeline/runs/RunLock.ts';
import { temporaryFolder } from '../helpers/testDatabase.ts';

/** The pid of a process that has already exited (and so cannot hold anything). */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid!;
}

describe('RunLock', () => {
  it('writes the holder into <db>.lock and removes it on release', () => {
    const db = join(temporaryFolder(), 'strata.duckdb');
    const lock = RunLock.acquire(db, 'run-a', 'strata run --inbox in', new Date('2026-11-23T02:30:00Z'));
    const holder = JSON.parse(readFileSync(`${db}.lock`, 'utf8'));
    expect(holder).toMatchObject({ pid: process.pid, host: hostname(), run_id: 'run-a', started_at: '2026-11-23T02:30:00.000Z', command: 'strata run --inbox in' });
    expect(statSync(`${db}.lock`).mode & 0o777).toBe(0o640);
    lock.release();
    expect(existsSync(`${db}.lock`)).toBe(false);
  });

  it('refuses a second run with exit 4, naming the live holder', () => {
    const db = join(temporaryFolder(), 'strata.duckdb');
    const lock = RunLock.acquire(db, 'run-a', 'strata run', new Date('2026-11-23T02:30:00Z'));
    try {
      let refused: unknown;
      try {
        RunLock.acquire(db, 'run-b', 'strata run');
      } catch (error) {
        refused = error;
      }
      expect(refused).toBeInstanceOf(StrataError);
      expect((refused as StrataError).exitCode).toBe(ExitCode.databaseLocked);
      expect((refused as Error).message).toBe(
        `the database ${db} is in use by strata run run-a (pid ${process.pid} on ${hostname()}, started 2026-11-23T02:30:00.000Z); wait for it to finish, or stop that process`,
      );
    } finally {
      lock.release();
    }
  });

  it('takes over a lock whose process has died, and says whose it was', () => {
    const db = join(temporaryFolder(), 'strata.duckdb');
    const dead = { pid: deadPid(), host: hostname(), process_start: null, started_at: '2026-11-22T02:30:00.000Z', run_id: 'run-killed', command: 'strata run' };
    writeFileSync(`${db}.lock`, JSON.stringify(dead));
    const lock = RunLock.acquire(db, 'run-new', 'strata run');
    expect(lock.tookOverFrom).toMatchObject({ run_id: 'run-killed', pid: dead.pid });
    expect(JSON.parse(readFileSync(`${db}.lock`, 'utf8')).run_id).toBe('run-new');
    lock.release();
  });

  it('takes over a lock whose pid now belongs to another program (a reused pid)', () => {
    const db = join(temporaryFolder(), 'strata.duckdb');
    // Our own pid is alive, but this lock says it started at another time: it was another process.
    writeFileSync(`${db}.lock`, JSON.stringify({ pid: process.pid, host: hostname(), process_start: '1', started_at: 'x', run_id: 'run-old', command: 'strata run' }));
    const lock = RunLock.acquire(db, 'run-new', 'strata run');
    expect(lock.tookOverFrom?.run_id).toBe('run-old');
    lock.release();
  });

  it('takes over a lock file it cannot read (a crash while it was written)', () => {
    const db = join(temporaryFolder(), 'strata.duckdb');
    writeFileSync(`${db}.lock`, '');
    const lock = RunLock.acquire(db, 'run-new', 'strata run');
    expect(lock.tookOverFrom).toBeNull();
    lock.release();
  });

  it('never takes a lock held from another host, whose processes it cannot see', () => {
    const db = join(temporaryFolder(), 'strata.duckdb');
    writeFileSync(`${db}.lock`, JSON.stringify({ pid: deadPid(), host: 'another-host', process_start: null, started_at: 't', run_id: 'run-remote', command: 'strata run' }));
    expect(() => RunLock.acquire(db, 'run-new', 'strata run')).toThrow(/locked from another host: strata run run-remote .* on another-host/);
  });

  it('does not remove a lock another process took over after this one', () => {
    const db = join(temporaryFolder(), 'strata.duckdb');
    const lock = RunLock.acquire(db, 'run-a', 'strata run');
    writeFileSync(`${db}.lock`, JSON.stringify({ pid: process.pid, host: hostname(), process_start: null, started_at: 't', run_id: 'run-b', command: 'strata run' }));
    lock.release();
    expect(JSON.parse(readFileSync(`${db}.lock`, 'utf8')).run_id).toBe('run-b');
  });
});
