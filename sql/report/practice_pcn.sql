-- report/practice_pcn: each practice's primary care network, for every report table that groups practices by PCN
-- (population_counts.sql and segments_by_tier.sql take it into their practice_pcn slot), so practices add up to
-- their PCN the same way in all of them. A practice belongs to one PCN: the PCN recorded for most of its scored
-- people, the lowest code on a tie. A practice none of whose people has a PCN recorded has no row here.
-- Grain: one row per practice_code with a PCN. Inputs: scores.
WITH practice_pcn_people AS (
  SELECT practice_code, pcn_code, count(*) AS people
  FROM scores
  WHERE pcn_code IS NOT NULL
  GROUP BY practice_code, pcn_code
),
final AS (
  SELECT practice_code, pcn_code
  FROM practice_pcn_people
  QUALIFY row_number() OVER (PARTITION BY practice_code ORDER BY people DESC, pcn_code) = 1
)
SELECT * FROM final
