// `strata train`: fits and validates both models on the loaded history, and registers them.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CommandModule } from 'yargs';
import { newRunId } from '../runs/newRunId.ts';
import { RunLock } from '../runs/RunLock.ts';
import { isIsoDate } from '../db/values.ts';
import { StrataError, UsageError } from '../errors.ts';
import { maskDirectIdentifiers } from '../privacy/maskDirectIdentifiers.ts';

interface TrainArgs {
  db: string;
  out?: string;
  'as-of'?: string;
}

export const trainCommand: CommandModule<object, TrainArgs> = {
  command: 'train',
  describe: 'Fit and validate the models on the loaded history, and register them for later runs',
  builder: (yargs) =>
    yargs
      .option('db', { type: 'string', demandOption: true, describe: 'DuckDB database file a run has loaded' })
      .option('out', { type: 'string', describe: 'Also write the model cards and coefficients to <out>/models/' })
      .option('as-of', { type: 'string', describe: 'Train for this date (YYYY-MM-DD); default the newest extract loaded' }),
  handler: async (args) => {
    if (args['as-of'] !== undefined && !isIsoDate(args['as-of'])) throw new UsageError(`--as-of must be a real date written YYYY-MM-DD, not ${args['as-of']}`);
    // Loaded only now, so `strata --help` and bad usage answer at once.
    const [{ saveModelCards, writeModelFiles }, { trainModels }, { Database }, { initDatabase }] = await Promise.all([
      import('../../models/modelRegistry.ts'),
      import('../../models/trainModels.ts'),
      import('../db/Database.ts'),
      import('../db/initDatabase.ts'),
    ]);
    // Training writes the model registry, so it holds the same lock as a run.
    const lock = RunLock.acquire(resolve(args.db), newRunId(new Date()), process.argv.slice(1).join(' '));
    const db = await Database.open({ path: args.db }).catch((error: unknown) => {
      lock.release();
      throw error;
    });
    try {
      await initDatabase(db);
      const newest = (await db.rowsJson<{ d: string | null }>(`SELECT strftime(max(extract_date), '%Y-%m-%d') AS d FROM extracts`))[0]?.d;
      const asOf = args['as-of'] ?? newest;
      if (!asOf) throw new StrataError(`nothing to train on: the database ${args.db} has no extract loaded; run strata run first`);
      const cards = await trainModels(db, asOf, {}, (line) => process.stderr.write(maskDirectIdentifiers(`${line}\n`)));
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
