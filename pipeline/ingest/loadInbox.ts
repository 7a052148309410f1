// Finds the inbox's extract folders and loads each new one in date order, exactly once.
// A folder older than the newest loaded is refused, and so is one dated after tomorrow (a mistyped year
// would otherwise make every real folder "late" for ever); after a refused folder, later ones are held
// back, because loading them would make the refused one permanently "late".
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Database } from '../../core/db/Database.ts';
import { isIsoDate, localIsoDate as localDate } from '../../core/dates.ts';
import { ExtractRejectedError, UsageError } from '../../core/errors.ts';
import type { CopyHooks } from './copyExtractFile.ts';
import { type LoadedFile, loadExtractFolder } from './loadExtractFolder.ts';
import { checkManifest } from './verifyManifest.ts';

export interface InboxLoad {
  /** Extract dates loaded by this run, in order. */
  loaded: string[];
  files: LoadedFile[];
  /** Extract dates already loaded by an earlier run. */
  alreadyLoaded: string[];
  rejected: { extract: string; file: string | null; message: string }[];
  /** Entries of the inbox that are not extract folders. */
  ignored: string[];
}

export interface LoadInboxOptions {
  runId: string;
  now: Date;
  /** Folders dated after this are left for a later run. */
  asOf?: string;
  onExtractLoaded?: (extract: string, files: LoadedFile[]) => void;
  /** Called as each file of a folder starts loading (the folder's files, in load order). */
  onFileLoading?: (extract: string, file: string, index: number, count: number) => void;
  /** Where the working copies of the files are made (a private folder inside it); the system's by default. */
  tempDirectory?: string;
  /** For tests: called while each file is copied. */
  copyHooks?: CopyHooks;
}

/** The inbox's extract folders (sub-folders named YYYY-MM-DD) in date order, and every other entry. */
export function listExtractFolders(inbox: string): { folders: string[]; ignored: string[] } {
  if (!existsSync(inbox) || !statSync(inbox).isDirectory()) throw new UsageError(`the inbox ${inbox} is not a folder`);
  const entries = readdirSync(inbox).sort();
  const folders = entries.filter((name) => isIsoDate(name) && statSync(join(inbox, name)).isDirectory());
  return { folders, ignored: entries.filter((name) => !folders.includes(name)) };
}

/** Extract dates (YYYY-MM-DD) already loaded into the database. */
export async function loadedExtractDates(db: Database): Promise<Set<string>> {
  return new Set((await db.rowsJson<{ extract_date: string }>('SELECT extract_date FROM extracts')).map((r) => r.extract_date));
}

/**
 * The extract folders the next run would try to load or refuse: in the inbox, not loaded yet, and not
 * dated after asOf. Reads the database only, so it suits a read-only connection.
 */
export async function pendingExtracts(db: Database, inbox: string, asOf?: string): Promise<string[]> {
  const done = await loadedExtractDates(db);
  return listExtractFolders(inbox).folders.filter((date) => !done.has(date) && !(asOf && date > asOf));
}

export async function loadInbox(db: Database, inbox: string, options: LoadInboxOptions): Promise<InboxLoad> {
  const { folders, ignored } = listExtractFolders(inbox);
  const result: InboxLoad = { loaded: [], files: [], alreadyLoaded: [], rejected: [], ignored };

  const done = await loadedExtractDates(db);
  let newest = [...done].sort().at(-1);
  let blockedBy: string | null = null;
  const latestAllowed = localDate(new Date(options.now.getTime() + 24 * 60 * 60 * 1000));

  for (const extractDate of folders) {
    if (options.asOf && extractDate > options.asOf) continue;
    if (done.has(extractDate)) {
      result.alreadyLoaded.push(extractDate);
      continue;
    }
    const refuse = (error: ExtractRejectedError) =>
      result.rejected.push({ extract: extractDate, file: error.fileName, message: error.message });
    if (extractDate > latestAllowed) {
      refuse(new ExtractRejectedError(extractDate, null, `it is dated after tomorrow (${latestAllowed}) by this machine's clock; check the folder's date (a mistyped year?) or the clock`));
      continue;
    }
    if (newest !== undefined && extractDate < newest) {
      refuse(new ExtractRejectedError(extractDate, null, `it is older than the newest extract already loaded (${newest}); folders must arrive in date order`));
      continue;
    }
    if (blockedBy !== null) {
      refuse(new ExtractRejectedError(extractDate, null, `held back until the earlier extract ${blockedBy} is fixed or removed`));
      continue;
    }
    try {
      // The checksums are checked by loadExtractFolder, beside staging.
      const checked = checkManifest(join(inbox, extractDate), extractDate);
      const workFolder = makeWorkFolder(options.tempDirectory);
      const files = await loadExtractFolder(db, checked, options.runId, options.now, {
        workFolder,
        onFileLoading: (file, index, count) => options.onFileLoading?.(extractDate, file, index, count),
        ...(options.copyHooks ? { copyHooks: options.copyHooks } : {}),
      }).finally(() => rmSync(workFolder, { recursive: true, force: true }));
      result.loaded.push(extractDate);
      result.files.push(...files);
      newest = extractDate;
      options.onExtractLoaded?.(extractDate, files);
    } catch (error) {
      if (!(error instanceof ExtractRejectedError)) throw error;
      refuse(error);
      blockedBy = extractDate;
    }
  }
  return result;
}

/** YYYY-MM-DD of a moment by this machine's clock and time zone. */
/**
 * A private folder (mode 0700) for one extract folder's working copies. DuckDB reads them by path, so the path
 * must hold nothing DuckDB would read as a pattern ([, *, ?) or a home folder (~): when the configured
 * folder's path does, the system's temporary folder is used, and failing that the run stops.
 */
function makeWorkFolder(tempDirectory: string | undefined): string {
  const plain = (path: string) => !/[[\]*?~{}]/.test(path);
  const bases = [tempDirectory ? resolve(tempDirectory) : null, tmpdir()].filter((b): b is string => b !== null && plain(b));
  const base = bases[0];
  if (base === undefined) {
    throw new UsageError(`the temporary folder ${tempDirectory ?? tmpdir()} holds [, ], *, ?, ~, { or }, which DuckDB would read as a pattern; set --temp-directory to a plain path`);
  }
  mkdirSync(base, { recursive: true });
  return mkdtempSync(join(base, 'strata-extract-'));
}
