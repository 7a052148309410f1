-- quarantine_csv_source_files: the source files whose quarantined rows quarantine.csv covers, and how many rows of
-- each the database's quarantine table keeps. A run's quarantine.csv covers the extracts its outputs are the first
-- to include: every extract after the as_of of the last run that finished with outputs for an earlier date, up to
-- $as_of. So a re-run of the same night, or a run after a crash, writes the same file as one uninterrupted run would.
-- Grain: one row per source file with quarantined rows (extract_date, file_name).
-- Inputs: runs, quarantine. Parameters: $as_of.
WITH previous_outputs AS (
  SELECT coalesce(max(as_of), DATE '0001-01-01') AS as_of FROM runs
  WHERE status IN ('succeeded', 'extract_rejected') AND as_of < $as_of
)
SELECT q.extract_date, q.file_name, count(*) AS rows_in_database
FROM quarantine q
WHERE q.extract_date > (SELECT as_of FROM previous_outputs) AND q.extract_date <= $as_of
GROUP BY ALL
