-- report/proactive_care_index_rows: the people compared at each care-plan review date, for "did proactive care work?"
-- (models/proactiveCare.ts). A review on day r has index date t0 = r - 1. Rows are built only for the distinct t0 of
-- care-plan (CP) reviews with at least the shortest follow-up (91 days) inside the data: people x tens of dates.
-- Each person's reviews, emergency admissions and register dates are gathered once into sorted lists, so each
-- (person, t0) row is worked out from its own person's lists, with no join of the activity to every date.
-- Grain: one row per person per index date, for people in the population at t0 (the definition of
-- sql/intermediate/population/training_population.sql) who are either a care plan analysed (a CP review on r and no
-- review of any outcome in [r - 365, r)) or a control (no review of any outcome in [r - 365, r]), in a cell holding
-- at least one care plan (a control anywhere else counts nowhere). The cell is
-- (t0, age_band, sex, emergency_admissions_band, registers_band); the two counts are capped at 4, which stands for
-- "4 or more". The outcome is an emergency admission in (t0, t0 + h], h = 91, 182 or 365 days.
-- Inputs: persons, mdt_reviews, inpatient_spells, ref_admission_methods, gp_conditions, ref_ltc_registers.
-- Parameters: $as_of (the newest extract date: the end of the follow-up).
WITH index_dates AS (
  SELECT DISTINCT reviewed_on - 1 AS t0
  FROM mdt_reviews
  WHERE outcome = 'CP' AND reviewed_on - 1 + 91 <= $as_of
),
reviews_by_person AS (
  SELECT person_id,
    list(DISTINCT reviewed_on) AS reviewed_on,
    list(DISTINCT reviewed_on) FILTER (outcome = 'CP') AS care_plan_on
  FROM mdt_reviews
  GROUP BY person_id
),
emergency_admissions_by_person AS (
  SELECT s.person_id, list(s.admission_date) AS admitted_on
  FROM inpatient_spells AS s
  JOIN ref_admission_methods AS a USING (admission_method)
  WHERE a.admission_group = 'emergency'
  GROUP BY s.person_id
),
first_on_register AS (
  SELECT g.person_id, g.condition, min(g.diagnosed_on) AS first_diagnosed_on
  FROM gp_conditions AS g
  JOIN (SELECT DISTINCT condition FROM ref_ltc_registers) AS r USING (condition)
  GROUP BY g.person_id, g.condition
),
registers_by_person AS (
  -- The dates each person joined their 1st, 2nd, 3rd and 4th register: the count at any t0 (capped at 4) follows.
  SELECT person_id, list_sort(list(first_diagnosed_on)) AS joined_on
  FROM first_on_register
  GROUP BY person_id
),
eligible_persons AS (
  SELECT p.person_id, p.year_of_birth, p.sex, p.registered_on, p.date_of_death,
    coalesce(v.reviewed_on, []) AS reviewed_on, coalesce(v.care_plan_on, []) AS care_plan_on,
    coalesce(e.admitted_on, []) AS admitted_on,
    g.joined_on[1] AS first_register_on, g.joined_on[2] AS second_register_on,
    g.joined_on[3] AS third_register_on, g.joined_on[4] AS fourth_register_on
  FROM persons AS p
  LEFT JOIN reviews_by_person AS v USING (person_id)
  LEFT JOIN emergency_admissions_by_person AS e USING (person_id)
  LEFT JOIN registers_by_person AS g USING (person_id)
  WHERE p.opt_out = 'N'
    AND NOT strata_holds_direct_identifier(p.person_id)
),
population AS (
  SELECT d.t0, p.*, year(d.t0) - p.year_of_birth AS age
  FROM index_dates AS d
  JOIN eligible_persons AS p
    ON p.registered_on <= d.t0
   AND p.year_of_birth <= year(d.t0)
   AND (p.date_of_death IS NULL OR p.date_of_death > d.t0)
),
people_at_index AS (
  -- Most people have no review and no emergency admission: their lists are empty and the filters are skipped.
  SELECT t0, person_id,
    CASE WHEN len(care_plan_on) = 0 THEN false
         ELSE list_contains(care_plan_on, t0 + 1) AND len(list_filter(reviewed_on, x -> x >= t0 + 1 - 365 AND x < t0 + 1)) = 0
    END AS care_plan,
    CASE WHEN len(reviewed_on) = 0 THEN true
         ELSE len(list_filter(reviewed_on, x -> x >= t0 + 1 - 365 AND x <= t0 + 1)) = 0
    END AS control,
    CASE WHEN age < 18 THEN '0-17' WHEN age < 45 THEN '18-44' WHEN age < 65 THEN '45-64'
         WHEN age < 75 THEN '65-74' WHEN age < 85 THEN '75-84' ELSE '85+' END AS age_band,
    sex,
    CASE WHEN len(admitted_on) = 0 THEN 0 ELSE least(len(list_filter(admitted_on, x -> x > t0 - 365 AND x <= t0)), 4) END
      AS emergency_admissions_band,
    CASE WHEN fourth_register_on <= t0 THEN 4 WHEN third_register_on <= t0 THEN 3
         WHEN second_register_on <= t0 THEN 2 WHEN first_register_on <= t0 THEN 1 ELSE 0 END AS registers_band,
    len(admitted_on) > 0 AND len(list_filter(admitted_on, x -> x > t0 AND x <= t0 + 91)) > 0 AS admitted_91d,
    len(admitted_on) > 0 AND len(list_filter(admitted_on, x -> x > t0 AND x <= t0 + 182)) > 0 AS admitted_182d,
    len(admitted_on) > 0 AND len(list_filter(admitted_on, x -> x > t0 AND x <= t0 + 365)) > 0 AS admitted_365d
  FROM population
),
care_plan_cells AS (
  SELECT DISTINCT t0, age_band, sex, emergency_admissions_band, registers_band
  FROM people_at_index
  WHERE care_plan
),
final AS (
  SELECT i.*
  FROM people_at_index AS i
  SEMI JOIN care_plan_cells AS c USING (t0, age_band, sex, emergency_admissions_band, registers_band)
  WHERE i.care_plan OR i.control
)
SELECT * FROM final
