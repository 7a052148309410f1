-- case_finding: the people on the practices' and networks' case-finding lists tonight, with the facts an MDT asks
-- for first beside their scores (data-contract.md, "v2: case-finding lists an MDT can act on"): their rank in the
-- practice and in the network (adults and children ranked apart: under-18s have their own lists), whether they are
-- new to the list, their last emergency admission and A&E attendance, whether they are in hospital now or were
-- discharged in the last 30 days, their long-term-condition registers, the team's last review of them and whether
-- one is due, and how their tier and risk moved.
-- Grain: one row per listed person (person_id), that is everyone in scores with ea_tier <= $list_tiers.
-- Inputs: scores (sql/marts/scores.sql), gp_conditions, ref_ltc_registers (sql/reference/ltc_registers.csv),
--   inpatient_spells, ae_attendances, ref_admission_methods (sql/reference/admission_methods.csv), mdt_reviews.
-- Parameters: $as_of (nothing dated after it counts), $list_tiers (the tiers listed).
-- The lists are written from this table, one file per practice and per network for adults and one for children
-- (pipeline/output/writeOutputs.ts picks and orders the columns).
WITH listed AS (
  SELECT *, age < 18 AS is_child FROM scores WHERE ea_tier <= $list_tiers
),
registers AS (
  SELECT g.person_id, list(r.condition_name ORDER BY r.condition_name) AS long_term_conditions
  FROM gp_conditions g JOIN ref_ltc_registers r USING (condition)
  WHERE g.diagnosed_on <= $as_of AND g.person_id IN (SELECT person_id FROM listed)
  GROUP BY g.person_id
),
emergency_spells AS (
  SELECT person_id, admission_date, discharge_date
  FROM inpatient_spells
  WHERE person_id IN (SELECT person_id FROM listed)
    AND admission_method IN (SELECT admission_method FROM ref_admission_methods WHERE admission_group = 'emergency')
    AND admission_date <= $as_of
),
hospital AS (
  SELECT
    person_id,
    -- The 3 years to as_of, the longest window any feature looks back over.
    max(admission_date) FILTER (WHERE admission_date > $as_of - INTERVAL 1095 DAY) AS last_emergency_admission_on,
    -- Admitted by as_of and not discharged by it: no discharge date yet, or one after as_of (a re-run of a past night).
    bool_or(discharge_date IS NULL OR discharge_date > $as_of) AS in_hospital_now,
    -- Discharged on one of the 30 days to as_of (as_of - 29 to as_of).
    bool_or(discharge_date > $as_of - INTERVAL 30 DAY AND discharge_date <= $as_of) AS discharged_in_last_30_days
  FROM emergency_spells
  GROUP BY person_id
),
emergency_care AS (
  SELECT person_id, max(CAST(arrival_at AS DATE)) AS last_ae_attendance_on
  FROM ae_attendances
  WHERE person_id IN (SELECT person_id FROM listed)
    AND CAST(arrival_at AS DATE) <= $as_of
    AND CAST(arrival_at AS DATE) > $as_of - INTERVAL 1095 DAY
  GROUP BY person_id
),
reviews AS (
  -- The team's last review by as_of (the later review_id on a day with two), whatever its outcome.
  SELECT
    person_id,
    max(reviewed_on) AS last_mdt_review_on,
    max_by(outcome, (reviewed_on, review_id)) AS last_mdt_outcome,
    max_by(review_by, (reviewed_on, review_id)) AS last_review_by
  FROM mdt_reviews
  WHERE person_id IN (SELECT person_id FROM listed) AND reviewed_on <= $as_of
  GROUP BY person_id
),
final AS (
  SELECT
    s.*,
    strata_sex_label(s.sex) AS sex_label,
    CAST(row_number() OVER (PARTITION BY s.practice_code, s.is_child ORDER BY s.ea_risk DESC, s.person_id) AS INTEGER) AS rank_in_practice,
    CAST(row_number() OVER (PARTITION BY s.pcn_code, s.is_child ORDER BY s.ea_risk DESC, s.person_id) AS INTEGER) AS rank_in_pcn,
    -- New to the list: not listed in the last run (or not scored then).
    coalesce(s.previous_ea_tier > $list_tiers, true) AS new_to_list,
    h.last_emergency_admission_on,
    e.last_ae_attendance_on,
    coalesce(h.in_hospital_now, false) AS in_hospital_now,
    coalesce(h.discharged_in_last_30_days, false) AS discharged_in_last_30_days,
    v.last_mdt_review_on,
    v.last_mdt_outcome,
    -- Due when never reviewed, or the planned date of the next review (review_by) has come (data-contract.md v2).
    v.person_id IS NULL OR coalesce(v.last_review_by <= $as_of, false) AS review_due,
    -- Declined (DC) or not appropriate (NA) at a review on one of the 183 days to as_of: still listed, and marked so.
    coalesce(v.last_mdt_outcome IN ('DC', 'NA') AND v.last_mdt_review_on > $as_of - INTERVAL 183 DAY, false)
      AS declined_or_not_appropriate_6m,
    CASE WHEN s.previous_ea_tier IS NULL THEN 'new' WHEN s.ea_tier < s.previous_ea_tier THEN 'up'
         WHEN s.ea_tier > s.previous_ea_tier THEN 'down' ELSE 'same' END AS tier_change,
    s.ea_risk - s.previous_ea_risk AS ea_risk_change,
    coalesce(r.long_term_conditions, []) AS long_term_conditions,
    s.distinct_medicines_6m >= 5 AS polypharmacy
  FROM listed s
  LEFT JOIN registers r USING (person_id)
  LEFT JOIN hospital h USING (person_id)
  LEFT JOIN emergency_care e USING (person_id)
  LEFT JOIN reviews v USING (person_id)
)
SELECT * FROM final
