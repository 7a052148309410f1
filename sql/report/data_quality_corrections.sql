-- data_quality_corrections: corrections of the people scored today (report section 9).
-- Grain: one row per extract_date, table_name.
-- Inputs: corrections, scores.
-- Parameters: $extract_dates.
SELECT strftime(extract_date, '%Y-%m-%d') AS extract_date, table_name, count(*)::DOUBLE AS n
FROM corrections
WHERE list_contains($extract_dates, extract_date) AND person_id IN (SELECT person_id FROM scores)
GROUP BY 1, 2
