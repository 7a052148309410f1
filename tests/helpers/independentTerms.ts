// Test helper: every model term and every top_factors reason written again in plain TypeScript, from the data
// dictionary (docs/features.md) and the reason rules of the data contract (§4 v2), not from the SQL in
// models/terms.ts. Tests compare the SQL scoring path with these, person by person.

/** One row of person_features as DuckDB returns it (numbers, booleans, strings, nulls). */
export type FeatureRow = Record<string, unknown>;

const num = (row: FeatureRow, column: string): number => {
  const value = row[column];
  if (value === null || value === undefined) throw new Error(`feature ${column} is null for ${String(row['person_id'])}`);
  return Number(value);
};
const flag = (row: FeatureRow, column: string): number => (row[column] === true ? 1 : 0);
const ln1p = (x: number): number => Math.log(1 + x);
const between = (x: number, lo: number, hi: number): number => (x >= lo && x <= hi ? 1 : 0);
/** HFRS bands (Gilbert 2018): low below 5, intermediate 5 to 15, high above 15. */
const frail = (row: FeatureRow): number => (num(row, 'frailty_score') >= 5 ? 1 : 0);
/** IMD quintile from the decile: deciles 1-2 are quintile 1, 3-4 quintile 2, ...; none when the decile is unknown. */
const quintile = (row: FeatureRow, q: number): number => (row['imd_decile'] !== null && Math.ceil(num(row, 'imd_decile') / 2) === q ? 1 : 0);

const registerCodes = ['af', 'ast', 'can', 'chd', 'ckd', 'copd', 'dem', 'dep', 'dm', 'ep', 'hf', 'hyp', 'ld', 'mh', 'ost', 'pad', 'ra', 'stia'];

