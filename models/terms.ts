// The model terms: each is a SQL expression over person_features, grouped into factors that an MDT reads in
// top_factors. Scoring and explanation are both generated from this one registry; a fitted model (its card) names
// terms by id only, so the SQL that runs is always this code's, never text read back from the database.
//
// A factor is a reason only for someone who has it (`has`), and only when it adds to their risk against a person
// without it: against the term values in `reference` (0 unless said), for which `has` is false. Every term is at
// its reference value whenever its factor's `has` is false (tests/models/reasons.test.ts checks this on a generated
// population), so a factor that the person does not have can never push a sentence into their reasons.

export interface Factor {
  id: string;
  /**
   * SQL boolean over person_features: the person has this factor (a register they are on, a count of at least one,
   * an age above the youngest adult band, a frailty score above the low band). Absent: never shown as a reason.
   */
  has?: string;
  /** SQL expression giving the sentence shown in top_factors, true of anyone for whom `has` holds. */
  reason?: string;
}

export interface Term {
  id: string;
  factor: string;
  /** SQL expression over person_features; must be numeric and never null. */
  sql: string;
  /** The term's value for a person without its factor (default 0). */
  reference?: number;
  /**
   * A condition or utilisation term: having more of it cannot plausibly lower the risk, so a sign-constrained fit
   * keeps its coefficient at 0 or above (models/trainModels.ts decides, on validation, whether to constrain).
   */
  nonNegative?: boolean;
}

/** `n thing` or `n things`: never "1 ...s". */
function counted(column: string, singular: string, plural: string): string {
  return `format('{} {}', ${column}, CASE WHEN ${column} = 1 THEN '${singular}' ELSE '${plural}' END)`;
}

/**
 * "3 A&E attendances in the last year", or over 3 years when none was in the last year, with both counts when they
 * differ ("5 A&E attendances in 3 years, 2 in the last year"). Only for someone with at least one in 3 years. A year
 * is the 365 days to the as-of date (docs/features.md).
 */
function countOverYears(twelveMonths: string, threeYears: string, singular: string, plural: string): string {
  return `CASE
    WHEN ${twelveMonths} = ${threeYears} THEN ${counted(twelveMonths, singular, plural)} || ' in the last year'
    WHEN ${twelveMonths} = 0 THEN ${counted(threeYears, singular, plural)} || ' in 3 years, none in the last year'
    ELSE ${counted(threeYears, singular, plural)} || format(' in 3 years, {} in the last year', ${twelveMonths})
  END`;
}

/**
 * After an emergency admission in the last 90 days: still in hospital, or discharged so many days ago (from the
 * latest emergency spell to end, which is this one or a later one).
 */
const recentAdmissionReason = `CASE
    WHEN emergency_spell_open THEN 'In hospital now after an emergency admission in the last 90 days'
    WHEN days_since_emergency_discharge = 0 THEN 'Discharged today after an emergency admission'
    WHEN days_since_emergency_discharge = 1 THEN 'Discharged yesterday after an emergency admission'
    ELSE format('Discharged {} days ago after an emergency admission', days_since_emergency_discharge)
  END`;

/** The QOF registers as terms, each its own factor: [code, factor, sentence]. */
const registers = [
  ['af', 'atrial_fibrillation', 'Atrial fibrillation'], ['ast', 'asthma', 'Asthma'], ['can', 'cancer', 'Cancer'],
  ['chd', 'chd', 'Coronary heart disease'], ['ckd', 'ckd', 'Chronic kidney disease'], ['copd', 'copd', 'COPD'],
  ['dem', 'dementia', 'Dementia'], ['dep', 'depression', 'Depression'], ['dm', 'diabetes', 'Diabetes'],
  ['ep', 'epilepsy', 'Epilepsy'], ['hf', 'heart_failure', 'Heart failure'], ['hyp', 'hypertension', 'Hypertension'],
  ['ld', 'learning_disability', 'Learning disability'], ['mh', 'serious_mental_illness', 'Serious mental illness'],
  ['ost', 'osteoporosis', 'Osteoporosis'], ['pad', 'pad', 'Peripheral arterial disease'],
  ['ra', 'rheumatoid_arthritis', 'Rheumatoid arthritis'], ['stia', 'stroke', 'Stroke or TIA'],
] as const;

