// `strata evaluate`: judges a run's scores against a synthetic truth file (strata generate --truth).
import type { CommandModule } from 'yargs';

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
    const [{ compareWithTruth }, { Database }] = await Promise.all([import('../../models/compareWithTruth.ts'), import('../db/Database.ts')]);
    const db = await Database.open({ path: ':memory:' });
    try {
      const results = await compareWithTruth(db, args.scores, args.truth);
      process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    } finally {
      db.close();
    }
  },
};
