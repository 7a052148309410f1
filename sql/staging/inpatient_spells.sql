-- staging/inpatient_spells: validates and types one inpatient spells file; normalises ICD-10 codes.
-- Grain: one row per data row of the file; reason is NULL for a row that passes these checks. A later
-- row repeating the key of an earlier valid row is then marked duplicate_key by the loader, for every table
-- alike (pipeline/ingest/markDuplicateKeys.ts).
-- A known person's dates may not fall before 1 January of their year of birth (date_order).
-- Inputs: staging_activity_rows (sql/staging/staging_activity_rows.sql: the file's rows, every contract column as
-- VARCHAR plus line, with whether their person is known, the person_id check and the birth year), $extract_date.
WITH typed AS (
  SELECT
    line, spell_id, person_id, admission_method, treatment_specialty,
    admission_date AS admission_date_text, discharge_date AS discharge_date_text,
    primary_diagnosis AS primary_diagnosis_text,
    strata_icd10_items(secondary_diagnoses) AS secondary_items,
    strata_date(admission_date) AS admission_date,
    strata_date(discharge_date) AS discharge_date,
    known_person, person_id_problem, birth_year
  FROM staging_activity_rows
),
checked AS (
  SELECT *,
    strata_activity_row_problem(person_id_problem, CASE
      WHEN spell_id IS NULL THEN {'reason': 'missing_value', 'detail': 'spell_id is empty'}
      WHEN admission_date_text IS NULL THEN {'reason': 'missing_value', 'detail': 'admission_date is empty'}
      WHEN admission_method IS NULL THEN {'reason': 'missing_value', 'detail': 'admission_method is empty'}
      WHEN primary_diagnosis_text IS NULL THEN {'reason': 'missing_value', 'detail': 'primary_diagnosis is empty'}
      WHEN admission_date IS NULL THEN {'reason': 'bad_date', 'detail': 'admission_date is not a real YYYY-MM-DD date'}
      WHEN discharge_date_text IS NOT NULL AND discharge_date IS NULL
        THEN {'reason': 'bad_date', 'detail': 'discharge_date is not a real YYYY-MM-DD date'}
      WHEN admission_method NOT IN ('11', '12', '13', '21', '22', '23', '24', '25', '2A', '2B', '2C', '2D', '28',
                                    '31', '32', '81', '82', '83')
        THEN {'reason': 'bad_code', 'detail': 'admission_method is not an NHS admission method code'}
      WHEN NOT strata_icd10_valid(primary_diagnosis_text)
        THEN {'reason': 'bad_code', 'detail': 'primary_diagnosis is not an ICD-10 code'}
      WHEN NOT list_bool_and(list_transform(secondary_items, lambda c: strata_icd10_valid(c)))
        THEN {'reason': 'bad_code', 'detail': 'secondary_diagnoses holds a value that is not an ICD-10 code'}
      WHEN treatment_specialty IS NOT NULL AND NOT regexp_full_match(treatment_specialty, '[0-9]{3}')
        THEN {'reason': 'bad_code', 'detail': 'treatment_specialty must be a 3-digit treatment function code'}
      WHEN admission_date > $extract_date
        THEN {'reason': 'future_date', 'detail': 'admission_date is after the extract date'}
      WHEN discharge_date > $extract_date
        THEN {'reason': 'future_date', 'detail': 'discharge_date is after the extract date'}
      WHEN discharge_date < admission_date
        THEN {'reason': 'date_order', 'detail': 'discharge_date is before admission_date'}
      WHEN strata_before_birth_year(admission_date, birth_year)
        THEN {'reason': 'date_order', 'detail': 'admission_date is before 1 January of the person''s year_of_birth'}
      WHEN strata_before_birth_year(discharge_date, birth_year)
        THEN {'reason': 'date_order', 'detail': 'discharge_date is before 1 January of the person''s year_of_birth'}
    END, known_person) AS problem
  FROM typed
),
final AS (
  SELECT
    line, spell_id, person_id, admission_date, discharge_date, admission_method,
    strata_icd10(primary_diagnosis_text) AS primary_diagnosis,
    CASE WHEN len(secondary_items) > 0
         THEN list_transform(secondary_items, lambda c: strata_icd10(c)) END AS secondary_diagnoses,
    treatment_specialty,
    problem.reason AS reason,
    problem.detail AS detail
  FROM checked
)
SELECT * FROM final
