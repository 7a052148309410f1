// Parameters of the known process the synthetic inbox is drawn from (population, long-term conditions,
// frailty, deaths and hospital activity). They were calibrated by simulation so the inbox lands on the
// England base rates in shared/domain-notes.md; the oracle in the truth file is computed from them.

/** QOF registers, in the order prevalent conditions are drawn (a condition's links come from earlier ones). */
export const conditionCodes = [
  'LD', 'AST', 'EP', 'MH', 'RA', 'HYP', 'DM', 'CAN', 'COPD',
  'CHD', 'AF', 'STIA', 'PAD', 'CKD', 'HF', 'OST', 'DEP', 'DEM',
] as const;
export type ConditionCode = (typeof conditionCodes)[number];
export const conditionCount = conditionCodes.length;

/** Index of each register in conditionCodes. */
export const conditionIndex = Object.fromEntries(conditionCodes.map((code, i) => [code, i])) as Record<ConditionCode, number>;

/** Ages (years) of the prevalence knots below. */
export const prevalenceKnotAges = [0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90, 95, 100];

/**
 * Reference lifetime prevalence (%) by effective age, before sex, deprivation, susceptibility and links.
 * The cumulative onset hazard is H(age) = -ln(1 - p(age)), so onset rates and prevalence agree.
 */
export const referencePrevalence: Record<ConditionCode, number[]> = {
  LD: [0, 0.35, 0.5, 0.55, 0.55, 0.55, 0.55, 0.55, 0.55, 0.55, 0.55, 0.55, 0.55, 0.55, 0.55, 0.55, 0.55, 0.55, 0.55, 0.55, 0.55],
  AST: [0, 3, 6, 7, 7.2, 7.4, 7.6, 7.8, 8, 8.2, 8.4, 8.6, 8.8, 9, 9.2, 9.4, 9.6, 9.8, 10, 10, 10],
  EP: [0, 0.2, 0.35, 0.45, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1, 1.05, 1.1, 1.15, 1.2, 1.2, 1.2, 1.2],
  MH: [0, 0, 0, 0.05, 0.3, 0.6, 0.85, 1, 1.1, 1.2, 1.25, 1.3, 1.35, 1.4, 1.4, 1.4, 1.4, 1.4, 1.4, 1.4, 1.4],
  DEP: [0, 0, 0, 0.5, 4, 8, 11, 13, 14.5, 15.5, 16, 16.5, 17, 17, 17, 17, 17, 17, 17, 17, 17],
  RA: [0, 0, 0, 0, 0.05, 0.1, 0.2, 0.3, 0.45, 0.6, 0.8, 1, 1.2, 1.4, 1.6, 1.8, 1.9, 2, 2, 2, 2],
  HYP: [0, 0, 0, 0.1, 0.3, 0.8, 1.8, 3.5, 6, 9.5, 14, 19.5, 26, 33, 42, 51, 59, 65, 69, 71, 72],
  DM: [0, 0.05, 0.1, 0.2, 0.35, 0.6, 1, 1.7, 2.8, 4.2, 6, 8, 10.5, 13, 15.5, 18, 19.5, 20, 20, 20, 20],
  CAN: [0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 0.8, 1.2, 1.8, 2.6, 3.7, 5, 6.8, 9, 11.5, 14, 16, 17, 17.5, 17.5],
  COPD: [0, 0, 0, 0, 0, 0, 0.05, 0.15, 0.3, 0.6, 1, 1.7, 2.7, 3.9, 5.2, 6.4, 7.3, 7.8, 8, 8, 8],
  CHD: [0, 0, 0, 0, 0, 0, 0.05, 0.15, 0.35, 0.8, 1.5, 2.6, 4, 5.8, 8, 10.5, 13, 15.5, 17.5, 18.5, 19],
  AF: [0, 0, 0, 0, 0, 0.02, 0.05, 0.1, 0.2, 0.35, 0.6, 1, 1.8, 3, 4.8, 7.6, 11.5, 15.5, 19, 21, 22],
  STIA: [0, 0, 0, 0, 0.02, 0.05, 0.1, 0.2, 0.35, 0.6, 0.9, 1.4, 2.1, 3, 4.2, 5.8, 7.8, 10, 12, 13, 14],
  PAD: [0, 0, 0, 0, 0, 0, 0, 0.02, 0.05, 0.12, 0.25, 0.45, 0.75, 1.1, 1.5, 2, 2.5, 2.9, 3.2, 3.3, 3.4],
  CKD: [0, 0, 0, 0, 0, 0, 0.05, 0.1, 0.2, 0.35, 0.6, 1.1, 2, 3.5, 6, 10, 16, 24, 31, 36, 39],
  HF: [0, 0, 0, 0, 0, 0, 0, 0.02, 0.05, 0.1, 0.2, 0.35, 0.6, 1, 1.7, 2.8, 4.5, 7, 9.5, 11, 12],
  OST: [0, 0, 0, 0, 0, 0, 0, 0, 0.02, 0.05, 0.1, 0.2, 0.35, 0.6, 1, 1.7, 2.8, 4.2, 5.5, 6.5, 7],
  DEM: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0.02, 0.05, 0.1, 0.2, 0.5, 1.2, 2.8, 6, 11.5, 19, 27, 32],
};

