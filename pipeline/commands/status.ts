// `strata status`: what the database records of recent runs, extracts, models and quarantine. Read-only.
import type { CommandModule } from 'yargs';
import { UsageError } from '../../core/errors.ts';
import { exitWithError } from '../exitWithError.ts';
import { maskDirectIdentifiers, stringifyMasked } from '../../core/privacy/maskDirectIdentifiers.ts';
import { formatStatus } from '../status/formatStatus.ts';

interface StatusArgs {
  db: string;
  runs: number;
  json: boolean;
}

export const statusCommand: CommandModule<object, StatusArgs> = {
  command: 'status',
  describe: 'Show the last runs, extracts loaded, model versions and rows quarantined (never changes the database)',
  builder: (yargs) =>
    yargs
      .option('db', { type: 'string', demandOption: true, describe: 'DuckDB database file of the runs (e.g. <out>/strata.duckdb)' })
      .option('runs', { type: 'number', default: 10, describe: 'How many of the newest runs to show' })
      .option('json', { type: 'boolean', default: false, describe: 'Print one JSON object, for scripts' }),
  handler: async (args) => {
    try {
      if (!Number.isInteger(args.runs) || args.runs < 1) throw new UsageError(`--runs must be a whole number of at least 1, not ${args.runs}`);
      // Loaded only now (it opens DuckDB), so `strata --help` and bad usage answer at once.
      const { readStatus } = await import('../status/readStatus.ts');
      const status = await readStatus(args.db, { runs: args.runs });
      // A run's message, the database path, a file name: whatever it holds, no NHS number is printed.
      process.stdout.write(args.json ? `${stringifyMasked(status, 2)}\n` : maskDirectIdentifiers(formatStatus(status)));
    } catch (error) {
      exitWithError(error);
    }
  },
};
