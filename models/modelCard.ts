// A fitted model as data: the model card (what was fitted, on what, how well it validated) with its coefficients
// by term id. The registry keeps cards as JSON; every card read back is checked here before it is used, and names
// only terms of this code's registry (models/terms.ts), whose SQL is the only SQL a model ever runs.
import { z } from 'zod';
import { isIsoDate } from '../core/dates.ts';
import { StrataError } from '../core/errors.ts';
import { modelSpecs, termsOf } from './modelSpecs.ts';
import type { ModelEvaluation } from './evaluatePredictions.ts';
import type { Term } from './terms.ts';

/** The shape of the cards this code writes and reads. A card of another format is refused: retrain. */
export const cardFormat = 2;

const isoDate = z.string().refine(isIsoDate, 'must be a real date written YYYY-MM-DD');
const proportion = z.number().min(0).max(1);
const count = z.number().int().min(0);
const outcomeWindow = z.object({ from_exclusive: isoDate, to_inclusive: isoDate });

/** A rate with its exact interval (models/proportionInterval.ts). */
const rateSchema = z
  .object({ value: proportion, lower: proportion, upper: proportion })
  .refine((rate) => rate.lower <= rate.value && rate.value <= rate.upper, { message: 'a rate outside its own interval' });
const intervalSchema = z.object({ lower: proportion, upper: proportion }).refine((i) => i.lower <= i.upper, { message: 'an interval whose lower end is above its upper' });
const cutoffSchema = z.object({
  listed: count,
  true_positives: count,
  false_positives: count,
  false_negatives: count,
  true_negatives: count,
  ppv: rateSchema.nullable(),
  sensitivity: rateSchema.nullable(),
  false_positive_rate: rateSchema.nullable(),
  false_negative_rate: rateSchema.nullable(),
  false_omission_rate: rateSchema.nullable(),
});
const groupCutoffSchema = cutoffSchema.extend({
  share_of_list: proportion.nullable(),
  share_of_outcomes: proportion.nullable(),
  false_negative_rate_gap: z.number().min(-1).max(1).nullable(),
  flagged: z.boolean(),
});

const smoothedSchema = z.object({
  method: z.string(),
  ici: proportion.nullable(),
  e50: proportion.nullable(),
  e90: proportion.nullable(),
  emax: proportion.nullable(),
  brier_skill: z.number().max(1).nullable(),
  curve: z.array(z.object({ predicted: proportion, observed: proportion })),
});

const subgroupSchema = z
  .object({
    group: z.string().nullable(),
    n: count.nullable(),
    events: count.nullable(),
    suppressed: z.boolean(),
    auroc: proportion.optional(),
    brier: proportion.optional(),
    event_rate: proportion.optional(),
    mean_predicted: proportion.optional(),
    ppv_listed: proportion.nullable().optional(),
    sensitivity_listed: proportion.optional(),
    // Absent from cards written before fairness at the cut-off was measured.
    auroc_interval: intervalSchema.nullable().optional(),
    at_cutoff: groupCutoffSchema.optional(),
    calibration_smoothed: smoothedSchema.optional(),
    calibration_intercept: z.number().nullable().optional(),
    calibration_slope: z.number().nullable().optional(),
    calibration_intercept_interval: z.object({ lower: z.number(), upper: z.number() }).nullable().optional(),
    calibration_slope_interval: z.object({ lower: z.number(), upper: z.number() }).nullable().optional(),
  })
  .refine((group) => group.suppressed || (group.n !== null && group.events !== null && group.events <= group.n), {
    message: 'a subgroup not marked suppressed needs n and events, events no more than n',
  });

const decileSchema = z
  .object({
    decile: z.number().int().min(1),
    n: count,
    observed: count,
    expected: z.number().min(0),
    observed_rate: proportion.nullable(),
    mean_predicted: proportion.nullable(),
    o_e: z.number().min(0).nullable(),
    min_predicted: proportion.nullable(),
    max_predicted: proportion.nullable(),
  })
  .refine((decile) => decile.observed <= decile.n, { message: 'a decile cannot have more outcomes than people' });

const topShareSchema = z
  .object({
    share: z.number().gt(0).max(1),
    n_flagged: count.min(1),
    true_positives: count,
    ppv: proportion,
    sensitivity: proportion.nullable(),
    threshold: proportion,
  })
  .refine((top) => top.true_positives <= top.n_flagged, { message: 'more true positives than people flagged' });