/** Calibrated scale on each register's onset hazard (hits the QOF prevalences at the as-of date). */
export const onsetScale: Record<ConditionCode, number> = {
  LD: 1.45, AST: 0.992, EP: 1.219, MH: 1.149, RA: 0.966, HYP: 1.06, DM: 0.884, CAN: 1.288, COPD: 1.182,
  CHD: 0.894, AF: 1.188, STIA: 0.907, PAD: 1.015, CKD: 0.983, HF: 0.969, OST: 1.107, DEP: 0.821, DEM: 1.139,
};

/** Onset hazard multipliers [male, female]. */
export const onsetSexMultiplier: Record<ConditionCode, [number, number]> = {
  LD: [1.3, 0.7], AST: [0.85, 1.15], EP: [1.1, 0.9], MH: [1, 1], DEP: [0.65, 1.35], RA: [0.5, 1.5],
  HYP: [1.05, 0.95], DM: [1.2, 0.8], CAN: [1, 1], COPD: [1.05, 0.95], CHD: [1.5, 0.6], AF: [1.3, 0.75],
  STIA: [1.15, 0.85], PAD: [1.4, 0.65], CKD: [0.85, 1.15], HF: [1.3, 0.75], OST: [0.3, 1.7], DEM: [0.85, 1.15],
};

/** Years by which each decile step towards deprivation brings every onset forward (decile 1 vs 10: ~12 years). */
export const deprivationAgeShiftPerDecile = 1.3;

/** Extra log-hazard per decile step towards deprivation for registers with a steeper social gradient. */
export const onsetDeprivationSlope: Partial<Record<ConditionCode, number>> = { COPD: 0.1, MH: 0.08, DEP: 0.04, LD: 0.04 };

/** Variance of the gamma-distributed susceptibility shared by all onsets (clusters multimorbidity). */
export const susceptibilityVariance = 0.3;

/** Having `from` multiplies the onset hazard of `to`. */
export const onsetLinks: [ConditionCode, ConditionCode, number][] = [
  ['HYP', 'CHD', 1.6], ['HYP', 'STIA', 1.7], ['HYP', 'CKD', 1.8], ['HYP', 'HF', 1.6], ['HYP', 'AF', 1.4], ['HYP', 'DM', 1.6],
  ['DM', 'CHD', 1.8], ['DM', 'CKD', 2.2], ['DM', 'PAD', 2.5], ['DM', 'STIA', 1.5], ['DM', 'HF', 1.5],
  ['CHD', 'HF', 2.5], ['CHD', 'AF', 1.4], ['AF', 'STIA', 2.5], ['AF', 'HF', 2.0], ['COPD', 'HF', 1.6],
  ['COPD', 'CHD', 1.3], ['MH', 'DM', 1.8], ['STIA', 'DEM', 2.0], ['RA', 'CHD', 1.4], ['RA', 'OST', 2.0],
  ['LD', 'EP', 3.0], ['AST', 'COPD', 1.8], ['CKD', 'HF', 1.5],
  // Depression is commoner with any chronic physical illness.
  ['AST', 'DEP', 1.3], ['EP', 'DEP', 1.4], ['RA', 'DEP', 1.4], ['DM', 'DEP', 1.4], ['CAN', 'DEP', 1.3], ['COPD', 'DEP', 1.5],
  ['CHD', 'DEP', 1.4], ['STIA', 'DEP', 1.5], ['HF', 'DEP', 1.4], ['CKD', 'DEP', 1.2], ['DEP', 'DEM', 1.4],
];

