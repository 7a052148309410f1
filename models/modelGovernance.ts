// What a reviewer signing a model off needs besides its figures (TRIPOD+AI, Collins et al. BMJ 2024;385:e078378):
// where the data come from, what the outcome and predictors are, how missing data are handled, what the model is
// for and who it must not be used for, and when it is refitted. Written once here, copied into every model card
// (models/trainModels.ts) and rendered into docs/model-card.md (models/renderModelCard.ts).
import type { ModelSpec } from './modelSpecs.ts';

export interface ModelGovernance {
  data_source: string;
  population: string;
  outcome: string;
  predictors: string;
  missing_data: string;
  intended_use: string;
  /** People and purposes the scores must not be used for. */
  not_for: string[];
  retraining: string;
  drift: string;
}

const dataSource =
  "Pseudonymised nightly extracts of one integrated care system's registered population (data-contract.md): GP " +
  'registration with sex, year of birth, ethnic category and the deprivation of the home area (IMD decile of the ' +
  'LSOA); inpatient spells with ICD-10 diagnoses and admission method; A&E attendances; outpatient appointments; GP ' +
  'long-term-condition registers (QOF); prescriptions (BNF chemical substance). Bad rows are quarantined with a reason ' +
  'and never used; the person identifier is a pseudonym and no direct identifier is loaded.';

const population =
  'Everyone registered and alive on the index date who has not opted out (national data opt-out), whatever their age. ' +
  'Training and validation keep people who died or left during the outcome year (their outcome year is observed as ' +
  'far as the extracts show it: a death without an emergency admission counts as no admission, not as censored). ' +
  'Scoring covers everyone registered, alive and not opted out on the as-of date.';

const missingData =
  'No row is imputed. A person with no activity of a kind has a count of 0: the extracts cannot tell an event that ' +
  'was not recorded from one that did not happen. An unknown deprivation decile puts the person in the reference ' +
  'group (quintiles 3 to 5) and is reported as its own group in validation; sex 9 or X are their own groups, and an ' +
  'ethnic category Z, 99 or missing is the group "Not stated". Rows failing the contract are quarantined, not repaired; run.json and quarantine.csv ' +
  'count them.';

const notFor = [
  'Individual clinical decisions without clinical review: the score ranks people for a multidisciplinary team to consider; it is not a diagnosis or a triage tool.',
  'Withholding or rationing care, eligibility for services, insurance, employment or any purpose outside direct care and its planning.',
  'People outside the registered population it was trained on (another system, a care home population assessed alone, people not registered with a GP).',
  'Children for the same purposes as adults: under-18s are listed apart and ranked among children only; their reasons never cite age.',
  'Comparing practices on performance without case-mix adjustment and the report\'s overdispersed funnel limits.',
];

const retraining =
  'A run reuses the newest models while they are at most maxModelAgeDays (default 30) days older than its as-of date, ' +
  'and refits both otherwise, or when asked (strata run --retrain, strata train). Each refit repeats the out-of-time ' +
  'validation, chooses the variant and sign constraint on it, and writes a new card; cards are never edited.';

const drift =
  'Every run compares the scored population with the training rows by the population stability index of the score and ' +
  'of each term (run.json drift); a PSI above 0.2 is logged as a warning and shown in the report. A warning does not ' +
  'refit the model by itself: the analyst decides, with the card\'s validation beside the drift.';

const byTarget: Record<ModelSpec['target'], Pick<ModelGovernance, 'outcome' | 'predictors' | 'intended_use'>> = {
  ea: {
    outcome:
      'At least one emergency admission (an inpatient spell with an emergency admission method: 21-25, 2A-2D, 28) ' +
      'admitted in the 365 days after the index date.',
    predictors:
      'Age (fine bands), sex, deprivation quintile, emergency admissions, bed days, A&E attendances, outpatient ' +
      'attendances and missed appointments over the last 90 days to 3 years, the 18 QOF long-term-condition registers, ' +
      'Charlson index, Hospital Frailty Risk Score and distinct medicines; each term is defined in models/terms.ts over ' +
      'the features of docs/features.md.',
    intended_use:
      'Case finding for proactive care: ranking the registered population so that each practice\'s multidisciplinary ' +
      'team reviews the people at highest risk of an emergency admission in the next year (tiers 1-2, the top 5% by ' +
      'default), with the reasons that put them there; and, in aggregate only, planning by commissioners.',
  },
  ltc: {
    outcome:
      'At least one new GP long-term-condition register entry (one of the 18 QOF registers; the palliative care ' +
      'register is not one) diagnosed in the 365 days after the index date.',
    predictors:
      'Age, sex, deprivation, the registers already held and their count, hospital activity, Charlson index, frailty and ' +
      'medicines; each term is defined in models/terms.ts over the features of docs/features.md.',
    intended_use:
      'Prevention planning: which people, practices and segments are likely to gain a long-term condition in the next ' +
      'year. It does not choose who is listed for proactive care.',
  },
};

/** The governance text of a model card for `target`. */
export function modelGovernance(target: ModelSpec['target']): ModelGovernance {
  const { outcome, predictors, intended_use } = byTarget[target];
  // In the card schema's order (models/modelCard.ts), so a card read back and written again is the same bytes.
  return { data_source: dataSource, population, outcome, predictors, missing_data: missingData, intended_use, not_for: notFor, retraining, drift };
}
