-- staging/outpatient_appointments: validates and types one outpatient appointments file.
-- Grain: one row per data row of the file; reason is NULL for a row that passes these checks. A later
-- row repeating the key of an earlier valid row is then marked duplicate_key by the loader, for every table
-- alike (pipeline/ingest/markDuplicateKeys.ts).
-- A known person's dates may not fall before 1 January of their year of birth (date_order).
-- Inputs: staging_activity_rows (sql/staging/staging_activity_rows.sql: the file's rows, every contract column as
-- VARCHAR plus line, with whether their person is known, the person_id check and the birth year), $extract_date.
WITH typed AS (
  SELECT
    line, appointment_id, person_id, attendance_status, first_attendance, treatment_specialty,
    appointment_date AS appointment_date_text,
    strata_date(appointment_date) AS appointment_date,
    known_person, person_id_problem, birth_year
  FROM staging_activity_rows
),
checked AS (
  SELECT *,
    strata_activity_row_problem(person_id_problem, CASE
      WHEN appointment_id IS NULL THEN {'reason': 'missing_value', 'detail': 'appointment_id is empty'}
      WHEN appointment_date_text IS NULL THEN {'reason': 'missing_value', 'detail': 'appointment_date is empty'}
      WHEN attendance_status IS NULL THEN {'reason': 'missing_value', 'detail': 'attendance_status is empty'}
      WHEN first_attendance IS NULL THEN {'reason': 'missing_value', 'detail': 'first_attendance is empty'}
      WHEN appointment_date IS NULL
        THEN {'reason': 'bad_date', 'detail': 'appointment_date is not a real YYYY-MM-DD date'}
      WHEN attendance_status NOT IN ('0', '2', '3', '4', '5', '6', '7')
        THEN {'reason': 'bad_code', 'detail': 'attendance_status must be 0, 2, 3, 4, 5, 6 or 7'}
      WHEN first_attendance NOT IN ('1', '2', '3', '4')
        THEN {'reason': 'bad_code', 'detail': 'first_attendance must be 1, 2, 3 or 4'}
      WHEN treatment_specialty IS NOT NULL AND NOT regexp_full_match(treatment_specialty, '[0-9]{3}')
        THEN {'reason': 'bad_code', 'detail': 'treatment_specialty must be a 3-digit treatment function code'}
      WHEN appointment_date > $extract_date
        THEN {'reason': 'future_date', 'detail': 'appointment_date is after the extract date'}
      WHEN strata_before_birth_year(appointment_date, birth_year)
        THEN {'reason': 'date_order', 'detail': 'appointment_date is before 1 January of the person''s year_of_birth'}
    END, known_person) AS problem
  FROM typed
),
final AS (
  SELECT
    line, appointment_id, person_id, appointment_date, attendance_status, first_attendance, treatment_specialty,
    problem.reason AS reason,
    problem.detail AS detail
  FROM checked
)
SELECT * FROM final
