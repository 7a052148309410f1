// `strata run`: the nightly batch on an inbox.
import type { CommandModule } from 'yargs';
import { Logger, type LogFormat } from '../../core/logging/Logger.ts';
import { exitWithError } from '../exitWithError.ts';
import { maskDirectIdentifiers } from '../../core/privacy/maskDirectIdentifiers.ts';
import { type RunFlags, runConfigFromFlags, withRunFlags } from './runOptions.ts';

interface RunArgs extends RunFlags {
  'log-format'?: 'auto' | LogFormat;
}

export const runCommand: CommandModule<object, RunArgs> = {
  command: 'run',
  describe: 'Load new extract folders from the inbox, score everyone, and write lists and the report',
  builder: (yargs) => withRunFlags(yargs),
  handler: async (args) => {
    const logger = Logger.create(args['log-format'] ?? 'auto');
    try {
      const { config, configFile } = await runConfigFromFlags(args);
      // Loaded only now, so `strata --help` and bad usage answer at once.
      const { runBatch } = await import('../runBatch.ts');
      const summary = await runBatch(config, { logger, configFile, command: process.argv.slice(1).join(' ') });
      // The run_finished event already said all this in JSON; a person at a terminal gets a summary.
      if (logger.format === 'text') {
        const lists = summary.outputs.filter((o) => o.path.startsWith('case-finding/') && !o.path.startsWith('case-finding/left/')).length;
        const left = summary.outputs.filter((o) => o.path.startsWith('case-finding/left/')).length;
        const others = summary.outputs.length - lists - left;
        process.stdout.write(maskDirectIdentifiers(
          [
            `strata run ${summary.runId}: ${summary.status}, as of ${summary.asOf}`,
            `  extracts loaded: ${summary.load.loaded.join(', ') || 'none new'}${summary.load.rejected.length ? `; rejected: ${summary.load.rejected.map((r) => r.extract).join(', ')}` : ''}`,
            `  people scored: ${summary.peopleScored}`,
            summary.load.loaded.length > 0
              ? `  rows quarantined: ${summary.rowsQuarantined}`
              : `  rows quarantined: none new (quarantine.csv keeps the ${summary.outputs.find((o) => o.path === 'quarantine.csv')?.rows ?? 0} rows of the extracts since the previous night)`,
            `  files written: ${summary.outputs.length + 1} in ${summary.outputFolder}: ${lists} case-finding lists (adults and children, by practice and network), ${left} lists of who left, ${others} other outputs and run.json`,
            ...(summary.retentionDeleted.length > 0 ? [`  old output folders deleted: ${summary.retentionDeleted.join(', ')}`] : []),
          ].join('\n') + '\n',
        ));
      }
      for (const rejected of summary.load.rejected) process.stderr.write(maskDirectIdentifiers(`strata: ${rejected.message}\n`));
      process.exitCode = summary.exitCode;
    } catch (error) {
      if (logger.format === 'json') logger.error('run_failed', error instanceof Error ? error.message.split('\n')[0]! : String(error));
      exitWithError(error);
    }
  },
};
