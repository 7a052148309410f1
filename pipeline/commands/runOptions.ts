// The flags that shape a batch run, shared by `strata run` and `strata schedule`. Each overrides the
// same key of strata.config.json; a flag left out keeps the file's value, then the default.
import type { Argv } from 'yargs';
import type { RunConfig } from '../config.ts';

export interface RunFlags {
  inbox?: string;
  out?: string;
  db?: string;
  'as-of'?: string;
  retrain?: boolean;
  'max-model-age-days'?: number;
  'list-tiers'?: number;
  'memory-limit'?: string;
  threads?: number;
  'temp-directory'?: string;
  'keep-runs'?: number;
  config?: string;
}

export function withRunFlags<T>(yargs: Argv<T>) {
  return yargs
    .option('inbox', { type: 'string', describe: 'Folder holding one sub-folder per extract date (or "inbox" in the config file)' })
    .option('out', { type: 'string', describe: 'Output folder; each run writes <out>/<as_of>/ (or "out" in the config file)' })
    .option('db', { type: 'string', describe: 'DuckDB database file (default <out>/strata.duckdb)' })
    .option('as-of', { type: 'string', describe: 'Score as of this date (YYYY-MM-DD); default the newest extract loaded' })
    .option('retrain', { type: 'boolean', describe: 'Refit the models even if the newest are recent enough' })
    .option('max-model-age-days', { type: 'number', describe: 'Refit the models when the newest are older than this (default 30)' })
    .option('list-tiers', { type: 'number', describe: 'Case-finding lists hold tiers 1 to this (default 2)' })
    .option('memory-limit', { type: 'string', describe: "DuckDB memory_limit, e.g. '3GB' (default a tenth of RAM, at least 1 GiB); beyond it DuckDB spills to disk" })
    .option('threads', { type: 'number', describe: 'DuckDB worker threads (default one per core)' })
    .option('temp-directory', { type: 'string', describe: 'Where DuckDB spills when the memory limit is reached' })
    .option('keep-runs', { type: 'number', describe: 'Output folders to keep; older ones are deleted (default 30)' });
}

/** The validated configuration for these flags over strata.config.json (or --config). */
export async function runConfigFromFlags(args: RunFlags): Promise<{ config: RunConfig; configFile: string | null }> {
  // The schema is loaded only when a command runs, so `strata --help` answers at once.
  const { resolveRunConfig } = await import('../config.ts');
  return resolveRunConfig(
    {
      inbox: args.inbox,
      out: args.out,
      db: args.db,
      asOf: args['as-of'],
      retrain: args.retrain,
      maxModelAgeDays: args['max-model-age-days'],
      listTiers: args['list-tiers'],
      memoryLimit: args['memory-limit'],
      threads: args.threads,
      tempDirectory: args['temp-directory'],
      keepRuns: args['keep-runs'],
    },
    args.config,
  );
}
