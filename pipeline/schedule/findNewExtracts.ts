// The scheduler's question before each tick: would a run have any extract folder to load (or refuse)?
// Asks the database read-only and never creates it, so a tick with nothing new changes nothing.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Database } from '../../core/db/Database.ts';
import { ExitCode, StrataError } from '../../core/errors.ts';
import { RunLock } from '../runs/RunLock.ts';
import { listExtractFolders, pendingExtracts } from '../ingest/loadInbox.ts';

export async function findNewExtracts(inbox: string, databasePath: string): Promise<string[]> {
  // No database yet: nothing has been loaded, so every extract folder is new.
  if (!existsSync(databasePath)) return listExtractFolders(inbox).folders;
  // A run or a training holds the database: never become the reader it has to wait for. Ask at the next tick.
  const holder = RunLock.liveHolder(databasePath);
  if (holder !== null) {
    throw new StrataError(
      `${holder.kind} ${holder.run_id} (pid ${holder.pid} on ${holder.host}, started ${holder.started_at}) holds the database ${databasePath}`,
      ExitCode.databaseLocked,
    );
  }
  const db = await Database.open({ path: databasePath, readOnly: true });
  try {
    // A database whose first run died before creating the tables has loaded nothing either.
    const hasExtracts = await db.value<boolean>(
      `SELECT count(*) > 0 FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = 'extracts'`,
    );
    return hasExtracts ? await pendingExtracts(db, inbox) : listExtractFolders(inbox).folders;
  } finally {
    db.close();
  }
}

/**
 * What the given extract folders hold (names, sizes and modification times), so the scheduler can tell
 * a folder re-sent after a rejection from one left as it was.
 */
export function fingerprintExtracts(inbox: string, extractDates: string[]): string {
  return JSON.stringify(
    [...extractDates].sort().map((date) => {
      const folder = join(inbox, date);
      if (!existsSync(folder)) return [date, null];
      return [date, readdirSync(folder).sort().map((name) => {
        const stat = statSync(join(folder, name));
        return [name, stat.size, stat.mtimeMs];
      })];
    }),
  );
}
