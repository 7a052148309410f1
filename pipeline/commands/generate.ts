// `strata generate`: writes a synthetic England-like inbox (and optionally the truth and planted-row lists).
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { generateDefaults } from '../../synthetic/generateDefaults.ts';

interface GenerateArgs {
  out?: string;
  persons: number;
  seed: number;
  'as-of': string;
  extracts: number;
  truth?: string;
  planted?: string;
  'bad-rows': boolean;
  gzip: boolean;
  'care-plan-effect': number;
}

export const generateCommand: CommandModule<object, GenerateArgs> = {
  command: 'generate',
  describe: 'Write a synthetic England-like inbox drawn from a known process',
  builder: (yargs: Argv<object>): Argv<GenerateArgs> =>
    yargs
      .option('out', { type: 'string', describe: 'Inbox folder to write (must not already hold extract folders)' })
      .option('persons', { type: 'number', default: generateDefaults.persons, describe: 'People to simulate' })
      .option('seed', { type: 'number', default: generateDefaults.seed, describe: 'Random seed (same seed and options: byte-identical inbox)' })
      .option('as-of', { type: 'string', default: generateDefaults.asOf, describe: 'Date of the newest extract, YYYY-MM-DD' })
      .option('extracts', { type: 'number', default: generateDefaults.extracts, describe: 'Extract folders: a backfill then one per night up to --as-of' })
      .option('truth', { type: 'string', describe: 'Write the oracle and realised outcomes to this CSV (outside --out)' })
      .option('planted', { type: 'string', describe: 'Write the planted bad rows as JSON to this file (outside --out; needs --bad-rows)' })
      .option('bad-rows', { type: 'boolean', default: false, describe: 'Plant one bad row of every quarantine reason' })
      .option('gzip', { type: 'boolean', default: false, describe: 'Write activity files as .csv.gz (demographics stays .csv)' })
      .option('care-plan-effect', {
        type: 'number',
        default: generateDefaults.carePlanEffect,
        describe: 'Hazard ratio of emergency admission for 12 months after a care plan at a team meeting (1: no effect; recorded in the truth files)',
      }),
  handler: async (argv: ArgumentsCamelCase<GenerateArgs>): Promise<void> => {
    // Loaded only now, so `strata --help` and bad usage answer at once.
    const { carePlanTruthPath, generateInbox, parseGenerateSettings, tableNames } = await import('../../synthetic/index.ts');
    const settings = parseGenerateSettings({
      out: argv.out,
      persons: argv.persons,
      seed: argv.seed,
      asOf: argv['as-of'],
      extracts: argv.extracts,
      truth: argv.truth,
      planted: argv.planted,
      badRows: argv['bad-rows'],
      gzip: argv.gzip,
      carePlanEffect: argv['care-plan-effect'],
    });
    const result = await generateInbox(settings);
    const lines = [
      `strata generate: ${result.folders.length} extract folders (${result.folders.join(', ')}) in ${settings.out}`,
      `  people: ${result.personsInPopulation} in the population${settings.truth ? `, ${result.truthRows} in the truth file ${settings.truth}` : ''}`,
      ...(settings.truth ? [`  care plans with a known effect (hazard ratio ${settings.carePlanEffect}): ${result.carePlanTruthRows} in ${carePlanTruthPath(settings.truth)}`] : []),
      ...tableNames.map((t) => `  ${t}: ${result.rowsPerTable[t]} rows`),
      ...(settings.badRows ? [`  planted bad rows: ${result.planted.length}${settings.planted ? ` (listed in ${settings.planted})` : ''}`] : []),
      `  ${result.seconds.toFixed(1)} s`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  },
};
