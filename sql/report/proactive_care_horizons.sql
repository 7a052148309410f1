-- report/proactive_care_horizons: per follow-up horizon, the care plans analysed, how many found controls in their
-- cell (matched) and how many did not (unmatched), and over the matched ones the observed number admitted (O) and
-- the number expected from their controls' risks (E = sum of n_c * p_c). models/proactiveCare.ts takes O / E.
-- Grain: one row per horizon (3, 6 and 12 months; 91, 182 and 365 days), present even with no care plans.
-- Inputs: proactive_care_cells (sql/report/proactive_care_cells.sql).
WITH horizons AS (
  SELECT * FROM (VALUES (3, 91), (6, 182), (12, 365)) AS h(months, days)
),
totals AS (
  SELECT days,
    sum(care_plans) AS care_plans,
    sum(care_plans) FILTER (controls > 0) AS matched,
    sum(care_plans) FILTER (controls = 0) AS unmatched,
    sum(care_plans_admitted) FILTER (controls > 0) AS observed,
    sum(care_plans * control_risk) FILTER (controls > 0) AS expected
  FROM proactive_care_cells
  GROUP BY days
),
final AS (
  SELECT h.months, h.days,
    coalesce(t.care_plans, 0)::INTEGER AS care_plans,
    coalesce(t.matched, 0)::INTEGER AS matched,
    coalesce(t.unmatched, 0)::INTEGER AS unmatched,
    t.observed::INTEGER AS observed,
    t.expected::DOUBLE AS expected
  FROM horizons AS h
  LEFT JOIN totals AS t USING (days)
)
SELECT * FROM final ORDER BY days