/** NHS ethnic category, its England-like share (%) in GP records, and its group for onset effects. */
export const ethnicCategories: { code: string; share: number; group: 'white' | 'mixed' | 'southAsian' | 'black' | 'other' | 'unknown' }[] = [
  { code: 'A', share: 66.5, group: 'white' }, { code: 'B', share: 0.8, group: 'white' }, { code: 'C', share: 5.5, group: 'white' },
  { code: 'D', share: 0.7, group: 'mixed' }, { code: 'E', share: 0.45, group: 'mixed' }, { code: 'F', share: 0.6, group: 'mixed' },
  { code: 'G', share: 0.8, group: 'mixed' }, { code: 'H', share: 3.0, group: 'southAsian' }, { code: 'J', share: 2.4, group: 'southAsian' },
  { code: 'K', share: 1.0, group: 'southAsian' }, { code: 'L', share: 1.4, group: 'southAsian' }, { code: 'M', share: 1.0, group: 'black' },
  { code: 'N', share: 2.2, group: 'black' }, { code: 'P', share: 0.45, group: 'black' }, { code: 'R', share: 0.7, group: 'other' },
  { code: 'S', share: 1.5, group: 'other' }, { code: 'Z', share: 4.5, group: 'unknown' }, { code: '99', share: 2.5, group: 'unknown' },
  { code: '', share: 4.0, group: 'unknown' },
];

/** Onset hazard multipliers by ethnic group (south Asian and black diabetes and hypertension risk). */
export const onsetEthnicMultiplier: Partial<Record<ConditionCode, Partial<Record<string, number>>>> = {
  DM: { southAsian: 2.2, black: 1.6 },
  HYP: { black: 1.3 },
  CHD: { southAsian: 1.4 },
};

/** Age structure at the as-of date: [first age, last age, % of people]; about 19% under 16, 18% 65+. */
export const ageBands: [number, number, number][] = [
  [0, 4, 5.4], [5, 9, 6.0], [10, 14, 6.1], [15, 19, 5.7], [20, 24, 6.0], [25, 29, 6.6], [30, 34, 6.9],
  [35, 39, 6.7], [40, 44, 6.3], [45, 49, 6.3], [50, 54, 6.9], [55, 59, 6.8], [60, 64, 5.9], [65, 69, 5.8],
  [70, 74, 6.1], [75, 79, 4.7], [80, 84, 3.3], [85, 89, 2.1], [90, 99, 1.3],
];

/** Latent frailty f = mean(age, deprivation, registers) + a persistent AR(1) part. */
export const frailty = {
  intercept: -1.2,
  perYearOfAge: 0.03,
  perDecileOfDeprivation: 0.04,
  perCondition: 0.2,
  conditionExtra: { DEM: 0.5, STIA: 0.25, HF: 0.25, OST: 0.2, PAD: 0.1, COPD: 0.1 } as Partial<Record<ConditionCode, number>>,
  noiseSd: 0.5,
  /** Month-to-month autocorrelation of the persistent part. */
  monthlyPersistence: 0.97,
};

/** Piecewise-linear age effect: knots [age, value]. */
export type AgeCurve = [number, number][];

/**
 * Emergency admissions: the uncapped log yearly rate = intercept + age + registers + frailty + deprivation + recent
 * admissions + propensity, then saturated at maxPerYear (see saturatingRate).
 */
export const emergencyAdmission = {
  intercept: -3.28,
  age: [[0, 2.7], [1, 1.8], [3, 1.3], [10, 0.28], [20, 0.3], [35, 0.2], [55, -0.1], [70, -0.6], [80, -0.8], [90, -0.3], [100, -0.2]] as AgeCurve,
  condition: {
    LD: 0.4, AST: 0.3, EP: 0.45, MH: 0.45, DEP: 0.25, RA: 0.25, HYP: 0.05, DM: 0.35, CAN: 0.5,
    COPD: 0.8, CHD: 0.35, AF: 0.3, STIA: 0.3, PAD: 0.35, CKD: 0.5, HF: 0.9, OST: 0.2, DEM: 0.7,
  } as Record<ConditionCode, number>,
  frailty: 0.45,
  perDecileOfDeprivation: 0.06,
  /**
   * Log-rate per emergency admission in the last 12 months (up to recentAdmissionCap). With the rate bounded this
   * self-excitation, not an unbounded propensity, concentrates admissions in repeat admitters.
   */
  perRecentAdmission: 0.7,
  recentAdmissionCap: 3,
  /** Sd of the persistent personal propensity (log scale) shared with A&E and outpatients. */
  propensitySd: 1.15,
  /**
   * Ceiling of the yearly rate. The log-linear rate has no bound (with high propensity, several registers and
   * frailty it reached hundreds a year); real frequent admitters rarely exceed 12-20 a year.
   */
  maxPerYear: 12,
};

