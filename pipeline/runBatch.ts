// The nightly batch, stage by stage: load the inbox, build features, train, score, write outputs.
// Holds no business logic: each stage lives in its own module and SQL files. It holds the database's
// run lock throughout, and every stage can be killed at any moment: the next run finishes the work.
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { chooseModels } from '../models/chooseModels.ts';
import { measureDrift } from '../models/measureDrift.ts';
import { estimateCarePlanEffect } from '../models/proactiveCare.ts';
import { writeModelFiles } from '../models/modelRegistry.ts';
import { scorePopulation } from '../models/scorePopulation.ts';
import { validationSummary } from '../models/validationSummary.ts';
import { renderReport } from '../reports/renderReport.ts';
import type { RunConfig } from './config.ts';
import { Database } from '../core/db/Database.ts';
import { initDatabase } from '../core/db/initDatabase.ts';
import { localIsoDate } from '../core/dates.ts';
import { dateParam } from '../core/db/dateParam.ts';
import { ExitCode, StrataError, type ExitCodeValue } from '../core/errors.ts';
import { buildFeaturesAside } from '../models/buildFeatures.ts';
import { type InboxLoad, loadInbox } from './ingest/loadInbox.ts';
import { Logger, type ProgressReporter } from '../core/logging/Logger.ts';
import { writeFileAtomic } from '../core/files/writeFileAtomic.ts';
import {
  describeQuarantineCsvCut,
  type QuarantineCsvOutput,
  type WrittenOutput,
  writeCaseFindingLists,
  writePopulationScores,
  writeQuarantineCsv,
} from './output/writeOutputs.ts';
import {
  applyRetention,
  checkOutputFolderWritable,
  describeWriteError,
  publishFolder,
  recoverOutputFolders,
  stagingFolderFor,
} from './runs/outputFolders.ts';
import { maskDirectIdentifiers, stringifyMasked } from '../core/privacy/maskDirectIdentifiers.ts';
import { newRunId } from './runs/newRunId.ts';
import { checkRunPaths } from './runs/checkRunPaths.ts';
import { openLockedDatabase } from './runs/openLockedDatabase.ts';
import { RunLock } from './runs/RunLock.ts';

export interface RunSummary {
  runId: string;
  asOf: string;
  exitCode: ExitCodeValue;
  status: 'succeeded' | 'extract_rejected';
  outputFolder: string;
  peopleScored: number;
  rowsQuarantined: number;
  load: InboxLoad;
  outputs: WrittenOutput[];
  retentionDeleted: string[];
}

export interface RunOptions {
  /** Where the run says what it does; silent by default. */
  logger?: Logger;
  /** The command line as the operator typed it, recorded in the lock file. */
  command?: string;
  /** The configuration file the settings came from, recorded in run.json. */
  configFile?: string | null;
}

