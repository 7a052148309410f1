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
  { id: 'earlier_admissions', reason: `format('{} emergency admission{} 12-36 months ago', emergency_admissions_36m - emergency_admissions_12m, CASE WHEN emergency_admissions_36m - emergency_admissions_12m = 1 THEN '' ELSE 's' END)` },
  { id: 'recent_admission', reason: `format('Discharged from an emergency admission {} days ago', days_since_emergency_discharge)` },
  { id: 'bed_days', reason: `format('{} emergency bed days in the last 12 months', emergency_bed_days_12m)` },
  { id: 'ae', reason: `format('{} A&E attendance{} in the last 12 months', ae_attendances_12m, CASE WHEN ae_attendances_12m = 1 THEN '' ELSE 's' END)` },
  { id: 'outpatients', reason: `format('{} outpatient attendances and {} missed appointments in the last 12 months', outpatient_attendances_12m, outpatient_dna_12m)` },
  { id: 'ltc_count', reason: `format('{} long-term conditions on GP registers', ltc_count)` },
  { id: 'heart_failure', reason: `'Heart failure on GP register'` },
  { id: 'copd', reason: `'COPD on GP register'` },
  { id: 'dementia', reason: `'Dementia on GP register'` },
  { id: 'ckd', reason: `'Chronic kidney disease on GP register'` },
  { id: 'diabetes', reason: `'Diabetes on GP register'` },
  { id: 'hypertension', reason: `'Hypertension on GP register'` },
  { id: 'atrial_fibrillation', reason: `'Atrial fibrillation on GP register'` },
  { id: 'asthma', reason: `'Asthma on GP register'` },
  { id: 'cancer', reason: `'Cancer on GP register'` },
  { id: 'chd', reason: `'Coronary heart disease on GP register'` },
  { id: 'depression', reason: `'Depression on GP register'` },
  { id: 'epilepsy', reason: `'Epilepsy on GP register'` },
  { id: 'learning_disability', reason: `'Learning disability on GP register'` },
  { id: 'serious_mental_illness', reason: `'Serious mental illness on GP register'` },
  { id: 'osteoporosis', reason: `'Osteoporosis on GP register'` },
  { id: 'pad', reason: `'Peripheral arterial disease on GP register'` },
  { id: 'rheumatoid_arthritis', reason: `'Rheumatoid arthritis on GP register'` },
  { id: 'stroke', reason: `'Stroke or TIA on GP register'` },
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

/** All 18 QOF registers as terms, each its own factor. */
const registerTerms: Term[] = [
  ['af', 'atrial_fibrillation'], ['ast', 'asthma'], ['can', 'cancer'], ['chd', 'chd'], ['ckd', 'ckd'], ['copd', 'copd'],
  ['dem', 'dementia'], ['dep', 'depression'], ['dm', 'diabetes'], ['ep', 'epilepsy'], ['hf', 'heart_failure'],
  ['hyp', 'hypertension'], ['ld', 'learning_disability'], ['mh', 'serious_mental_illness'], ['ost', 'osteoporosis'],
  ['pad', 'pad'], ['ra', 'rheumatoid_arthritis'], ['stia', 'stroke'],
].map(([code, factor]) => ({ id: `ltc_${code}`, factor: factor!, sql: `CAST(ltc_${code} AS DOUBLE)` }));

/** Admission rates by age are U-shaped and steep in infancy, so the youngest years get their own bands. */
const fineAgeBands: Term[] = ([
  ['age_0', 'age = 0'], ['age_1', 'age = 1'], ['age_2', 'age = 2'], ['age_3_4', 'age BETWEEN 3 AND 4'],
  ['age_5_9', 'age BETWEEN 5 AND 9'], ['age_10_14', 'age BETWEEN 10 AND 14'], ['age_15_17', 'age BETWEEN 15 AND 17'],
  ['age_18_24', 'age BETWEEN 18 AND 24'], ['age_25_34', 'age BETWEEN 25 AND 34'], ['age_45_54', 'age BETWEEN 45 AND 54'],
  ['age_55_64', 'age BETWEEN 55 AND 64'], ['age_65_69', 'age BETWEEN 65 AND 69'], ['age_70_74', 'age BETWEEN 70 AND 74'],
  ['age_75_79', 'age BETWEEN 75 AND 79'], ['age_80_84', 'age BETWEEN 80 AND 84'], ['age_85_89', 'age BETWEEN 85 AND 89'],
  ['age_90_plus', 'age >= 90'],
] as const).map(([id, condition]) => ({ id, factor: 'age', sql: `CAST(${condition} AS DOUBLE)` }));

