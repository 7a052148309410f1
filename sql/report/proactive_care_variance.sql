-- report/proactive_care_variance: the meat of the cluster-robust (by person) sandwich variance of the ratio
-- theta = O / E at one horizon, from the estimating equation sum_i (o_i - theta * p_c(i)) = 0 with p_c estimated
-- from the controls. Person k contributes
--   U_k = sum over k's care plans i of (o_i - theta * p_c(i))
--       - theta * sum over k's control rows j of n_c(j) * (y_j - p_c(j)) / m_c(j),
-- and Var(theta) = sum_k U_k^2 / E^2 (taken in models/proactiveCare.ts). Matched cells only: an unmatched care plan
-- is not in theta, and a control in a cell without care plans has n_c = 0. A person is one cluster across every
-- date at which they are a care plan or a control.
-- Grain: one row (the sum over people of U_k^2, and the number of people contributing).
-- Inputs: proactive_care_index_rows, proactive_care_cells.
-- Parameters: $days (91, 182 or 365), $theta (O / E at that horizon).
WITH matched_cells AS (
  SELECT t0, age_band, sex, emergency_admissions_band, registers_band, care_plans, controls, control_risk
  FROM proactive_care_cells
  WHERE days = $days AND controls > 0
),
rows_in_matched_cells AS (
  SELECT i.person_id, i.care_plan, c.care_plans, c.controls, c.control_risk,
    (CASE $days WHEN 91 THEN i.admitted_91d WHEN 182 THEN i.admitted_182d ELSE i.admitted_365d END)::INTEGER::DOUBLE AS admitted
  FROM proactive_care_index_rows AS i
  JOIN matched_cells AS c USING (t0, age_band, sex, emergency_admissions_band, registers_band)
),
person_contributions AS (
  SELECT person_id,
    sum(CASE WHEN care_plan THEN admitted - $theta::DOUBLE * control_risk
             ELSE -$theta::DOUBLE * care_plans * (admitted - control_risk) / controls END) AS contribution
  FROM rows_in_matched_cells
  GROUP BY person_id
),
final AS (
  SELECT coalesce(sum(contribution * contribution), 0)::DOUBLE AS sum_squared_contributions, count(*)::INTEGER AS people
  FROM person_contributions
)
SELECT * FROM final
