// Opens the database for a run or a training that already holds the run lock. A reader (`strata status`,
// the scheduler's look for new extracts, an analyst's read-only DuckDB session) may have it open for a
// moment, and DuckDB then refuses a writer: the run waits for it, for a bounded and logged time, rather
// than fail the night. Another writer is refused at once. Once open, the lock is checked to be still this
// run's before anything else is done.
import { setTimeout as sleep } from 'node:timers/promises';
import { Database, DatabaseInUseError, type DatabaseSettings } from '../../core/db/Database.ts';
import { ExitCode, StrataError } from '../../core/errors.ts';
import type { RunLock } from './RunLock.ts';

export interface OpenWaitOptions {
  /** How long to wait for readers to close the database before giving up with exit 4. */
  maxWaitMs: number;
  /** Told once when the run starts waiting, and once when it opens after waiting. */
  onWait?: (event: 'database_busy' | 'database_opened', message: string, fields: { holder_pid: number | null; waited_ms: number }) => void;
  retryEveryMs?: number;
}

export async function openLockedDatabase(lock: RunLock, settings: DatabaseSettings, options: OpenWaitOptions): Promise<Database> {
  const started = performance.now();
  const retryEveryMs = options.retryEveryMs ?? 200;
  let waitingFor: number | null | undefined;
  let db: Database;
  for (;;) {
    try {
      db = await Database.open(settings);
      break;
    } catch (error) {
      if (!(error instanceof DatabaseInUseError)) throw error;
      // Only readers are waited for. A process with the database open for writing is not a Strata run (the
      // lock says none is), so it is refused at once; a read-only open succeeds only when no writer has it.
      if (await heldByWriter(settings.path)) throw error;
      const waited = Math.round(performance.now() - started);
      if (waited >= options.maxWaitMs) {
        throw new StrataError(
          `the database ${settings.path} stayed open in another process${error.holderPid !== null ? ` (pid ${error.holderPid})` : ''} for ${Math.round(waited / 1000)} s ` +
            `while this run held its lock: close that process (a DuckDB session, say) and run again, or raise databaseBusyWaitSeconds`,
          ExitCode.databaseLocked,
          { cause: error },
        );
      }
      if (waitingFor === undefined) {
        options.onWait?.(
          'database_busy',
          `the database ${settings.path} is open in another process${error.holderPid !== null ? ` (pid ${error.holderPid})` : ''}, ` +
            `a reader such as strata status; waiting up to ${Math.round(options.maxWaitMs / 1000)} s for it to close`,
          { holder_pid: error.holderPid, waited_ms: waited },
        );
      }
      waitingFor = error.holderPid;
      await sleep(Math.min(retryEveryMs, Math.max(1, options.maxWaitMs - waited)));
    }
  }
  const waited = Math.round(performance.now() - started);
  if (waitingFor !== undefined) {
    options.onWait?.('database_opened', `the database ${settings.path} opened after waiting ${(waited / 1000).toFixed(1)} s for another process to close it`, {
      holder_pid: waitingFor, waited_ms: waited,
    });
  }
  if (!lock.stillHeld()) {
    db.close();
    throw new StrataError(
      `the lock ${lock.path} was removed or replaced by another process while this run opened the database; nothing was changed: run again`,
      ExitCode.databaseLocked,
    );
  }
  return db;
}

/** Whether the database is open for writing in another process: then even a read-only open is refused. */
async function heldByWriter(path: string): Promise<boolean> {
  try {
    (await Database.open({ path, readOnly: true })).close();
    return false;
  } catch (error) {
    if (error instanceof DatabaseInUseError) return true;
    throw error;
  }
}
