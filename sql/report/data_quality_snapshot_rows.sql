-- data_quality_snapshot_rows: the people scored today in each demographics snapshot of this report (report
-- section 9): those whose records span it (first_extract to last_extract).
-- Grain: one row per extract_date.
-- Inputs: persons, scores.
-- Parameters: $extract_dates.
WITH snapshots AS (
  SELECT unnest($extract_dates) AS extract_date
)
SELECT strftime(s.extract_date, '%Y-%m-%d') AS extract_date, count(*)::DOUBLE AS n
FROM snapshots AS s
JOIN persons AS p ON p.first_extract <= s.extract_date AND p.last_extract >= s.extract_date
WHERE p.person_id IN (SELECT person_id FROM scores)
GROUP BY 1
