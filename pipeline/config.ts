// The run's configuration: one typed, validated object, checked before any work starts.
// It comes from an optional strata.config.json, with command-line flags overriding it key by key.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { defaultMemoryLimit } from '../core/db/defaultMemoryLimit.ts';
import { isIsoDate } from '../core/dates.ts';
import { UsageError } from '../core/errors.ts';
import { defaultQuarantineCsvMaxBytes, defaultQuarantineCsvMaxRows } from './output/quarantineCsvLimits.ts';

/** The file a run reads from the working folder when no --config is given. */
export const defaultConfigFileName = 'strata.config.json';

const isoDate = z.string().refine(isIsoDate, 'must be a real date written YYYY-MM-DD');
const memorySize = z
  .string()
  .regex(/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i, "must be a size such as '3GB' or '512MiB'");

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
    /**
     * Validation flags a group (sex, age band, IMD quintile, ethnic group) whose false negative rate at the list
     * cut-off differs from the whole population's by more than this (absolute; 0.1 is 10 percentage points).
     */
    fairnessFnrMargin: z.number().min(0).max(1).default(0.1),
    /** Report: counts from 1 to suppressionThreshold-1 show as '*'. The contract hides 1 to 7, so 8 at least. */
    suppressionThreshold: z.number().int().min(8, 'must be at least 8: the contract hides every count from 1 to 7').default(8),
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
    /** Report: a banner at the top warns when the newest extract is older than this many days on the day of the run. */
    staleExtractDays: z.number().int().min(0).default(3),
    /** DuckDB memory_limit; beyond it DuckDB spills to tempDirectory. Default a tenth of RAM, at least 1 GiB (docs/benchmarks.md). */
    memoryLimit: memorySize.default(() => defaultMemoryLimit()),
    /** DuckDB worker threads. Unset: one per core. */
    threads: z.number().int().min(1).max(256).optional(),
    /** Where DuckDB spills when memoryLimit is reached. Unset: <db>.tmp beside the database. */
    tempDirectory: z.string().min(1).optional(),
    /** Output folders (one per as_of date) to keep; older ones are deleted, never the newest successful run. */
    keepRuns: z.number().int().min(1).default(30),
    /** quarantine.csv takes at most this many rows from each source file; the database keeps every row. */
    quarantineCsvMaxRows: z.number().int().min(1).default(defaultQuarantineCsvMaxRows),
    /** quarantine.csv takes at most this many bytes of rows from each source file (default 16 MiB). */
    quarantineCsvMaxBytes: z.number().int().min(1024).default(defaultQuarantineCsvMaxBytes),
    /**
     * How long a run (or strata train) holding the run lock waits for a reader (strata status, the scheduler's
     * check, a read-only DuckDB session) to close the database before giving up with exit 4 (docs/operations.md).
     */
    databaseBusyWaitSeconds: z.number().min(0).max(3600).default(60),
  })
  .strict();

export type RunConfig = z.infer<typeof runConfigSchema>;

/** Keys a configuration file may set: everything but the per-run choices (--as-of, --retrain). */
const configFileSchema = runConfigSchema.omit({ asOf: true, retrain: true }).partial().strict();
export type ConfigFile = z.infer<typeof configFileSchema>;
const pathKeys = ['inbox', 'out', 'db', 'tempDirectory'] as const;

/** Validates a finished configuration object (flags already merged over the file). */
export function parseRunConfig(input: unknown): RunConfig {
  const result = runConfigSchema.safeParse(input);
  if (!result.success) throw new UsageError(describeIssue(null, result.error.issues[0]!, runConfigSchema));
  return result.data;
}

/**
 * Reads the configuration file: the one named by --config (which must exist), else strata.config.json in
 * the working folder if there is one. Relative paths in it are taken from the file's own folder, so the
 * same file works whatever folder the scheduler starts in.
 */
