-- data_quality_quarantine_reasons: quarantined rows of this report's extracts by file and reason (report
-- section 9). Counts only: a quarantined row's content never reaches the report.
-- Grain: one row per extract_date, file_name, reason.
-- Inputs: quarantine.
-- Parameters: $extract_dates.
WITH final AS (
  SELECT strftime(extract_date, '%Y-%m-%d') AS extract_date, file_name, reason, count(*)::DOUBLE AS rows_quarantined
  FROM quarantine
  WHERE list_contains($extract_dates, extract_date)
  GROUP BY ALL
)
SELECT * FROM final ORDER BY extract_date, file_name, reason