/** The youngest adult band: an age reason is given only above it, and against it. */
const youngestAdultBand = { from: 18, to: 24 };

export const factors: readonly Factor[] = [
  { id: 'age', has: `age > ${youngestAdultBand.to}`, reason: `format('Aged {}', age)` },
  // Sex is not something a person has or lacks: it is never a reason.
  { id: 'sex' },
  {
    id: 'deprivation',
    has: 'coalesce(imd_quintile <= 2, false)',
    reason: `CASE WHEN imd_quintile = 1
      THEN format('Lives in one of the 20% most deprived areas of England (IMD decile {})', imd_decile)
      ELSE format('Lives in one of the 20-40% most deprived areas of England (IMD decile {})', imd_decile) END`,
  },
  {
    id: 'emergency_admissions',
    has: 'emergency_admissions_12m >= 1',
    reason: `${counted('emergency_admissions_12m', 'emergency admission', 'emergency admissions')} || ' in the last year'`,
  },
  {
    id: 'earlier_admissions',
    has: 'emergency_admissions_36m - emergency_admissions_12m >= 1',
    reason: `${counted('emergency_admissions_36m - emergency_admissions_12m', 'emergency admission', 'emergency admissions')} || ' one to three years ago'`,
  },
  { id: 'recent_admission', has: 'emergency_admissions_90d >= 1', reason: recentAdmissionReason },
  {
    id: 'bed_days',
    has: 'emergency_bed_days_12m >= 1',
    reason: `${counted('emergency_bed_days_12m', 'emergency bed day', 'emergency bed days')} || ' in the last year'`,
  },
  { id: 'ae', has: 'ae_attendances_36m >= 1', reason: countOverYears('ae_attendances_12m', 'ae_attendances_36m', 'A&E attendance', 'A&E attendances') },
  {
    id: 'outpatients',
    has: 'outpatient_attendances_36m >= 1',
    reason: countOverYears('outpatient_attendances_12m', 'outpatient_attendances_36m', 'outpatient attendance', 'outpatient attendances'),
  },
  {
    id: 'missed_appointments',
    has: 'outpatient_dna_12m >= 1',
    reason: `${counted('outpatient_dna_12m', 'missed outpatient appointment', 'missed outpatient appointments')} || ' in the last year'`,
  },
  {
    id: 'ltc_count',
    has: 'ltc_count >= 1',
    reason: `'On ' || ${counted('ltc_count', 'long-term condition register', 'long-term condition registers')}`,
  },
  ...registers.map(([code, id, name]) => ({ id, has: `ltc_${code}`, reason: `'${name} on GP register'` })),
  { id: 'charlson', has: 'charlson_index >= 1', reason: `format('Charlson comorbidity index {}', charlson_index)` },
  {
    id: 'frailty',
    has: `frailty_band IN ('intermediate', 'high')`,
    reason: `format('Hospital Frailty Risk Score {} ({} frailty risk)', round(frailty_score, 1), frailty_band)`,
  },
  {
    id: 'medicines',
    has: 'distinct_medicines_6m >= 1',
    reason: `CASE WHEN distinct_medicines_6m = 1 THEN '1 medicine in the last 6 months'
                  ELSE format('{} different medicines in the last 6 months', distinct_medicines_6m) END`,
  },
];

const ageBands: Term[] = [
  { id: 'age_0_17', factor: 'age', sql: `CAST(age_band = '0-17' AS DOUBLE)` },
  { id: 'age_45_64', factor: 'age', sql: `CAST(age_band = '45-64' AS DOUBLE)` },
  { id: 'age_65_74', factor: 'age', sql: `CAST(age_band = '65-74' AS DOUBLE)` },
  { id: 'age_75_84', factor: 'age', sql: `CAST(age_band = '75-84' AS DOUBLE)` },
  { id: 'age_85_plus', factor: 'age', sql: `CAST(age_band = '85+' AS DOUBLE)` },
];
/** The most deprived fifth of areas (IMD deciles 1-2, NHS England's Core20), and the next fifth. */
const deprivationQuintiles: Term[] = [
  { id: 'imd_quintile_1', factor: 'deprivation', sql: `CAST(coalesce(imd_quintile = 1, false) AS DOUBLE)` },
  { id: 'imd_quintile_2', factor: 'deprivation', sql: `CAST(coalesce(imd_quintile = 2, false) AS DOUBLE)` },
];
const demography: Term[] = [
  ...ageBands,
  { id: 'female', factor: 'sex', sql: `CAST(sex = '2' AS DOUBLE)` },
  ...deprivationQuintiles,
];

