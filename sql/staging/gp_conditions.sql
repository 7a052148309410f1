-- staging/gp_conditions: validates and types one GP (QOF) register file: the long-term-condition registers and,
-- from contract v2, PC (palliative care), which is loaded like any register but counts as no long-term condition
-- (sql/reference/ltc_registers.csv).
-- Grain: one row per data row of the file; reason is NULL for a row that passes these checks. A later
-- row repeating the key of an earlier valid row is then marked duplicate_key by the loader, for every table
-- alike (pipeline/ingest/markDuplicateKeys.ts).
-- A known person's dates may not fall before 1 January of their year of birth (date_order).
-- Inputs: staging_activity_rows (sql/staging/staging_activity_rows.sql: the file's rows, every contract column as
-- VARCHAR plus line, with whether their person is known, the person_id check and the birth year), $extract_date.
WITH typed AS (
  SELECT
    line, person_id, condition,
    diagnosed_on AS diagnosed_on_text,
    strata_date(diagnosed_on) AS diagnosed_on,
    known_person, person_id_problem, birth_year
  FROM staging_activity_rows
),
checked AS (
  SELECT *,
    strata_activity_row_problem(person_id_problem, CASE
      WHEN condition IS NULL THEN {'reason': 'missing_value', 'detail': 'condition is empty'}
      WHEN diagnosed_on_text IS NULL THEN {'reason': 'missing_value', 'detail': 'diagnosed_on is empty'}
      WHEN diagnosed_on IS NULL THEN {'reason': 'bad_date', 'detail': 'diagnosed_on is not a real YYYY-MM-DD date'}
      WHEN condition NOT IN ('AF', 'AST', 'CAN', 'CHD', 'CKD', 'COPD', 'DEM', 'DEP', 'DM', 'EP', 'HF', 'HYP',
                             'LD', 'MH', 'OST', 'PAD', 'PC', 'RA', 'STIA')
        THEN {'reason': 'bad_code', 'detail': 'condition is not a QOF register code'}
      WHEN diagnosed_on > $extract_date
        THEN {'reason': 'future_date', 'detail': 'diagnosed_on is after the extract date'}
      WHEN strata_before_birth_year(diagnosed_on, birth_year)
        THEN {'reason': 'date_order', 'detail': 'diagnosed_on is before 1 January of the person''s year_of_birth'}
    END, known_person) AS problem
  FROM typed
),
final AS (
  SELECT
    line, person_id, condition, diagnosed_on,
    problem.reason AS reason,
    problem.detail AS detail
  FROM checked
)
SELECT * FROM final
