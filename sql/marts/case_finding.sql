-- case_finding: the people on the practices' and networks' case-finding lists tonight, with the facts an MDT asks
-- for first beside their scores: their rank in the practice and in the network, whether they are new to the list,
-- how their tier and risk moved since the last run, their long-term-condition registers, polypharmacy, and their
-- population segment.
-- Grain: one row per listed person (person_id), that is everyone in scores with ea_tier <= $list_tiers.
-- Inputs: scores (sql/marts/scores.sql), gp_conditions, ref_ltc_registers (sql/reference/ltc_registers.csv).
-- Parameters: $as_of (registers diagnosed on or before it), $list_tiers (the tiers listed).
-- The score columns are population_scores.arrow's, in its order (pipeline/output/writeOutputs.ts); the lists are
-- written from this table, one file per practice and per network.
WITH listed AS (
  SELECT * FROM scores WHERE ea_tier <= $list_tiers
),
registers AS (
  SELECT g.person_id, list(r.condition_name ORDER BY r.condition_name) AS long_term_conditions
  FROM gp_conditions g JOIN ref_ltc_registers r USING (condition)
  WHERE g.diagnosed_on <= $as_of AND g.person_id IN (SELECT person_id FROM listed)
  GROUP BY g.person_id
),
final AS (
  SELECT
    s.person_id, s.practice_code, s.pcn_code, s.age, s.age_band, s.sex, s.ethnic_group, s.imd_decile, s.ltc_count,
    s.charlson_index, s.frailty_score, s.frailty_band, s.emergency_admissions_12m, s.emergency_bed_days_12m,
    s.ae_attendances_12m, s.days_since_emergency_discharge, s.distinct_medicines_6m, s.ea_risk, s.ea_tier, s.ltc_risk,
    s.top_factors, s.previous_ea_tier,
    CAST(row_number() OVER (PARTITION BY s.practice_code ORDER BY s.ea_risk DESC, s.person_id) AS INTEGER) AS rank_in_practice,
    -- New to the list: not listed in the last run (or not scored then).
    coalesce(s.previous_ea_tier > $list_tiers, true) AS new_to_list,
    CASE WHEN s.previous_ea_tier IS NULL THEN 'new' WHEN s.ea_tier < s.previous_ea_tier THEN 'up'
         WHEN s.ea_tier > s.previous_ea_tier THEN 'down' ELSE 'same' END AS tier_change,
    s.ea_risk - s.previous_ea_risk AS ea_risk_change,
    coalesce(r.long_term_conditions, []) AS long_term_conditions,
    s.distinct_medicines_6m >= 5 AS polypharmacy,
    CAST(row_number() OVER (PARTITION BY s.pcn_code ORDER BY s.ea_risk DESC, s.person_id) AS INTEGER) AS rank_in_pcn,
    s.segment
  FROM listed s LEFT JOIN registers r USING (person_id)
)
SELECT * FROM final
