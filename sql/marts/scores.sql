-- scores: the scored population of one night, with each person's emergency-admission and long-term-condition risk,
-- their emergency-admission tier and rank, the reasons shown to an MDT (top_factors), their tier in the last run, and
-- their population segment (sql/intermediate/features/segment_features.sql, docs/segments.md).
-- Grain: one row per person in the scoring features (person_id).
-- Inputs: the scoring features table (slot "features": one row per person at $as_of, built from
--   sql/intermediate/features/person_features.sql) and tier_history (the tiers of earlier runs).
-- Parameters: $as_of; $tier1, $tier2, $tier3 (cumulative shares of the ranked population closing tiers 1-3);
--   $min_contribution (log-odds a fourth or later reason must add beyond the average person's); $max_factors; $no_reason (the sentence for
--   someone with no reason); the models' coefficients $ea_b0.., $ltc_b0.. and term reference values $ea_ref0..
-- Slots filled by models/scorePopulation.ts from the model cards and the term registry (models/terms.ts), every
-- coefficient bound: "ea_linear_predictor" and "ltc_linear_predictor" (intercept + sum of coefficient * term), and
-- "factor_contributions" (per factor: {k: minus what it adds to the person's log-odds beyond what it adds to the
-- average person's ($ea_mean..), f: its registry position, t: its sentence}, or NULL when the person does not have
-- it or it does not add to their risk against a person without it ($ea_ref..)). models/scorePopulation.ts says why.
WITH scored AS (
  SELECT f.*,
    1 / (1 + exp(-({{ea_linear_predictor}}))) AS ea_risk,
    1 / (1 + exp(-({{ltc_linear_predictor}}))) AS ltc_risk,
    -- Ascending on k puts the factor adding most beyond the average person first; f breaks ties in the registry's order.
    list_sort(list_filter([{{factor_contributions}}], lambda x: x IS NOT NULL)) AS ranked_factors
  FROM {{features}} f
),
ranked AS (
  -- The population is counted apart: count(*) OVER () beside the rank made DuckDB hold every wide row
  -- at once, and at 3M people that spilled (scoring took 4.5 times as long as at 1M).
  SELECT *,
    row_number() OVER (ORDER BY ea_risk DESC, person_id) AS ea_rank,
    (SELECT count(*) FROM {{features}}) AS population
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
    -- adds at least $min_contribution to the log-odds beyond the average person's, at most $max_factors; someone
    -- with none is told so in one sentence.
    coalesce(
      nullif(list_transform(
        list_filter(r.ranked_factors, lambda x, i: i <= 3 OR x.k <= -$min_contribution),
        lambda x: x.t)[1:$max_factors], []),
      [$no_reason]) AS top_factors,
    CAST(p.previous_ea_tier AS INTEGER) AS previous_ea_tier,
    p.previous_ea_risk,
    CAST(r.ea_rank AS INTEGER) AS ea_rank,
    r.segment
  FROM ranked r LEFT JOIN previous p USING (person_id)
)
-- Not sorted: every reader of scores orders it itself (the outputs by ea_rank).
SELECT * FROM final
