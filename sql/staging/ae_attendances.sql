-- staging/ae_attendances: validates and types one A&E attendances file.
-- Grain: one row per data row of the file; reason is NULL for a row that loads.
-- Inputs: staging_raw (every contract column as VARCHAR, plus line), known_persons (every person_id in
-- any snapshot so far, this folder's included), $extract_date.
WITH typed AS (
  SELECT
    line, attendance_id, person_id, department_type, admitted,
    arrival_at AS arrival_at_text, acuity AS acuity_text,
    strata_timestamp(arrival_at) AS arrival_at,
    strata_integer(acuity) AS acuity
  FROM staging_raw
),
-- Not materialised: the duplicate check below reads it again, but only for the few rows whose key repeats.
checked AS NOT MATERIALIZED (
  SELECT *,
    CASE
      WHEN strata_is_nhs_number(person_id)
        THEN {'reason': 'direct_identifier', 'detail': 'person_id is an NHS number, not a pseudonym'}
      WHEN attendance_id IS NULL THEN {'reason': 'missing_value', 'detail': 'attendance_id is empty'}
      WHEN person_id IS NULL THEN {'reason': 'missing_value', 'detail': 'person_id is empty'}
      WHEN arrival_at_text IS NULL THEN {'reason': 'missing_value', 'detail': 'arrival_at is empty'}
      WHEN department_type IS NULL THEN {'reason': 'missing_value', 'detail': 'department_type is empty'}
      WHEN admitted IS NULL THEN {'reason': 'missing_value', 'detail': 'admitted is empty'}
      WHEN NOT strata_valid_person_id(person_id)
        THEN {'reason': 'bad_value', 'detail': 'person_id must be 1-64 characters of A-Z, a-z, 0-9, _ or -'}
      WHEN acuity_text IS NOT NULL AND (acuity IS NULL OR acuity NOT BETWEEN 1 AND 5)
        THEN {'reason': 'bad_value', 'detail': 'acuity must be 1 to 5'}
      WHEN arrival_at IS NULL
        THEN {'reason': 'bad_date', 'detail': 'arrival_at is not a real YYYY-MM-DDTHH:MM:SS timestamp'}
      WHEN department_type NOT IN ('01', '02', '03', '04')
        THEN {'reason': 'bad_code', 'detail': 'department_type must be 01 to 04'}
      WHEN admitted NOT IN ('Y', 'N') THEN {'reason': 'bad_code', 'detail': 'admitted must be Y or N'}
      WHEN arrival_at >= $extract_date + INTERVAL 1 DAY
        THEN {'reason': 'future_date', 'detail': 'arrival_at is after the end of the extract date'}
      WHEN person_id NOT IN (SELECT person_id FROM known_persons)
        THEN {'reason': 'unknown_person', 'detail': 'person_id is in no demographics snapshot loaded so far'}
    END AS problem
  FROM typed
),
-- A duplicate is a valid row whose key a valid row on an earlier line already has. Only a key that occurs
-- more than once in the file can have one, so the ordering window runs on those rows alone.
repeated_keys AS (
  SELECT DISTINCT attendance_id
  FROM (SELECT attendance_id, count(*) OVER (PARTITION BY attendance_id) AS occurrences FROM staging_raw)
  WHERE occurrences > 1
),
repeats AS (
  SELECT line, row_number() OVER (PARTITION BY attendance_id ORDER BY line) AS key_occurrence
  FROM checked
  WHERE problem IS NULL AND attendance_id IN (SELECT attendance_id FROM repeated_keys)
),
keyed AS (
  SELECT c.*, r.key_occurrence FROM checked c LEFT JOIN repeats r USING (line)
),
final AS (
  SELECT
    line, attendance_id, person_id, arrival_at, department_type, acuity, admitted,
    coalesce(problem.reason, CASE WHEN key_occurrence > 1 THEN 'duplicate_key' END) AS reason,
    coalesce(problem.detail, CASE WHEN key_occurrence > 1 THEN 'attendance_id appears earlier in this file' END) AS detail
  FROM keyed
)
SELECT * FROM final
