-- tier_flows: the people scored today by their tier in the previous run (or $not_scored_before) and their tier
-- today. Nobody else: a person in the previous run who is not scored today is not looked at.
-- Grain: one row per from_tier, to_tier.
-- Inputs: scores, tier_history.
-- Parameters: $previous (the previous run's as_of, sql/report/previous_run.sql), $not_scored_before.
WITH previous AS (
  SELECT person_id, ea_tier FROM tier_history WHERE as_of = $previous
),
flows AS (
  SELECT
    coalesce(p.ea_tier::VARCHAR, $not_scored_before) AS from_tier,
    s.ea_tier::VARCHAR AS to_tier
  FROM scores AS s
  LEFT JOIN previous AS p ON p.person_id = s.person_id
)
SELECT from_tier, to_tier, count(*)::INTEGER AS people
FROM flows
GROUP BY 1, 2
ORDER BY 1, 2
