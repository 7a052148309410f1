-- features/segment_features: the person's population segment after Bridges to Health (Lynn et al. 2007, Milbank Q
-- 85(2):185-208) as NHS England's population segmentation uses it; docs/segments.md gives each rule and its source.
-- A person gets the highest segment that applies: end_of_life, frailty_dementia, organ_failure, disability,
-- complex_multimorbidity, long_term_conditions, maternity_infant, healthy.
-- Grain: one row per person in cohort.
-- Inputs: cohort, gp_conditions (the PC palliative care register, which is no long-term condition), inpatient_spells,
-- ref_admission_methods, ref_segment_icd10 (sql/reference/segment_icd10.csv), and feature tables that
-- models/buildFeatures.ts builds before this one: feature_demographic_features (age), feature_ltc_features
-- (ltc_count, ltc_dem, ltc_hf, ltc_ld) and feature_frailty_features (frailty_band).
-- Frailty counts from 65, as in NHS England's segmentation: HFRS was built on people aged 75 and over.
-- Parameters: $as_of (registers diagnosed on or before it; spells admitted on or before it).
-- An emergency admission alone (no register, no frailty from 65, no diagnosis in ref_segment_icd10) leaves a person
-- healthy: Bridges to Health's "acutely ill, mostly curable" segment has no value in the contract
-- (docs/segments.md).
WITH palliative_care AS (
  SELECT DISTINCT g.person_id
  FROM gp_conditions g JOIN cohort c USING (person_id)
  WHERE g.condition = 'PC' AND g.diagnosed_on <= $as_of
),
spells AS (
  SELECT s.person_id, s.admission_date, s.primary_diagnosis, s.secondary_diagnoses, m.admission_group
  FROM inpatient_spells s JOIN cohort c USING (person_id)
  JOIN ref_admission_methods m USING (admission_method)
  WHERE s.admission_date <= $as_of AND s.admission_date > $as_of - INTERVAL 2 YEAR
),
spell_diagnoses AS (
  -- Unnested in the select list, as in frailty_features.sql; the primary diagnosis is the list's first.
  SELECT person_id, admission_date, admission_group,
    unnest(list_prepend(primary_diagnosis, coalesce(secondary_diagnoses, []))) AS code,
    unnest(generate_series(1, 1 + len(coalesce(secondary_diagnoses, [])))) AS position
  FROM spells
),
diagnosis_evidence AS (
  SELECT d.person_id,
    bool_or(e.segment = 'organ_failure') AS organ_failure_diagnosis,
    bool_or(e.segment = 'disability') AS disability_diagnosis
  FROM spell_diagnoses d JOIN ref_segment_icd10 e ON starts_with(d.code, e.icd10_code)
  WHERE e.evidence = 'any_diagnosis_24m'
     OR (e.evidence = 'emergency_primary_12m' AND d.position = 1 AND d.admission_group = 'emergency'
         AND d.admission_date > $as_of - INTERVAL 365 DAY)
  GROUP BY d.person_id
),
maternity AS (
  SELECT DISTINCT person_id
  FROM spells
  WHERE admission_group = 'maternity' AND admission_date > $as_of - INTERVAL 365 DAY
),
final AS (
  SELECT c.person_id,
    CASE
      WHEN pc.person_id IS NOT NULL THEN 'end_of_life'
      WHEN l.ltc_dem OR (f.frailty_band IN ('intermediate', 'high') AND d.age >= 65) THEN 'frailty_dementia'
      WHEN l.ltc_hf OR coalesce(e.organ_failure_diagnosis, false) THEN 'organ_failure'
      WHEN l.ltc_ld OR coalesce(e.disability_diagnosis, false) THEN 'disability'
      WHEN l.ltc_count >= 2 THEN 'complex_multimorbidity'
      WHEN l.ltc_count = 1 THEN 'long_term_conditions'
      WHEN d.age < 1 OR m.person_id IS NOT NULL THEN 'maternity_infant'
      ELSE 'healthy'
    END AS segment
  FROM cohort c
  JOIN feature_demographic_features d USING (person_id)
  JOIN feature_ltc_features l USING (person_id)
  JOIN feature_frailty_features f USING (person_id)
  LEFT JOIN palliative_care pc USING (person_id)
  LEFT JOIN diagnosis_evidence e USING (person_id)
  LEFT JOIN maternity m USING (person_id)
)
SELECT * FROM final
