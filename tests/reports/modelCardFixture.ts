// Model cards and drift results for the cohort report tests, shaped by the real code: validation metrics come from
// evaluatePredictions run on a synthetic validation year (seeded, no Math.random), so every nested field is one the
// pipeline would write. The emergency admission card is validated; the new long-term condition card is not.
//
// The validation year has 3,000 people. Sex: '9' has 5 people and 'X' 2 (the card withholds both sizes, which add up
// to 7). Age band '85+' has 20 people, too few outcomes for metrics: marked suppressed, its size shown.
import { evaluatePredictions, type Subgroups } from '../../models/evaluatePredictions.ts';
import type { DriftResult } from '../../models/measureDrift.ts';
import { interpretPsi } from '../../models/populationStabilityIndex.ts';
import { cardFormat, type FormMetrics, type ModelCard } from '../../models/modelCard.ts';
import { seeded } from '../helpers/seeded.ts';

const people = 3000;
const ethnicCycle = ['White', 'White', 'White', 'White', 'White', 'White', 'Asian', 'Asian', 'Black', 'Mixed', 'Other', 'Not stated'];


const logistic = (eta: number): number => 1 / (1 + Math.exp(-eta));

interface ValidationYear {
  subgroups: Subgroups;
  observed: Uint8Array;
  /** The kept variant's predictions: a little over-confident and over-predicting, as a model a year on often is. */
  mainEffects: Float64Array;
  /** A noisier variant, so the comparison keeps the simpler one. */
  withInteractions: Float64Array;
}

function validationYear(): ValidationYear {
  const random = seeded(20261122);
  const sex: (string | null)[] = [];
  const ageBand: (string | null)[] = [];
  const imdQuintile: (string | null)[] = [];
  const ethnicGroup: (string | null)[] = [];
  const observed = new Uint8Array(people);
  const mainEffects = new Float64Array(people);
  const withInteractions = new Float64Array(people);
  for (let i = 0; i < people; i++) {
    const age = Math.floor(random() * 84);
    const deprivation = i % 47 === 0 ? null : (i % 5) + 1;
    sex.push(i < 5 ? '9' : i < 7 ? 'X' : i % 2 === 0 ? '2' : '1');
    // 85+ kept small: twenty people.
    ageBand.push(i >= 100 && i < 120 ? '85+' : age < 18 ? '0-17' : age < 45 ? '18-44' : age < 65 ? '45-64' : age < 75 ? '65-74' : '75-84');
    imdQuintile.push(deprivation === null ? null : String(deprivation));
    ethnicGroup.push(ethnicCycle[i % ethnicCycle.length]!);
    const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    const eta = -3.1 + 0.03 * (age - 40) + 0.15 * (3 - (deprivation ?? 3)) + 0.9 * normal;
    const risk = logistic(eta);
    observed[i] = random() < risk ? 1 : 0;
    mainEffects[i] = logistic(0.25 + 1.2 * eta);
    withInteractions[i] = logistic(0.25 + 1.2 * eta + 0.8 * (random() - 0.5));
  }
  return {
    subgroups: { sex, age_band: ageBand, imd_quintile: imdQuintile, ethnic_group: ethnicGroup },
    observed,
    mainEffects,
    withInteractions,
  };
}

const year = validationYear();

function training(target: ModelCard['target'], rows: number, events: number): ModelCard['training'] {
  const rate = events / rows;
  return {
    target,
    variant: 'main effects',
    sign_constrained: true,
    terms_held_at_zero: ['ltc_hyp'],
    training_index_date: '2025-11-22',
    outcome_window: { from_exclusive: '2025-11-22', to_inclusive: '2026-11-22' },
    training_rows: rows,
    training_events: events,
    rows_used_in_fit: rows,
    event_rate: rate,
    iterations: 9,
    converged: true,
    recalibration: { intercept_shift: 0.012, mean_predicted_before: rate - 0.0004, mean_predicted_after: rate, observed_rate: rate },
  };
}

const terms = (target: ModelCard['target']): ModelCard['terms'] => [
  { id: target === 'ea' ? 'age_75_79' : 'age_75_84', coefficient: 0.9 },
  { id: 'log_emergency_admissions_12m', coefficient: 0.6 },
  { id: 'ltc_hyp', coefficient: 0 },
];

function form(metrics: ReturnType<typeof evaluatePredictions>, heldAtZero: string[], negative: string[]): FormMetrics {
  return {
    auroc: metrics.auroc, auprc: metrics.auprc, brier: metrics.brier, calibration_intercept: metrics.calibration.intercept,
    calibration_slope: metrics.calibration.slope, negative_terms: negative, terms_held_at_zero: heldAtZero,
  };
}

