// `strata run`: the nightly batch on an inbox.
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { parseRunConfig } from '../config.ts';
import { runBatch } from '../runBatch.ts';
import { exitWithError } from '../exitWithError.ts';

interface RunArgs {
  inbox: string;
  out: string;
  db?: string;
  'as-of'?: string;
  retrain: boolean;
  'max-model-age-days'?: number;
  'memory-limit'?: string;
  threads?: number;
  'temp-directory'?: string;
}

export const runCommand: CommandModule<object, RunArgs> = {
  command: 'run',
  describe: 'Load new extract folders from the inbox, score everyone, and write lists and the report',
  builder: (yargs) =>
    yargs
      .option('inbox', { type: 'string', demandOption: true, describe: 'Folder holding one sub-folder per extract date' })
      .option('out', { type: 'string', demandOption: true, describe: 'Output folder; each run writes <out>/<as_of>/' })
      .option('db', { type: 'string', describe: 'DuckDB database file (default <out>/strata.duckdb)' })
      .option('as-of', { type: 'string', describe: 'Score as of this date (YYYY-MM-DD); default the newest extract loaded' })
      .option('retrain', { type: 'boolean', default: false, describe: 'Refit the models even if the newest are recent enough' })
      .option('max-model-age-days', { type: 'number', describe: 'Refit the models when the newest are older than this (default 30)' })
      .option('memory-limit', { type: 'string', describe: "DuckDB memory limit, e.g. 3GB (default a tenth of RAM, at least 1 GiB)" })
      .option('threads', { type: 'number', describe: 'DuckDB worker threads (default the number of cores)' })
      .option('temp-directory', { type: 'string', describe: 'Folder DuckDB spills to above the memory limit (default <db>.tmp)' }),
  handler: async (args) => {
    try {
      const config = parseRunConfig({
        inbox: args.inbox,
        out: args.out,
        db: args.db ?? join(args.out, 'strata.duckdb'),
        ...(args['as-of'] !== undefined ? { asOf: args['as-of'] } : {}),
        retrain: args.retrain,
        ...(args['max-model-age-days'] !== undefined ? { maxModelAgeDays: args['max-model-age-days'] } : {}),
        ...(args['memory-limit'] !== undefined ? { memoryLimit: args['memory-limit'] } : {}),
        ...(args.threads !== undefined ? { threads: args.threads } : {}),
        ...(args['temp-directory'] !== undefined ? { tempDirectory: args['temp-directory'] } : {}),
      });
      const summary = await runBatch(config, (line) => process.stderr.write(`${line}\n`));
      const lists = summary.outputs.filter((o) => o.path.startsWith('case-finding/')).length;
      const others = summary.outputs.length - lists;
      process.stdout.write(
        [
          `strata run ${summary.runId}: ${summary.status}, as of ${summary.asOf}`,
          `  extracts loaded: ${summary.load.loaded.join(', ') || 'none new'}${summary.load.rejected.length ? `; rejected: ${summary.load.rejected.map((r) => r.extract).join(', ')}` : ''}`,
          `  people scored: ${summary.peopleScored}`,
          summary.load.loaded.length > 0
            ? `  rows quarantined: ${summary.rowsQuarantined}`
            : `  rows quarantined: none new (quarantine.csv repeats the newest load's ${summary.outputs.find((o) => o.path === 'quarantine.csv')?.rows ?? 0})`,
          `  files written: ${summary.outputs.length + 1} in ${summary.outputFolder}: ${lists} case-finding lists, ${others} other outputs and run.json`,
        ].join('\n') + '\n',
      );
      for (const rejected of summary.load.rejected) process.stderr.write(`strata: ${rejected.message}\n`);
      process.exitCode = summary.exitCode;
    } catch (error) {
      exitWithError(error);
    }
  },
};
