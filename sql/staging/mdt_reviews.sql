-- staging/mdt_reviews: validates and types one file of the practices' multidisciplinary team reviews (contract v2,
-- optional in every folder).
-- Grain: one row per data row of the file; reason is NULL for a row that passes these checks. A later
-- row repeating the key of an earlier valid row is then marked duplicate_key by the loader, for every table
-- alike (pipeline/ingest/markDuplicateKeys.ts).
-- A known person's dates may not fall before 1 January of their year of birth (date_order); review_by, the next
-- planned review, may be empty, and is checked against reviewed_on, not against the extract date.
-- Inputs: staging_activity_rows (sql/staging/staging_activity_rows.sql: the file's rows, every contract column as
-- VARCHAR plus line, with whether their person is known, the person_id check and the birth year), $extract_date.
WITH typed AS (
  SELECT
    line, review_id, person_id, outcome,
    reviewed_on AS reviewed_on_text, review_by AS review_by_text,
    strata_date(reviewed_on) AS reviewed_on,
    strata_date(review_by) AS review_by,
    known_person, person_id_problem, birth_year
  FROM staging_activity_rows
),
checked AS (
  SELECT *,
    strata_activity_row_problem(person_id_problem, CASE
      WHEN review_id IS NULL THEN {'reason': 'missing_value', 'detail': 'review_id is empty'}
      WHEN reviewed_on_text IS NULL THEN {'reason': 'missing_value', 'detail': 'reviewed_on is empty'}
      WHEN outcome IS NULL THEN {'reason': 'missing_value', 'detail': 'outcome is empty'}
      WHEN reviewed_on IS NULL THEN {'reason': 'bad_date', 'detail': 'reviewed_on is not a real YYYY-MM-DD date'}
      WHEN review_by_text IS NOT NULL AND review_by IS NULL
        THEN {'reason': 'bad_date', 'detail': 'review_by is not a real YYYY-MM-DD date'}
      WHEN outcome NOT IN ('CP', 'AM', 'DC', 'NA', 'NR')
        THEN {'reason': 'bad_code', 'detail': 'outcome must be CP, AM, DC, NA or NR'}
      WHEN reviewed_on > $extract_date
        THEN {'reason': 'future_date', 'detail': 'reviewed_on is after the extract date'}
      WHEN strata_before_birth_year(reviewed_on, birth_year)
        THEN {'reason': 'date_order', 'detail': 'reviewed_on is before 1 January of the person''s year_of_birth'}
      WHEN review_by < reviewed_on
        THEN {'reason': 'date_order', 'detail': 'review_by is before reviewed_on'}
    END, known_person) AS problem
  FROM typed
),
final AS (
  SELECT
    line, review_id, person_id, reviewed_on, outcome, review_by,
    problem.reason AS reason,
    problem.detail AS detail
  FROM checked
)
SELECT * FROM final
