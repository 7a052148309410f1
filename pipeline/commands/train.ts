// `strata train`: fits and validates both models on the loaded history, and registers them.
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { newRunId } from '../runs/newRunId.ts';
import { RunLock } from '../runs/RunLock.ts';
import { isIsoDate } from '../../core/dates.ts';
import { StrataError, UsageError } from '../../core/errors.ts';
import { maskDirectIdentifiers } from '../../core/privacy/maskDirectIdentifiers.ts';

interface TrainArgs {
  db?: string;
  out?: string;
  'as-of'?: string;
  'memory-limit'?: string;
  threads?: number;
  'temp-directory'?: string;
  config?: string;
}

export const trainCommand: CommandModule<object, TrainArgs> = {
  command: 'train',
  describe: 'Fit and validate the models on the loaded history, and register them for later runs',
  builder: (yargs) =>
    yargs
      .option('db', { type: 'string', describe: 'DuckDB database file a run has loaded (or "db", or "out", in the config file)' })
      .option('out', { type: 'string', describe: 'Also write the model cards and coefficients to <out>/models/' })
      .option('as-of', { type: 'string', describe: 'Train for this date (YYYY-MM-DD); default the newest extract loaded' })
      .option('memory-limit', { type: 'string', describe: "DuckDB memory_limit, e.g. '3GB' (default as for strata run)" })
      .option('threads', { type: 'number', describe: 'DuckDB worker threads (default one per core)' })
      .option('temp-directory', { type: 'string', describe: 'Where DuckDB spills when the memory limit is reached' }),
  handler: async (args) => {
    if (args['as-of'] !== undefined && !isIsoDate(args['as-of'])) throw new UsageError(`--as-of must be a real date written YYYY-MM-DD, not ${args['as-of']}`);
    // The same configuration file and DuckDB limits as a run, checked before any work.
    const { resolveTrainConfig } = await import('../config.ts');
    const { config } = resolveTrainConfig(
      { db: args.db, memoryLimit: args['memory-limit'], threads: args.threads, tempDirectory: args['temp-directory'] },
      args.config,
    );
    // Training needs what a run loaded: a --db that names nothing is a typing mistake, never a new empty database.
    if (!existsSync(config.db)) {
      throw new UsageError(`no database at ${config.db}: check --db (a run creates <out>/strata.duckdb unless given --db), or run strata run first`);
    }
    if (!statSync(config.db).isFile()) throw new UsageError(`--db ${config.db} is a folder, not a database file`);
    // Loaded only now, so `strata --help` and bad usage answer at once.
    const [{ saveModelCards, writeModelFiles }, { trainModels }, { initDatabase }, { openLockedDatabase }] = await Promise.all([
      import('../../models/modelRegistry.ts'),
      import('../../models/trainModels.ts'),
      import('../../core/db/initDatabase.ts'),
      import('../runs/openLockedDatabase.ts'),
    ]);
    // Training writes the model registry, so it holds the same lock as a run, and waits for readers as a run does.
    const lock = RunLock.acquire(config.db, newRunId(new Date()), process.argv.slice(1).join(' '), new Date(), { kind: 'strata train' });
    const db = await openLockedDatabase(
      lock,
      {
        path: config.db,
        memoryLimit: config.memoryLimit,
        ...(config.threads ? { threads: config.threads } : {}),
        ...(config.tempDirectory ? { tempDirectory: config.tempDirectory } : {}),
      },
      {
        maxWaitMs: config.databaseBusyWaitSeconds * 1000,
        onWait: (_event, message) => process.stderr.write(maskDirectIdentifiers(`${message}\n`)),
      },
    ).catch((error: unknown) => {
      lock.release();
      throw error;
    });
    try {
      await initDatabase(db);
      const limits = (await db.rowsJson<{ memory: string; threads: string }>(
        `SELECT current_setting('memory_limit') AS memory, CAST(current_setting('threads') AS VARCHAR) AS threads`,
      ))[0]!;
      process.stderr.write(maskDirectIdentifiers(`training in ${config.db} with DuckDB memory_limit ${limits.memory} and ${limits.threads} threads\n`));
      const newest = (await db.rowsJson<{ d: string | null }>(`SELECT strftime(max(extract_date), '%Y-%m-%d') AS d FROM extracts`))[0]?.d;
      const asOf = args['as-of'] ?? newest;
      if (!asOf) throw new StrataError(`nothing to train on: the database ${config.db} has no extract loaded; run strata run first`);
      const settings = {
        maxTrainingRows: config.maxTrainingRows, tierCutoffs: config.tierCutoffs, listTiers: config.listTiers,
        suppressionThreshold: config.suppressionThreshold, fairnessFnrMargin: config.fairnessFnrMargin,
      };
      const cards = await trainModels(db, asOf, settings, (line) => process.stderr.write(maskDirectIdentifiers(`${line}\n`)));
      await saveModelCards(db, cards);
      for (const card of cards) {
        const metrics = card.validation?.metrics;
        process.stdout.write(maskDirectIdentifiers(
          `${card.model_version} (${card.variant}): trained on ${card.training.training_rows} people, ${card.training.training_events} outcomes; ` +
            (metrics ? `validation AUROC ${metrics.auroc?.toFixed(3)}, Brier ${metrics.brier.toFixed(4)}, calibration slope ${metrics.calibration.slope?.toFixed(2)}\n` : `${card.validation_note}\n`),
        ));
        if (args.out) {
          mkdirSync(args.out, { recursive: true });
          for (const file of writeModelFiles(args.out, card)) process.stdout.write(maskDirectIdentifiers(`  wrote ${join(args.out, file.path)}\n`));
        }
      }
    } finally {
      db.close();
      lock.release();
    }
  },
};
