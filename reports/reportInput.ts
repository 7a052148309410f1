// What the pipeline hands the cohort report besides the database, checked before any query runs.
import { z } from 'zod';
import type { DriftResult } from '../models/measureDrift.ts';
import type { ModelCard } from '../models/trainModels.ts';
import { isIsoDate } from '../pipeline/db/values.ts';
import { StrataError } from '../pipeline/errors.ts';
import { formatProportion } from './formatFigures.ts';
import { defaultSuppressionThreshold } from './suppressSmallNumbers.ts';

export interface ReportInput {
  /** The date the scores are for (the newest extract date loaded, or --as-of), YYYY-MM-DD. */
  asOf: string;
  /** Extract dates loaded, YYYY-MM-DD; the data-quality section covers their files. */
  extractDates: string[];
  /** The model cards behind the scores (models/trainModels.ts), one per target. */
  modelCards: ModelCard[];
  /** Population stability of each model's score and key features against its training rows (models/measureDrift.ts). */
  drift: DriftResult[];
  /** Cumulative shares of the ranked population closing tiers 1, 2, 3, ... e.g. [0.005, 0.05, 0.2]. */
  tierCutoffs: number[];
  /** Counts from 1 to this minus 1 are suppressed. Default 8: counts 1..7 show as '*'. */
  suppressionThreshold?: number;
  /** Share of tiers 1-2's expected emergency admissions taken as preventable in the opportunity section. Default 0.1. */
  preventableShare?: number;
  /** Cost of one bed day in pounds for the opportunity section. Default 400, a planning assumption: set it locally. */
  costPerBedDay?: number;
}

export const defaultPreventableShare = 0.1;
export const defaultCostPerBedDay = 400;

/** One risk tier as the report describes it. */
export interface TierDefinition {
  readonly tier: number;
  /** e.g. "Tier 1". */
  readonly label: string;
  /** e.g. "top 0.5%", "0.5% to 5%", "the remaining 80%". */
  readonly band: string;
  /** What services do for this tier, for the default four-tier pyramid; '' otherwise. */
  readonly care: string;
}

export interface ResolvedReportInput {
  readonly asOf: string;
  readonly extractDates: readonly string[];
  /** Emergency admission first, then new long-term condition. */
  readonly modelCards: readonly ModelCard[];
  readonly drift: readonly DriftResult[];
  readonly tiers: readonly TierDefinition[];
  readonly suppressionThreshold: number;
  readonly preventableShare: number;
  readonly costPerBedDay: number;
}

const isoDate = z.string().refine(isIsoDate, 'must be a real date written YYYY-MM-DD');
const proportion = z.number().min(0).max(1);
const count = z.number().int().min(0);
const outcomeWindow = z.object({ from_exclusive: isoDate, to_inclusive: isoDate });

// The model card is large and checked where it is made (models/trainModels.ts): only the fields the report reads are
// checked again here, so that a card from an older registry entry fails with a clear message rather than a NaN.
const subgroupSchema = z
  .object({
    group: z.string().nullable(),
    n: count.nullable(),
    events: count.nullable(),
    suppressed: z.boolean(),
    auroc: proportion.optional(),
    ppv_top5: proportion.nullable().optional(),
    sensitivity_top5: proportion.optional(),
  })
  .refine((group) => group.suppressed || (group.n !== null && group.events !== null && group.events <= group.n), {
    message: 'a subgroup not marked suppressed needs n and events, events no more than n',
  });

const evaluationSchema = z.object({
  n: count.min(1),
  events: count,
  event_rate: proportion,
  mean_predicted: proportion,
  auroc: proportion.nullable(),
  auprc: proportion.nullable(),
  brier: proportion,
  calibration: z.object({
    intercept: z.number().nullable(),
    slope: z.number().nullable(),
    observed_expected_by_decile: z.array(
      z
        .object({ decile: z.number().int().min(1), n: count, observed: count, expected: z.number().min(0) })
        .refine((decile) => decile.observed <= decile.n, { message: 'a decile cannot have more outcomes than people' }),
    ),
  }),
  at_top: z.array(
    z
      .object({ share: z.number().gt(0).max(1), n_flagged: count.min(1), true_positives: count, ppv: proportion, sensitivity: proportion.nullable() })
      .refine((top) => top.true_positives <= top.n_flagged, { message: 'more true positives than people flagged' }),
  ),
  by_subgroup: z.record(z.string(), z.array(subgroupSchema)),
})
  .refine((evaluation) => evaluation.events <= evaluation.n, { message: 'more outcomes than people' })
  .refine((evaluation) => evaluation.at_top.every((top) => top.true_positives <= evaluation.events && top.n_flagged <= evaluation.n), {
    message: 'a top share flags more people, or more outcomes, than the validation year has',
  });

