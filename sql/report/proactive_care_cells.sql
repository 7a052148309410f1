-- report/proactive_care_cells: care plans and their matched controls per cell, for each follow-up horizon
-- (models/proactiveCare.ts). A cell is (t0, age_band, sex, emergency_admissions_band, registers_band); a row enters a
-- horizon of h days only when its follow-up (t0, t0 + h] ends by $as_of. control_risk, the controls' share admitted,
-- is each care plan's expected risk; a cell without controls leaves its care plans unmatched (control_risk null).
-- Grain: one row per horizon (days) per cell holding at least one care plan. Cells of controls alone are not needed.
-- Inputs: proactive_care_index_rows (sql/report/proactive_care_index_rows.sql).
-- Parameters: $as_of.
WITH horizons AS (
  SELECT * FROM (VALUES (91), (182), (365)) AS h(days)
),
followed_up AS (
  SELECT h.days, i.t0, i.age_band, i.sex, i.emergency_admissions_band, i.registers_band, i.care_plan, i.control,
    CASE h.days WHEN 91 THEN i.admitted_91d WHEN 182 THEN i.admitted_182d ELSE i.admitted_365d END AS admitted
  FROM proactive_care_index_rows AS i
  JOIN horizons AS h ON i.t0 + h.days <= $as_of
),
per_cell AS (
  SELECT days, t0, age_band, sex, emergency_admissions_band, registers_band,
    count(*) FILTER (care_plan)::INTEGER AS care_plans,
    count(*) FILTER (care_plan AND admitted)::INTEGER AS care_plans_admitted,
    count(*) FILTER (control)::INTEGER AS controls,
    count(*) FILTER (control AND admitted)::INTEGER AS controls_admitted
  FROM followed_up
  GROUP BY days, t0, age_band, sex, emergency_admissions_band, registers_band
  HAVING count(*) FILTER (care_plan) > 0
),
final AS (
  SELECT *, controls_admitted::DOUBLE / nullif(controls, 0) AS control_risk
  FROM per_cell
)
SELECT * FROM final
