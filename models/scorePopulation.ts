// Scores a feature table with fitted models in SQL (the linear predictor, then the logistic), explains
// each person's emergency-admission score with top_factors, and assigns tiers by rank.
// Coefficients and reference values are bound as parameters; the only SQL composed is the term registry's own
// (models/terms.ts), looked up by the term ids a model card names.
import type { Database, Params } from '../core/db/Database.ts';
import { quoteIdentifier } from '../core/db/Database.ts';
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
  const features = quoteIdentifier(featureTable);
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
  const maxFactors = options.maxFactors ?? 4;

  await db.run(
    `CREATE OR REPLACE TABLE scores AS
     WITH scored AS (
       SELECT f.*,
         1 / (1 + exp(-(${ea}))) AS ea_risk,
         1 / (1 + exp(-(${ltc}))) AS ltc_risk,
         list_sort(list_filter([${contributions.join(', ')}], lambda x: x IS NOT NULL)) AS ranked_factors
       FROM ${features} f
     ),
     ranked AS (
       -- The population is counted apart: count(*) OVER () beside the rank made DuckDB hold every wide row
       -- at once, and at 3M people that spilled (scoring took 4.5 times as long as at 1M).
       SELECT *,
         row_number() OVER (ORDER BY ea_risk DESC, person_id) AS ea_rank,
         (SELECT count(*) FROM ${features}) AS population
       FROM scored
     ),
     previous AS (
       SELECT person_id, ea_tier AS previous_ea_tier, ea_risk AS previous_ea_risk FROM tier_history
       WHERE as_of = (SELECT max(as_of) FROM tier_history WHERE as_of < $as_of)
     ),
     final AS (
       SELECT
         r.person_id, r.practice_code, r.pcn_code, CAST(r.age AS INTEGER) AS age, r.age_band, r.sex,
         r.ethnic_group, r.imd_decile, CAST(r.ltc_count AS INTEGER) AS ltc_count,
         CAST(r.charlson_index AS INTEGER) AS charlson_index, r.frailty_score, r.frailty_band,
         CAST(r.emergency_admissions_12m AS INTEGER) AS emergency_admissions_12m,
         CAST(r.emergency_bed_days_12m AS INTEGER) AS emergency_bed_days_12m,
         CAST(r.ae_attendances_12m AS INTEGER) AS ae_attendances_12m,
         CAST(r.days_since_emergency_discharge AS INTEGER) AS days_since_emergency_discharge,
         CAST(r.distinct_medicines_6m AS INTEGER) AS distinct_medicines_6m,
         r.ea_risk,
         CAST(CASE WHEN r.ea_rank <= ceil(r.population * $tier1) THEN 1
                   WHEN r.ea_rank <= ceil(r.population * $tier2) THEN 2
                   WHEN r.ea_rank <= ceil(r.population * $tier3) THEN 3
                   ELSE 4 END AS INTEGER) AS ea_tier,
         r.ltc_risk,
         -- The three factors adding most (any that the person has and that add to their risk), then more while each
         -- adds at least $min_contribution to the log-odds; someone with none is told so in one sentence.
         coalesce(
           nullif(list_transform(
             list_filter(r.ranked_factors, lambda x, i: i <= 3 OR x.k <= -$min_contribution),
             lambda x: x.t)[1:${maxFactors}], []),
           [$no_reason]) AS top_factors,
         CAST(p.previous_ea_tier AS INTEGER) AS previous_ea_tier,
         p.previous_ea_risk,
         CAST(r.ea_rank AS INTEGER) AS ea_rank
       FROM ranked r LEFT JOIN previous p USING (person_id)
     )
     -- Not sorted: every reader of scores orders it itself (the outputs by ea_rank).
     SELECT * FROM final`,
    params,
  );
  // A re-run of the same night replaces that night's tiers, all at once, so a crash never leaves half.
  await db.transaction(async () => {
    await db.run('DELETE FROM tier_history WHERE as_of = $as_of', { as_of: params['as_of']! });
    await db.run('INSERT INTO tier_history SELECT $as_of, person_id, ea_tier, ea_risk FROM scores', { as_of: params['as_of']! });
  });
  return Number(await db.value<bigint>('SELECT count(*) FROM scores'));
}
