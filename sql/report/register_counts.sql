-- register_counts: the people scored today on each GP (QOF) long-term-condition register by $as_of (report section 5).
-- Grain: one row per condition code in ref_ltc_registers (PC, palliative care, is not a long-term condition).
-- Inputs: gp_conditions, ref_ltc_registers, scores.
-- Parameters: $as_of.
WITH on_register AS (
  SELECT DISTINCT g.person_id, g.condition
  FROM gp_conditions AS g
  JOIN ref_ltc_registers AS r USING (condition)
  WHERE g.diagnosed_on <= $as_of
    AND g.person_id IN (SELECT person_id FROM scores)
),
final AS (
  SELECT condition, count(*)::INTEGER AS people
  FROM on_register
  GROUP BY condition
)
SELECT * FROM final ORDER BY condition
