-- features/frailty_features: Hospital Frailty Risk Score (Gilbert 2018) from inpatient diagnoses in
-- the 2 years to the index date; each distinct 3-character code counts once.
-- Bands: low < 5, intermediate 5-15, high > 15.
-- Grain: one row per person in cohort. Inputs: cohort, inpatient_spells, ref_hfrs_icd10_gilbert2018, $as_of.
WITH codes AS (
  -- Unnested in the select list, not by a lateral join (which DuckDB plans as a slower correlated join).
  SELECT DISTINCT person_id, left(code, 3) AS code3
  FROM (
    SELECT s.person_id, unnest(list_prepend(s.primary_diagnosis, coalesce(s.secondary_diagnoses, []))) AS code
    FROM inpatient_spells s JOIN cohort c USING (person_id)
    WHERE s.admission_date <= $as_of AND s.admission_date > $as_of - INTERVAL 2 YEAR
  )
),
per_person AS (
  SELECT c.person_id, sum(CAST(r.weight AS DECIMAL(6, 1))) AS frailty_score
  FROM codes c JOIN ref_hfrs_icd10_gilbert2018 r ON r.icd10_3char = c.code3
  GROUP BY c.person_id
),
final AS (
  SELECT c.person_id,
    CAST(coalesce(p.frailty_score, 0) AS DOUBLE) AS frailty_score,
    CASE WHEN coalesce(p.frailty_score, 0) < 5 THEN 'low'
         WHEN p.frailty_score <= 15 THEN 'intermediate' ELSE 'high' END AS frailty_band
  FROM cohort c LEFT JOIN per_person p USING (person_id)
)
SELECT * FROM final
