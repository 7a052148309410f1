-- report/proactive_care_index_rows: the people compared at each care-plan review date, for "did proactive care work?"
-- (models/proactiveCare.ts). A review on day r has index date t0 = r - 1. Rows are built only for the distinct t0 of
-- care-plan (CP) reviews with at least the shortest follow-up (91 days) inside the data, so the cost is people x tens
-- of dates; admissions and registers are counted by range joins of the activity to those dates.
-- Grain: one row per person per index date, for people in the population at t0 (the definition of
-- sql/intermediate/population/training_population.sql) who are either a care plan analysed (a CP review on r and no
-- review of any outcome in [r - 365, r)) or a control (no review of any outcome in [r - 365, r]). Anyone else at that
-- date (reviewed in the year before, or reviewed on r with another outcome) is left out. The cell is
-- (t0, age_band, sex, emergency_admissions_band, registers_band); the outcome is an emergency admission in (t0, t0 + h].
-- Inputs: persons, mdt_reviews, inpatient_spells, ref_admission_methods, gp_conditions, ref_ltc_registers.
-- Parameters: $as_of (the newest extract date: the end of the follow-up).
WITH index_dates AS (
  SELECT DISTINCT reviewed_on - 1 AS t0
  FROM mdt_reviews
  WHERE outcome = 'CP' AND reviewed_on - 1 + 91 <= $as_of
),
eligible_persons AS (
  SELECT person_id, year_of_birth, sex, registered_on, date_of_death
  FROM persons
  WHERE opt_out = 'N'
    AND NOT strata_holds_direct_identifier(person_id)
),
population AS (
  SELECT d.t0, p.person_id, p.sex, year(d.t0) - p.year_of_birth AS age
  FROM index_dates AS d
  JOIN eligible_persons AS p
    ON p.registered_on <= d.t0
   AND p.year_of_birth <= year(d.t0)
   AND (p.date_of_death IS NULL OR p.date_of_death > d.t0)
),
reviews_in_year AS (
  -- Every person reviewed (any outcome) in [r - 365, r], r = t0 + 1: a control has no row here.
  SELECT d.t0, m.person_id,
    bool_or(m.outcome = 'CP' AND m.reviewed_on = d.t0 + 1) AS care_plan_on_review_day,
    bool_or(m.reviewed_on < d.t0 + 1) AS reviewed_in_year_before
  FROM index_dates AS d
  JOIN mdt_reviews AS m
    ON m.reviewed_on >= d.t0 + 1 - 365
   AND m.reviewed_on <= d.t0 + 1
  GROUP BY d.t0, m.person_id
),
emergency_spells AS (
  SELECT s.person_id, s.admission_date
  FROM inpatient_spells AS s
  JOIN ref_admission_methods AS a USING (admission_method)
  WHERE a.admission_group = 'emergency'
),
admissions_around_index AS (
  SELECT d.t0, e.person_id,
    count(*) FILTER (e.admission_date <= d.t0) AS emergency_admissions_12m,
    bool_or(e.admission_date > d.t0 AND e.admission_date <= d.t0 + 91) AS admitted_91d,
    bool_or(e.admission_date > d.t0 AND e.admission_date <= d.t0 + 182) AS admitted_182d,
    bool_or(e.admission_date > d.t0) AS admitted_365d
  FROM index_dates AS d
  JOIN emergency_spells AS e
    ON e.admission_date > d.t0 - 365
   AND e.admission_date <= d.t0 + 365
  GROUP BY d.t0, e.person_id
),
first_on_register AS (
  SELECT g.person_id, g.condition, min(g.diagnosed_on) AS first_diagnosed_on
  FROM gp_conditions AS g
  JOIN (SELECT DISTINCT condition FROM ref_ltc_registers) AS r USING (condition)
  GROUP BY g.person_id, g.condition
),
registers_at_index AS (
  SELECT d.t0, f.person_id, count(*) AS registers
  FROM index_dates AS d
  JOIN first_on_register AS f ON f.first_diagnosed_on <= d.t0
  GROUP BY d.t0, f.person_id
),
final AS (
  SELECT
    p.t0, p.person_id,
    coalesce(r.care_plan_on_review_day AND NOT r.reviewed_in_year_before, false) AS care_plan,
    r.person_id IS NULL AS control,
    CASE WHEN p.age < 18 THEN '0-17' WHEN p.age < 45 THEN '18-44' WHEN p.age < 65 THEN '45-64'
         WHEN p.age < 75 THEN '65-74' WHEN p.age < 85 THEN '75-84' ELSE '85+' END AS age_band,
    p.sex,
    CASE WHEN coalesce(a.emergency_admissions_12m, 0) >= 4 THEN '4+'
         ELSE coalesce(a.emergency_admissions_12m, 0)::VARCHAR END AS emergency_admissions_band,
    CASE WHEN coalesce(g.registers, 0) >= 4 THEN '4+' ELSE coalesce(g.registers, 0)::VARCHAR END AS registers_band,
    coalesce(a.admitted_91d, false) AS admitted_91d,
    coalesce(a.admitted_182d, false) AS admitted_182d,
    coalesce(a.admitted_365d, false) AS admitted_365d
  FROM population AS p
  LEFT JOIN reviews_in_year AS r ON r.t0 = p.t0 AND r.person_id = p.person_id
  LEFT JOIN admissions_around_index AS a ON a.t0 = p.t0 AND a.person_id = p.person_id
  LEFT JOIN registers_at_index AS g ON g.t0 = p.t0 AND g.person_id = p.person_id
  WHERE r.person_id IS NULL OR (r.care_plan_on_review_day AND NOT r.reviewed_in_year_before)
)
SELECT * FROM final
