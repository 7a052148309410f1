-- report/segments_by_tier: the scored people and their emergency admissions of the last 365 days to $as_of, by
-- population segment (docs/segments.md), emergency-admission tier today and the practice's PCN. The segments
-- section (reports/sections/segments.ts) adds these up to segment × tier and segment × PCN and suppresses them.
-- The window and the admission methods are those of emergency_activity_by_tier.sql, so a tier's admissions here add
-- up to the risk pyramid's; the practice's PCN is that of population_counts.sql (the PCN recorded for most of the
-- practice's people, the lowest code on a tie), so a PCN's people here add up to the practices table's.
-- Grain: one row per segment, tier, practice PCN (null: a practice with no PCN recorded) with scored people.
-- Inputs: scores, inpatient_spells, ref_admission_methods (sql/reference/admission_methods.csv).
-- Parameters: $as_of.
WITH practice_pcn AS (
  {{practice_pcn}}
),
emergency_admissions AS (
  SELECT sp.person_id, count(*) AS admissions
  FROM inpatient_spells AS sp
  JOIN scores AS s ON s.person_id = sp.person_id
  WHERE sp.admission_method IN (SELECT admission_method FROM ref_admission_methods WHERE admission_group = 'emergency')
    AND sp.admission_date > $as_of - INTERVAL 365 DAY
    AND sp.admission_date <= $as_of
  GROUP BY sp.person_id
),
people AS (
  SELECT s.segment, s.ea_tier::VARCHAR AS tier, p.pcn_code, coalesce(a.admissions, 0) AS admissions
  FROM scores AS s
  LEFT JOIN practice_pcn AS p ON p.practice_code = s.practice_code
  LEFT JOIN emergency_admissions AS a ON a.person_id = s.person_id
),
final AS (
  SELECT segment, tier, pcn_code, count(*)::INTEGER AS people, sum(admissions)::INTEGER AS admissions
  FROM people
  GROUP BY segment, tier, pcn_code
)
SELECT * FROM final
ORDER BY segment NULLS LAST, tier, pcn_code NULLS LAST