/** Deaths: log yearly hazard = max(floor, intercept + slope*age) + registers + frailty (persistent part). */
export const death = {
  intercept: -10.3,
  perYearOfAge: 0.088,
  floor: -9.0,
  infantExtra: 3.5,
  frailty: 0.5,
  condition: { HF: 0.8, CAN: 0.7, DEM: 0.8, COPD: 0.5, CKD: 0.3, LD: 0.9, MH: 0.6, STIA: 0.3, AF: 0.2, DM: 0.2 } as Partial<Record<ConditionCode, number>>,
};

/**
 * The palliative care register (QOF PC, contract v2; synthetic/drawPalliativeCareEntry.ts). England's QOF palliative
 * care register holds about 0.5% of registered patients (NHS England, Quality and Outcomes Framework 2023-24,
 * register PC001: about 0.4-0.5% in recent years); the process lands on about 0.35-0.6% of living people on the newest snapshot (0.37% for seed 2026 at 20,000 people).
 * Most people go on it in the weeks to months before they die, cancer far more often than other illness: in Harrison
 * N et al. Br J Gen Pract 2012;62(598):e344-52, 29% of decedents were on a register before death, two-thirds of those
 * dying of cancer and about one in five of the rest. The rest of the register are people with advanced illness who
 * live on beyond a year (the register is not cleared while they do).
 */
export const palliativeCare = {
  /** Chance that a person who dies goes on the register first, by the first of these registers they hold at death. */
  beforeDeath: [['CAN', 0.66], ['HF', 0.35], ['COPD', 0.3], ['DEM', 0.35], ['CKD', 0.2]] as [ConditionCode, number][],
  /** ... and with none of them. */
  beforeDeathOtherwise: 0.15,
  /** Days on the register before death: log-normal with this median and log-scale sd (about 7% over a year). */
  medianDaysBeforeDeath: 75,
  logSdDaysBeforeDeath: 1.1,
  /**
   * People alive a year after as-of who are on the register at as-of (entered in the stayWindowDays before it): this
   * chance times, for the first register held, its factor, times the age factor. Nobody without one of the registers.
   */
  stayer: 0.12,
  stayerRegister: [['CAN', 1], ['HF', 0.8], ['COPD', 0.6], ['DEM', 0.8]] as [ConditionCode, number][],
  stayerAge: [[40, 0], [60, 0.3], [75, 0.7], [85, 1]] as AgeCurve,
  stayWindowDays: 730,
};

/**
 * A&E attendances not leading to admission: uncapped yearly rate = scale * age * deprivation * propensity * registers *
 * frailty, saturated at maxPerYear. Admitted attendances come on top (about 0.76 per emergency admission), so a person
 * at both ceilings averages about 30 + 9 attendances a year; real frequent attenders rarely pass about 50.
 */
export const emergencyCare = {
  scale: 0.36,
  age: [[0, 1.6], [5, 0.8], [10, 0.8], [15, 1.2], [20, 1.3], [30, 1.0], [40, 0.9], [50, 0.85], [60, 0.85], [70, 1.0], [80, 1.5], [90, 2.2], [100, 2.4]] as AgeCurve,
  perDecileOfDeprivation: 0.075,
  propensity: 0.7,
  perCondition: 0.12,
  frailty: 0.25,
  /** Share of emergency admissions that arrive through an A&E attendance marked admitted. */
  admittedViaAe: 0.8,
  /** Ceiling of the yearly rate of attendances not leading to admission. */
  maxPerYear: 30,
};

/** Outpatient appointments (all outcomes): yearly rate = scale * age * (1 + perCondition * n) * cancer * propensity. */
export const outpatients = {
  scale: 1.75,
  age: [[0, 0.8], [10, 0.5], [20, 0.6], [30, 0.8], [40, 0.9], [50, 1.1], [60, 1.4], [70, 1.8], [80, 1.9], [90, 1.5], [100, 1.3]] as AgeCurve,
  perCondition: 0.3,
  recentCancer: 3,
  propensity: 0.4,
  /** Did-not-attend probability: base + slope per decile step towards deprivation, times propensity^dnaPropensity. */
  dnaBase: 0.05,
  dnaPerDecile: 0.006,
  dnaPropensity: 0.3,
};