/** Terms of the emergency-admission model. */
export const emergencyAdmissionTerms: readonly Term[] = [
  ...fineAgeBands,
  { id: 'female', factor: 'sex', sql: `CAST(sex = '2' AS DOUBLE)` },
  { id: 'deprivation_steps', factor: 'deprivation', sql: 'CAST(10 - coalesce(imd_decile, 5.5) AS DOUBLE)' },
  { id: 'log_emergency_admissions_12m', factor: 'emergency_admissions', sql: 'ln(1 + emergency_admissions_12m)' },
  { id: 'log_emergency_admissions_12_24m', factor: 'earlier_admissions', sql: 'ln(1 + emergency_admissions_24m - emergency_admissions_12m)' },
  { id: 'log_emergency_admissions_24_36m', factor: 'earlier_admissions', sql: 'ln(1 + emergency_admissions_36m - emergency_admissions_24m)' },
  { id: 'emergency_admission_90d', factor: 'recent_admission', sql: 'CAST(emergency_admissions_90d > 0 AS DOUBLE)' },
  { id: 'log_emergency_bed_days_12m', factor: 'bed_days', sql: 'ln(1 + emergency_bed_days_12m)' },
  { id: 'log_ae_attendances_12m', factor: 'ae', sql: 'ln(1 + ae_attendances_12m)' },
  { id: 'log_ae_attendances_90d', factor: 'ae', sql: 'ln(1 + ae_attendances_90d)' },
  { id: 'log_ae_attendances_36m', factor: 'ae', sql: 'ln(1 + ae_attendances_36m)' },
  { id: 'log_outpatient_attendances_12m', factor: 'outpatients', sql: 'ln(1 + outpatient_attendances_12m)' },
  { id: 'log_outpatient_attendances_36m', factor: 'outpatients', sql: 'ln(1 + outpatient_attendances_36m)' },
  { id: 'log_outpatient_dna_12m', factor: 'outpatients', sql: 'ln(1 + outpatient_dna_12m)' },
  { id: 'ltc_count_capped', factor: 'ltc_count', sql: 'least(ltc_count, 8)' },
  ...registerTerms,
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

/** Interactions tried against the main-effects model (kept only if validation shows a clear gain). */
export const emergencyAdmissionInteractions: readonly Term[] = [
  { id: 'age_75_plus_x_ltc_count', factor: 'ltc_count', sql: 'CAST(age >= 75 AS DOUBLE) * least(ltc_count, 8)' },
  { id: 'age_75_plus_x_log_emergency_admissions_12m', factor: 'emergency_admissions', sql: 'CAST(age >= 75 AS DOUBLE) * ln(1 + emergency_admissions_12m)' },
  { id: 'log_emergency_admissions_12m_x_log_frailty', factor: 'frailty', sql: 'ln(1 + emergency_admissions_12m) * ln(1 + frailty_score)' },
  { id: 'log_emergency_admissions_12m_x_log_ae_12m', factor: 'ae', sql: 'ln(1 + emergency_admissions_12m) * ln(1 + ae_attendances_12m)' },
];

export const newLtcInteractions: readonly Term[] = [
  { id: 'age_65_plus_x_ltc_count', factor: 'ltc_count', sql: 'CAST(age >= 65 AS DOUBLE) * least(ltc_count, 6)' },
  { id: 'deprivation_x_ltc_count', factor: 'deprivation', sql: 'CAST(coalesce(imd_quintile = 1, false) AS DOUBLE) * least(ltc_count, 6)' },
];
