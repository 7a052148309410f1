-- admissions_by_tier: emergency admissions in the 365 days to $as_of (the window of the emergency_admissions_12m
-- feature) and the people admitted, by today's tier (report section 2). Scored people only: the join to scores
-- drops opted-out, deceased and departed people's activity.
-- Grain: one row per tier with an admission.
-- Inputs: scores, inpatient_spells, ref_admission_methods (sql/reference/admission_methods.csv).
-- Parameters: $as_of.
WITH emergency_admissions AS (
  SELECT s.ea_tier, sp.person_id
  FROM inpatient_spells AS sp
  JOIN scores AS s ON s.person_id = sp.person_id
  WHERE sp.admission_method IN (SELECT admission_method FROM ref_admission_methods WHERE admission_group = 'emergency')
    AND sp.admission_date > $as_of - INTERVAL 365 DAY
    AND sp.admission_date <= $as_of
),
final AS (
  SELECT
    ea_tier::VARCHAR AS tier,
    count(*)::INTEGER AS admissions,
    count(DISTINCT person_id)::INTEGER AS people_admitted
  FROM emergency_admissions
  GROUP BY ea_tier
)
SELECT * FROM final ORDER BY tier
