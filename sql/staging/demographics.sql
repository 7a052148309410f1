-- staging/demographics: validates and types one demographics file (a full snapshot).
-- Grain: one row per data row of the file; reason is NULL for a row that passes these checks (among them: no
-- date of the person before 1 January of their year_of_birth). When a person_id is on more than one row, the
-- loader then marks every valid copy duplicate_key, so that no copy can override another's opt-out
-- (pipeline/ingest/markDuplicatePersons.ts).
-- Inputs: staging_raw (every contract column as VARCHAR, plus line), $extract_date.
WITH typed AS (
  SELECT
    line, person_id, year_of_birth AS year_of_birth_text, sex, ethnic_category, lsoa_code,
    imd_decile AS imd_decile_text, practice_code, pcn_code, opt_out,
    registered_on AS registered_on_text, date_of_death AS date_of_death_text,
    strata_integer(year_of_birth) AS year_of_birth,
    strata_integer(imd_decile) AS imd_decile,
    strata_date(registered_on) AS registered_on,
    strata_date(date_of_death) AS date_of_death,
    strata_person_id_problem(person_id, true) AS person_id_problem
  FROM staging_raw
),
checked AS (
  SELECT *,
    CASE
      WHEN person_id_problem IS NOT NULL THEN person_id_problem
      WHEN year_of_birth_text IS NULL THEN {'reason': 'missing_value', 'detail': 'year_of_birth is empty'}
      WHEN sex IS NULL THEN {'reason': 'missing_value', 'detail': 'sex is empty'}
      WHEN practice_code IS NULL THEN {'reason': 'missing_value', 'detail': 'practice_code is empty'}
      WHEN registered_on_text IS NULL THEN {'reason': 'missing_value', 'detail': 'registered_on is empty'}
      WHEN opt_out IS NULL THEN {'reason': 'missing_value', 'detail': 'opt_out is empty'}
      WHEN year_of_birth IS NULL OR year_of_birth < 1900 OR year_of_birth > year($extract_date)
        THEN {'reason': 'bad_value', 'detail': 'year_of_birth must be a year from 1900 to the extract year'}
      WHEN imd_decile_text IS NOT NULL AND (imd_decile IS NULL OR imd_decile NOT BETWEEN 1 AND 10)
        THEN {'reason': 'bad_value', 'detail': 'imd_decile must be 1 to 10'}
      WHEN registered_on IS NULL THEN {'reason': 'bad_date', 'detail': 'registered_on is not a real YYYY-MM-DD date'}
      WHEN date_of_death_text IS NOT NULL AND date_of_death IS NULL
        THEN {'reason': 'bad_date', 'detail': 'date_of_death is not a real YYYY-MM-DD date'}
      WHEN sex NOT IN ('1', '2', '9', 'X') THEN {'reason': 'bad_code', 'detail': 'sex must be 1, 2, 9 or X'}
      WHEN ethnic_category IS NOT NULL AND ethnic_category NOT IN (
          'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'J', 'K', 'L', 'M', 'N', 'P', 'R', 'S', 'Z', '99')
        THEN {'reason': 'bad_code', 'detail': 'ethnic_category must be an NHS ethnic category code'}
      WHEN lsoa_code IS NOT NULL AND NOT regexp_full_match(lsoa_code, 'E01[0-9]{6}')
        THEN {'reason': 'bad_code', 'detail': 'lsoa_code must be E01 and 6 digits'}
      WHEN NOT regexp_full_match(practice_code, '[A-Z][0-9]{5}')
        THEN {'reason': 'bad_code', 'detail': 'practice_code must be a letter and 5 digits'}
      WHEN pcn_code IS NOT NULL AND NOT regexp_full_match(pcn_code, 'U[0-9]{5}')
        THEN {'reason': 'bad_code', 'detail': 'pcn_code must be U and 5 digits'}
      WHEN opt_out NOT IN ('Y', 'N') THEN {'reason': 'bad_code', 'detail': 'opt_out must be Y or N'}
      WHEN registered_on > $extract_date
        THEN {'reason': 'future_date', 'detail': 'registered_on is after the extract date'}
      WHEN date_of_death > $extract_date
        THEN {'reason': 'future_date', 'detail': 'date_of_death is after the extract date'}
      WHEN strata_before_birth_year(date_of_death, year_of_birth)
        THEN {'reason': 'date_order', 'detail': 'date_of_death is before 1 January of year_of_birth (a death before birth)'}
      WHEN strata_before_birth_year(registered_on, year_of_birth)
        THEN {'reason': 'date_order', 'detail': 'registered_on is before 1 January of year_of_birth'}
    END AS problem
  FROM typed
),
final AS (
  SELECT
    line, person_id, year_of_birth, sex, ethnic_category, lsoa_code, imd_decile, practice_code,
    pcn_code, registered_on, date_of_death, opt_out,
    problem.reason AS reason,
    problem.detail AS detail
  FROM checked
)
SELECT * FROM final
