// What the pipeline hands the cohort report besides the database, checked before any query runs.
import { z } from 'zod';
import { isIsoDate } from '../pipeline/db/values.ts';
import { StrataError } from '../pipeline/errors.ts';
import { formatProportion } from './formatFigures.ts';
import { defaultSuppressionThreshold } from './suppressSmallNumbers.ts';

export interface ModelValidation {
  auroc: number;
  brier: number;
  ppvTop5: number;
  sensitivityTop5: number;
}

export interface ModelSummary {
  target: 'ea' | 'ltc';
  version: string;
  trainingIndexDate: string;
  trainingRows: number;
  trainingEvents: number;
  validation?: ModelValidation | null;
}

export interface ReportInput {
  /** The date the scores are for (the newest extract date loaded, or --as-of), YYYY-MM-DD. */
  asOf: string;
  /** Extract dates loaded, YYYY-MM-DD; the data-quality section covers their files. */
  extractDates: string[];
  models: ModelSummary[];
  /** Cumulative shares of the ranked population closing tiers 1, 2, 3, ... e.g. [0.005, 0.05, 0.2]. */
  tierCutoffs: number[];
  /** Counts from 1 to this minus 1 are suppressed. Default 8: counts 1..7 show as '*'. */
  suppressionThreshold?: number;
}

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
  readonly models: readonly ModelSummary[];
  readonly tiers: readonly TierDefinition[];
  readonly suppressionThreshold: number;
}

const isoDate = z.string().refine(isIsoDate, 'must be a real date written YYYY-MM-DD');
const proportion = z.number().min(0).max(1);

const reportInputSchema = z.object({
  asOf: isoDate,
  extractDates: z.array(isoDate),
  models: z.array(
    z.object({
      target: z.enum(['ea', 'ltc']),
      version: z.string().min(1),
      trainingIndexDate: isoDate,
      trainingRows: z.number().int().min(0),
      trainingEvents: z.number().int().min(0),
      validation: z
        .object({ auroc: proportion, brier: proportion, ppvTop5: proportion, sensitivityTop5: proportion })
        .nullish(),
    }),
  ),
  tierCutoffs: z
    .array(z.number().gt(0).lt(1))
    .min(1)
    .refine((cutoffs) => cutoffs.every((cutoff, index) => index === 0 || cutoff > (cutoffs[index - 1] as number)), {
      message: 'tier cut-offs must increase, e.g. [0.005, 0.05, 0.2]',
    }),
  suppressionThreshold: z.number().int().min(1).optional(),
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
  return {
    asOf: parsed.asOf,
    extractDates: [...new Set(parsed.extractDates)].sort(),
    models: parsed.models,
    tiers: tierDefinitions(parsed.tierCutoffs),
    suppressionThreshold: parsed.suppressionThreshold ?? defaultSuppressionThreshold,
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
