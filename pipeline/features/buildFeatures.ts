// Builds the person-level feature table for one population at one index date, from sql/features/.
// The same SQL builds training rows (index = as_of - 365) and scoring rows (index = as_of).
import type { Database } from '../db/Database.ts';
import { quoteIdentifier, sqlFile } from '../db/Database.ts';
import { dateParam } from '../db/values.ts';
import type { ProgressFactory } from '../logging/Logger.ts';

/** Feature tables in build order; person_features joins them. */
export const featureTables = [
  'demographic_features',
  'utilisation_features',
  'ltc_features',
  'charlson_features',
  'frailty_features',
  'medication_features',
] as const;

export type Population = 'scoring_population' | 'training_population';

export interface FeatureBuild {
  table: string;
  rows: number;
}

/**
 * Creates `table` (one row per person) for `population` at `indexDate`. With `withOutcomes`, adds the
 * outcome columns for the 365 days after the index date.
 */
export async function buildFeatures(
  db: Database,
  population: Population,
  indexDate: string,
  table: string,
  withOutcomes = false,
  progress?: ProgressFactory,
): Promise<FeatureBuild> {
  const params = { as_of: dateParam(indexDate) };
  const step = progress?.(featureTables.length + 2) ?? (() => {});
  await db.run(`CREATE OR REPLACE TEMP TABLE cohort AS ${sqlFile(`population/${population}.sql`)}`, params);
  step(1, 'cohort');
  for (const [i, name] of featureTables.entries()) {
    await db.run(`CREATE OR REPLACE TEMP TABLE ${quoteIdentifier(`feature_${name}`)} AS ${sqlFile(`features/${name}.sql`)}`, params);
    step(i + 2, name);
  }
  const target = quoteIdentifier(table);
  if (withOutcomes) {
    // One table written once: the person features with the outcome columns after them.
    await db.run(`CREATE OR REPLACE TEMP TABLE feature_outcomes AS ${sqlFile('features/outcomes.sql')}`, params);
    await db.run(
      `CREATE OR REPLACE TABLE ${target} AS
       SELECT f.*, o.* EXCLUDE (person_id)
       FROM (${sqlFile('features/person_features.sql')}) f JOIN feature_outcomes o USING (person_id)`,
      params,
    );
  } else {
    await db.run(`CREATE OR REPLACE TABLE ${target} AS ${sqlFile('features/person_features.sql')}`, params);
  }
  for (const name of [...featureTables, 'outcomes']) await db.run(`DROP TABLE IF EXISTS ${quoteIdentifier(`feature_${name}`)}`);
  step(featureTables.length + 2, table);
  const rows = Number(await db.value<bigint>(`SELECT count(*) FROM ${target}`));
  return { table, rows };
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
