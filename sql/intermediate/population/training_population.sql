-- population/training_population: the people whose history trains a model at index date $as_of.
-- Grain: one row per person. Everyone registered and alive on the index date and not opted out,
-- including people who later died or left (their outcome year is still observed).
-- A person_id holding an NHS number (loaded before the load refused every written form of it) is never used.
-- Inputs: persons, $as_of.
SELECT person_id
FROM persons
WHERE registered_on <= $as_of
  AND year_of_birth <= year($as_of)
  AND (date_of_death IS NULL OR date_of_death > $as_of)
  AND opt_out = 'N'
  AND NOT strata_holds_direct_identifier(person_id)
