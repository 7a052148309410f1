// One run per database. The lock is a file beside the database's real path, <db>.lock, naming its holder
// (command, pid, host, start time, run id), so the same database reached through a symlink or another
// path is the same lock. A second run reads it and exits 4 saying who holds it; a lock whose process has
// died on this host is taken over atomically, so a crash never needs a person to clear it. A lock held
// from another host is never taken: `strata unlock --force-foreign-host` clears it, on purpose and logged.
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fstatSync, linkSync, openSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { ExitCode, StrataError } from '../../core/errors.ts';
import { stringifyMasked } from '../../core/privacy/maskDirectIdentifiers.ts';
import { resolveRealPath } from './resolveRealPath.ts';

/** The command holding the lock, as the refusal names it. */
export type LockKind = 'strata run' | 'strata train';

export interface LockHolder {
  pid: number;
  host: string;
  /** The holder process's start time in clock ticks since boot (Linux), to tell a reused pid apart. */
  process_start: string | null;
  started_at: string;
  run_id: string;
  kind: string;
  /** The command line as typed (masked). */
  command: string;
}

/** A lock file as read: its holder and the identity of the very file (inode and bytes). */
interface LockFile {
  holder: LockHolder | 'unreadable';
  dev: number;
  ino: number;
  bytes: string;
}

export interface AcquireOptions {
  kind?: LockKind;
  /** For tests: called after a holder is judged dead and before its lock is taken over. */
  beforeTakeover?: () => void;
}

export class RunLock {
  private released = false;

  private constructor(
    readonly path: string,
    readonly holder: LockHolder,
    /** The dead holder whose lock this one replaced, if any. */
    readonly tookOverFrom: LockHolder | null,
    private readonly identity: { dev: number; ino: number; bytes: string },
  ) {}

  /** `<real path of the database>.lock`: symlinks resolved, so every path to one database gives one lock. */
  static lockPathFor(databasePath: string): string {
    return `${resolveRealPath(databasePath)}.lock`;
  }

  /**
   * Takes the lock for `databasePath`, or throws a StrataError with exit code 4 naming the live holder.
   * The lock file appears whole or not at all: it is written under a private name and hard-linked into
   * place, and link() fails if the lock already exists. A dead holder's lock is removed only by the one
   * process that wins its takeover guard, and only if it is still that very file (see takeOver).
   */
  static acquire(databasePath: string, runId: string, command: string, now = new Date(), options: AcquireOptions = {}): RunLock {
    const path = RunLock.lockPathFor(databasePath);
    const holder: LockHolder = {
      pid: process.pid,
      host: hostname(),
      process_start: processStartTicks(process.pid),
      started_at: now.toISOString(),
      run_id: runId,
      kind: options.kind ?? 'strata run',
      command,
    };
    // The command line names paths, which may hold an NHS number like any text Strata writes.
    const bytes = `${stringifyMasked(holder)}\n`;
    // Written before the lock is read, so its inode can never be one a removed lock had.
    const candidate = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.new`;
    writeFileSync(candidate, bytes, { mode: 0o640, flag: 'wx' });
    try {
      const { dev, ino } = statSync(candidate);
      let tookOverFrom: LockHolder | null = null;
      for (let attempt = 0; attempt < 5; attempt++) {
        try {
          linkSync(candidate, path);
          return new RunLock(path, holder, tookOverFrom, { dev, ino, bytes });
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        }
        const current = readLockFile(path);
        if (current === 'gone') continue;
        if (current.holder !== 'unreadable') {
          if (current.holder.host !== hostname()) throw foreignHostRefusal(databasePath, current.holder);
          if (isAlive(current.holder)) throw inUseRefusal(databasePath, current.holder);
        }
        options.beforeTakeover?.();
        // Dead (or not a lock file we can read): remove that very file, then try the link again. Another
        // process may win the guard and remove it instead; either way, a lock linked next follows that holder.
        takeOver(path, current);
        if (current.holder !== 'unreadable') tookOverFrom = current.holder;
      }
      throw new StrataError(`could not take the lock ${path}: other processes keep taking it; try again`, ExitCode.databaseLocked);
    } finally {
      rmSync(candidate, { force: true });
    }
  }

  /** The live holder of the lock for `databasePath`, if any: for saying who holds the database. */
  static liveHolder(databasePath: string): LockHolder | null {
    const current = readLockFile(RunLock.lockPathFor(databasePath));
    if (current === 'gone' || current.holder === 'unreadable') return null;
    return current.holder.host !== hostname() || isAlive(current.holder) ? current.holder : null;
  }

  /**
   * Removes a lock on purpose (`strata unlock`). A lock held by a live process on this host is refused;
   * one held from another host only with `forceForeignHost`. Returns the holder removed, or null when
   * there was no lock.
   */
  static clear(databasePath: string, forceForeignHost: boolean): LockHolder | 'unreadable' | null {
    const path = RunLock.lockPathFor(databasePath);
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = readLockFile(path);
      if (current === 'gone') return null;
      if (current.holder !== 'unreadable') {
        if (current.holder.host !== hostname()) {
          if (!forceForeignHost) throw foreignHostRefusal(databasePath, current.holder);
        } else if (isAlive(current.holder)) {
          throw inUseRefusal(databasePath, current.holder);
        }
      }
      if (takeOver(path, current)) return current.holder;
    }
    throw new StrataError(`could not clear the lock ${path}: it keeps changing; try again`, ExitCode.databaseLocked);
  }

  /** Whether the lock file is still this one (same inode, same bytes): checked once the database is open. */
  stillHeld(): boolean {
    const current = readLockFile(this.path);
    return current !== 'gone' && sameFile(current, this.identity);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    // Never remove a lock that is no longer this very file (cleared on purpose, say, and taken by another).
    if (this.stillHeld()) rmSync(this.path, { force: true });
  }
}

function inUseRefusal(databasePath: string, holder: LockHolder): StrataError {
  return new StrataError(
    `the database ${databasePath} is in use by ${holder.kind} ${holder.run_id} (pid ${holder.pid} on ${holder.host}, started ${holder.started_at}); ` +
      'wait for it to finish, or stop that process',
    ExitCode.databaseLocked,
  );
}

function foreignHostRefusal(databasePath: string, holder: LockHolder): StrataError {
  return new StrataError(
    `the database ${databasePath} is locked from another host: ${holder.kind} ${holder.run_id} (pid ${holder.pid} on ${holder.host}, started ${holder.started_at}); ` +
      `this machine cannot see whether it still runs: if it has stopped, clear the lock with strata unlock --db ${databasePath} --force-foreign-host`,
    ExitCode.databaseLocked,
  );
}

/**
 * Removes the lock file `seen` (a dead holder's), atomically with respect to every other process doing the
 * same. Each would-be taker must first create a guard file named after that very lock file, with link()
 * (which fails if it exists), so exactly one process removes it; and it removes it only if the lock is still
 * that file (same inode, same bytes), so a lock taken meanwhile by a live run is never touched. A guard left
 * by a taker that died holding it is skipped by trying the next generation of guard name.
 * Returns whether this process removed `seen`.
 */
function takeOver(path: string, seen: LockFile): boolean {
  const tag = createHash('sha256').update(`${seen.dev}:${seen.ino}:${seen.bytes}`).digest('hex').slice(0, 16);
  const guardBytes = `${JSON.stringify({ pid: process.pid, host: hostname(), process_start: processStartTicks(process.pid) })}\n`;
  const guardCandidate = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.guard`;
  writeFileSync(guardCandidate, guardBytes, { mode: 0o640, flag: 'wx' });
  try {
    for (let generation = 0; generation < 100; generation++) {
      const guard = `${path}.takeover-${tag}-${generation}`;
      try {
        linkSync(guardCandidate, guard);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const other = readLockFile(guard);
        // Another live process is taking over this very lock (or has just done so): leave it to that one.
        if (other === 'gone' || (other.holder !== 'unreadable' && isAlive(other.holder))) return false;
        continue; // That taker died holding the guard: the next generation decides.
      }
      try {
        const current = readLockFile(path);
        if (current === 'gone' || !sameFile(current, seen)) return false;
        unlinkSync(path);
        return true;
      } finally {
        rmSync(guard, { force: true });
      }
    }
    return false;
  } finally {
    rmSync(guardCandidate, { force: true });
  }
}

function sameFile(a: { dev: number; ino: number; bytes: string }, b: { dev: number; ino: number; bytes: string }): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.bytes === b.bytes;
}