/** Elective, maternity and other admissions. */
export const plannedCare = {
  electiveScale: 0.1,
  electiveAge: [[0, 0.4], [10, 0.3], [20, 0.4], [30, 0.6], [40, 0.8], [50, 1.1], [60, 1.6], [70, 2.1], [80, 2.0], [90, 1.2], [100, 1.0]] as AgeCurve,
  electivePerCondition: 0.15,
  recentCancerElectivePerYear: 3,
  deliveriesPerYear: [[15, 0], [16, 0.01], [20, 0.05], [25, 0.08], [30, 0.1], [35, 0.07], [40, 0.025], [45, 0.003], [46, 0]] as AgeCurve,
  otherPerYear: 0.0005,
};

/** Monte Carlo paths per person for the oracle probabilities. */
export const oraclePaths = 8;

/**
 * A rate that follows `rate` while it is small and levels off at `max`: max * rate / (max + rate). It is the rate of
 * events a person with underlying rate `rate` can have when each event takes 1/max of a year out of the time at risk
 * (a stay in hospital and its aftermath), so it also discounts high rates smoothly rather than with a kink.
 * The simulation and the oracle both use it, so the truth file's probabilities come from the bounded process.
 */
export function saturatingRate(rate: number, max: number): number {
  return (max * rate) / (max + rate);
}

/** Linear interpolation on an age curve (flat beyond its ends). */
export function interpolateAgeCurve(curve: AgeCurve, age: number): number {
  const first = curve[0] as [number, number];
  if (age <= first[0]) return first[1];
  for (let i = 1; i < curve.length; i++) {
    const [a1, v1] = curve[i] as [number, number];
    if (age <= a1) {
      const [a0, v0] = curve[i - 1] as [number, number];
      return v0 + ((v1 - v0) * (age - a0)) / (a1 - a0);
    }
  }
  return (curve[curve.length - 1] as [number, number])[1];
}

/**
 * The practices' multidisciplinary team reviews sent back as mdt_reviews (contract v2; synthetic/MdtReviewWriter.ts).
 * The generator has no tiers, so "on the list" is its own known risk: each night the people alive, in that night's
 * snapshot and not opted out whose true 12-month emergency-admission probability (the truth file's
 * p_emergency_admission, at as-of) is in the top listedShare of them. Of those not reviewed in the last
 * notAgainDays, a share reviewedShare get a review dated within the reviewWindowDays before the extract.
 */
export const mdtReviews = {
  listedShare: 0.05,
  reviewedShare: 0.15,
  notAgainDays: 183,
  reviewWindowDays: 14,
  /** Outcome codes and their probabilities: care plan, already managed, not reached, declined, not appropriate. */
  outcomes: [['CP', 0.45], ['AM', 0.25], ['NR', 0.15], ['DC', 0.1], ['NA', 0.05]] as const,
  /** Outcomes that plan a next review, review_by days after the review (3 to 6 months); the others leave it empty. */
  plannedOutcomes: ['CP', 'AM'] as readonly string[],
  reviewByDays: [91, 183] as const,
  /** Share of reviews re-sent on a later night (while the person is still in the snapshots) with the outcome re-drawn. */
  correctedShare: 0.05,
};

/**
 * The practices' monthly team meetings over the written history (synthetic/PersonSimulator.ts, reviewHistory), whose
 * care plans can change the emergency-admission hazard: the known effect that Strata's proactive-care comparison
 * (models/proactiveCare.ts) must recover. At the first day r of each monthly step from a year after the written history
 * starts (so the previous 12 months' admissions are on file) to reviewWindowEndDays before the backfill, an adult is on
 * the meeting's list when, counted as Strata counts them on the day before r, they had at least listAdmissions
 * emergency admissions in the previous 12 months, or at least one and were listOlderAge or older (calendar year minus
 * year of birth). Nothing else: the list depends only on what Strata can see, so matching on it removes the selection.
 * Of those listed and not reviewed in the last mdtReviews.notAgainDays, a share reviewedShare are reviewed that day,
 * with mdtReviews' outcomes. A care plan (CP) multiplies the person's emergency-admission rate by the generator's
 * --care-plan-effect (default 1: no effect) for effectSteps months, from the review on; a later plan extends it.
 */
export const carePlans = {
  listAdmissions: 2,
  listOlderAge: 75,
  adultAge: 18,
  reviewedShare: 0.12,
  effectSteps: 12,
  /** The last meeting is at least this many days before the backfill, clear of the nightly reviews' 14-day window. */
  reviewWindowEndDays: 15,
  /** Monte Carlo paths per arm for the truth of each care plan (the same paths with and without it). */
  truthPaths: 16,
  /** Horizons of the truth file, in monthly steps (about 91, 182 and 365 days). */
  horizonSteps: [3, 6, 12] as const,
};
