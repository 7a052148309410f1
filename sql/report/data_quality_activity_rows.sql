-- data_quality_activity_rows: rows of one activity table still held, by the extract that loaded them, of the
-- people scored today (report section 9). A row replaced by a later correction counts in the correcting extract.
-- Grain: one row per extract_date.
-- Inputs: the activity table (slot "activity_table": one of the contract's extract tables other than demographics,
--   core/extractTables.ts, quoted by quoteIdentifier), scores.
-- Parameters: $extract_dates.
SELECT strftime(extract_date, '%Y-%m-%d') AS extract_date, count(*)::DOUBLE AS n
FROM {{activity_table}}
WHERE list_contains($extract_dates, extract_date) AND person_id IN (SELECT person_id FROM scores)
GROUP BY 1
