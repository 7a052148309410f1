-- monthly_activity: emergency admissions, A&E attendances and emergency bed days per calendar month of the people
-- scored today (report section 6), from the first complete month of activity to $as_of's month.
-- Grain: one row per month (its first day, YYYY-MM-DD).
-- Inputs: scores, inpatient_spells, ae_attendances, ref_admission_methods (sql/reference/admission_methods.csv).
-- Parameters: $as_of.
-- Bed days are nights in hospital (discharge date minus admission date), split across the months they fall in;
-- a spell still open counts to $as_of. The month of the earliest admission or attendance counts only when that is
-- its first day, since the loaded history usually starts part-way through a month and a part month would read as
-- a fall in activity.
WITH scored AS (
  SELECT person_id FROM scores
),
emergency_spells AS (
  SELECT sp.admission_date, least(coalesce(sp.discharge_date, $as_of), $as_of) AS stay_end
  FROM inpatient_spells AS sp
  WHERE sp.admission_method IN (SELECT admission_method FROM ref_admission_methods WHERE admission_group = 'emergency')
    AND sp.admission_date <= $as_of
    AND sp.person_id IN (SELECT person_id FROM scored)
),
scored_attendances AS (
  SELECT a.arrival_at
  FROM ae_attendances AS a
  WHERE a.arrival_at < $as_of + INTERVAL 1 DAY
    AND a.person_id IN (SELECT person_id FROM scored)
),
admissions AS (
  SELECT date_trunc('month', admission_date)::DATE AS month, count(*) AS n
  FROM emergency_spells
  GROUP BY 1
),
attendances AS (
  SELECT date_trunc('month', arrival_at)::DATE AS month, count(*) AS n
  FROM scored_attendances
  GROUP BY 1
),
stay_months AS (
  SELECT
    s.admission_date,
    s.stay_end,
    unnest(generate_series(date_trunc('month', s.admission_date), date_trunc('month', s.stay_end), INTERVAL 1 MONTH))::DATE AS month
  FROM emergency_spells AS s
  WHERE s.stay_end > s.admission_date
),
bed_days AS (
  SELECT month, sum(least(stay_end, (month + INTERVAL 1 MONTH)::DATE) - greatest(admission_date, month)) AS n
  FROM stay_months
  GROUP BY 1
),
first_activity AS (
  SELECT min(day) AS day
  FROM (SELECT admission_date AS day FROM emergency_spells UNION ALL SELECT arrival_at::DATE FROM scored_attendances)
),
months AS (
  SELECT unnest(generate_series(
    (SELECT (date_trunc('month', day - INTERVAL 1 DAY) + INTERVAL 1 MONTH)::DATE FROM first_activity),
    date_trunc('month', $as_of),
    INTERVAL 1 MONTH))::DATE AS month
),
final AS (
  SELECT
    strftime(m.month, '%Y-%m-%d') AS month,
    coalesce(ad.n, 0)::INTEGER AS emergency_admissions,
    coalesce(ae.n, 0)::INTEGER AS ae_attendances,
    coalesce(bd.n, 0)::INTEGER AS emergency_bed_days
  FROM months AS m
  LEFT JOIN admissions AS ad ON ad.month = m.month
  LEFT JOIN attendances AS ae ON ae.month = m.month
  LEFT JOIN bed_days AS bd ON bd.month = m.month
)
SELECT * FROM final ORDER BY month
