-- features/utilisation_features: hospital activity in the windows before the index date.
-- Elective spells are split into day cases (discharged the day they were admitted) and the rest.
-- Grain: one row per person in cohort. A window "last 12 months" is the 365 days ending on $as_of.
-- Inputs: cohort, inpatient_spells, ref_admission_methods, ae_attendances, outpatient_appointments, $as_of.
WITH spells AS (
  SELECT s.person_id, s.admission_date, s.discharge_date,
         least(coalesce(s.discharge_date, $as_of), $as_of) AS discharge_or_index,
         m.admission_group
  FROM inpatient_spells s
  JOIN cohort c USING (person_id)
  JOIN ref_admission_methods m USING (admission_method)
  WHERE s.admission_date <= $as_of AND s.admission_date > $as_of - INTERVAL 1095 DAY
),
spell_counts AS (
  SELECT person_id,
    count(*) FILTER (admission_group = 'emergency' AND admission_date > $as_of - INTERVAL 90 DAY) AS emergency_admissions_90d,
    count(*) FILTER (admission_group = 'emergency' AND admission_date > $as_of - INTERVAL 365 DAY) AS emergency_admissions_12m,
    count(*) FILTER (admission_group = 'emergency' AND admission_date > $as_of - INTERVAL 730 DAY) AS emergency_admissions_24m,
    count(*) FILTER (admission_group = 'emergency') AS emergency_admissions_36m,
    sum(date_diff('day', admission_date, discharge_or_index))
      FILTER (admission_group = 'emergency' AND admission_date > $as_of - INTERVAL 365 DAY) AS emergency_bed_days_12m,
    date_diff('day', max(discharge_or_index) FILTER (admission_group = 'emergency' AND admission_date > $as_of - INTERVAL 730 DAY), $as_of)
      AS days_since_emergency_discharge,
    coalesce(bool_or(admission_group = 'emergency' AND (discharge_date IS NULL OR discharge_date > $as_of)), false)
      AS emergency_spell_open,
    count(*) FILTER (admission_group = 'elective' AND admission_date > $as_of - INTERVAL 365 DAY
                     AND (discharge_date IS NULL OR discharge_date > admission_date)) AS elective_spells_12m,
    count(*) FILTER (admission_group = 'elective' AND admission_date > $as_of - INTERVAL 365 DAY
                     AND discharge_date = admission_date) AS day_case_spells_12m
  FROM spells GROUP BY person_id
),
ae AS (
  SELECT a.person_id,
    count(*) FILTER (a.arrival_at >= $as_of - INTERVAL 364 DAY) AS ae_attendances_12m,
    count(*) FILTER (a.arrival_at >= $as_of - INTERVAL 364 DAY AND a.admitted = 'N') AS ae_attendances_not_admitted_12m,
    count(*) FILTER (a.arrival_at >= $as_of - INTERVAL 89 DAY) AS ae_attendances_90d,
    count(*) AS ae_attendances_36m
  FROM ae_attendances a JOIN cohort c USING (person_id)
  WHERE a.arrival_at < $as_of + INTERVAL 1 DAY AND a.arrival_at >= $as_of - INTERVAL 1094 DAY
  GROUP BY a.person_id
),
outpatients AS (
  SELECT o.person_id,
    count(*) FILTER (o.attendance_status IN ('5', '6') AND o.appointment_date > $as_of - INTERVAL 365 DAY) AS outpatient_attendances_12m,
    count(*) FILTER (o.attendance_status = '3' AND o.appointment_date > $as_of - INTERVAL 365 DAY) AS outpatient_dna_12m,
    count(*) FILTER (o.attendance_status IN ('5', '6')) AS outpatient_attendances_36m
  FROM outpatient_appointments o JOIN cohort c USING (person_id)
  WHERE o.appointment_date <= $as_of AND o.appointment_date > $as_of - INTERVAL 1095 DAY
  GROUP BY o.person_id
),
final AS (
  SELECT c.person_id,
    coalesce(s.emergency_admissions_90d, 0) AS emergency_admissions_90d,
    coalesce(s.emergency_admissions_12m, 0) AS emergency_admissions_12m,
    coalesce(s.emergency_admissions_24m, 0) AS emergency_admissions_24m,
    coalesce(s.emergency_admissions_36m, 0) AS emergency_admissions_36m,
    coalesce(s.emergency_bed_days_12m, 0) AS emergency_bed_days_12m,
    s.days_since_emergency_discharge,
    coalesce(s.emergency_spell_open, false) AS emergency_spell_open,
    coalesce(s.elective_spells_12m, 0) AS elective_spells_12m,
    coalesce(s.day_case_spells_12m, 0) AS day_case_spells_12m,
    coalesce(a.ae_attendances_12m, 0) AS ae_attendances_12m,
    coalesce(a.ae_attendances_not_admitted_12m, 0) AS ae_attendances_not_admitted_12m,
    coalesce(a.ae_attendances_90d, 0) AS ae_attendances_90d,
    coalesce(a.ae_attendances_36m, 0) AS ae_attendances_36m,
    coalesce(o.outpatient_attendances_12m, 0) AS outpatient_attendances_12m,
    coalesce(o.outpatient_dna_12m, 0) AS outpatient_dna_12m,
    CAST(o.outpatient_dna_12m AS DOUBLE) / nullif(o.outpatient_attendances_12m + o.outpatient_dna_12m, 0)
      AS outpatient_dna_rate_12m,
    coalesce(o.outpatient_attendances_36m, 0) AS outpatient_attendances_36m
  FROM cohort c
  LEFT JOIN spell_counts s USING (person_id)
  LEFT JOIN ae a USING (person_id)
  LEFT JOIN outpatients o USING (person_id)
)
SELECT * FROM final
