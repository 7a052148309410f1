-- staging_activity_rows: the rows of one activity file with what is already known of their person, read by every
-- activity staging query (sql/staging/<table>.sql other than demographics.sql).
-- A person_id found in known_persons passed the demographics checks (a pseudonym, not an NHS number), so the
-- person_id checks (strata_person_id_problem) run only on the rows whose person is not known. known_persons is
-- LEFT JOINed (one row per person), so a row whose person is unknown is kept, to be quarantined unknown_person;
-- birth_year lets a known person's dates be checked against 1 January of their year of birth (date_order).
-- Grain: one row per data row of the file (staging_raw's columns, plus known_person, person_id_problem, birth_year).
-- Inputs: staging_raw (every contract column as VARCHAR, plus line), known_persons (every person_id in any
-- snapshot so far, this folder's included, with their newest year_of_birth).
SELECT r.*,
  k.person_id IS NOT NULL AS known_person,
  strata_person_id_problem(r.person_id, k.person_id IS NULL) AS person_id_problem,
  k.year_of_birth AS birth_year
FROM staging_raw r
LEFT JOIN known_persons k ON k.person_id = r.person_id
