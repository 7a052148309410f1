-- features/ltc_features: GP long-term-condition registers on the record by the index date.
-- Grain: one row per person in cohort. Inputs: cohort, gp_conditions, ref_ltc_registers, $as_of.
-- Only the registers in ref_ltc_registers are long-term conditions: PC (palliative care) is not, and counts nowhere here.
WITH registers AS (
  SELECT g.person_id, g.condition, g.diagnosed_on
  FROM gp_conditions g JOIN cohort c USING (person_id)
  JOIN ref_ltc_registers r USING (condition)
  WHERE g.diagnosed_on <= $as_of
),
per_person AS (
  SELECT person_id,
    count(DISTINCT condition) AS ltc_count,
    count(DISTINCT condition) FILTER (diagnosed_on > $as_of - INTERVAL 365 DAY) AS new_ltc_12m,
    bool_or(condition = 'AF') AS ltc_af, bool_or(condition = 'AST') AS ltc_ast,
    bool_or(condition = 'CAN') AS ltc_can, bool_or(condition = 'CHD') AS ltc_chd,
    bool_or(condition = 'CKD') AS ltc_ckd, bool_or(condition = 'COPD') AS ltc_copd,
    bool_or(condition = 'DEM') AS ltc_dem, bool_or(condition = 'DEP') AS ltc_dep,
    bool_or(condition = 'DM') AS ltc_dm, bool_or(condition = 'EP') AS ltc_ep,
    bool_or(condition = 'HF') AS ltc_hf, bool_or(condition = 'HYP') AS ltc_hyp,
    bool_or(condition = 'LD') AS ltc_ld, bool_or(condition = 'MH') AS ltc_mh,
    bool_or(condition = 'OST') AS ltc_ost, bool_or(condition = 'PAD') AS ltc_pad,
    bool_or(condition = 'RA') AS ltc_ra, bool_or(condition = 'STIA') AS ltc_stia
  FROM registers GROUP BY person_id
),
final AS (
  SELECT c.person_id,
    coalesce(p.ltc_count, 0) AS ltc_count,
    coalesce(p.new_ltc_12m, 0) AS new_ltc_12m,
    coalesce(p.ltc_count, 0) >= 2 AS multimorbidity,
    coalesce(p.ltc_count, 0) >= 4 AS complex_multimorbidity,
    coalesce(p.ltc_af, false) AS ltc_af, coalesce(p.ltc_ast, false) AS ltc_ast,
    coalesce(p.ltc_can, false) AS ltc_can, coalesce(p.ltc_chd, false) AS ltc_chd,
    coalesce(p.ltc_ckd, false) AS ltc_ckd, coalesce(p.ltc_copd, false) AS ltc_copd,
    coalesce(p.ltc_dem, false) AS ltc_dem, coalesce(p.ltc_dep, false) AS ltc_dep,
    coalesce(p.ltc_dm, false) AS ltc_dm, coalesce(p.ltc_ep, false) AS ltc_ep,
    coalesce(p.ltc_hf, false) AS ltc_hf, coalesce(p.ltc_hyp, false) AS ltc_hyp,
    coalesce(p.ltc_ld, false) AS ltc_ld, coalesce(p.ltc_mh, false) AS ltc_mh,
    coalesce(p.ltc_ost, false) AS ltc_ost, coalesce(p.ltc_pad, false) AS ltc_pad,
    coalesce(p.ltc_ra, false) AS ltc_ra, coalesce(p.ltc_stia, false) AS ltc_stia
  FROM cohort c LEFT JOIN per_person p USING (person_id)
)
SELECT * FROM final