export async function runBatch(config: RunConfig, options: RunOptions = {}): Promise<RunSummary> {
  const startedAt = new Date();
  const runId = newRunId(startedAt);
  const log = (options.logger ?? new Logger('json', { stdout: nullStream, stderr: nullStream })).forRun(runId);
  const timings: Record<string, number> = {};
  const rowCounts: Record<string, number> = {};
  const timed = async <T>(stage: string, work: () => Promise<T>, rowsOf?: (result: T) => number | undefined): Promise<T> => {
    const { result, durationMs } = await log.stage(stage, work, rowsOf);
    timings[stage] = durationMs;
    const rows = rowsOf?.(result);
    if (rows !== undefined) rowCounts[stage] = rows;
    return result;
  };

  // Bad usage (an inbox that is not a folder, outputs or database among the extracts) changes nothing.
  checkRunPaths(config);
  // Fail before any work if the outputs cannot be written (a probe file of this process's own, nothing else
  // in the folder is touched), and before touching the database if it is in use.
  checkOutputFolderWritable(config.out);
  const databaseFolder = dirname(resolve(config.db));
  try {
    mkdirSync(databaseFolder, { recursive: true });
  } catch (error) {
    throw describeWriteError(error, databaseFolder);
  }
  const lock = RunLock.acquire(config.db, runId, options.command ?? 'strata run', startedAt, { kind: 'strata run' });
  if (lock.tookOverFrom) {
    const dead = lock.tookOverFrom;
    log.warn('lock_taken_over', `took over the lock left by ${dead.kind} ${dead.run_id} (pid ${dead.pid}, started ${dead.started_at}), which is no longer running`);
  }
  let db: Database | null = null;
  try {
    db = await openLockedDatabase(
      lock,
      {
        path: config.db,
        ...(config.memoryLimit ? { memoryLimit: config.memoryLimit } : {}),
        ...(config.threads ? { threads: config.threads } : {}),
        ...(config.tempDirectory ? { tempDirectory: config.tempDirectory } : {}),
      },
      {
        maxWaitMs: config.databaseBusyWaitSeconds * 1000,
        onWait: (event, message, fields) => (event === 'database_busy' ? log.warn(event, message, fields) : log.info(event, message, fields)),
      },
    );
    // Only now, holding the lock and the open database, may what an interrupted run left be cleared:
    // a run refused the database never touches a live run's staging folder.
    for (const action of recoverOutputFolders(config.out)) log.warn('outputs_recovered', `output folder left by an interrupted run: ${action}`);
    return await runStages(db, config, { runId, startedAt, log, timed, timings, rowCounts, configFile: options.configFile ?? null });
  } catch (error) {
    if (db !== null) {
      await db
        .run(`UPDATE runs SET status = 'failed', finished_at = $finished_at, message = $message WHERE run_id = $run_id`, {
          finished_at: new Date().toISOString().replace('Z', ''),
          message: maskDirectIdentifiers(error instanceof Error ? error.message : String(error)),
          run_id: runId,
        })
        .catch(() => undefined);
    }
    throw error;
  } finally {
    db?.close();
    lock.release();
  }
}

interface StageContext {
  runId: string;
  startedAt: Date;
  log: Logger;
  timed: <T>(stage: string, work: () => Promise<T>, rowsOf?: (result: T) => number | undefined) => Promise<T>;
  timings: Record<string, number>;
  rowCounts: Record<string, number>;
  configFile: string | null;
}