export const evaluationSchema = z
  .object({
    n: count.min(1),
    events: count,
    event_rate: proportion,
    mean_predicted: proportion,
    auroc: proportion.nullable(),
    auprc: proportion.nullable(),
    brier: proportion,
    calibration: z.object({
      method: z.string(),
      intercept: z.number().nullable(),
      slope: z.number().nullable(),
      observed_expected_by_decile: z.array(decileSchema),
      intercept_interval: z.object({ lower: z.number(), upper: z.number() }).nullable().optional(),
      slope_interval: z.object({ lower: z.number(), upper: z.number() }).nullable().optional(),
      smoothed: smoothedSchema.optional(),
    }),
    at_top: z.array(topShareSchema),
    /** The share of the population on the case-finding lists (tiers 1 to listTiers): the subgroups' cut-off. */
    list_share: z.number().gt(0).max(1),
    /** Counts below this were not published in the subgroups. */
    small_count_threshold: z.number().int().min(1),
    by_subgroup: z.record(z.string(), z.array(subgroupSchema)),
    // Absent from cards written before fairness at the cut-off was measured.
    auroc_interval: intervalSchema.nullable().optional(),
    at_cutoff: cutoffSchema.optional(),
    fairness: z
      .object({
        method: z.string(),
        false_negative_rate_margin: proportion,
        flagged: z.array(z.object({ dimension: z.string(), group: z.string().nullable(), false_negative_rate: proportion, gap: z.number() })),
      })
      .optional(),
  })
  .refine((evaluation) => evaluation.events <= evaluation.n, { message: 'more outcomes than people' })
  .refine((evaluation) => evaluation.at_top.every((top) => top.true_positives <= evaluation.events && top.n_flagged <= evaluation.n), {
    message: 'a top share flags more people, or more outcomes, than the validation year has',
  });

// The schema describes exactly what evaluatePredictions produces: neither may change without the other.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const evaluationSchemaMatchesEvaluation: Same<z.infer<typeof evaluationSchema>, ModelEvaluation> = true;

/** One model form's validation figures, for the sign-constraint decision. */
const formSchema = z.object({
  auroc: proportion.nullable(),
  auprc: proportion.nullable(),
  brier: proportion,
  calibration_intercept: z.number().nullable(),
  calibration_slope: z.number().nullable(),
  /** Condition and utilisation terms whose coefficient came out below 0. */
  negative_terms: z.array(z.string()),
  terms_held_at_zero: z.array(z.string()),
});
export type FormMetrics = z.infer<typeof formSchema>;

const termSchema = z.object({ id: z.string().min(1), coefficient: z.number() });
export type CardTerm = z.infer<typeof termSchema>;

const trainingSchema = z
  .object({
    target: z.enum(['ea', 'ltc']),
    variant: z.enum(['main effects', 'with interactions']),
    sign_constrained: z.boolean(),
    training_index_date: isoDate,
    outcome_window: outcomeWindow,
    training_rows: count,
    training_events: count,
    rows_used_in_fit: count,
    event_rate: proportion,
    iterations: count,
    converged: z.boolean(),
    terms_held_at_zero: z.array(z.string()),
    recalibration: z.object({
      intercept_shift: z.number(),
      mean_predicted_before: proportion,
      mean_predicted_after: proportion,
      observed_rate: proportion,
    }),
    /** Everyone in the training population, of whom training_rows were sampled (all when fewer). */
    people_eligible: count.optional(),
  })
  .refine((training) => training.training_events <= training.training_rows, { message: 'more outcomes than training rows' });

/**
 * The baseline a commissioner would otherwise use, fitted and evaluated on the same rows as the model (the ea card
 * only): its figures, how many of the validation year's people with the outcome each puts on the lists, and the lift.
 */
const baselineSchema = z
  .object({
    name: z.string(),
    terms: z.array(z.string()).min(1),
    sign_constrained: z.boolean(),
    /** Its fit on the validation fit year, recalibrated in the large, so a reviewer can score it again. */
    coefficients: z.object({ intercept: z.number(), terms: z.array(termSchema).min(1) }),
    auroc: proportion.nullable(),
    auprc: proportion.nullable(),
    brier: proportion,
    /** The share of the population in tiers 1 to the list tier. */
    listed_share: z.number().gt(0).max(1),
    /** People with the outcome in the validation year. */
    events: count,
    captured_by_model: count,
    captured_by_baseline: count,
    /** Model minus baseline, on the validation year. */
    lift: z.object({ auroc: z.number().nullable(), auprc: z.number().nullable(), captured: z.number().int() }),
  })
  .refine((b) => b.captured_by_model <= b.events && b.captured_by_baseline <= b.events, {
    message: 'more people captured than had the outcome',
  })
  .refine((b) => b.coefficients.terms.length === b.terms.length && b.coefficients.terms.every((t, i) => t.id === b.terms[i]), {
    message: "the baseline's coefficients must name its terms, in order",
  });
export type BaselineComparison = z.infer<typeof baselineSchema>;

