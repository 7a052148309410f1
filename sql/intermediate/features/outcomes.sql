-- features/outcomes: what happened in the 365 days after the index date, for training and validation.
-- Grain: one row per person in cohort.
-- Inputs: cohort, inpatient_spells, ref_admission_methods, gp_conditions, ref_ltc_registers, $as_of.
-- A new long-term condition is a register in ref_ltc_registers: going onto PC (palliative care) is not one.
WITH admissions AS (
  SELECT DISTINCT s.person_id
  FROM inpatient_spells s JOIN cohort c USING (person_id)
  JOIN ref_admission_methods m USING (admission_method)
  WHERE m.admission_group = 'emergency'
    AND s.admission_date > $as_of AND s.admission_date <= $as_of + INTERVAL 365 DAY
),
new_conditions AS (
  SELECT DISTINCT g.person_id
  FROM gp_conditions g JOIN cohort c USING (person_id)
  JOIN ref_ltc_registers r USING (condition)
  WHERE g.diagnosed_on > $as_of AND g.diagnosed_on <= $as_of + INTERVAL 365 DAY
),
final AS (
  SELECT c.person_id,
    a.person_id IS NOT NULL AS emergency_admission_next_12m,
    n.person_id IS NOT NULL AS new_ltc_next_12m
  FROM cohort c
  LEFT JOIN admissions a USING (person_id)
  LEFT JOIN new_conditions n USING (person_id)
)
SELECT * FROM final
