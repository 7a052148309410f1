// One run per database. The lock is a file beside the database, <db>.lock, naming its holder (pid, host,
// start time, run id). A second run reads it and exits 4 saying who holds it; a lock whose process has
// died (killed, crashed, machine rebooted) is taken over, so a crash never needs a person to clear it.
import { readFileSync, rmSync, writeFileSync, linkSync, unlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { ExitCode, StrataError } from '../errors.ts';
import { stringifyMasked } from '../privacy/maskDirectIdentifiers.ts';

export interface LockHolder {
  pid: number;
  host: string;
  /** The holder process's start time in clock ticks since boot (Linux), to tell a reused pid apart. */
  process_start: string | null;
  started_at: string;
  run_id: string;
  command: string;
}

export class RunLock {
  private released = false;

  private constructor(
    readonly path: string,
    readonly holder: LockHolder,
    /** The dead holder whose lock this one replaced, if any. */
    readonly tookOverFrom: LockHolder | null,
  ) {}

  static lockPathFor(databasePath: string): string {
    return `${databasePath}.lock`;
  }

  /**
   * Takes the lock for `databasePath`, or throws a StrataError with exit code 4 naming the live holder.
   * The lock file appears whole or not at all: it is written under a private name and hard-linked into
   * place, and link() fails if the lock already exists.
   */
  static acquire(databasePath: string, runId: string, command: string, now = new Date()): RunLock {
    const path = RunLock.lockPathFor(databasePath);
    const holder: LockHolder = {
      pid: process.pid,
      host: hostname(),
      process_start: processStartTicks(process.pid),
      started_at: now.toISOString(),
      run_id: runId,
      command,
    };
    let tookOverFrom: LockHolder | null = null;
    for (let attempt = 0; attempt < 3; attempt++) {
      const candidate = `${path}.${process.pid}.${attempt}.new`;
      // The command line names paths, which may hold an NHS number like any text Strata writes.
      writeFileSync(candidate, `${stringifyMasked(holder)}\n`, { mode: 0o640 });
      try {
        linkSync(candidate, path);
        return new RunLock(path, holder, tookOverFrom);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      } finally {
        rmSync(candidate, { force: true });
      }
      const current = readHolder(path);
      if (current === 'gone') continue;
      if (current !== 'unreadable' && isAlive(current)) {
        throw new StrataError(
          `the database ${databasePath} is in use by strata run ${current.run_id} (pid ${current.pid} on ${current.host}, started ${current.started_at}); ` +
            'wait for it to finish, or stop that process',
          ExitCode.databaseLocked,
        );
      }
      // The holder is dead (or the file is not a lock we can read): take it over.
      if (current !== 'unreadable') tookOverFrom = current;
      rmSync(path, { force: true });
    }
    throw new StrataError(`could not take the lock ${path}: another process keeps replacing it`, ExitCode.databaseLocked);
  }

  /** The live holder of the lock for `databasePath`, if any: for saying who holds the database. */
  static liveHolder(databasePath: string): LockHolder | null {
    const current = readHolder(RunLock.lockPathFor(databasePath));
    return current !== 'gone' && current !== 'unreadable' && isAlive(current) ? current : null;
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    const current = readHolder(this.path);
    // Never remove a lock that another process has since taken over.
    if (current !== 'gone' && current !== 'unreadable' && current.pid === this.holder.pid && current.run_id === this.holder.run_id) {
      try {
        unlinkSync(this.path);
      } catch {
        // Already gone: nothing to release.
      }
    }
  }
}

function readHolder(path: string): LockHolder | 'gone' | 'unreadable' {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as Partial<LockHolder>;
    if (typeof parsed.pid !== 'number' || typeof parsed.host !== 'string') return 'unreadable';
    return {
      pid: parsed.pid,
      host: parsed.host,
      process_start: parsed.process_start ?? null,
      started_at: String(parsed.started_at ?? 'unknown'),
      run_id: String(parsed.run_id ?? 'unknown'),
      command: String(parsed.command ?? 'unknown'),
    };
  } catch {
    return 'unreadable';
  }
}

/**
 * Whether the lock's holder still runs. A holder on another host (a database on a shared disk) is taken
 * to be alive: this machine cannot see its processes, and taking its lock could corrupt the database.
 */
function isAlive(holder: LockHolder): boolean {
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
