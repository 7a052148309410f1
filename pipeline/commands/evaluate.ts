// `strata evaluate`: judges a run's scores against a synthetic truth file (strata generate --truth).
import { statSync } from 'node:fs';
import type { CommandModule } from 'yargs';
import { UsageError } from '../../core/errors.ts';

interface EvaluateArgs {
  scores: string;
  truth: string;
}

export const evaluateCommand: CommandModule<object, EvaluateArgs> = {
  command: 'evaluate',
  describe: "Compare a run's population_scores.arrow with a synthetic truth file (oracle risks and realised outcomes)",
  builder: (yargs) =>
    yargs
      .option('scores', { type: 'string', demandOption: true, describe: 'population_scores.arrow from a run' })
      .option('truth', { type: 'string', demandOption: true, describe: 'Truth CSV written by strata generate --truth' }),
  handler: async (args) => {
    // Bad usage answers in one line before anything is opened.
    requireFile('--scores', args.scores, 'population_scores.arrow from a run');
    requireFile('--truth', args.truth, 'the truth CSV written by strata generate --truth');
    const [{ compareWithTruth }, { Database }] = await Promise.all([import('../../models/compareWithTruth.ts'), import('../../core/db/Database.ts')]);
    const db = await Database.open({ path: ':memory:' });
    try {
      const results = await compareWithTruth(db, args.scores, args.truth);
      process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    } finally {
      db.close();
    }
  },
};

function requireFile(flag: string, path: string, what: string): void {
  let isFile: boolean;
  try {
    isFile = statSync(path).isFile();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new UsageError(`${flag} ${path} does not exist: give ${what}`);
    throw new UsageError(`${flag} ${path} cannot be read (${code ?? 'error'}): check its permissions`);
  }
  if (!isFile) throw new UsageError(`${flag} ${path} is not a file: give ${what}`);
}
