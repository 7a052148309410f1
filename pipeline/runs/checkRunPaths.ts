// Checked before a run (or a schedule) creates, writes or deletes anything: the inbox is a folder, and
// neither the outputs nor the database is the inbox, lies inside it or holds it, nor is DuckDB's spill folder
// the inbox or inside it
// (data-contract.md §1). Paths are compared by where they really point, so a symlinked alias is caught.
import { statSync } from 'node:fs';
import type { RunConfig } from '../config.ts';
import { UsageError } from '../../core/errors.ts';
import { pathRelation, resolveRealPath } from './resolveRealPath.ts';

export function checkRunPaths(config: Pick<RunConfig, 'inbox' | 'out' | 'db' | 'tempDirectory'>): void {
  let inboxIsFolder: boolean;
  try {
    inboxIsFolder = statSync(config.inbox).isDirectory();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new UsageError(`the inbox ${config.inbox} is not a folder: nothing is there; check --inbox`);
    throw new UsageError(`the inbox ${config.inbox} cannot be read (${code ?? 'error'}): check --inbox and its permissions`);
  }
  if (!inboxIsFolder) throw new UsageError(`the inbox ${config.inbox} is not a folder: it is a file; check --inbox`);

  const inbox = resolveRealPath(config.inbox);
  const others: [flag: string, path: string | undefined, what: string][] = [
    ['--out', config.out, 'the outputs'],
    ['--db', config.db, 'the database'],
    ['--temp-directory', config.tempDirectory, "DuckDB's spill files"],
  ];
  for (const [flag, path, what] of others) {
    if (path === undefined) continue;
    const relation = pathRelation(resolveRealPath(path), inbox);
    // A spill folder that merely holds the inbox (say /tmp) mixes nothing: DuckDB writes only its own files there.
    if (relation === null || (relation === 'holds' && flag === '--temp-directory')) continue;
    const where = relation === 'same' ? 'is the inbox' : relation === 'inside' ? 'is inside the inbox' : 'holds the inbox';
    throw new UsageError(`${flag} ${path} ${where} ${config.inbox}: ${what} would be mixed with the extracts; choose a ${flag} outside the inbox (nothing was written)`);
  }

  let dbStat: ReturnType<typeof statSync> | undefined;
  try {
    dbStat = statSync(config.db);
  } catch {
    dbStat = undefined; // Missing (a first run creates it) or unreachable (the run says why when it opens it).
  }
  if (dbStat !== undefined && !dbStat.isFile()) throw new UsageError(`--db ${config.db} is not a file: give the path of the DuckDB database file`);
}
