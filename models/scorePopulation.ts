// Builds the scores mart (sql/marts/scores.sql) from a feature table and the fitted models: the linear predictors,
// the logistic, each person's reasons (top_factors), tiers by rank and the previous run's tier.
// Coefficients and reference values are bound as parameters; the only SQL composed here is the term registry's own
// (models/terms.ts), looked up by the term ids a model card names, filling the file's three slots.
import type { Database, Params } from '../core/db/Database.ts';
import { fillSqlSlots, quoteIdentifier, sqlFile } from '../core/db/Database.ts';
import { dateParam } from '../core/dates.ts';
import { linearPredictorSql } from './linearPredictor.ts';
import { type ModelCard, resolveTerms } from './modelCard.ts';
import { factors } from './terms.ts';

export interface ScoringOptions {
  asOf: string;
  /** Cumulative shares of the ranked population closing tiers 1, 2 and 3 (tier 4 is the rest). */
  tierCutoffs: readonly [number, number, number];
  /** Largest number of reasons shown per person. */
  maxFactors?: number;
  /** Beyond the first three, a factor is a reason only when it adds at least this much to the log-odds. */
  minFactorContribution?: number;
}

/** top_factors of someone for whom no factor they have adds to their risk. */
export const noReasonSentence = 'Nothing recorded adds to their risk beyond their age and sex';

export async function scorePopulation(
  db: Database,
  featureTable: string,
  eaModel: ModelCard,
  ltcModel: ModelCard,
  options: ScoringOptions,
): Promise<number> {
  const params: Params = {
    as_of: dateParam(options.asOf),
    tier1: options.tierCutoffs[0],
    tier2: options.tierCutoffs[1],
    tier3: options.tierCutoffs[2],
    min_contribution: options.minFactorContribution ?? 0.1,
    no_reason: noReasonSentence,
  };
  const eaTerms = resolveTerms(eaModel);
  const ea = linearPredictorSql({ intercept: eaModel.intercept, terms: eaTerms }, 'ea', params);
  const ltc = linearPredictorSql({ intercept: ltcModel.intercept, terms: resolveTerms(ltcModel) }, 'ltc', params);

  // A factor is a reason only for someone who has it, and only when its terms add to the log-odds against a person
  // without it (each term at its reference value). 'k' is minus that contribution, so an ascending sort puts the
  // largest first; 'f' breaks ties in the registry's order.
  const contributions = factors
    .map((factor, f) => {
      const parts = eaTerms
        .map((t, j) => ({ t, j }))
        .filter(({ t }) => t.factor === factor.id)
        .map(({ t, j }) => {
          params[`ea_ref${j}`] = t.reference ?? 0;
          return `$ea_b${j + 1} * ((${t.sql}) - $ea_ref${j})`;
        });
      if (parts.length === 0 || factor.has === undefined || factor.reason === undefined) return null;
      const contribution = `(${parts.join(' + ')})`;
      return `CASE WHEN coalesce(${factor.has}, false) AND ${contribution} > 0
                   THEN {'k': -${contribution}, 'f': ${f}, 't': ${factor.reason}} END`;
    })
    .filter((s): s is string => s !== null);
  params['max_factors'] = options.maxFactors ?? 4;

  await db.run(
    `CREATE OR REPLACE TABLE scores AS ${fillSqlSlots(sqlFile('marts/scores.sql'), {
      features: quoteIdentifier(featureTable),
      ea_linear_predictor: ea,
      ltc_linear_predictor: ltc,
      factor_contributions: contributions.join(', '),
    })}`,
    params,
  );
  // A re-run of the same night replaces that night's tiers, all at once, so a crash never leaves half.
  await db.transaction(async () => {
    await db.run('DELETE FROM tier_history WHERE as_of = $as_of', { as_of: params['as_of']! });
    await db.run(
      'INSERT INTO tier_history (as_of, person_id, ea_tier, ea_risk, practice_code) SELECT $as_of, person_id, ea_tier, ea_risk, practice_code FROM scores',
      { as_of: params['as_of']! },
    );
  });
  return Number(await db.value<bigint>('SELECT count(*) FROM scores'));
}
