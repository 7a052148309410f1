-- data_quality_files: the extract files of this report's extracts (report section 9), with their quarantined rows.
-- Grain: one row per extract file load (extract_date, file_name, run_id), in that order.
-- Inputs: extract_files.
-- Parameters: $extract_dates (the extracts this report covers).
SELECT
  strftime(extract_date, '%Y-%m-%d') AS extract_date,
  file_name,
  table_name,
  rows_quarantined::DOUBLE AS rows_quarantined
FROM extract_files
WHERE list_contains($extract_dates, extract_date)
ORDER BY extract_date, file_name, run_id