async function runStages(db: Database, config: RunConfig, context: StageContext): Promise<RunSummary> {
  const { runId, startedAt, log, timed, timings, rowCounts } = context;
  await initDatabase(db);
  // We hold the lock, so any run still marked running was stopped before it could say so.
  await db.run(
    `UPDATE runs SET status = 'abandoned', message = 'the process stopped before finishing (killed or crashed); a later run redid its work'
     WHERE status = 'running'`,
  );
  await db.run(`INSERT INTO runs VALUES ($run_id, $started_at, NULL, 'running', NULL, NULL)`, {
    run_id: runId,
    started_at: startedAt.toISOString().replace('Z', ''),
  });

  let loadProgress: ProgressReporter = () => {};
  const load = await timed(
    'load',
    () =>
      loadInbox(db, config.inbox, {
        runId,
        now: startedAt,
        ...(config.asOf ? { asOf: config.asOf } : {}),
        ...(config.tempDirectory ? { tempDirectory: config.tempDirectory } : {}),
        onFileLoading: (extract, file, index, count) => {
          if (index === 0) loadProgress = log.progress(`load ${extract}`, count);
          loadProgress(index, file);
        },
        onExtractLoaded: (extract, files) => {
          loadProgress(files.length);
          for (const f of files) {
            log.info('file_loaded', `extract ${extract} ${f.name}: ${f.rows_loaded} of ${f.rows_read} rows loaded, ${f.rows_quarantined} quarantined`, {
              stage: 'load', extract, file: f.name, rows: f.rows_loaded, rows_read: f.rows_read, rows_quarantined: f.rows_quarantined, duration_ms: f.duration_ms,
            });
          }
        },
      }),
    (result) => result.files.reduce((sum, f) => sum + f.rows_read, 0),
  );
  for (const rejected of load.rejected) log.error('extract_rejected', rejected.message, { stage: 'load', extract: rejected.extract });

  const newest = await db.rowsJson<{ newest: string | null }>('SELECT max(extract_date) AS newest FROM extracts');
  const asOf = config.asOf ?? newest[0]?.newest ?? null;
  if (asOf === null) {
    const why = load.rejected.length > 0 ? load.rejected[0]!.message : `the inbox ${config.inbox} holds no extract folders`;
    throw new StrataError(`nothing to score: no extract has been loaded (${why})`, load.rejected.length > 0 ? ExitCode.extractRejected : ExitCode.failed);
  }

  // The scoring features do not depend on the models, so they are built on a second connection while the
  // models train (the stage timings of the two overlap). The build is always awaited before going on or failing.
  const scoringBuild = timed('features_scoring', () => buildFeaturesAside(db, 'scoring_population', asOf, 'scoring_features'), (r) => r.rows);
  const scoringSettled = scoringBuild.then(() => undefined, () => undefined);
  const choice = await timed('train', () =>
    chooseModels(
      db,
      asOf,
      {
        maxModelAgeDays: config.maxModelAgeDays, retrain: config.retrain, maxTrainingRows: config.maxTrainingRows,
        tierCutoffs: config.tierCutoffs, listTiers: config.listTiers, suppressionThreshold: config.suppressionThreshold,
        fairnessFnrMargin: config.fairnessFnrMargin,
      },
      (line) => log.info('training', line, { stage: 'train' }),
      (total) => log.progress('fitting', total),
    ),
  ).finally(() => scoringSettled);
  const models = choice.cards;
  const scoring = await scoringBuild;
  const [eaModel, ltcModel] = [models.find((m) => m.target === 'ea')!, models.find((m) => m.target === 'ltc')!];
  const peopleScored = await timed(
    'score',
    () => scorePopulation(db, scoring.table, eaModel, ltcModel, { asOf, tierCutoffs: config.tierCutoffs }),
    (n) => n,
  );
  const drift = await timed('drift', () => measureDrift(db, models));
  for (const warning of drift.flatMap((d) => d.warnings)) log.warn('drift', warning, { stage: 'drift' });
  const proactiveCare = await timed('proactive_care', () => estimateCarePlanEffect(db, asOf, { suppressionThreshold: config.suppressionThreshold }));

  // Everything is written into a hidden staging folder and swapped into place at the end, so a crash or a
  // full disk leaves the previous outputs of this date as they were.
  const staging = stagingFolderFor(config.out, asOf, runId);
  const metadata = { as_of: asOf, ea_model: eaModel.model_version, ltc_model: ltcModel.model_version };
  const outputs: WrittenOutput[] = [];
  let quarantineCsv: QuarantineCsvOutput | null = null;
  try {
    await timed(
      'outputs',
      async () => {
        outputs.push(await writePopulationScores(db, staging, metadata));
        outputs.push(...(await writeCaseFindingLists(db, staging, config.listTiers, asOf, metadata, (total) => log.progress('lists', total))));
        quarantineCsv = await writeQuarantineCsv(db, staging, asOf, {
          maxRowsPerSourceFile: config.quarantineCsvMaxRows, maxBytesPerSourceFile: config.quarantineCsvMaxBytes,
        });
        outputs.push(quarantineCsv);
        if (quarantineCsv.cut) log.warn('quarantine_csv_cut', describeQuarantineCsvCut(quarantineCsv), { stage: 'outputs' });
        for (const card of models) outputs.push(...writeModelFiles(staging, card));
        return outputs;
      },
      (written) => written.reduce((sum, o) => sum + o.rows, 0),
    );
    await timed('report', async () => {
      const extractDates = (await db.rowsJson<{ d: string }>('SELECT strftime(extract_date, \'%Y-%m-%d\') AS d FROM extracts WHERE extract_date <= $as_of ORDER BY 1', { as_of: dateParam(asOf) })).map((r) => r.d);
      const html = await renderReport(db, {
        asOf,
        extractDates,
        tierCutoffs: [...config.tierCutoffs],
        suppressionThreshold: config.suppressionThreshold,
        preventableShare: config.preventableShare,
        costPerBedDay: config.costPerBedDay,
        runDate: localIsoDate(startedAt),
        refusedExtracts: load.rejected.map((r) => r.extract),
        staleExtractDays: config.staleExtractDays,
        modelCards: models,
        drift,
        proactiveCare,
        ...(quarantineCsv ? { quarantineCsv } : {}),
      });
      const written = writeFileAtomic(join(staging, 'report.html'), html);
      outputs.push({ path: 'report.html', rows: 0, sha256: written.sha256 });
    });
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw describeWriteError(error, config.out);
  }

  const rowsQuarantined = load.files.reduce((sum, f) => sum + f.rows_quarantined, 0);
  const exitCode = load.rejected.length > 0 ? ExitCode.extractRejected : ExitCode.done;
  const status = exitCode === ExitCode.done ? 'succeeded' : 'extract_rejected';
  const finishedAt = new Date();
  const runJson = {
    run_id: runId,
    as_of: asOf,
    status,
    started_at: startedAt.toISOString(),
    finished_at: finishedAt.toISOString(),
    inputs: { inbox: resolve(config.inbox), db: resolve(config.db) },
    extracts_loaded: load.loaded,
    extracts_already_loaded: load.alreadyLoaded,
    extracts_rejected: load.rejected,
    inbox_entries_ignored: load.ignored,
    files: load.files.map((f) => ({
      extract: f.extract, name: f.name, sha256: f.sha256, rows_read: f.rows_read, rows_loaded: f.rows_loaded,
      rows_quarantined: f.rows_quarantined, rows_corrected: f.rows_corrected, duration_ms: f.duration_ms,
    })),
    people_scored: peopleScored,
    models: Object.fromEntries(models.map((m) => [m.target, m.model_version])),
    models_trained: choice.trained,
    models_reason: choice.reason,
    validation: Object.fromEntries(models.map((m) => [m.target, validationSummary(m)])),
    drift: Object.fromEntries(models.map((m, i) => [m.target, drift[i]!])),
    proactive_care: proactiveCare,
    stage_timings_ms: timings,
    stage_rows: rowCounts,
    config,
    config_file: context.configFile,
    outputs,
  };
  let outputFolder: string;
  try {
    writeFileAtomic(join(staging, 'run.json'), `${stringifyMasked(runJson, 2)}\n`);
    outputFolder = publishFolder(staging, config.out, asOf, runId);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw describeWriteError(error, config.out);
  }
  // A refused extract's reason goes beside the run, so `strata status` can say why without the logs.
  await db.run(`UPDATE runs SET finished_at = $finished_at, status = $status, as_of = $as_of, message = $message WHERE run_id = $run_id`, {
    finished_at: finishedAt.toISOString().replace('Z', ''), status, as_of: dateParam(asOf), run_id: runId,
    message: load.rejected.length > 0 ? maskDirectIdentifiers(load.rejected.map((r) => r.message).join('; ')) : null,
  });

  // Retention never deletes the newest successful run's folder, whatever its date.
  const newestSucceeded = (await db.rowsJson<{ d: string | null }>(
    `SELECT strftime(as_of, '%Y-%m-%d') AS d FROM runs WHERE status IN ('succeeded', 'extract_rejected') AND as_of IS NOT NULL
     ORDER BY finished_at DESC LIMIT 1`,
  ))[0]?.d;
  const retentionDeleted = applyRetention(config.out, config.keepRuns, [asOf, ...(newestSucceeded ? [newestSucceeded] : [])]);
  if (retentionDeleted.length > 0) log.info('retention', `deleted output folders older than the newest ${config.keepRuns}: ${retentionDeleted.join(', ')}`);
  log.info('run_finished', `run ${status}, as of ${asOf}: ${peopleScored} people scored, ${outputs.length + 1} files in ${outputFolder}`, {
    status, exit_code: exitCode, as_of: asOf, rows: peopleScored, extracts_loaded: load.loaded,
    extracts_rejected: load.rejected.map((r) => r.extract), rows_quarantined: rowsQuarantined, output_folder: outputFolder,
    duration_ms: finishedAt.getTime() - startedAt.getTime(),
  });
  return { runId, asOf, exitCode, status, outputFolder, peopleScored, rowsQuarantined, load, outputs, retentionDeleted };
}

const nullStream = { write: () => true } as unknown as NodeJS.WritableStream;