export function readConfigFile(explicitPath: string | undefined, cwd = process.cwd()): { path: string | null; values: ConfigFile } {
  const path = explicitPath !== undefined ? resolve(cwd, explicitPath) : resolve(cwd, defaultConfigFileName);
  if (!existsSync(path)) {
    if (explicitPath !== undefined) throw new UsageError(`the configuration file ${explicitPath} does not exist`);
    return { path: null, values: {} };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const why = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new UsageError(`the configuration file ${path} is not valid JSON: ${why}`);
  }
  const result = configFileSchema.safeParse(parsed);
  if (!result.success) throw new UsageError(describeIssue(path, result.error.issues[0]!, configFileSchema));
  const values: ConfigFile = { ...result.data };
  for (const key of pathKeys) {
    const value = values[key];
    if (value !== undefined && !isAbsolute(value)) values[key] = resolve(dirname(path), value);
  }
  return { path, values };
}

/**
 * The resolved configuration of a run: defaults, then the file, then the flags given on the command line
 * (undefined flags leave the file's value). `db` defaults to <out>/strata.duckdb.
 */
export function resolveRunConfig(
  flags: Partial<Record<keyof RunConfig, unknown>>,
  configPath: string | undefined,
  cwd = process.cwd(),
): { config: RunConfig; configFile: string | null } {
  const file = readConfigFile(configPath, cwd);
  const given = Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined));
  const merged: Record<string, unknown> = { ...file.values, ...given };
  for (const key of ['inbox', 'out'] as const) {
    if (merged[key] === undefined) {
      throw new UsageError(`--${key} is required (or set "${key}" in ${file.path ?? defaultConfigFileName})`);
    }
  }
  if (merged['db'] === undefined) merged['db'] = resolve(String(merged['out']), 'strata.duckdb');
  return { config: parseRunConfig(merged), configFile: file.path };
}

/** What `strata train` takes from the configuration: the database, DuckDB's limits, and what validation reports at. */
const trainConfigSchema = runConfigSchema
  .pick({
    db: true, memoryLimit: true, threads: true, tempDirectory: true, maxTrainingRows: true, tierCutoffs: true, listTiers: true,
    suppressionThreshold: true, databaseBusyWaitSeconds: true, fairnessFnrMargin: true,
  })
  .strict();
export type TrainConfig = z.infer<typeof trainConfigSchema>;

/**
 * The configuration of `strata train`: defaults, then the file (strata.config.json or --config), then the flags, as
 * for a run. `db` defaults to the file's db, or <out>/strata.duckdb from the file's out.
 */
export function resolveTrainConfig(
  flags: Partial<Record<'db' | 'memoryLimit' | 'threads' | 'tempDirectory', unknown>>,
  configPath: string | undefined,
  cwd = process.cwd(),
): { config: TrainConfig; configFile: string | null } {
  const file = readConfigFile(configPath, cwd);
  const given = Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined));
  const {
    inbox: _inbox, out, keepRuns: _keepRuns, maxModelAgeDays: _maxModelAgeDays, preventableShare: _share, costPerBedDay: _cost,
    staleExtractDays: _stale,
    quarantineCsvMaxRows: _csvRows, quarantineCsvMaxBytes: _csvBytes, ...fileValues
  } = file.values;
  const merged: Record<string, unknown> = { ...fileValues, ...given };
  if (merged['db'] === undefined && out !== undefined) merged['db'] = resolve(out, 'strata.duckdb');
  if (merged['db'] === undefined) throw new UsageError(`--db is required (or set "db" or "out" in ${file.path ?? defaultConfigFileName})`);
  const result = trainConfigSchema.safeParse(merged);
  if (!result.success) throw new UsageError(describeIssue(null, result.error.issues[0]!, trainConfigSchema));
  return { config: result.data, configFile: file.path };
}

/**
 * One line naming the key, what is wrong and what is allowed. `file` is the configuration file's path, or
 * null for the merged settings, whose values the file check has already passed, so they came from flags.
 */
function describeIssue(file: string | null, issue: z.core.$ZodIssue, schema: z.ZodObject): string {
  if (issue.code === 'unrecognized_keys') {
    const allowed = Object.keys(schema.shape).join(', ');
    return `${file ?? 'settings'}: unknown key ${issue.keys.map((k) => `"${k}"`).join(', ')}; allowed keys are ${allowed}`;
  }
  const key = issue.path.map(String).join('.');
  const message = issue.message.replace(/^Invalid input: /, '');
  if (file === null) return `${key ? `--${flagName(String(issue.path[0]))}` : 'settings'}: ${message}`;
  return `${file}: "${key || '(top level)'}" ${message}`;
}

function flagName(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
