// What the pipeline hands the cohort report besides the database, checked before any query runs.
import { z } from 'zod';
import type { DriftResult } from '../models/measureDrift.ts';
import type { CarePlanEffect } from '../models/proactiveCare.ts';
import { type ModelCard, modelCardSchema } from '../models/modelCard.ts';
import { isIsoDate } from '../core/dates.ts';
import { StrataError } from '../core/errors.ts';
import { formatProportion } from './formatFigures.ts';
import { defaultSuppressionThreshold } from './suppressSmallNumbers.ts';

export interface ReportInput {
  /** The date the scores are for (the newest extract date loaded, or --as-of), YYYY-MM-DD. */
  asOf: string;
  /** Extract dates loaded, YYYY-MM-DD; the data-quality section covers their files. */
  extractDates: string[];
  /** The model cards behind the scores (models/modelCard.ts), one per target. */
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
  /** What this run's quarantine.csv holds (pipeline/output/writeOutputs.ts); the data-quality section says when it was cut. */
  quarantineCsv?: QuarantineCsvSummary;
  /** The day the run was made (local date, YYYY-MM-DD): the data's age is counted to it. Absent: not said. */
  runDate?: string;
  /** Extract folders this run refused (their reasons are in run.json, not in the report). */
  refusedExtracts?: string[];
  /** The report warns at the top when the newest extract is older than this many days on the run date. Default 3. */
  staleExtractDays?: number;
  /** "Did proactive care work?" as run.json's proactive_care holds it (models/proactiveCare.ts); absent from older callers. */
  proactiveCare?: CarePlanEffect;
}

/** quarantine.csv as run.json describes it: rows written of rows in the database, per source file, and the limits. */
export interface QuarantineCsvSummary {
  rows: number;
  rows_in_database: number;
  cut: boolean;
  limits: { max_rows_per_source_file: number; max_bytes_per_source_file: number };
  source_files: { extract: string; name: string; rows_in_database: number; rows_written: number; cut: boolean }[];
}

export const defaultPreventableShare = 0.1;
export const defaultStaleExtractDays = 3;
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
  /** Null when the caller wrote no quarantine.csv (a report rendered on its own). */
  readonly quarantineCsv: QuarantineCsvSummary | null;
  readonly runDate: string | null;
  readonly refusedExtracts: readonly string[];
  readonly staleExtractDays: number;
  /** Null when the caller gave no proactive-care comparison. */
  readonly proactiveCare: CarePlanEffect | null;
}

const isoDate = z.string().refine(isIsoDate, 'must be a real date written YYYY-MM-DD');

// The cards are checked whole, by the same schema that checks a card read from the model registry, so a card the
// report cannot read fails here with one clear line rather than as a NaN in a table.
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
  quarantineCsv: z
    .object({
      rows: z.number().int().min(0),
      rows_in_database: z.number().int().min(0),
      cut: z.boolean(),
      limits: z.object({ max_rows_per_source_file: z.number().int().min(1), max_bytes_per_source_file: z.number().int().min(1) }),
      source_files: z.array(
        z.object({
          extract: isoDate, name: z.string().min(1), rows_in_database: z.number().int().min(0), rows_written: z.number().int().min(0), cut: z.boolean(),
        }),
      ),
    })
    .optional(),
  runDate: isoDate.optional(),
  refusedExtracts: z.array(z.string().min(1)).optional(),
  staleExtractDays: z.number().int().min(0).optional(),
  proactiveCare: z
    .object({
      as_of: isoDate,
      method: z.string(),
      matched_on: z.array(z.string()),
      warning: z.string(),
      horizons: z.array(
        z.object({
          months: z.union([z.literal(3), z.literal(6), z.literal(12)]),
          days: z.union([z.literal(91), z.literal(182), z.literal(365)]),
          care_plans: z.number().int().min(0).nullable(),
          matched: z.number().int().min(0).nullable(),
          unmatched: z.number().int().min(0).nullable(),
          observed: z.number().int().min(0).nullable(),
          expected: z.number().min(0).nullable(),
          observed_share: z.number().min(0).max(1).nullable(),
          expected_share: z.number().min(0).max(1).nullable(),
          ratio: z.number().min(0).nullable(),
          ratio_lower: z.number().min(0).nullable(),
          ratio_upper: z.number().min(0).nullable(),
          suppressed: z.boolean(),
        }),
      ),
    })
    .optional(),
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
    quarantineCsv: parsed.quarantineCsv ?? null,
    runDate: parsed.runDate ?? null,
    refusedExtracts: [...new Set(parsed.refusedExtracts ?? [])].sort(),
    staleExtractDays: parsed.staleExtractDays ?? defaultStaleExtractDays,
    proactiveCare: parsed.proactiveCare ?? null,
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
