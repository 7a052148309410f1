-- opportunity_by_tier: per tier, the expected number of people with an emergency admission in the next 12 months
-- (the sum of ea_risk), and the emergency spells of the last 365 days to $as_of (the risk pyramid's window), the
-- people they were for and their total length in days, a spell still open counted to $as_of (report section 10).
-- Grain: one row per tier.
-- Inputs: scores, inpatient_spells, ref_admission_methods (sql/reference/admission_methods.csv).
-- Parameters: $as_of.
WITH risks AS (
  SELECT ea_tier::VARCHAR AS tier, sum(ea_risk)::DOUBLE AS expected_people
  FROM scores
  GROUP BY 1
),
stays AS (
  SELECT s.ea_tier::VARCHAR AS tier, sp.person_id, (least(coalesce(sp.discharge_date, $as_of), $as_of) - sp.admission_date)::DOUBLE AS los
  FROM inpatient_spells AS sp
  JOIN scores AS s ON s.person_id = sp.person_id
  WHERE sp.admission_method IN (SELECT admission_method FROM ref_admission_methods WHERE admission_group = 'emergency')
    AND sp.admission_date > $as_of - INTERVAL 365 DAY
    AND sp.admission_date <= $as_of
),
spells AS (
  SELECT tier, count(*)::INTEGER AS spells, count(DISTINCT person_id)::INTEGER AS admitted_people, sum(los)::DOUBLE AS spell_days
  FROM stays GROUP BY 1
),
final AS (
  SELECT coalesce(r.tier, sp.tier) AS tier, coalesce(r.expected_people, 0) AS expected_people,
    coalesce(sp.spells, 0) AS spells, coalesce(sp.admitted_people, 0) AS admitted_people, coalesce(sp.spell_days, 0) AS spell_days
  FROM risks AS r
  FULL OUTER JOIN spells AS sp ON sp.tier = r.tier
)
SELECT * FROM final ORDER BY tier