const modelCardSchema = z.object({
  model_version: z.string().min(1),
  target: z.enum(['ea', 'ltc']),
  score_column: z.string().min(1),
  description: z.string(),
  fitted_for_as_of: isoDate,
  variant: z.string().min(1),
  training: z
    .object({
      training_index_date: isoDate,
      outcome_window: outcomeWindow,
      training_rows: count,
      training_events: count,
      recalibration: z.object({ mean_predicted_before: proportion, mean_predicted_after: proportion, observed_rate: proportion }),
    })
    .refine((training) => training.training_events <= training.training_rows, { message: 'more outcomes than training rows' }),
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
    })
    .nullable(),
  validation_note: z.string(),
});

const reportInputSchema = z.object({
  asOf: isoDate,
  extractDates: z.array(isoDate),
  modelCards: z
    .array(modelCardSchema)
    .refine((cards) => new Set(cards.map((card) => card.target)).size === cards.length, { message: 'has two cards for one target' }),
  drift: z.array(
    z.object({
      model_version: z.string().min(1),
      psi: z.record(z.string(), z.object({ psi: z.number().min(0), interpretation: z.string() })),
      warnings: z.array(z.string()),
    }),
  ),
  tierCutoffs: z
    .array(z.number().gt(0).lt(1))
    .min(1)
    .refine((cutoffs) => cutoffs.every((cutoff, index) => index === 0 || cutoff > (cutoffs[index - 1] as number)), {
      message: 'tier cut-offs must increase, e.g. [0.005, 0.05, 0.2]',
    }),
  suppressionThreshold: z.number().int().min(1).optional(),
  preventableShare: z.number().gt(0).max(1).optional(),
  costPerBedDay: z.number().positive().finite().optional(),
});

// The NHS "Kaiser pyramid" names for the default four tiers (domain notes, "Tiers").
const pyramidCare = [
  'very high risk: case management',
  'high risk: multidisciplinary team review',
  'moderate risk: proactive care',
  'lower risk: prevention and self-care',
];

export function resolveReportInput(input: ReportInput): ResolvedReportInput {
  const result = reportInputSchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new StrataError(`cannot render the report: ${issue.path.join('.') || 'input'} ${issue.message}`);
  }
  const parsed = result.data;
  // The schema checks only what the report reads and drops the rest, so the cards themselves are passed on.
  const targetOrder: readonly ModelCard['target'][] = ['ea', 'ltc'];
  return {
    asOf: parsed.asOf,
    extractDates: [...new Set(parsed.extractDates)].sort(),
    modelCards: [...input.modelCards].sort((a, b) => targetOrder.indexOf(a.target) - targetOrder.indexOf(b.target)),
    drift: input.drift,
    tiers: tierDefinitions(parsed.tierCutoffs),
    suppressionThreshold: parsed.suppressionThreshold ?? defaultSuppressionThreshold,
    preventableShare: parsed.preventableShare ?? defaultPreventableShare,
    costPerBedDay: parsed.costPerBedDay ?? defaultCostPerBedDay,
  };
}

function tierDefinitions(cutoffs: readonly number[]): TierDefinition[] {
  const tierCount = cutoffs.length + 1;
  return Array.from({ length: tierCount }, (_unused, index) => {
    const from = index === 0 ? 0 : (cutoffs[index - 1] as number);
    const to = index < cutoffs.length ? (cutoffs[index] as number) : 1;
    const band =
      index === 0
        ? `top ${formatProportion(to)}`
        : index === cutoffs.length
          ? `the remaining ${formatProportion(1 - from)}`
          : `${formatProportion(from)} to ${formatProportion(to)}`;
    return {
      tier: index + 1,
      label: `Tier ${index + 1}`,
      band,
      care: tierCount === pyramidCare.length ? (pyramidCare[index] as string) : '',
    };
  });
}
