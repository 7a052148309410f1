-- features/charlson_features: Charlson comorbidity index (Quan 2005 ICD-10 coding, Charlson 1987
-- weights, no age points) from primary and secondary diagnoses on spells admitted in the 5 years to
-- the index date. Hierarchy: metastatic tumour removes any malignancy, diabetes with complications
-- removes diabetes without, moderate/severe liver disease removes mild.
-- Grain: one row per person in cohort. Inputs: cohort, inpatient_spells, ref_charlson_icd10_quan2005, $as_of.
WITH diagnoses AS (
  -- Lists are unnested in the select list, not by a lateral join: DuckDB plans the lateral form as a
  -- correlated (delim) join, which took most of this query's time.
  SELECT DISTINCT person_id, code
  FROM (
    SELECT s.person_id, unnest(list_prepend(s.primary_diagnosis, coalesce(s.secondary_diagnoses, []))) AS code
    FROM inpatient_spells s JOIN cohort c USING (person_id)
    WHERE s.admission_date <= $as_of AND s.admission_date > $as_of - INTERVAL 5 YEAR
  )
),
code_prefixes AS (
  -- Every leading part of each code (I2, I21, I210, ...), so that a reference prefix matches by equality,
  -- a hash join, rather than by starts_with over every pair of code and prefix.
  SELECT person_id, left(code, CAST(n AS INTEGER)) AS prefix
  FROM (SELECT person_id, code, unnest(range(1, length(code) + 1)) AS n FROM diagnoses)
),
categories AS (
  SELECT DISTINCT d.person_id, r.category, CAST(r.weight_charlson1987 AS INTEGER) AS weight
  FROM code_prefixes d JOIN ref_charlson_icd10_quan2005 r ON r.icd10_prefix = d.prefix
),
after_hierarchy AS (
  SELECT c.* FROM categories c
  WHERE NOT (c.category = 'canc' AND EXISTS (SELECT 1 FROM categories m WHERE m.person_id = c.person_id AND m.category = 'metacanc'))
    AND NOT (c.category = 'diab' AND EXISTS (SELECT 1 FROM categories m WHERE m.person_id = c.person_id AND m.category = 'diabwc'))
    AND NOT (c.category = 'mld' AND EXISTS (SELECT 1 FROM categories m WHERE m.person_id = c.person_id AND m.category = 'msld'))
),
per_person AS (
  SELECT person_id, sum(weight) AS charlson_index, list(category ORDER BY category) AS charlson_categories
  FROM after_hierarchy GROUP BY person_id
),
final AS (
  -- One flag per category, after the hierarchy, so the index is the weighted sum of the flags.
  SELECT c.person_id,
    CAST(coalesce(p.charlson_index, 0) AS INTEGER) AS charlson_index,
    coalesce(p.charlson_categories, []) AS charlson_categories,
    list_contains(coalesce(p.charlson_categories, []), 'ami') AS charlson_ami,
    list_contains(coalesce(p.charlson_categories, []), 'chf') AS charlson_chf,
    list_contains(coalesce(p.charlson_categories, []), 'pvd') AS charlson_pvd,
    list_contains(coalesce(p.charlson_categories, []), 'cevd') AS charlson_cevd,
    list_contains(coalesce(p.charlson_categories, []), 'dementia') AS charlson_dementia,
    list_contains(coalesce(p.charlson_categories, []), 'copd') AS charlson_copd,
    list_contains(coalesce(p.charlson_categories, []), 'rheumd') AS charlson_rheumd,
    list_contains(coalesce(p.charlson_categories, []), 'pud') AS charlson_pud,
    list_contains(coalesce(p.charlson_categories, []), 'mld') AS charlson_mld,
    list_contains(coalesce(p.charlson_categories, []), 'diab') AS charlson_diab,
    list_contains(coalesce(p.charlson_categories, []), 'diabwc') AS charlson_diabwc,
    list_contains(coalesce(p.charlson_categories, []), 'hp') AS charlson_hp,
    list_contains(coalesce(p.charlson_categories, []), 'rend') AS charlson_rend,
    list_contains(coalesce(p.charlson_categories, []), 'canc') AS charlson_canc,
    list_contains(coalesce(p.charlson_categories, []), 'msld') AS charlson_msld,
    list_contains(coalesce(p.charlson_categories, []), 'metacanc') AS charlson_metacanc,
    list_contains(coalesce(p.charlson_categories, []), 'aids') AS charlson_aids
  FROM cohort c LEFT JOIN per_person p USING (person_id)
)
SELECT * FROM final