/** Reads a lock (or guard) file through one descriptor, so its bytes and its inode belong to the same file. */
function readLockFile(path: string): LockFile | 'gone' {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw error;
  }
  try {
    const { dev, ino } = fstatSync(fd);
    const bytes = readFileSync(fd, 'utf8');
    return { holder: parseHolder(bytes), dev, ino, bytes };
  } finally {
    closeSync(fd);
  }
}

function parseHolder(text: string): LockHolder | 'unreadable' {
  let parsed: Partial<LockHolder>;
  try {
    parsed = JSON.parse(text) as Partial<LockHolder>;
  } catch {
    return 'unreadable'; // Not JSON: not a lock Strata wrote whole.
  }
  if (typeof parsed !== 'object' || parsed === null || typeof parsed.pid !== 'number' || typeof parsed.host !== 'string') return 'unreadable';
  const command = String(parsed.command ?? 'unknown');
  return {
    pid: parsed.pid,
    host: parsed.host,
    process_start: parsed.process_start ?? null,
    started_at: String(parsed.started_at ?? 'unknown'),
    run_id: String(parsed.run_id ?? 'unknown'),
    // Locks written before `kind` existed: a train's command line has the word train in it.
    kind: typeof parsed.kind === 'string' ? parsed.kind : /(^|\s)train(\s|$)/.test(command) ? 'strata train' : 'strata run',
    command,
  };
}

/**
 * Whether a holder on this host still runs. The caller deals with other hosts: this machine cannot see
 * their processes, and taking their lock could corrupt the database.
 */
function isAlive(holder: Pick<LockHolder, 'pid' | 'host' | 'process_start'>): boolean {
  if (holder.host !== hostname()) return true;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // The pid runs, but after a reboot or a long time it may belong to another program.
  const start = processStartTicks(holder.pid);
  return holder.process_start === null || start === null || start === holder.process_start;
}

/** Field 22 of /proc/<pid>/stat: the process's start time since boot. Null where /proc is missing. */
function processStartTicks(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces; count fields after it.
    const afterName = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return afterName[19] ?? null;
  } catch {
    return null;
  }
}
