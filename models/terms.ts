// The model terms: each is a SQL expression over person_features, grouped into factors that an MDT
// reads in top_factors. Scoring and explanation are both generated from this one registry.

export interface Factor {
  id: string;
  /** SQL expression over person_features giving the sentence shown in top_factors. */
  reason: string;
}

export interface Term {
  id: string;
  factor: string;
  /** SQL expression over person_features; must be numeric and never null. */
  sql: string;
}

export const factors: readonly Factor[] = [
  { id: 'age', reason: `format('Aged {}', age)` },
  { id: 'sex', reason: `CASE sex WHEN '2' THEN 'Female' WHEN '1' THEN 'Male' ELSE 'Sex not recorded' END` },
  { id: 'deprivation', reason: `format('Lives in IMD decile {} (1 = most deprived)', imd_decile)` },
  { id: 'emergency_admissions', reason: `format('{} emergency admission{} in the last 12 months', emergency_admissions_12m, CASE WHEN emergency_admissions_12m = 1 THEN '' ELSE 's' END)` },
  { id: 'earlier_admissions', reason: `format('{} emergency admission{} 12-24 months ago', emergency_admissions_24m - emergency_admissions_12m, CASE WHEN emergency_admissions_24m - emergency_admissions_12m = 1 THEN '' ELSE 's' END)` },
  { id: 'recent_admission', reason: `format('Discharged from an emergency admission {} days ago', days_since_emergency_discharge)` },
  { id: 'bed_days', reason: `format('{} emergency bed days in the last 12 months', emergency_bed_days_12m)` },
  { id: 'ae', reason: `format('{} A&E attendance{} in the last 12 months', ae_attendances_12m, CASE WHEN ae_attendances_12m = 1 THEN '' ELSE 's' END)` },
  { id: 'outpatients', reason: `format('{} outpatient attendances in the last 12 months', outpatient_attendances_12m)` },
  { id: 'ltc_count', reason: `format('{} long-term conditions on GP registers', ltc_count)` },
  { id: 'heart_failure', reason: `'Heart failure on GP register'` },
  { id: 'copd', reason: `'COPD on GP register'` },
  { id: 'dementia', reason: `'Dementia on GP register'` },
  { id: 'ckd', reason: `'Chronic kidney disease on GP register'` },
  { id: 'diabetes', reason: `'Diabetes on GP register'` },
  { id: 'hypertension', reason: `'Hypertension on GP register'` },
  { id: 'charlson', reason: `format('Charlson comorbidity index {}', charlson_index)` },
  { id: 'frailty', reason: `format('Frailty score {} ({})', round(frailty_score, 1), frailty_band)` },
  { id: 'medicines', reason: `format('{} different medicines in the last 6 months', distinct_medicines_6m)` },
];

const ageBands: Term[] = [
  { id: 'age_0_17', factor: 'age', sql: `CAST(age_band = '0-17' AS DOUBLE)` },
  { id: 'age_45_64', factor: 'age', sql: `CAST(age_band = '45-64' AS DOUBLE)` },
  { id: 'age_65_74', factor: 'age', sql: `CAST(age_band = '65-74' AS DOUBLE)` },
  { id: 'age_75_84', factor: 'age', sql: `CAST(age_band = '75-84' AS DOUBLE)` },
  { id: 'age_85_plus', factor: 'age', sql: `CAST(age_band = '85+' AS DOUBLE)` },
];
const demography: Term[] = [
  ...ageBands,
  { id: 'female', factor: 'sex', sql: `CAST(sex = '2' AS DOUBLE)` },
  { id: 'imd_quintile_1', factor: 'deprivation', sql: `CAST(coalesce(imd_quintile = 1, false) AS DOUBLE)` },
  { id: 'imd_quintile_2', factor: 'deprivation', sql: `CAST(coalesce(imd_quintile = 2, false) AS DOUBLE)` },
];

/** Terms of the emergency-admission model. */
export const emergencyAdmissionTerms: readonly Term[] = [
  ...demography,
  { id: 'log_emergency_admissions_12m', factor: 'emergency_admissions', sql: 'ln(1 + emergency_admissions_12m)' },
  { id: 'log_emergency_admissions_12_24m', factor: 'earlier_admissions', sql: 'ln(1 + emergency_admissions_24m - emergency_admissions_12m)' },
  { id: 'emergency_admission_90d', factor: 'recent_admission', sql: 'CAST(emergency_admissions_90d > 0 AS DOUBLE)' },
  { id: 'log_emergency_bed_days_12m', factor: 'bed_days', sql: 'ln(1 + emergency_bed_days_12m)' },
  { id: 'log_ae_attendances_12m', factor: 'ae', sql: 'ln(1 + ae_attendances_12m)' },
  { id: 'log_outpatient_attendances_12m', factor: 'outpatients', sql: 'ln(1 + outpatient_attendances_12m)' },
  { id: 'ltc_count_capped', factor: 'ltc_count', sql: 'least(ltc_count, 6)' },
  { id: 'ltc_hf', factor: 'heart_failure', sql: 'CAST(ltc_hf AS DOUBLE)' },
  { id: 'ltc_copd', factor: 'copd', sql: 'CAST(ltc_copd AS DOUBLE)' },
  { id: 'ltc_dem', factor: 'dementia', sql: 'CAST(ltc_dem AS DOUBLE)' },
  { id: 'ltc_ckd', factor: 'ckd', sql: 'CAST(ltc_ckd AS DOUBLE)' },
  { id: 'charlson_capped', factor: 'charlson', sql: 'least(charlson_index, 10)' },
  { id: 'log_frailty_score', factor: 'frailty', sql: 'ln(1 + frailty_score)' },
  { id: 'medicines_capped', factor: 'medicines', sql: 'least(distinct_medicines_6m, 15)' },
];

/** Terms of the new-long-term-condition model. */
export const newLtcTerms: readonly Term[] = [
  ...demography,
  { id: 'ltc_count_capped', factor: 'ltc_count', sql: 'least(ltc_count, 6)' },
  { id: 'ltc_hyp', factor: 'hypertension', sql: 'CAST(ltc_hyp AS DOUBLE)' },
  { id: 'ltc_dm', factor: 'diabetes', sql: 'CAST(ltc_dm AS DOUBLE)' },
  { id: 'log_emergency_admissions_12m', factor: 'emergency_admissions', sql: 'ln(1 + emergency_admissions_12m)' },
  { id: 'log_ae_attendances_12m', factor: 'ae', sql: 'ln(1 + ae_attendances_12m)' },
  { id: 'log_outpatient_attendances_12m', factor: 'outpatients', sql: 'ln(1 + outpatient_attendances_12m)' },
  { id: 'log_frailty_score', factor: 'frailty', sql: 'ln(1 + frailty_score)' },
  { id: 'medicines_capped', factor: 'medicines', sql: 'least(distinct_medicines_6m, 15)' },
];
