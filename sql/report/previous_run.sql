-- previous_run: the as_of (YYYY-MM-DD) of the latest run before this report's, or NULL when there is none.
-- Grain: one row.
-- Inputs: tier_history.
-- Parameters: $as_of.
SELECT strftime(max(as_of), '%Y-%m-%d') AS d FROM tier_history WHERE as_of < $as_of
