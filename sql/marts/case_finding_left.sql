-- case_finding_left: who left a practice's case-finding list since the last run (data-contract.md, v2): the people
-- on that practice's list last run (in the listed tiers, at that practice) who are still scored tonight but are not
-- on that practice's list now. reason_left is 'lower_risk' (the same practice, now below the listed tiers: with
-- tonight's tier and reasons) or 'moved_practice' (now registered elsewhere: tonight's practice, tier and reasons
-- are not given, for the old practice is no longer theirs). A person no longer scored (died, left the register,
-- opted out) is in no row: the join to scores drops them, so no objection is ever revealed.
-- Runs before tier_history kept the practice (practice_code null there) cannot say which list a person was on;
-- their people are left out rather than guessed.
-- Grain: one row per (practice_code of last run, person_id).
-- Inputs: tier_history (the last run's tiers and practices), scores (sql/marts/scores.sql).
-- Parameters: $as_of, $list_tiers (the tiers listed).
WITH previously_listed AS (
  SELECT person_id, practice_code, ea_tier AS previous_ea_tier
  FROM tier_history
  WHERE as_of = (SELECT max(as_of) FROM tier_history WHERE as_of < $as_of)
    AND ea_tier <= $list_tiers
    AND practice_code IS NOT NULL
),
final AS (
  SELECT
    p.practice_code,
    s.person_id,
    s.age,
    strata_sex_label(s.sex) AS sex_label,
    p.previous_ea_tier,
    CASE WHEN s.practice_code = p.practice_code THEN 'lower_risk' ELSE 'moved_practice' END AS reason_left,
    CASE WHEN s.practice_code = p.practice_code THEN s.ea_tier END AS ea_tier,
    CASE WHEN s.practice_code = p.practice_code THEN s.ea_risk END AS ea_risk,
    CASE WHEN s.practice_code = p.practice_code THEN s.top_factors END AS top_factors
  FROM previously_listed p
  JOIN scores s USING (person_id)
  WHERE s.practice_code <> p.practice_code OR s.ea_tier > $list_tiers
)
SELECT * FROM final
