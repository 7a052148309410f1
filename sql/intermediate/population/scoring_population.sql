-- population/scoring_population: the people Strata scores as of $as_of.
-- Grain: one row per person. A person is scored when they are in the newest demographics snapshot,
-- alive at $as_of (date_of_death null or after it) and not opted out (data-contract.md §2).
-- A person_id that holds an NHS number is never scored, even one loaded into an older database before the load
-- refused every written form of it (strata_holds_direct_identifier): person_id is written into every output.
-- Only the newest record of each person is kept, so for an as_of before the newest extract a person
-- counts as in that snapshot when they were first seen at or before it and last seen at or after it.
-- Inputs: persons, extracts, $as_of.
WITH newest_snapshot AS (
  SELECT max(extract_date) AS extract_date FROM extracts WHERE extract_date <= $as_of
),
final AS (
  SELECT p.person_id
  FROM persons p, newest_snapshot n
  WHERE p.first_extract <= n.extract_date AND p.last_extract >= n.extract_date
    AND (p.date_of_death IS NULL OR p.date_of_death > $as_of)
    AND p.opt_out = 'N'
    AND NOT strata_holds_direct_identifier(p.person_id)
)
SELECT * FROM final
