// `strata schedule`: a long-running process that runs the nightly batch on a cron pattern, whenever
// the inbox holds extract folders not loaded yet. Stops cleanly on SIGTERM or SIGINT.
import type { CommandModule } from 'yargs';
import { ExitCode, UsageError } from '../../core/errors.ts';
import { exitWithError } from '../exitWithError.ts';
import { Logger, type LogFormat } from '../../core/logging/Logger.ts';
import { checkRunPaths } from '../runs/checkRunPaths.ts';
import { type RunFlags, runConfigFromFlags, withRunFlags } from './runOptions.ts';

interface ScheduleArgs extends RunFlags {
  cron: string;
  'log-format'?: 'auto' | LogFormat;
  /** The global --verbose option. */
  verbose?: boolean;
}

export const scheduleCommand: CommandModule<object, ScheduleArgs> = {
  command: 'schedule',
  describe: 'Keep running, and at each cron tick run the batch if the inbox holds extract folders not loaded yet',
  builder: (yargs) =>
    withRunFlags(yargs).option('cron', {
      type: 'string',
      demandOption: true,
      describe: 'When to check, e.g. "30 2 * * *" (02:30 local time daily); 6 fields put seconds first',
    }),
  handler: async (args) => {
    const log = Logger.create(args['log-format'] ?? 'auto');
    try {
      // Everything is checked now, not at 2am: settings, the cron pattern and the inbox.
      if (args['as-of'] !== undefined) throw new UsageError('--as-of makes no sense for a schedule: each run scores as of its newest extract');
      const { config, configFile } = await runConfigFromFlags(args);
      // Loaded only now, so `strata --help` and bad usage answer at once.
      const [{ parseCronPattern }, { runSchedule }, { listExtractFolders }] = await Promise.all([
        import('../schedule/BatchScheduler.ts'),
        import('../schedule/runSchedule.ts'),
        import('../ingest/loadInbox.ts'),
      ]);
      parseCronPattern(args.cron);
      checkRunPaths(config);
      listExtractFolders(config.inbox);
      await runSchedule({ cron: args.cron, config, configFile, log, verbose: args.verbose === true });
      process.exitCode = ExitCode.done;
    } catch (error) {
      exitWithError(error);
    }
  },
};
