// The `strata` command line: global options here, one command per file in ./commands.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { evaluateCommand } from './commands/evaluate.ts';
import { generateCommand } from './commands/generate.ts';
import { runCommand } from './commands/run.ts';
import { scheduleCommand } from './commands/schedule.ts';
import { statusCommand } from './commands/status.ts';
import { trainCommand } from './commands/train.ts';
import { unlockCommand } from './commands/unlock.ts';
import { reportFailure } from './exitWithError.ts';

// Outputs, the database and its lock are for the owner and the owner's group only (docs/security.md).
process.umask(0o027);

await yargs(hideBin(process.argv))
  .scriptName('strata')
  .option('verbose', { type: 'boolean', default: false, describe: 'Print stack traces on errors' })
  .option('config', { type: 'string', describe: 'Configuration file (default ./strata.config.json when present)' })
  .option('log-format', { choices: ['auto', 'json', 'text'] as const, default: 'auto' as const, describe: 'json lines, readable text, or auto: json unless stdout is a terminal' })
  .command(runCommand)
  .command(trainCommand)
  .command(generateCommand)
  .command(evaluateCommand)
  .command(statusCommand)
  .command(scheduleCommand)
  .command(unlockCommand)
  .demandCommand(1, 'Name a command: run, train, generate, evaluate, status, schedule or unlock.')
  .strict()
  .fail((message, error, argv) => reportFailure(message, error, argv))
  .help()
  .parseAsync();
