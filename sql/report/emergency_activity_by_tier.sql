-- emergency_activity_by_tier: per tier today, the expected number of people with an emergency admission in the next
-- 12 months (the sum of ea_risk), and the emergency admissions of the last 365 days to $as_of (the window of the
-- emergency_admissions_12m feature), the people admitted and the admissions' total length in days, a spell still
-- open counted to $as_of. Scored people only: the join to scores drops opted-out, deceased and departed people's
-- activity. Read by the risk pyramid (report section 2) and the opportunity section (10).
-- Grain: one row per tier.
-- Inputs: scores, inpatient_spells, ref_admission_methods (sql/reference/admission_methods.csv).
-- Parameters: $as_of.
WITH risks AS (
  SELECT ea_tier::VARCHAR AS tier, sum(ea_risk)::DOUBLE AS expected_people
  FROM scores
  GROUP BY 1
),
emergency_admissions AS (
  SELECT s.ea_tier::VARCHAR AS tier, sp.person_id, (least(coalesce(sp.discharge_date, $as_of), $as_of) - sp.admission_date)::DOUBLE AS los
  FROM inpatient_spells AS sp
  JOIN scores AS s ON s.person_id = sp.person_id
  WHERE sp.admission_method IN (SELECT admission_method FROM ref_admission_methods WHERE admission_group = 'emergency')
    AND sp.admission_date > $as_of - INTERVAL 365 DAY
    AND sp.admission_date <= $as_of
),
admissions AS (
  SELECT tier, count(*)::INTEGER AS admissions, count(DISTINCT person_id)::INTEGER AS people_admitted, sum(los)::DOUBLE AS spell_days
  FROM emergency_admissions GROUP BY 1
),
final AS (
  SELECT coalesce(r.tier, a.tier) AS tier, coalesce(r.expected_people, 0) AS expected_people,
    coalesce(a.admissions, 0) AS admissions, coalesce(a.people_admitted, 0) AS people_admitted, coalesce(a.spell_days, 0) AS spell_days
  FROM risks AS r
  FULL OUTER JOIN admissions AS a ON a.tier = r.tier
)
SELECT * FROM final ORDER BY tier
