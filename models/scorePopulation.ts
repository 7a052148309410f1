// Builds the scores mart (sql/marts/scores.sql) from a feature table and the fitted models: the linear predictors,
// the logistic, each person's reasons (top_factors), tiers by rank and the previous run's tier.
// Coefficients and reference values are bound as parameters; the only SQL composed here is the term registry's own
// (models/terms.ts), looked up by the term ids a model card names, filling the file's three slots.
import type { Database, Params } from '../core/db/Database.ts';
import { fillSqlSlots, quoteIdentifier, sqlFile } from '../core/db/Database.ts';
import { dateParam } from '../core/db/dateParam.ts';
import { linearPredictorSql } from './linearPredictor.ts';
import { type ModelCard, resolveTerms } from './modelCard.ts';
import { factors } from './terms.ts';

export interface ScoringOptions {
  asOf: string;
  /** Cumulative shares of the ranked population closing tiers 1, 2 and 3 (tier 4 is the rest). */
  tierCutoffs: readonly [number, number, number];
  /** Largest number of reasons shown per person. */
  maxFactors?: number;
  /**
   * Beyond the first three, a factor is a reason only when it adds at least this much more to the person's log-odds
   * than to the average person's.
   */
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
  // without it (each term at its reference value): that keeps every reason true of the person. Reasons are ordered
  // by how much more the factor adds for this person than for the average person tonight (each term at its mean
  // over the scored population), so a factor nearly everyone has, such as a few outpatient attendances, does not
  // lead the list for what it shares with everyone. 'k' is minus that, so an ascending sort puts the largest first;
  // 'f' breaks ties in the registry's order.
  const means = await termMeans(db, featureTable, eaTerms);
  const contributions = factors
    .map((factor, f) => {
      const terms = eaTerms.map((t, j) => ({ t, j })).filter(({ t }) => t.factor === factor.id);
      if (terms.length === 0 || factor.has === undefined || factor.reason === undefined) return null;
      for (const { t, j } of terms) {
        params[`ea_ref${j}`] = t.reference ?? 0;
        params[`ea_mean${j}`] = means[j]!;
      }
      const againstNone = `(${terms.map(({ t, j }) => `$ea_b${j + 1} * ((${t.sql}) - $ea_ref${j})`).join(' + ')})`;
      const againstAverage = `(${terms.map(({ t, j }) => `$ea_b${j + 1} * ((${t.sql}) - $ea_mean${j})`).join(' + ')})`;
      return `CASE WHEN coalesce(${factor.has}, false) AND ${againstNone} > 0
                   THEN {'k': -${againstAverage}, 'f': ${f}, 't': ${factor.reason}} END`;
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

/**
 * Each term's mean over the feature table, rounded to 6 decimal places so that the order of a parallel sum never
 * changes the order of anyone's reasons between two runs on the same data.
 */
async function termMeans(db: Database, featureTable: string, terms: readonly { sql: string }[]): Promise<number[]> {
  if (terms.length === 0) return [];
  const select = terms.map((t, j) => `round(coalesce(avg(${t.sql}), 0), 6) AS m${j}`).join(', ');
  const [row] = await db.rows<Record<string, number>>(`SELECT ${select} FROM ${quoteIdentifier(featureTable)}`);
  return terms.map((_, j) => Number(row![`m${j}`]));
}