function signConstraint(validation: ModelCard['sign_constraint']['validation']): ModelCard['sign_constraint'] {
  return {
    rule: 'Condition and utilisation terms are held at 0 or above unless the unconstrained fit validates clearly better.',
    constrained_terms: ['log_emergency_admissions_12m', 'ltc_hyp'],
    chosen: 'non-negative',
    validation,
  };
}

/** A validated emergency admission card, its metrics computed by evaluatePredictions. */
export function validatedCard(): ModelCard {
  const kept = evaluatePredictions(year.mainEffects, year.observed, year.subgroups);
  const other = evaluatePredictions(year.withInteractions, year.observed);
  const comparison = (variant: string, termCount: number, metrics: typeof kept) => ({
    variant,
    terms: termCount,
    auroc: metrics.auroc,
    auprc: metrics.auprc,
    brier: metrics.brier,
    calibration_slope: metrics.calibration.slope,
  });
  return {
    card_format: cardFormat,
    model_version: 'ea-2025-11-22-1a2b3c4d',
    target: 'ea',
    score_column: 'ea_risk',
    description: 'Probability of at least one emergency admission in the next 12 months',
    method: 'Ridge-penalised logistic regression fitted by IRLS, recalibrated in the large on the training year; scored in SQL.',
    fitted_for_as_of: '2026-11-22',
    variant: 'main effects',
    sign_constraint: signConstraint({ unconstrained: form(other, [], ['ltc_hyp']), non_negative: form(kept, ['ltc_hyp'], []) }),
    training: training('ea', kept.n, kept.events),
    validation: {
      fit_index_date: '2024-11-22',
      evaluation_index_date: '2025-11-22',
      outcome_window: { from_exclusive: '2025-11-22', to_inclusive: '2026-11-22' },
      variant_comparison: [comparison('main effects', 52, kept), comparison('with interactions', 56, other)],
      metrics: kept,
    },
    validation_note: 'Out-of-time validation: fitted on features at 2024-11-22 with outcomes to 2025-11-22, evaluated on features at 2025-11-22 with outcomes to 2026-11-22.',
    reference_distributions: {},
    intercept: -3.2,
    terms: terms('ea'),
  };
}

export const notValidatedNote =
  'Not validated: the loaded history starts 2024-06-01, and out-of-time validation needs a year of history before 2024-11-22. Never validated on training rows.';

/** A new long-term condition card with no validation year. */
export function unvalidatedCard(): ModelCard {
  return {
    card_format: cardFormat,
    model_version: 'ltc-2025-11-22-5e6f7a8b',
    target: 'ltc',
    score_column: 'ltc_risk',
    description: 'Probability of at least one new GP long-term-condition register entry in the next 12 months',
    method: 'Ridge-penalised logistic regression fitted by IRLS, recalibrated in the large on the training year; scored in SQL.',
    fitted_for_as_of: '2026-11-22',
    variant: 'main effects',
    sign_constraint: signConstraint(null),
    training: training('ltc', 2904, 61),
    validation: null,
    validation_note: notValidatedNote,
    reference_distributions: {},
    intercept: -4.1,
    terms: terms('ltc'),
  };
}

const driftFeaturePsi: Readonly<Record<string, number>> = {
  age: 0.0012,
  ltc_count: 0.0004,
  emergency_admissions_12m: 0.011,
  ae_attendances_12m: 0.0031,
  frailty_score: 0.0009,
  distinct_medicines_6m: 0.0021,
};

/** Drift as measureDrift writes it, with the given PSI for each card's score. */
export function driftFor(cards: readonly ModelCard[], scorePsi: number): DriftResult[] {
  return cards.map((card) => {
    const psi: DriftResult['psi'] = { score: { psi: scorePsi, interpretation: interpretPsi(scorePsi) } };
    for (const [name, value] of Object.entries(driftFeaturePsi)) psi[name] = { psi: value, interpretation: interpretPsi(value) };
    return {
      model_version: card.model_version,
      psi,
      warnings: scorePsi > 0.2 ? [`${card.target} model ${card.model_version}: ${card.score_column} has drifted from the training rows (PSI ${scorePsi.toFixed(3)} > 0.2)`] : [],
    };
  });
}

export const fixtureModelCards: ModelCard[] = [validatedCard(), unvalidatedCard()];
export const fixtureDrift: DriftResult[] = driftFor(fixtureModelCards, 0.05);
