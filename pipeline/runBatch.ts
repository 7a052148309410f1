// The nightly batch, stage by stage: load the inbox, build features, train, score, write outputs.
// Holds no business logic: each stage lives in its own module and SQL files.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { chooseModels } from '../models/chooseModels.ts';
import { measureDrift } from '../models/measureDrift.ts';
import { writeModelFiles } from '../models/modelRegistry.ts';
import { scorePopulation } from '../models/scorePopulation.ts';
import { renderReport } from '../reports/renderReport.ts';
import type { RunConfig } from './config.ts';
import { Database } from './db/Database.ts';
import { initDatabase } from './db/initDatabase.ts';
import { dateParam } from './db/values.ts';
import { ExitCode, StrataError, type ExitCodeValue } from './errors.ts';
import { buildFeaturesAside } from './features/buildFeatures.ts';
import { type InboxLoad, loadInbox } from './ingest/loadInbox.ts';
import { writeFileAtomic } from './output/writeFileAtomic.ts';
import {
  type WrittenOutput,
  writeCaseFindingLists,
  writePopulationScores,
  writeQuarantineCsv,
} from './output/writeOutputs.ts';

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
}

export async function runBatch(config: RunConfig, log: (line: string) => void = () => {}): Promise<RunSummary> {
  const startedAt = new Date();
  const runId = `${startedAt.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;
  const timings: Record<string, number> = {};
  const timed = async <T>(stage: string, work: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const result = await work();
    timings[stage] = Math.round(performance.now() - t0);
    return result;
  };

  mkdirSync(dirname(resolve(config.db)), { recursive: true });
  const db = await Database.open({ path: config.db, memoryLimit: config.memoryLimit, threads: config.threads, tempDirectory: config.tempDirectory });
  try {
    await initDatabase(db);
    await db.run(`INSERT INTO runs VALUES ($run_id, $started_at, NULL, 'running', NULL, NULL)`, {
      run_id: runId,
      started_at: startedAt.toISOString().replace('Z', ''),
    });

    const load = await timed('load', () =>
      loadInbox(db, config.inbox, {
        runId,
        now: startedAt,
        ...(config.asOf ? { asOf: config.asOf } : {}),
        onExtractLoaded: (extract, files) =>
          log(`loaded extract ${extract}: ${files.map((f) => `${f.name} ${f.rows_loaded}/${f.rows_read} (${(f.duration_ms / 1000).toFixed(1)} s)`).join(', ')}`),
      }),
    );
    for (const rejected of load.rejected) log(`REJECTED ${rejected.message}`);

    const newest = await db.rowsJson<{ newest: string | null }>('SELECT max(extract_date) AS newest FROM extracts');
    const asOf = config.asOf ?? newest[0]?.newest ?? null;
    if (asOf === null) {
      const why = load.rejected.length > 0 ? load.rejected[0]!.message : `the inbox ${config.inbox} holds no extract folders`;
      throw new StrataError(`nothing to score: no extract has been loaded (${why})`, load.rejected.length > 0 ? ExitCode.extractRejected : ExitCode.failed);
    }

    // The scoring features do not depend on the models, so they are built on a second connection while the
    // models train (the stage timings of the two overlap).
    const scoringBuild = timed('features_scoring', () => buildFeaturesAside(db, 'scoring_population', asOf, 'scoring_features'));
    const scoringSettled = scoringBuild.then(() => undefined, () => undefined); // never unhandled; awaited before going on
    const choice = await timed('train', () =>
      chooseModels(db, asOf, { maxModelAgeDays: config.maxModelAgeDays, retrain: config.retrain, maxTrainingRows: config.maxTrainingRows }, log),
    ).finally(() => scoringSettled);
    const models = choice.cards;
    const scoring = await scoringBuild;
    const [eaModel, ltcModel] = [models.find((m) => m.target === 'ea')!, models.find((m) => m.target === 'ltc')!];
    const peopleScored = await timed('score', () =>
      scorePopulation(db, scoring.table, eaModel, ltcModel, { asOf, tierCutoffs: config.tierCutoffs }),
    );
    const drift = await timed('drift', () => measureDrift(db, models));
    for (const warning of drift.flatMap((d) => d.warnings)) log(`WARNING ${warning}`);

    const folder = join(config.out, asOf);
    const metadata = { as_of: asOf, ea_model: eaModel.model_version, ltc_model: ltcModel.model_version };
    const outputs: WrittenOutput[] = [];
    await timed('outputs', async () => {
      outputs.push(await writePopulationScores(db, folder, metadata));
      outputs.push(...(await writeCaseFindingLists(db, folder, config.listTiers, asOf, metadata)));
      outputs.push(await writeQuarantineCsv(db, folder, asOf));
      for (const card of models) outputs.push(...writeModelFiles(folder, card));
    });
    await timed('report', async () => {
      const extractDates = (await db.rowsJson<{ d: string }>('SELECT strftime(extract_date, \'%Y-%m-%d\') AS d FROM extracts WHERE extract_date <= $as_of ORDER BY 1', { as_of: dateParam(asOf) })).map((r) => r.d);
      const html = await renderReport(db, {
        asOf,
        extractDates,
        tierCutoffs: [...config.tierCutoffs],
        preventableShare: config.preventableShare,
        costPerBedDay: config.costPerBedDay,
        modelCards: models,
        drift,
      });
      const written = writeFileAtomic(join(folder, 'report.html'), html);
      outputs.push({ path: 'report.html', rows: 0, sha256: written.sha256 });
    });

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
      drift: Object.fromEntries(models.map((m, i) => [m.target, drift[i]!])),
      stage_timings_ms: timings,
      config,
      outputs,
    };
    writeFileAtomic(join(folder, 'run.json'), `${JSON.stringify(runJson, null, 2)}\n`);
    await db.run(`UPDATE runs SET finished_at = $finished_at, status = $status, as_of = $as_of WHERE run_id = $run_id`, {
      finished_at: finishedAt.toISOString().replace('Z', ''), status, as_of: dateParam(asOf), run_id: runId,
    });
    return { runId, asOf, exitCode, status, outputFolder: folder, peopleScored, rowsQuarantined, load, outputs };
  } catch (error) {
    await db
      .run(`UPDATE runs SET status = 'failed', message = $message WHERE run_id = $run_id`, {
        message: error instanceof Error ? error.message : String(error), run_id: runId,
      })
      .catch(() => undefined);
    throw error;
  } finally {
    db.close();
  }
}
