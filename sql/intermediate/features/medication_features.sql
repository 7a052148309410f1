-- features/medication_features: polypharmacy as distinct BNF chemical substances (the first 9
-- characters of the BNF code) issued in the 6 months to the index date.
-- Grain: one row per person in cohort. Inputs: cohort, prescriptions, $as_of.
WITH per_person AS (
  SELECT r.person_id, count(DISTINCT left(r.bnf_code, 9)) AS distinct_medicines_6m
  FROM prescriptions r JOIN cohort c USING (person_id)
  WHERE r.issued_on <= $as_of AND r.issued_on > $as_of - INTERVAL 6 MONTH
  GROUP BY r.person_id
),
final AS (
  SELECT c.person_id,
    CAST(coalesce(p.distinct_medicines_6m, 0) AS INTEGER) AS distinct_medicines_6m,
    coalesce(p.distinct_medicines_6m, 0) >= 5 AS polypharmacy,
    coalesce(p.distinct_medicines_6m, 0) >= 10 AS severe_polypharmacy
  FROM cohort c LEFT JOIN per_person p USING (person_id)
)
SELECT * FROM final