/** The value of each term, by id, for one person. */
export const independentTerms: Readonly<Record<string, (row: FeatureRow) => number>> = {
  age_0: (r) => between(num(r, 'age'), 0, 0),
  age_1: (r) => between(num(r, 'age'), 1, 1),
  age_2: (r) => between(num(r, 'age'), 2, 2),
  age_3_4: (r) => between(num(r, 'age'), 3, 4),
  age_5_9: (r) => between(num(r, 'age'), 5, 9),
  age_10_14: (r) => between(num(r, 'age'), 10, 14),
  age_15_17: (r) => between(num(r, 'age'), 15, 17),
  age_18_24: (r) => between(num(r, 'age'), 18, 24),
  age_25_34: (r) => between(num(r, 'age'), 25, 34),
  age_45_54: (r) => between(num(r, 'age'), 45, 54),
  age_55_64: (r) => between(num(r, 'age'), 55, 64),
  age_65_69: (r) => between(num(r, 'age'), 65, 69),
  age_70_74: (r) => between(num(r, 'age'), 70, 74),
  age_75_79: (r) => between(num(r, 'age'), 75, 79),
  age_80_84: (r) => between(num(r, 'age'), 80, 84),
  age_85_89: (r) => between(num(r, 'age'), 85, 89),
  age_90_plus: (r) => (num(r, 'age') >= 90 ? 1 : 0),
  age_0_17: (r) => between(num(r, 'age'), 0, 17),
  age_45_64: (r) => between(num(r, 'age'), 45, 64),
  age_65_74: (r) => between(num(r, 'age'), 65, 74),
  age_75_84: (r) => between(num(r, 'age'), 75, 84),
  age_85_plus: (r) => (num(r, 'age') >= 85 ? 1 : 0),
  female: (r) => (r['sex'] === '2' ? 1 : 0),
  imd_quintile_1: (r) => quintile(r, 1),
  imd_quintile_2: (r) => quintile(r, 2),
  log_emergency_admissions_12m: (r) => ln1p(num(r, 'emergency_admissions_12m')),
  log_emergency_admissions_12_24m: (r) => ln1p(num(r, 'emergency_admissions_24m') - num(r, 'emergency_admissions_12m')),
  log_emergency_admissions_24_36m: (r) => ln1p(num(r, 'emergency_admissions_36m') - num(r, 'emergency_admissions_24m')),
  emergency_admission_90d: (r) => (num(r, 'emergency_admissions_90d') > 0 ? 1 : 0),
  log_emergency_bed_days_12m: (r) => ln1p(num(r, 'emergency_bed_days_12m')),
  log_ae_attendances_12m: (r) => ln1p(num(r, 'ae_attendances_12m')),
  log_ae_attendances_90d: (r) => ln1p(num(r, 'ae_attendances_90d')),
  log_ae_attendances_36m: (r) => ln1p(num(r, 'ae_attendances_36m')),
  log_outpatient_attendances_12m: (r) => ln1p(num(r, 'outpatient_attendances_12m')),
  log_outpatient_attendances_36m: (r) => ln1p(num(r, 'outpatient_attendances_36m')),
  log_outpatient_dna_12m: (r) => ln1p(num(r, 'outpatient_dna_12m')),
  ...Object.fromEntries(registerCodes.map((code) => [`ltc_${code}`, (r: FeatureRow) => flag(r, `ltc_${code}`)])),
  charlson_capped: (r) => Math.min(num(r, 'charlson_index'), 10),
  frailty_intermediate: (r) => between(num(r, 'frailty_score'), 5, 15),
  frailty_high: (r) => (num(r, 'frailty_score') > 15 ? 1 : 0),
  log_frailty_score: (r) => ln1p(num(r, 'frailty_score')),
  medicines_capped: (r) => Math.min(num(r, 'distinct_medicines_6m'), 15),
  age_75_plus_x_ltc_count: (r) => (num(r, 'age') >= 75 ? 1 : 0) * Math.min(num(r, 'ltc_count'), 8),
  age_75_plus_x_log_emergency_admissions_12m: (r) => (num(r, 'age') >= 75 ? 1 : 0) * ln1p(num(r, 'emergency_admissions_12m')),
  log_emergency_admissions_12m_x_frail: (r) => ln1p(num(r, 'emergency_admissions_12m')) * frail(r),
  log_emergency_admissions_12m_x_log_ae_12m: (r) => ln1p(num(r, 'emergency_admissions_12m')) * ln1p(num(r, 'ae_attendances_12m')),
  age_65_plus_x_ltc_count: (r) => (num(r, 'age') >= 65 ? 1 : 0) * Math.min(num(r, 'ltc_count'), 6),
  deprivation_x_ltc_count: (r) => quintile(r, 1) * Math.min(num(r, 'ltc_count'), 6),
};

/**
 * ltc_count_capped differs between the models (capped at 8 for emergency admission, 6 for a new condition), so it is
 * looked up by target.
 */
export function independentTermValue(target: 'ea' | 'ltc', id: string, row: FeatureRow): number {
  if (id === 'ltc_count_capped') return Math.min(num(row, 'ltc_count'), target === 'ea' ? 8 : 6);
  const term = independentTerms[id];
  if (!term) throw new Error(`no independent definition of term ${id}`);
  return term(row);
}

/** The model's risk for one person: the logistic of intercept + sum of coefficient × term. */
export function independentRisk(target: 'ea' | 'ltc', card: { intercept: number; terms: readonly { id: string; coefficient: number }[] }, row: FeatureRow): number {
  let eta = card.intercept;
  for (const term of card.terms) eta += term.coefficient * independentTermValue(target, term.id, row);
  return 1 / (1 + Math.exp(-eta));
}

const plural = (n: number, singular: string, pluralForm: string): string => `${n} ${n === 1 ? singular : pluralForm}`;

function overYears(twelve: number, three: number, singular: string, pluralForm: string): string {
  if (twelve === three) return `${plural(twelve, singular, pluralForm)} in the last year`;
  if (twelve === 0) return `${plural(three, singular, pluralForm)} in 3 years, none in the last year`;
  return `${plural(three, singular, pluralForm)} in 3 years, ${twelve} in the last year`;
}