const registerTerms: Term[] = registers.map(([code, factor]) => ({
  id: `ltc_${code}`, factor, sql: `CAST(ltc_${code} AS DOUBLE)`, nonNegative: true,
}));

/**
 * Admission rates by age are U-shaped and steep in infancy, so the youngest years get their own bands. 35-44 is the
 * model's baseline; the age factor's reference is the youngest adult band.
 */
const fineAgeBands: Term[] = ([
  ['age_0', 'age = 0'], ['age_1', 'age = 1'], ['age_2', 'age = 2'], ['age_3_4', 'age BETWEEN 3 AND 4'],
  ['age_5_9', 'age BETWEEN 5 AND 9'], ['age_10_14', 'age BETWEEN 10 AND 14'], ['age_15_17', 'age BETWEEN 15 AND 17'],
  ['age_18_24', `age BETWEEN ${youngestAdultBand.from} AND ${youngestAdultBand.to}`], ['age_25_34', 'age BETWEEN 25 AND 34'],
  ['age_45_54', 'age BETWEEN 45 AND 54'], ['age_55_64', 'age BETWEEN 55 AND 64'], ['age_65_69', 'age BETWEEN 65 AND 69'],
  ['age_70_74', 'age BETWEEN 70 AND 74'], ['age_75_79', 'age BETWEEN 75 AND 79'], ['age_80_84', 'age BETWEEN 80 AND 84'],
  ['age_85_89', 'age BETWEEN 85 AND 89'], ['age_90_plus', 'age >= 90'],
] as const).map(([id, condition]) => ({ id, factor: 'age', sql: `CAST(${condition} AS DOUBLE)`, ...(id === 'age_18_24' ? { reference: 1 } : {}) }));

/** Terms of the emergency-admission model. */
export const emergencyAdmissionTerms: readonly Term[] = [
  ...fineAgeBands,
  { id: 'female', factor: 'sex', sql: `CAST(sex = '2' AS DOUBLE)` },
  ...deprivationQuintiles,
  { id: 'log_emergency_admissions_12m', factor: 'emergency_admissions', sql: 'ln(1 + emergency_admissions_12m)', nonNegative: true },
  { id: 'log_emergency_admissions_12_24m', factor: 'earlier_admissions', sql: 'ln(1 + emergency_admissions_24m - emergency_admissions_12m)', nonNegative: true },
  { id: 'log_emergency_admissions_24_36m', factor: 'earlier_admissions', sql: 'ln(1 + emergency_admissions_36m - emergency_admissions_24m)', nonNegative: true },
  { id: 'emergency_admission_90d', factor: 'recent_admission', sql: 'CAST(emergency_admissions_90d > 0 AS DOUBLE)', nonNegative: true },
  { id: 'log_emergency_bed_days_12m', factor: 'bed_days', sql: 'ln(1 + emergency_bed_days_12m)', nonNegative: true },
  { id: 'log_ae_attendances_12m', factor: 'ae', sql: 'ln(1 + ae_attendances_12m)', nonNegative: true },
  { id: 'log_ae_attendances_90d', factor: 'ae', sql: 'ln(1 + ae_attendances_90d)', nonNegative: true },
  { id: 'log_ae_attendances_36m', factor: 'ae', sql: 'ln(1 + ae_attendances_36m)', nonNegative: true },
  { id: 'log_outpatient_attendances_12m', factor: 'outpatients', sql: 'ln(1 + outpatient_attendances_12m)', nonNegative: true },
  { id: 'log_outpatient_attendances_36m', factor: 'outpatients', sql: 'ln(1 + outpatient_attendances_36m)', nonNegative: true },
  { id: 'log_outpatient_dna_12m', factor: 'missed_appointments', sql: 'ln(1 + outpatient_dna_12m)', nonNegative: true },
  { id: 'ltc_count_capped', factor: 'ltc_count', sql: 'least(ltc_count, 8)', nonNegative: true },
  ...registerTerms,
  { id: 'charlson_capped', factor: 'charlson', sql: 'least(charlson_index, 10)', nonNegative: true },
  // HFRS is published and used in bands (Gilbert 2018): below 5 is low risk, and is every frailty term's reference.
  { id: 'frailty_intermediate', factor: 'frailty', sql: `CAST(frailty_band = 'intermediate' AS DOUBLE)`, nonNegative: true },
  { id: 'frailty_high', factor: 'frailty', sql: `CAST(frailty_band = 'high' AS DOUBLE)`, nonNegative: true },
  { id: 'medicines_capped', factor: 'medicines', sql: 'least(distinct_medicines_6m, 15)', nonNegative: true },
];

