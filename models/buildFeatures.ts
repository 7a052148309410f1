// Builds the person-level feature table for one population at one index date, from sql/intermediate/features/.
// The same SQL builds training rows (index = as_of - 365) and scoring rows (index = as_of).
import type { Database } from '../core/db/Database.ts';
import { quoteIdentifier, sqlFile } from '../core/db/Database.ts';
import { sampleByHash } from '../core/db/duckdbDialect.ts';
import { dateParam } from '../core/db/dateParam.ts';
import type { ProgressFactory } from '../core/logging/Logger.ts';

/** Feature tables in build order; person_features joins them. segment_features reads three of the earlier ones. */
export const featureTables = [
  'demographic_features',
  'utilisation_features',
  'ltc_features',
  'charlson_features',
  'frailty_features',
  'medication_features',
  'segment_features',
] as const;

export type Population = 'scoring_population' | 'training_population';

export interface FeatureBuild {
  table: string;
  /** People in the table. */
  rows: number;
  /** People in the population at the index date; more than rows when a sample was taken. */
  eligible: number;
}

export interface BuildOptions {
  /** Adds the outcome columns for the 365 days after the index date. */
  withOutcomes?: boolean;
  /**
   * Builds the features of at most this many people: a hash sample by person_id, the same on every run.
   * Training uses it so that its cost does not grow with the population.
   */
  maxPeople?: number;
  progress?: ProgressFactory;
}

/** Creates `table` (one row per person) for `population` at `indexDate`. */
export async function buildFeatures(
  db: Database,
  population: Population,
  indexDate: string,
  table: string,
  options: BuildOptions = {},
): Promise<FeatureBuild> {
  const { withOutcomes = false, maxPeople, progress } = options;
  const params = { as_of: dateParam(indexDate) };
  const step = progress?.(featureTables.length + 2) ?? (() => {});
  const populationSql = sqlFile(`intermediate/population/${population}.sql`);
  let eligible: number | null = null;
  if (maxPeople === undefined) {
    await db.run(`CREATE OR REPLACE TEMP TABLE cohort AS ${populationSql}`, params);
  } else {
    if (!Number.isInteger(maxPeople) || maxPeople < 1) throw new Error(`buildFeatures: maxPeople must be a positive integer, not ${maxPeople}`);
    eligible = Number(await db.value<bigint>(`SELECT count(*) FROM (${populationSql})`, params));
    await db.run(`CREATE OR REPLACE TEMP TABLE cohort AS ${sampleByHash(populationSql, 'person_id')}`, { ...params, max_people: maxPeople });
  }
  step(1, 'cohort');
  for (const [i, name] of featureTables.entries()) {
    await db.run(`CREATE OR REPLACE TEMP TABLE ${quoteIdentifier(`feature_${name}`)} AS ${sqlFile(`intermediate/features/${name}.sql`)}`, params);
    step(i + 2, name);
  }
  const target = quoteIdentifier(table);
  if (withOutcomes) {
    // One table written once: the person features with the outcome columns after them.
    await db.run(`CREATE OR REPLACE TEMP TABLE feature_outcomes AS ${sqlFile('intermediate/features/outcomes.sql')}`, params);
    await db.run(
      `CREATE OR REPLACE TABLE ${target} AS
       SELECT f.*, o.* EXCLUDE (person_id)
       FROM (${sqlFile('intermediate/features/person_features.sql')}) f JOIN feature_outcomes o USING (person_id)`,
      params,
    );
  } else {
    await db.run(`CREATE OR REPLACE TABLE ${target} AS ${sqlFile('intermediate/features/person_features.sql')}`, params);
  }
  for (const name of [...featureTables, 'outcomes']) await db.run(`DROP TABLE IF EXISTS ${quoteIdentifier(`feature_${name}`)}`);
  step(featureTables.length + 2, table);
  const rows = Number(await db.value<bigint>(`SELECT count(*) FROM ${target}`));
  return { table, rows, eligible: eligible ?? rows };
}

/**
 * buildFeatures on a second connection to the database, closed afterwards: for a build that can run while
 * the caller's connection does other work (the scoring features do not depend on the models being trained).
 */
export async function buildFeaturesAside(db: Database, population: Population, indexDate: string, table: string): Promise<FeatureBuild> {
  const other = await db.fork();
  try {
    return await buildFeatures(other, population, indexDate, table);
  } finally {
    other.close();
  }
}
