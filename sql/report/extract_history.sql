-- extract_history: the extracts the database holds up to $as_of: the first, the last and how many.
-- Grain: one row.
-- Inputs: extracts.
-- Parameters: $as_of.
SELECT strftime(min(extract_date), '%Y-%m-%d') AS first_extract, strftime(max(extract_date), '%Y-%m-%d') AS last_extract,
  count(DISTINCT extract_date)::INTEGER AS extracts
FROM extracts
WHERE extract_date <= $as_of