export const modelCardSchema = z.object({
  card_format: z.literal(cardFormat),
  model_version: z.string().min(1),
  target: z.enum(['ea', 'ltc']),
  score_column: z.enum(['ea_risk', 'ltc_risk']),
  description: z.string(),
  method: z.string(),
  fitted_for_as_of: isoDate,
  variant: z.enum(['main effects', 'with interactions']),
  sign_constraint: z.object({
    rule: z.string(),
    /** The variant's terms whose coefficient a constrained fit keeps at 0 or above. */
    constrained_terms: z.array(z.string()),
    chosen: z.enum(['non-negative', 'unconstrained']),
    /** Both forms of the chosen variant on the validation year; null when there was too little history to validate. */
    validation: z.object({ unconstrained: formSchema, non_negative: formSchema }).nullable(),
  }),
  training: trainingSchema,
  validation: z
    .object({
      fit_index_date: isoDate,
      evaluation_index_date: isoDate,
      outcome_window: outcomeWindow,
      variant_comparison: z.array(
        z.object({
          variant: z.string(),
          terms: count,
          auroc: proportion.nullable(),
          auprc: proportion.nullable(),
          brier: proportion,
          calibration_slope: z.number().nullable(),
        }),
      ),
      metrics: evaluationSchema,
      /** Null for a model without one (ltc); absent from cards written before baselines were. */
      baseline: baselineSchema.nullable().optional(),
    })
    .nullable(),
  validation_note: z.string(),
  /**
   * The production model on the latest complete year, the rows it was fitted on (absent from cards written before
   * it): how well tonight's scores are calibrated, beside the validation year's out-of-time figures.
   */
  production_check: z
    .object({ index_date: isoDate, outcome_window: outcomeWindow, note: z.string(), metrics: evaluationSchema })
    .optional(),
  /** TRIPOD+AI's words around the figures (models/modelGovernance.ts); absent from cards written before it. */
  governance: z
    .object({
      data_source: z.string(),
      population: z.string(),
      outcome: z.string(),
      predictors: z.string(),
      missing_data: z.string(),
      intended_use: z.string(),
      not_for: z.array(z.string()),
      retraining: z.string(),
      drift: z.string(),
    })
    .optional(),
  reference_distributions: z.record(z.string(), z.object({ upper_edges: z.array(z.number()), shares: z.array(z.number()) })),
  intercept: z.number(),
  terms: z.array(termSchema).min(1),
});

export type ModelCard = z.infer<typeof modelCardSchema>;

/** A card's terms with their SQL, from the registry: what scoring and evaluation run. */
export interface ResolvedTerm extends Term {
  coefficient: number;
}

/**
 * Checks a card read from the registry (or a file) and resolves its terms against this code's registry. A card of
 * another format, or naming a term this code does not know, is refused with one line telling the analyst to retrain.
 * `source` says where the card came from, for that line.
 */
export function parseModelCard(value: unknown, source: string): ModelCard {
  const retrain = 'retrain with `strata run --retrain` (or `strata train`)';
  const format = typeof value === 'object' && value !== null ? (value as { card_format?: unknown }).card_format : undefined;
  const version = typeof value === 'object' && value !== null ? String((value as { model_version?: unknown }).model_version ?? 'unnamed') : 'unnamed';
  if (format !== cardFormat) {
    throw new StrataError(
      `model ${version} in ${source} was saved by an incompatible version of Strata (card format ${format === undefined ? 1 : String(format)}, ` +
        `this version reads ${cardFormat}): ${retrain}`,
    );
  }
  const result = modelCardSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new StrataError(`model ${version} in ${source} is not a valid model card (${issue.path.join('.') || 'card'}: ${issue.message}): ${retrain}`);
  }
  const card = result.data;
  const known = termsOf(card.target);
  const unknown = card.terms.find((term) => !known.has(term.id));
  if (unknown) throw new StrataError(`model ${version} in ${source} names a term this version of Strata does not know (${unknown.id}): ${retrain}`);
  const baselineUnknown = card.validation?.baseline?.terms.find((id) => !known.has(id));
  if (baselineUnknown) {
    throw new StrataError(`model ${version} in ${source} has a baseline naming a term this version of Strata does not know (${baselineUnknown}): ${retrain}`);
  }
  const ids = card.terms.map((term) => term.id);
  const repeated = ids.find((id, index) => ids.indexOf(id) !== index);
  if (repeated) throw new StrataError(`model ${version} in ${source} names the term ${repeated} twice: ${retrain}`);
  if (!modelSpecs.some((spec) => spec.target === card.target && spec.scoreColumn === card.score_column)) {
    throw new StrataError(`model ${version} in ${source} scores ${card.score_column}, not its target's column: ${retrain}`);
  }
  return card;
}

/** The card's terms with the registry's SQL, factor and reference beside each coefficient. */
export function resolveTerms(card: Pick<ModelCard, 'target' | 'terms'>): ResolvedTerm[] {
  const known = termsOf(card.target);
  return card.terms.map((term) => {
    const registered = known.get(term.id);
    if (!registered) throw new StrataError(`the ${card.target} model names a term this version of Strata does not know (${term.id}): retrain`);
    return { ...registered, coefficient: term.coefficient };
  });
}
