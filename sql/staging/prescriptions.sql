-- staging/prescriptions: validates and types one primary care prescriptions file.
-- Grain: one row per data row of the file; reason is NULL for a row that loads.
-- Inputs: staging_raw (every contract column as VARCHAR, plus line), known_persons (every person_id in
-- any snapshot so far, this folder's included), $extract_date.
WITH typed AS (
  SELECT
    line, prescription_id, person_id, bnf_code,
    issued_on AS issued_on_text,
    strata_date(issued_on) AS issued_on
  FROM staging_raw
),
-- Not materialised: the duplicate check below reads it again, but only for the few rows whose key repeats.
checked AS NOT MATERIALIZED (
  SELECT *,
    CASE
      WHEN strata_is_nhs_number(person_id)
        THEN {'reason': 'direct_identifier', 'detail': 'person_id is an NHS number, not a pseudonym'}
      WHEN prescription_id IS NULL THEN {'reason': 'missing_value', 'detail': 'prescription_id is empty'}
      WHEN person_id IS NULL THEN {'reason': 'missing_value', 'detail': 'person_id is empty'}
      WHEN issued_on_text IS NULL THEN {'reason': 'missing_value', 'detail': 'issued_on is empty'}
      WHEN bnf_code IS NULL THEN {'reason': 'missing_value', 'detail': 'bnf_code is empty'}
      WHEN NOT strata_valid_person_id(person_id)
        THEN {'reason': 'bad_value', 'detail': 'person_id must be 1-64 characters of A-Z, a-z, 0-9, _ or -'}
      WHEN issued_on IS NULL THEN {'reason': 'bad_date', 'detail': 'issued_on is not a real YYYY-MM-DD date'}
      WHEN NOT regexp_full_match(bnf_code, '[0-9]{4}[0-9A-Z]{11}')
        THEN {'reason': 'bad_code', 'detail': 'bnf_code must be a 15-character BNF presentation code'}
      WHEN issued_on > $extract_date
        THEN {'reason': 'future_date', 'detail': 'issued_on is after the extract date'}
      WHEN person_id NOT IN (SELECT person_id FROM known_persons)
        THEN {'reason': 'unknown_person', 'detail': 'person_id is in no demographics snapshot loaded so far'}
    END AS problem
  FROM typed
),
-- A duplicate is a valid row whose key a valid row on an earlier line already has. Only a key that occurs
-- more than once in the file can have one, so the ordering window runs on those rows alone.
repeated_keys AS (
  SELECT DISTINCT prescription_id
  FROM (SELECT prescription_id, count(*) OVER (PARTITION BY prescription_id) AS occurrences FROM staging_raw)
  WHERE occurrences > 1
),
repeats AS (
  SELECT line, row_number() OVER (PARTITION BY prescription_id ORDER BY line) AS key_occurrence
  FROM checked
  WHERE problem IS NULL AND prescription_id IN (SELECT prescription_id FROM repeated_keys)
),
keyed AS (
  SELECT c.*, r.key_occurrence FROM checked c LEFT JOIN repeats r USING (line)
),
final AS (
  SELECT
    line, prescription_id, person_id, issued_on, bnf_code,
    coalesce(problem.reason, CASE WHEN key_occurrence > 1 THEN 'duplicate_key' END) AS reason,
    coalesce(problem.detail, CASE WHEN key_occurrence > 1 THEN 'prescription_id appears earlier in this file' END) AS detail
  FROM keyed
)
SELECT * FROM final
