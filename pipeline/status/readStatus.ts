// What `strata status` reports: the database's own record of runs, extracts loaded, models and
// quarantined rows. Opens the database read-only, so asking never changes anything.
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { Database, DatabaseInUseError } from '../../core/db/Database.ts';
import { ExitCode, StrataError, UsageError } from '../../core/errors.ts';
import { maskDirectIdentifiers } from '../../core/privacy/maskDirectIdentifiers.ts';
import { type LockHolder, RunLock } from '../runs/RunLock.ts';

export interface RunStatus {
  run_id: string;
  /** UTC, ISO 8601. */
  started_at: string;
  /** UTC, ISO 8601; null while running, and for a run that was killed. */
  finished_at: string | null;
  duration_ms: number | null;
  /** As recorded: running, succeeded, extract_rejected, failed, or abandoned (marked so by the next run after a crash). */
  status: string;
  as_of: string | null;
  /** Why a failed run failed. */
  message: string | null;
  /** Recorded as running, but no process holds the database: the run was killed or crashed. */
  interrupted: boolean;
}

export interface ExtractStatus {
  extract_date: string;
  /** UTC, ISO 8601. */
  loaded_at: string;
  run_id: string;
  files: number;
  rows_read: number;
  rows_loaded: number;
  rows_quarantined: number;
}

export interface ModelStatus {
  target: string;
  model_version: string;
  fitted_for_as_of: string;
  training_rows: number | null;
  training_events: number | null;
  validation_auroc: number | null;
  /** The newest model for its target: the one the next run reuses while it is young enough. */
  newest_for_target: boolean;
}

export interface QuarantineStatus {
  extract_date: string;
  reason: string;
  rows: number;
  files: string[];
}

export interface StrataStatus {
  database: string;
  runs_total: number;
  /** The newest runs first, at most the number asked for. */
  runs: RunStatus[];
  /** Every extract loaded, newest first. */
  extracts: ExtractStatus[];
  models: ModelStatus[];
  rows_quarantined: number;
  /** Quarantined rows per extract and reason, newest extract first. */
  quarantine: QuarantineStatus[];
}

const iso = (column: string) => `strftime(${column}, '%Y-%m-%dT%H:%M:%SZ')`;

const runsSql = `
  SELECT run_id, ${iso('started_at')} AS started_at, ${iso('finished_at')} AS finished_at,
         (epoch_ms(finished_at) - epoch_ms(started_at))::DOUBLE AS duration_ms,
         status, strftime(as_of, '%Y-%m-%d') AS as_of, message
  FROM runs
  ORDER BY runs.started_at DESC, run_id DESC
  LIMIT $limit`;

const extractsSql = `
  WITH file_totals AS (
    SELECT extract_date, count(*) AS files, sum(rows_read) AS rows_read,
           sum(rows_loaded) AS rows_loaded, sum(rows_quarantined) AS rows_quarantined
    FROM extract_files
    GROUP BY extract_date
  )
  SELECT strftime(e.extract_date, '%Y-%m-%d') AS extract_date, ${iso('e.loaded_at')} AS loaded_at, e.run_id,
         coalesce(f.files, 0)::DOUBLE AS files, coalesce(f.rows_read, 0)::DOUBLE AS rows_read,
         coalesce(f.rows_loaded, 0)::DOUBLE AS rows_loaded, coalesce(f.rows_quarantined, 0)::DOUBLE AS rows_quarantined
  FROM extracts AS e
  LEFT JOIN file_totals AS f USING (extract_date)
  ORDER BY e.extract_date DESC`;

const modelsSql = `
  SELECT target, model_version, strftime(fitted_for_as_of, '%Y-%m-%d') AS fitted_for_as_of,
         try_cast(json_extract(card_json, '$.training.training_rows') AS DOUBLE) AS training_rows,
         try_cast(json_extract(card_json, '$.training.training_events') AS DOUBLE) AS training_events,
         try_cast(json_extract(card_json, '$.validation.metrics.auroc') AS DOUBLE) AS validation_auroc,
         row_number() OVER (PARTITION BY target ORDER BY fitted_for_as_of DESC, model_version DESC) = 1 AS newest_for_target
  FROM models
  ORDER BY target, models.fitted_for_as_of DESC, model_version DESC`;

