-- population_counts: the person counts behind report sections 1-5, every scored person counted once in each
-- dimension (all, tier, pcn, practice, imd, age, ageSex, ethnic), with the measures people, tier12, multimorbid and
-- the LTC-count bands. Suppressed together by reports/populationFigures.ts.
-- Grain: one row per dimension, key1, key2 (see Category in reports/populationFigures.ts).
-- Inputs: scores.
-- Parameters: $other_sex_codes (sex codes counted as one group by age band, with a missing code), $other_sex (that
-- group's key).
-- A practice belongs to one PCN: the PCN recorded for most of its people (the lowest code on a tie). Its people with
-- no PCN, or another one, on their own record are counted in that PCN, so each practice is one row of the report and
-- the practices of a PCN add up to it. A practice none of whose people has a PCN recorded is in no PCN.
WITH practice_pcn AS (
  {{practice_pcn}}
),
people AS (
  SELECT s.practice_code, p.pcn_code AS practice_pcn_code, s.ea_tier, s.ltc_count, s.imd_decile, s.age_band, s.sex, s.ethnic_group
  FROM scores AS s
  LEFT JOIN practice_pcn AS p ON p.practice_code = s.practice_code
),
categorised AS (
  SELECT c.dimension, c.key1, c.key2, s.ea_tier, s.ltc_count
  FROM people AS s
  CROSS JOIN LATERAL (VALUES
    ('all', NULL, NULL),
    ('tier', s.ea_tier::VARCHAR, NULL),
    ('pcn', s.practice_pcn_code, NULL),
    ('practice', s.practice_code, s.practice_pcn_code),
    ('imd', s.imd_decile::VARCHAR, NULL),
    ('age', s.age_band, NULL),
    ('ageSex', s.age_band, CASE WHEN s.sex IS NULL OR list_contains($other_sex_codes, s.sex) THEN $other_sex ELSE s.sex END),
    ('ethnic', s.ethnic_group, NULL)
  ) AS c(dimension, key1, key2)
),
final AS (
  SELECT
    dimension, key1, key2,
    count(*)::INTEGER AS people,
    count(*) FILTER (WHERE ea_tier <= 2)::INTEGER AS tier12,
    count(*) FILTER (WHERE ltc_count >= 2)::INTEGER AS multimorbid,
    count(*) FILTER (WHERE ltc_count = 0)::INTEGER AS ltc0,
    count(*) FILTER (WHERE ltc_count = 1)::INTEGER AS ltc1,
    count(*) FILTER (WHERE ltc_count BETWEEN 2 AND 3)::INTEGER AS ltc2to3,
    count(*) FILTER (WHERE ltc_count >= 4)::INTEGER AS ltc4plus
  FROM categorised
  GROUP BY dimension, key1, key2
)
SELECT * FROM final
ORDER BY dimension, key1 NULLS LAST, key2 NULLS LAST