/** After an emergency admission in the last 90 days: in hospital now, or when the last emergency spell ended. */
function recentAdmission(row: FeatureRow): string {
  if (row['emergency_spell_open'] === true) return 'In hospital now after an emergency admission in the last 90 days';
  const days = num(row, 'days_since_emergency_discharge');
  if (days === 0) return 'Discharged today after an emergency admission';
  if (days === 1) return 'Discharged yesterday after an emergency admission';
  return `Discharged ${days} days ago after an emergency admission`;
}

const registerNames: Readonly<Record<string, string>> = {
  af: 'Atrial fibrillation', ast: 'Asthma', can: 'Cancer', chd: 'Coronary heart disease', ckd: 'Chronic kidney disease',
  copd: 'COPD', dem: 'Dementia', dep: 'Depression', dm: 'Diabetes', ep: 'Epilepsy', hf: 'Heart failure', hyp: 'Hypertension',
  ld: 'Learning disability', mh: 'Serious mental illness', ost: 'Osteoporosis', pad: 'Peripheral arterial disease',
  ra: 'Rheumatoid arthritis', stia: 'Stroke or TIA',
};
const registerFactors: Readonly<Record<string, string>> = {
  af: 'atrial_fibrillation', ast: 'asthma', can: 'cancer', chd: 'chd', ckd: 'ckd', copd: 'copd', dem: 'dementia',
  dep: 'depression', dm: 'diabetes', ep: 'epilepsy', hf: 'heart_failure', hyp: 'hypertension', ld: 'learning_disability',
  mh: 'serious_mental_illness', ost: 'osteoporosis', pad: 'pad', ra: 'rheumatoid_arthritis', stia: 'stroke',
};

/** What an MDT is told a person has, by factor: whether they have it, and the sentence that says so. */
export interface IndependentFactor {
  id: string;
  /** The emergency-admission terms that belong to it. */
  terms: readonly string[];
  has: (row: FeatureRow) => boolean;
  sentence: (row: FeatureRow) => string;
  /** Each term's value for a person without the factor (0 unless named). */
  reference?: Readonly<Record<string, number>>;
}

const ageTerms = ['age_0', 'age_1', 'age_2', 'age_3_4', 'age_5_9', 'age_10_14', 'age_15_17', 'age_18_24', 'age_25_34', 'age_45_54',
  'age_55_64', 'age_65_69', 'age_70_74', 'age_75_79', 'age_80_84', 'age_85_89', 'age_90_plus'];

