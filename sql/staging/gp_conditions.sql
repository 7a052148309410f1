-- staging/gp_conditions: validates and types one GP long-term-condition register file.
-- Grain: one row per data row of the file; reason is NULL for a row that loads.
-- Inputs: staging_raw (every contract column as VARCHAR, plus line), known_persons (every person_id in
-- any snapshot so far, this folder's included), $extract_date.
WITH typed AS (
  SELECT
    line, person_id, condition,
    diagnosed_on AS diagnosed_on_text,
    strata_date(diagnosed_on) AS diagnosed_on
  FROM staging_raw
),
-- Not materialised: the duplicate check below reads it again, but only for the few rows whose key repeats.
checked AS NOT MATERIALIZED (
  SELECT *,
    CASE
      WHEN strata_is_nhs_number(person_id)
        THEN {'reason': 'direct_identifier', 'detail': 'person_id is an NHS number, not a pseudonym'}
      WHEN person_id IS NULL THEN {'reason': 'missing_value', 'detail': 'person_id is empty'}
      WHEN condition IS NULL THEN {'reason': 'missing_value', 'detail': 'condition is empty'}
      WHEN diagnosed_on_text IS NULL THEN {'reason': 'missing_value', 'detail': 'diagnosed_on is empty'}
      WHEN NOT strata_valid_person_id(person_id)
        THEN {'reason': 'bad_value', 'detail': 'person_id must be 1-64 characters of A-Z, a-z, 0-9, _ or -'}
      WHEN diagnosed_on IS NULL THEN {'reason': 'bad_date', 'detail': 'diagnosed_on is not a real YYYY-MM-DD date'}
      WHEN condition NOT IN ('AF', 'AST', 'CAN', 'CHD', 'CKD', 'COPD', 'DEM', 'DEP', 'DM', 'EP', 'HF', 'HYP',
                             'LD', 'MH', 'OST', 'PAD', 'RA', 'STIA')
        THEN {'reason': 'bad_code', 'detail': 'condition is not a QOF register code'}
      WHEN diagnosed_on > $extract_date
        THEN {'reason': 'future_date', 'detail': 'diagnosed_on is after the extract date'}
      WHEN person_id NOT IN (SELECT person_id FROM known_persons)
        THEN {'reason': 'unknown_person', 'detail': 'person_id is in no demographics snapshot loaded so far'}
    END AS problem
  FROM typed
),
-- A duplicate is a valid row whose key a valid row on an earlier line already has. Only a key that occurs
-- more than once in the file can have one, so the ordering window runs on those rows alone.
repeated_keys AS (
  SELECT DISTINCT person_id, condition
  FROM (SELECT person_id, condition, count(*) OVER (PARTITION BY person_id, condition) AS occurrences FROM staging_raw)
  WHERE occurrences > 1
),
repeats AS (
  SELECT line, row_number() OVER (PARTITION BY person_id, condition ORDER BY line) AS key_occurrence
  FROM checked
  WHERE problem IS NULL AND EXISTS (SELECT 1 FROM repeated_keys r WHERE r.person_id = checked.person_id AND r.condition = checked.condition)
),
keyed AS (
  SELECT c.*, r.key_occurrence FROM checked c LEFT JOIN repeats r USING (line)
),
final AS (
  SELECT
    line, person_id, condition, diagnosed_on,
    coalesce(problem.reason, CASE WHEN key_occurrence > 1 THEN 'duplicate_key' END) AS reason,
    coalesce(problem.detail, CASE WHEN key_occurrence > 1 THEN 'person_id and condition appear earlier in this file' END) AS detail
  FROM keyed
)
SELECT * FROM final