/** Terms of the new-long-term-condition model (not explained in top_factors). */
export const newLtcTerms: readonly Term[] = [
  ...demography,
  { id: 'ltc_count_capped', factor: 'ltc_count', sql: 'least(ltc_count, 6)', nonNegative: true },
  { id: 'ltc_hyp', factor: 'hypertension', sql: 'CAST(ltc_hyp AS DOUBLE)', nonNegative: true },
  { id: 'ltc_dm', factor: 'diabetes', sql: 'CAST(ltc_dm AS DOUBLE)', nonNegative: true },
  { id: 'log_emergency_admissions_12m', factor: 'emergency_admissions', sql: 'ln(1 + emergency_admissions_12m)', nonNegative: true },
  { id: 'log_ae_attendances_12m', factor: 'ae', sql: 'ln(1 + ae_attendances_12m)', nonNegative: true },
  { id: 'log_outpatient_attendances_12m', factor: 'outpatients', sql: 'ln(1 + outpatient_attendances_12m)', nonNegative: true },
  { id: 'log_frailty_score', factor: 'frailty', sql: 'ln(1 + frailty_score)', nonNegative: true },
  { id: 'medicines_capped', factor: 'medicines', sql: 'least(distinct_medicines_6m, 15)', nonNegative: true },
];

/**
 * Interactions tried against the main-effects model (kept only if validation shows a clear gain). Each is at its
 * factor's reference whenever that factor is absent: zero unless its factor's own count or band is above it.
 * Their sign is free: an effect that weakens with age, say, is plausible.
 */
export const emergencyAdmissionInteractions: readonly Term[] = [
  { id: 'age_75_plus_x_ltc_count', factor: 'ltc_count', sql: 'CAST(age >= 75 AS DOUBLE) * least(ltc_count, 8)' },
  { id: 'age_75_plus_x_log_emergency_admissions_12m', factor: 'emergency_admissions', sql: 'CAST(age >= 75 AS DOUBLE) * ln(1 + emergency_admissions_12m)' },
  { id: 'log_emergency_admissions_12m_x_frail', factor: 'frailty', sql: `ln(1 + emergency_admissions_12m) * CAST(frailty_band IN ('intermediate', 'high') AS DOUBLE)` },
  { id: 'log_emergency_admissions_12m_x_log_ae_12m', factor: 'ae', sql: 'ln(1 + emergency_admissions_12m) * ln(1 + ae_attendances_12m)' },
];

export const newLtcInteractions: readonly Term[] = [
  { id: 'age_65_plus_x_ltc_count', factor: 'ltc_count', sql: 'CAST(age >= 65 AS DOUBLE) * least(ltc_count, 6)' },
  { id: 'deprivation_x_ltc_count', factor: 'deprivation', sql: 'CAST(coalesce(imd_quintile = 1, false) AS DOUBLE) * least(ltc_count, 6)' },
];

/**
 * PARR-lite: the baseline a commissioner would otherwise use, age, sex and prior emergency admissions only (the
 * spirit of the King's Fund PARR tools, without their registers or deprivation). Never a scoring model: it is fitted
 * and evaluated only on the validation year, so the emergency-admission card can report what the full model adds.
 * Its terms are the emergency-admission model's own, by id, so their SQL is that model's.
 */
export const parrLiteTermIds: readonly string[] = [
  ...fineAgeBands.map((t) => t.id),
  'female',
  'log_emergency_admissions_12m',
  'log_emergency_admissions_12_24m',
  'log_emergency_admissions_24_36m',
];
export const parrLiteTerms: readonly Term[] = parrLiteTermIds.map((id) => {
  const term = emergencyAdmissionTerms.find((t) => t.id === id);
  if (!term) throw new Error(`PARR-lite names ${id}, which is not an emergency-admission term`);
  return term;
});
