-- staging/prescriptions: validates and types one primary care prescriptions file.
-- Grain: one row per data row of the file; reason is NULL for a row that passes these checks. A later
-- row repeating the key of an earlier valid row is then marked duplicate_key by the loader, for every table
-- alike (pipeline/ingest/markDuplicateKeys.ts).
-- A known person's dates may not fall before 1 January of their year of birth (date_order).
-- Inputs: staging_activity_rows (sql/staging/staging_activity_rows.sql: the file's rows, every contract column as
-- VARCHAR plus line, with whether their person is known, the person_id check and the birth year), $extract_date.
WITH typed AS (
  SELECT
    line, prescription_id, person_id, bnf_code,
    issued_on AS issued_on_text,
    strata_date(issued_on) AS issued_on,
    known_person, person_id_problem, birth_year
  FROM staging_activity_rows
),
checked AS (
  SELECT *,
    strata_activity_row_problem(person_id_problem, CASE
      WHEN prescription_id IS NULL THEN {'reason': 'missing_value', 'detail': 'prescription_id is empty'}
      WHEN issued_on_text IS NULL THEN {'reason': 'missing_value', 'detail': 'issued_on is empty'}
      WHEN bnf_code IS NULL THEN {'reason': 'missing_value', 'detail': 'bnf_code is empty'}
      WHEN issued_on IS NULL THEN {'reason': 'bad_date', 'detail': 'issued_on is not a real YYYY-MM-DD date'}
      WHEN NOT regexp_full_match(bnf_code, '[0-9]{4}[0-9A-Z]{11}')
        THEN {'reason': 'bad_code', 'detail': 'bnf_code must be a 15-character BNF presentation code'}
      WHEN issued_on > $extract_date
        THEN {'reason': 'future_date', 'detail': 'issued_on is after the extract date'}
      WHEN strata_before_birth_year(issued_on, birth_year)
        THEN {'reason': 'date_order', 'detail': 'issued_on is before 1 January of the person''s year_of_birth'}
    END, known_person) AS problem
  FROM typed
),
final AS (
  SELECT
    line, prescription_id, person_id, issued_on, bnf_code,
    problem.reason AS reason,
    problem.detail AS detail
  FROM checked
)
SELECT * FROM final
