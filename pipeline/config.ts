// The run's configuration: one typed, validated object, checked before any work starts.
import { z } from 'zod';
import { defaultMemoryLimit } from './db/defaultMemoryLimit.ts';
import { isIsoDate } from './db/values.ts';
import { UsageError } from './errors.ts';

const isoDate = z.string().refine(isIsoDate, 'must be a real date written YYYY-MM-DD');

export const runConfigSchema = z
  .object({
    inbox: z.string().min(1),
    out: z.string().min(1),
    db: z.string().min(1),
    asOf: isoDate.optional(),
    /** Cumulative shares of the ranked population closing tiers 1, 2 and 3. */
    tierCutoffs: z
      .tuple([z.number().gt(0).lt(1), z.number().gt(0).lt(1), z.number().gt(0).lt(1)])
      .refine(([a, b, c]) => a < b && b < c, 'tier cut-offs must increase, e.g. [0.005, 0.05, 0.2]')
      .default([0.005, 0.05, 0.2]),
    /** Case-finding lists hold tiers 1..listTiers. */
    listTiers: z.number().int().min(1).max(4).default(2),
    /** Training rows above this are sampled (events kept, non-events hash-sampled and re-weighted). */
    maxTrainingRows: z.number().int().min(1000).default(250_000),
    /** A run reuses the newest models unless they are older than this (days between their as_of and the run's). */
    maxModelAgeDays: z.number().int().min(0).default(30),
    /** Refit the models even when the newest are young enough. */
    retrain: z.boolean().default(false),
    /** Report: the share of tier 1-2 emergency admissions assumed preventable in the opportunity section. */
    preventableShare: z.number().gt(0).max(1).default(0.1),
    /** Report: cost of one bed day in pounds, for the opportunity section (replace with the local figure). */
    costPerBedDay: z.number().positive().default(400),
    /** DuckDB memory_limit, e.g. '3GB' (default: a tenth of RAM, at least 1 GiB; see docs/benchmarks.md). */
    memoryLimit: z
      .string()
      .regex(/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i, "must be a size such as '3GB' or '3072MiB'")
      .default(() => defaultMemoryLimit()),
    /** DuckDB worker threads (default: DuckDB's own, the number of cores). */
    threads: z.number().int().min(1).max(256).optional(),
    /** Where DuckDB spills when it passes memoryLimit (default: DuckDB's own, <db>.tmp beside the database). */
    tempDirectory: z.string().min(1).optional(),
  })
  .strict();

export type RunConfig = z.infer<typeof runConfigSchema>;

export function parseRunConfig(input: unknown): RunConfig {
  const result = runConfigSchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new UsageError(`invalid setting ${issue.path.join('.') || '(config)'}: ${issue.message}`);
  }
  return result.data;
}