const quarantineSql = `
  SELECT strftime(extract_date, '%Y-%m-%d') AS extract_date, reason, count(*)::DOUBLE AS rows,
         list(DISTINCT file_name ORDER BY file_name) AS files
  FROM quarantine
  GROUP BY extract_date, reason
  ORDER BY quarantine.extract_date DESC, rows DESC, reason`;

const strataTables = ['runs', 'extracts', 'extract_files', 'models', 'quarantine'];

export async function readStatus(path: string, options: { runs: number }): Promise<StrataStatus> {
  // Checked first so the message is plain; DuckDB in read-only mode would also refuse, never create.
  if (!existsSync(path)) throw new UsageError(`no database at ${path}: check --db (a run creates <out>/strata.duckdb unless given --db)`);
  if (!statSync(path).isFile()) throw new UsageError(`--db ${path} is a folder, not a database file`);
  if (!hasDuckDBHeader(path)) throw new UsageError(`${path} is not a DuckDB database file: check --db (a run creates <out>/strata.duckdb unless given --db)`);

  // While a run or a training holds the lock the database is theirs: status names the holder from the lock
  // file and never opens the database, so it is never the reader a starting run has to wait for.
  const holder = RunLock.liveHolder(path);
  if (holder !== null) throw runInProgress(path, holder);
  let db: Database;
  try {
    db = await Database.open({ path, readOnly: true });
  } catch (error) {
    // A run that took the lock in the instant since: say which. Otherwise another program holds it.
    const taker = error instanceof DatabaseInUseError ? RunLock.liveHolder(path) : null;
    if (taker === null) throw error;
    throw runInProgress(path, taker, error);
  }
  try {
    const present = await db.rowsJson<{ table_name: string }>(`SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'`);
    const missing = strataTables.filter((t) => !present.some((p) => p.table_name === t));
    if (missing.length > 0) {
      throw new UsageError(`${path} is not a Strata database (it has no ${missing.join(', ')} table${missing.length > 1 ? 's' : ''}); check --db`);
    }

    const runsTotal = Number(await db.value<bigint>('SELECT count(*) FROM runs'));
    const runs = (await db.rowsJson<Omit<RunStatus, 'interrupted'>>(runsSql, { limit: options.runs })).map((run) => ({
      ...run,
      // Runs record their messages masked; a message recorded before they did is masked as it is read.
      message: run.message === null ? null : maskDirectIdentifiers(run.message),
      // We hold a read lock, so no process holds the write lock a live run keeps for its whole length.
      interrupted: run.status === 'running',
    }));
    const extracts = await db.rowsJson<ExtractStatus>(extractsSql);
    const models = await db.rowsJson<ModelStatus>(modelsSql);
    const quarantine = await db.rowsJson<QuarantineStatus>(quarantineSql);
    return {
      database: path,
      runs_total: runsTotal,
      runs,
      extracts,
      models,
      rows_quarantined: quarantine.reduce((sum, q) => sum + q.rows, 0),
      quarantine,
    };
  } finally {
    db.close();
  }
}

function runInProgress(path: string, holder: LockHolder, cause?: unknown): StrataError {
  return new StrataError(
    `a run is in progress on ${path}: ${holder.kind} ${holder.run_id} (pid ${holder.pid} on ${holder.host}, started ${holder.started_at}); ` +
      'the status can be read when it finishes',
    ExitCode.databaseLocked,
    { cause },
  );
}

/** A DuckDB database file starts with an 8-byte checksum and then the magic bytes DUCK. */
function hasDuckDBHeader(path: string): boolean {
  const header = Buffer.alloc(12);
  const fd = openSync(path, 'r');
  try {
    return readSync(fd, header, 0, 12, 0) === 12 && header.subarray(8, 12).toString('latin1') === 'DUCK';
  } finally {
    closeSync(fd);
  }
}
