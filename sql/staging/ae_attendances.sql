-- staging/ae_attendances: validates and types one A&E attendances file.
-- Grain: one row per data row of the file; reason is NULL for a row that passes these checks. A later
-- row repeating the key of an earlier valid row is then marked duplicate_key by the loader, for every table
-- alike (pipeline/ingest/markDuplicateKeys.ts).
-- A known person's dates may not fall before 1 January of their year of birth (date_order).
-- Inputs: staging_activity_rows (sql/staging/staging_activity_rows.sql: the file's rows, every contract column as
-- VARCHAR plus line, with whether their person is known, the person_id check and the birth year), $extract_date.
WITH typed AS (
  SELECT
    line, attendance_id, person_id, department_type, admitted,
    arrival_at AS arrival_at_text, acuity AS acuity_text,
    strata_timestamp(arrival_at) AS arrival_at,
    strata_integer(acuity) AS acuity,
    known_person, person_id_problem, birth_year
  FROM staging_activity_rows
),
checked AS (
  SELECT *,
    strata_activity_row_problem(person_id_problem, CASE
      WHEN attendance_id IS NULL THEN {'reason': 'missing_value', 'detail': 'attendance_id is empty'}
      WHEN arrival_at_text IS NULL THEN {'reason': 'missing_value', 'detail': 'arrival_at is empty'}
      WHEN department_type IS NULL THEN {'reason': 'missing_value', 'detail': 'department_type is empty'}
      WHEN admitted IS NULL THEN {'reason': 'missing_value', 'detail': 'admitted is empty'}
      WHEN acuity_text IS NOT NULL AND (acuity IS NULL OR acuity NOT BETWEEN 1 AND 5)
        THEN {'reason': 'bad_value', 'detail': 'acuity must be 1 to 5'}
      WHEN arrival_at IS NULL
        THEN {'reason': 'bad_date', 'detail': 'arrival_at is not a real YYYY-MM-DDTHH:MM:SS timestamp'}
      WHEN department_type NOT IN ('01', '02', '03', '04')
        THEN {'reason': 'bad_code', 'detail': 'department_type must be 01 to 04'}
      WHEN admitted NOT IN ('Y', 'N') THEN {'reason': 'bad_code', 'detail': 'admitted must be Y or N'}
      WHEN arrival_at >= $extract_date + INTERVAL 1 DAY
        THEN {'reason': 'future_date', 'detail': 'arrival_at is after the end of the extract date'}
      WHEN strata_before_birth_year(arrival_at, birth_year)
        THEN {'reason': 'date_order', 'detail': 'arrival_at is before 1 January of the person''s year_of_birth'}
    END, known_person) AS problem
  FROM typed
),
final AS (
  SELECT
    line, attendance_id, person_id, arrival_at, department_type, acuity, admitted,
    problem.reason AS reason,
    problem.detail AS detail
  FROM checked
)
SELECT * FROM final
