// The settings of `strata generate`, validated before any work starts: one typed object, or a
// UsageError naming the option to fix.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { relative, resolve, isAbsolute } from 'node:path';
import { z } from 'zod';
import { UsageError } from '../core/errors.ts';
import { parseIsoDate } from './formatIsoDate.ts';
import { generateDefaults } from './generateDefaults.ts';

export interface GenerateSettings {
  /** Inbox folder to write (absolute). */
  out: string;
  persons: number;
  seed: number;
  /** Day number of the newest extract (as-of). */
  asOf: number;
  asOfText: string;
  extracts: number;
  /** Truth CSV path (absolute), outside `out`. */
  truth: string | undefined;
  /** Planted-rows JSON path (absolute), outside `out`. */
  planted: string | undefined;
  badRows: boolean;
  gzip: boolean;
  /** Multiplies the emergency-admission rate for 12 months after a care plan at a team meeting (1: no effect). */
  carePlanEffect: number;
}

export { generateDefaults } from './generateDefaults.ts';

/** Largest population accepted: per-person state is streamed, but ids are 32-bit and output grows ~2 GB per million. */
export const maxPersons = 20_000_000;
/** Later folders are daily increments within the last simulated month. */
export const maxExtracts = 28;

const integer = (name: string, min: number, max: number) =>
  z.number({ error: `--${name} must be a whole number` }).refine((v) => Number.isInteger(v) && v >= min && v <= max, {
    message: `--${name} must be a whole number from ${min} to ${max}`,
  });

const rawSchema = z.object({
  out: z.string({ error: '--out is required' }).min(1, '--out is required'),
  persons: integer('persons', 50, maxPersons),
  seed: integer('seed', 0, 4_294_967_295),
  asOf: z.string({ error: '--as-of must be a date YYYY-MM-DD' }),
  extracts: integer('extracts', 1, maxExtracts),
  truth: z.string().min(1, '--truth needs a file path').optional(),
  planted: z.string().min(1, '--planted needs a file path').optional(),
  badRows: z.boolean(),
  gzip: z.boolean(),
  carePlanEffect: z
    .number({ error: '--care-plan-effect must be a number (a hazard ratio: 1 is no effect, 0.8 is 20% fewer admissions)' })
    .refine((v) => Number.isFinite(v) && v > 0 && v <= 5, { message: '--care-plan-effect must be a hazard ratio above 0 and at most 5 (1 is no effect)' })
    .optional(),
});

function isInside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

export function parseGenerateSettings(raw: Record<string, unknown>): GenerateSettings {
  const parsed = rawSchema.safeParse(raw);
  if (!parsed.success) throw new UsageError(parsed.error.issues[0]?.message ?? 'invalid options');
  const options = parsed.data;
  const asOf = parseIsoDate(options.asOf);
  if (asOf === null) throw new UsageError(`--as-of must be a real date YYYY-MM-DD, not '${options.asOf}'`);
  const year = new Date(asOf * 86_400_000).getUTCFullYear();
  if (year < 2000 || year > 2100) throw new UsageError('--as-of must be a date from 2000 to 2100');

  const out = resolve(options.out);
  const truth = options.truth === undefined ? undefined : resolve(options.truth);
  const planted = options.planted === undefined ? undefined : resolve(options.planted);
  if (truth !== undefined && isInside(out, truth)) throw new UsageError('--truth must be outside --out: the truth file must never be part of the inbox');
  if (planted !== undefined && isInside(out, planted)) throw new UsageError('--planted must be outside --out: the planted-row list must never be part of the inbox');
  if (planted !== undefined && !options.badRows) throw new UsageError('--planted needs --bad-rows (there is nothing to list without it)');
  if (truth !== undefined && planted !== undefined && truth === planted) throw new UsageError('--truth and --planted must be different files');
  for (const [flag, file] of [['--truth', truth], ['--planted', planted]] as const) {
    if (file !== undefined && existsSync(file) && statSync(file).isDirectory()) throw new UsageError(`${flag} ${file} is a folder; give a file path`);
  }
  if (existsSync(out)) {
    if (!statSync(out).isDirectory()) throw new UsageError(`--out ${out} is a file; give a folder`);
    const extractFolders = readdirSync(out).filter((name) => /^\d{4}-\d{2}-\d{2}$/.test(name));
    if (extractFolders.length > 0) {
      throw new UsageError(`--out ${out} already holds extract folders (${extractFolders[0]}); choose an empty folder so old and new extracts never mix`);
    }
  }
  return {
    out,
    persons: options.persons,
    seed: options.seed,
    asOf,
    asOfText: options.asOf,
    extracts: options.extracts,
    truth,
    planted,
    badRows: options.badRows,
    gzip: options.gzip,
    carePlanEffect: options.carePlanEffect ?? generateDefaults.carePlanEffect,
  };
}