/** The reason factors, in the order that breaks ties between equal contributions. */
export const independentFactors: readonly IndependentFactor[] = [
  // Against the youngest adult band (18-24), and only above it.
  { id: 'age', terms: ageTerms, has: (r) => num(r, 'age') >= 25, sentence: (r) => `Aged ${num(r, 'age')}`, reference: { age_18_24: 1 } },
  {
    id: 'deprivation', terms: ['imd_quintile_1', 'imd_quintile_2'],
    has: (r) => r['imd_decile'] !== null && num(r, 'imd_decile') <= 4,
    sentence: (r) => num(r, 'imd_decile') <= 2
      ? `Lives in one of the 20% most deprived areas of England (IMD decile ${num(r, 'imd_decile')})`
      : `Lives in one of the 20-40% most deprived areas of England (IMD decile ${num(r, 'imd_decile')})`,
  },
  {
    id: 'emergency_admissions', terms: ['log_emergency_admissions_12m', 'age_75_plus_x_log_emergency_admissions_12m'],
    has: (r) => num(r, 'emergency_admissions_12m') >= 1,
    sentence: (r) => `${plural(num(r, 'emergency_admissions_12m'), 'emergency admission', 'emergency admissions')} in the last year`,
  },
  {
    id: 'earlier_admissions', terms: ['log_emergency_admissions_12_24m', 'log_emergency_admissions_24_36m'],
    has: (r) => num(r, 'emergency_admissions_36m') - num(r, 'emergency_admissions_12m') >= 1,
    sentence: (r) => `${plural(num(r, 'emergency_admissions_36m') - num(r, 'emergency_admissions_12m'), 'emergency admission', 'emergency admissions')} one to three years ago`,
  },
  { id: 'recent_admission', terms: ['emergency_admission_90d'], has: (r) => num(r, 'emergency_admissions_90d') >= 1, sentence: recentAdmission },
  {
    id: 'bed_days', terms: ['log_emergency_bed_days_12m'], has: (r) => num(r, 'emergency_bed_days_12m') >= 1,
    sentence: (r) => `${plural(num(r, 'emergency_bed_days_12m'), 'emergency bed day', 'emergency bed days')} in the last year`,
  },
  {
    id: 'ae', terms: ['log_ae_attendances_12m', 'log_ae_attendances_90d', 'log_ae_attendances_36m', 'log_emergency_admissions_12m_x_log_ae_12m'],
    has: (r) => num(r, 'ae_attendances_36m') >= 1,
    sentence: (r) => overYears(num(r, 'ae_attendances_12m'), num(r, 'ae_attendances_36m'), 'A&E attendance', 'A&E attendances'),
  },
  {
    id: 'outpatients', terms: ['log_outpatient_attendances_12m', 'log_outpatient_attendances_36m'],
    has: (r) => num(r, 'outpatient_attendances_36m') >= 1,
    sentence: (r) => overYears(num(r, 'outpatient_attendances_12m'), num(r, 'outpatient_attendances_36m'), 'outpatient attendance', 'outpatient attendances'),
  },
  {
    id: 'missed_appointments', terms: ['log_outpatient_dna_12m'], has: (r) => num(r, 'outpatient_dna_12m') >= 1,
    sentence: (r) => `${plural(num(r, 'outpatient_dna_12m'), 'missed outpatient appointment', 'missed outpatient appointments')} in the last year`,
  },
  {
    id: 'ltc_count', terms: ['ltc_count_capped', 'age_75_plus_x_ltc_count'], has: (r) => num(r, 'ltc_count') >= 1,
    sentence: (r) => `On ${plural(num(r, 'ltc_count'), 'long-term condition register', 'long-term condition registers')}`,
  },
  ...registerCodes.map((code) => ({
    id: registerFactors[code]!, terms: [`ltc_${code}`], has: (r: FeatureRow) => r[`ltc_${code}`] === true,
    sentence: () => `${registerNames[code]} on GP register`,
  })),
  { id: 'charlson', terms: ['charlson_capped'], has: (r) => num(r, 'charlson_index') >= 1, sentence: (r) => `Charlson comorbidity index ${num(r, 'charlson_index')}` },
  {
    id: 'frailty', terms: ['frailty_intermediate', 'frailty_high', 'log_emergency_admissions_12m_x_frail'], has: (r) => num(r, 'frailty_score') >= 5,
    sentence: (r) => `Hospital Frailty Risk Score ${formatOneDecimal(num(r, 'frailty_score'))} (${num(r, 'frailty_score') > 15 ? 'high' : 'intermediate'} frailty risk)`,
  },
  {
    id: 'medicines', terms: ['medicines_capped'], has: (r) => num(r, 'distinct_medicines_6m') >= 1,
    sentence: (r) => (num(r, 'distinct_medicines_6m') === 1 ? '1 medicine in the last 6 months' : `${num(r, 'distinct_medicines_6m')} different medicines in the last 6 months`),
  },
];

/** DuckDB's round(x, 1) printed by format('{}'): one decimal place, with no trailing zeros beyond it. */
function formatOneDecimal(x: number): string {
  const rounded = Math.round(x * 10) / 10;
  return Number.isInteger(rounded) ? `${rounded}.0` : String(rounded);
}

/** A factor's contribution to the log-odds against a person without it. */
export function contribution(factor: IndependentFactor, card: { terms: readonly { id: string; coefficient: number }[] }, row: FeatureRow): number {
  let total = 0;
  for (const term of card.terms) {
    if (!factor.terms.includes(term.id)) continue;
    total += term.coefficient * (independentTermValue('ea', term.id, row) - (factor.reference?.[term.id] ?? 0));
  }
  return total;
}
