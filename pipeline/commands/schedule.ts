// `strata schedule`: a long-running process that runs the nightly batch on a cron pattern, whenever
// the inbox holds extract folders not loaded yet. Stops cleanly on SIGTERM or SIGINT.
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { parseRunConfig } from '../config.ts';
import { ExitCode } from '../errors.ts';
import { exitWithError } from '../exitWithError.ts';
import { listExtractFolders } from '../ingest/loadInbox.ts';
import { parseCronPattern } from '../schedule/BatchScheduler.ts';
import { EventLog } from '../schedule/EventLog.ts';
import { runSchedule } from '../schedule/runSchedule.ts';

interface ScheduleArgs {
  cron: string;
  inbox: string;
  out: string;
  db?: string;
  retrain: boolean;
  'max-model-age-days'?: number;
  /** The global --verbose option. */
  verbose?: boolean;
}

export const scheduleCommand: CommandModule<object, ScheduleArgs> = {
  command: 'schedule',
  describe: 'Keep running, and at each cron tick run the batch if the inbox holds extract folders not loaded yet',
  builder: (yargs) =>
    yargs
      .option('cron', { type: 'string', demandOption: true, describe: 'When to check, e.g. "30 2 * * *" (02:30 local time daily); 6 fields put seconds first' })
      .option('inbox', { type: 'string', demandOption: true, describe: 'Folder holding one sub-folder per extract date' })
      .option('out', { type: 'string', demandOption: true, describe: 'Output folder; each run writes <out>/<as_of>/' })
      .option('db', { type: 'string', describe: 'DuckDB database file (default <out>/strata.duckdb)' })
      .option('retrain', { type: 'boolean', default: false, describe: 'Refit the models at every run' })
      .option('max-model-age-days', { type: 'number', describe: 'Refit the models when the newest are older than this (default 30)' }),
  handler: async (args) => {
    try {
      // Everything is checked now, not at 2am: settings, the cron pattern and the inbox.
      const config = parseRunConfig({
        inbox: args.inbox,
        out: args.out,
        db: args.db ?? join(args.out, 'strata.duckdb'),
        retrain: args.retrain,
        ...(args['max-model-age-days'] !== undefined ? { maxModelAgeDays: args['max-model-age-days'] } : {}),
      });
      parseCronPattern(args.cron);
      listExtractFolders(config.inbox);
      await runSchedule({ cron: args.cron, config, log: EventLog.forProcess(), verbose: args.verbose === true });
      process.exitCode = ExitCode.done;
    } catch (error) {
      exitWithError(error);
    }
  },
};
