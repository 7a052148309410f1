-- features/demographic_features: age, sex, deprivation, ethnic group and practice at the index date.
-- Grain: one row per person in cohort. Inputs: cohort, persons, $as_of.
WITH base AS (
  SELECT p.*, year($as_of) - p.year_of_birth AS age
  FROM cohort c JOIN persons p USING (person_id)
),
final AS (
  SELECT
    person_id, practice_code, pcn_code, sex, imd_decile, age,
    CASE WHEN age < 18 THEN '0-17' WHEN age < 45 THEN '18-44' WHEN age < 65 THEN '45-64'
         WHEN age < 75 THEN '65-74' WHEN age < 85 THEN '75-84' ELSE '85+' END AS age_band,
    CAST(ceil(imd_decile / 2) AS INTEGER) AS imd_quintile,
    CASE
      WHEN ethnic_category IN ('A', 'B', 'C') THEN 'White'
      WHEN ethnic_category IN ('D', 'E', 'F', 'G') THEN 'Mixed'
      WHEN ethnic_category IN ('H', 'J', 'K', 'L') THEN 'Asian'
      WHEN ethnic_category IN ('M', 'N', 'P') THEN 'Black'
      WHEN ethnic_category IN ('R', 'S') THEN 'Other'
      ELSE 'Not stated'
    END AS ethnic_group
  FROM base
)
SELECT * FROM final
