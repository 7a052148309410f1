// Trains both models for an as_of, honestly:
//   validation: fit on index as_of - 730 (outcomes to as_of - 365), evaluate on index as_of - 365
//               (outcomes to as_of): out of time, never on training rows;
//   production: refit the chosen variant on index as_of - 365, recalibrated in the large.
// Each model gets a card: windows, counts, terms, validation metrics, and reference distributions for drift.
import type { Database } from '../pipeline/db/Database.ts';
import { type Params, quoteIdentifier } from '../pipeline/db/Database.ts';
import { readDoubleColumns } from '../pipeline/db/readColumns.ts';
import { addDays } from '../pipeline/db/values.ts';
import { buildFeatures, type FeatureBuild } from '../pipeline/features/buildFeatures.ts';
import { driftFeatures, type ReferenceDistribution, referenceDistribution } from './driftCheck.ts';
import { evaluatePredictions, type ModelEvaluation } from './evaluatePredictions.ts';
import { riskSql } from './linearPredictor.ts';
import { type ModelSpec, type ModelVariant, modelSpecs } from './modelSpecs.ts';
import { defaultMaxTrainingRows, type FittedModel, type FittedTerm, fitModels, modelVersion, type TrainOptions } from './trainModel.ts';
import type { ProgressFactory } from '../pipeline/logging/Logger.ts';

export interface VariantComparison {
  variant: string;
  terms: number;
  auroc: number | null;
  auprc: number | null;
  brier: number;
  calibration_slope: number | null;
}

export interface ModelCard {
  model_version: string;
  target: ModelSpec['target'];
  score_column: ModelSpec['scoreColumn'];
  description: string;
  method: string;
  fitted_for_as_of: string;
  variant: string;
  /** people_eligible: everyone in the training population, of whom training_rows were sampled (all when fewer). */
  training: Omit<FittedModel, 'intercept' | 'terms'> & { people_eligible?: number };
  validation: null | {
    fit_index_date: string;
    evaluation_index_date: string;
    outcome_window: { from_exclusive: string; to_inclusive: string };
    variant_comparison: VariantComparison[];
    metrics: ModelEvaluation;
  };
  validation_note: string;
  /** Distributions on the training rows, for the population stability index of later runs. */
  reference_distributions: Record<string, ReferenceDistribution>;
  intercept: number;
  terms: FittedTerm[];
}

/** A more expressive variant is kept only when its validation AUROC beats the simpler one by this much. */
const clearGainInAuroc = 0.002;
const subgroupColumns = ['sex', 'age_band', 'imd_quintile', 'ethnic_group'] as const;
/** The longest window any feature looks back over (sql/features/utilisation_features.sql: 3 years). */
const longestLookbackDays = 1095;

export async function trainModels(
  db: Database,
  asOf: string,
  options: TrainOptions = {},
  log: (line: string) => void = () => {},
  progress?: ProgressFactory,
): Promise<ModelCard[]> {
  const trainingIndex = addDays(asOf, -365);
  const validationFitIndex = addDays(asOf, -730);
  const historyStart = await earliestActivity(db);
  const canValidate = historyStart !== null && historyStart <= addDays(validationFitIndex, -365);
  // The validation fits below are JavaScript on this thread while DuckDB's threads would sit idle, so the
  // training features are built meanwhile on a second connection.
  // Training reads a hash sample of at most maxTrainingRows people at each index date, so its cost does not
  // grow with the population (docs/benchmarks.md measured what the sample costs in accuracy: nothing visible).
  const build = { withOutcomes: true, maxPeople: options.maxTrainingRows ?? defaultMaxTrainingRows };
  let trainingFeatures: Promise<FeatureBuild>;
  if (canValidate) {
    await buildFeatures(db, 'training_population', validationFitIndex, 'validation_fit_features', build);
    trainingFeatures = onSecondConnection(db, (other) =>
      buildFeatures(other, 'training_population', trainingIndex, 'training_features', build),
    );
  } else {
    trainingFeatures = buildFeatures(db, 'training_population', trainingIndex, 'training_features', build);
  }
  // Awaited below; until then a failure must not count as unhandled.
  trainingFeatures.catch(() => undefined);
  // The longest feature window looks back 3 years; with less history than that before the validation fit
  // index, its 3-year counts are truncated there but not a year later, which makes the validation fit
  // over-predict in the large (discrimination is unaffected). Say so rather than hide it.
  const truncated = canValidate && historyStart! > addDays(validationFitIndex, -longestLookbackDays);
  const validationNote = canValidate
    ? `Out-of-time validation: fitted on features at ${validationFitIndex} with outcomes to ${trainingIndex}, ` +
      `evaluated on features at ${trainingIndex} with outcomes to ${asOf}. The production model is then refitted on the latter ` +
      'and recalibrated in the large on it.' +
      (truncated
        ? ` The loaded history starts ${historyStart}, less than ${longestLookbackDays} days before ${validationFitIndex}, so the ` +
          '3-year activity counts are truncated at the validation fit date: its calibration in the large is pessimistic, ' +
          'while AUROC, AUPRC and the calibration slope are comparable.'
        : '')
    : `Not validated: the loaded history starts ${historyStart ?? 'nowhere'}, and out-of-time validation needs a year of ` +
      `history before ${validationFitIndex}. Never validated on training rows.`;

  // Every variant of every model is fitted on the validation year first (two at a time, in worker threads),
  // then evaluated once the training features are there.
  let validationFits: FittedModel[] = [];
  const step = progress?.(2) ?? (() => {});
  const variants = modelSpecs.flatMap((spec) => spec.variants.map((variant) => ({ spec, variant })));
  try {
    if (canValidate) {
      validationFits = await fitModels(db, variants, 'validation_fit_features', validationFitIndex, trainingIndex, options);
    }
    step(1, `${variants.length} variants fitted on the validation year`);
  } finally {
    await trainingFeatures.catch(() => undefined);
  }
  const trainingBuild = await trainingFeatures;

  const chosen: ModelVariant[] = [];
  const validations: ModelCard['validation'][] = [];
  for (const spec of modelSpecs) {
    let best = { variant: spec.variants[0]!, metrics: null as ModelEvaluation | null };
    let validation: ModelCard['validation'] = null;
    if (canValidate) {
      const evaluations = [];
      for (const variant of spec.variants) {
        const fitted = validationFits[variants.findIndex((v) => v.spec === spec && v.variant === variant)]!;
        evaluations.push({ variant, metrics: await evaluateOn(db, 'training_features', spec, fitted) });
      }
      let kept = evaluations[0]!;
      for (const candidate of evaluations.slice(1)) {
        if ((candidate.metrics.auroc ?? 0) >= (kept.metrics.auroc ?? 0) + clearGainInAuroc) kept = candidate;
      }
      best = kept;
      validation = {
        fit_index_date: validationFitIndex,
        evaluation_index_date: trainingIndex,
        outcome_window: { from_exclusive: trainingIndex, to_inclusive: asOf },
        variant_comparison: evaluations.map((e) => ({
          variant: e.variant.name, terms: e.variant.terms.length, auroc: e.metrics.auroc, auprc: e.metrics.auprc,
          brier: e.metrics.brier, calibration_slope: e.metrics.calibration.slope,
        })),
        metrics: kept.metrics,
      };
      log(`validated ${spec.target}: ${evaluations.map((e) => `${e.variant.name} AUROC ${e.metrics.auroc?.toFixed(4)}`).join(', ')}; kept ${best.variant.name}`);
    }
    chosen.push(best.variant);
    validations.push(validation);
  }

  // Each production fit starts from its variant's fit a year earlier: the same answer in fewer iterations.
  const production = await fitModels(
    db,
    modelSpecs.map((spec, i) => {
      const earlier = validationFits[variants.findIndex((v) => v.spec === spec && v.variant === chosen[i])];
      return { spec, variant: chosen[i]!, ...(earlier ? { start: earlier } : {}) };
    }),
    'training_features', trainingIndex, asOf, options,
  );
  step(2, 'production models fitted');
  const cards: ModelCard[] = [];
  for (const [i, spec] of modelSpecs.entries()) {
    const { intercept, terms, ...training } = production[i]!;
    cards.push({
      model_version: modelVersion(production[i]!),
      target: spec.target,
      score_column: spec.scoreColumn,
      description: spec.description,
      method:
        'Ridge-penalised logistic regression fitted by IRLS (deterministic), on the people eligible at the training index ' +
        'date or, above the row cap, on a hash sample of them by person_id; recalibrated in the large on those rows; scored in SQL.',
      fitted_for_as_of: asOf,
      variant: chosen[i]!.name,
      training: { ...training, people_eligible: trainingBuild.eligible },
      validation: validations[i]!,
      validation_note:
        validationNote +
        (trainingBuild.eligible > trainingBuild.rows
          ? ` Fitted and evaluated on a hash sample by person_id of ${trainingBuild.rows} of the ${trainingBuild.eligible} people eligible at each index date.`
          : ''),
      reference_distributions: await referenceDistributions(db, 'training_features', production[i]!),
      intercept,
      terms,
    });
  }
  for (const table of ['training_features', 'validation_fit_features']) await db.run(`DROP TABLE IF EXISTS ${quoteIdentifier(table)}`);
  return cards;
}

/** Predictions of `model` on a feature table with outcomes, evaluated with subgroups. */
async function evaluateOn(db: Database, table: string, spec: ModelSpec, model: FittedModel): Promise<ModelEvaluation> {
  const params: Params = {};
  // Each subgroup comes back as a code into its few distinct values (0 for null), so a million rows
  // make no million strings.
  const dictionaries: string[][] = [];
  const codes = await Promise.all(subgroupColumns.map((c) => distinctValues(db, table, c))).then((all) =>
    all.map((values, i) => {
      dictionaries.push(values);
      const cases = values.map((_, v) => {
        params[`g${i}_${v}`] = values[v]!;
        return `WHEN $g${i}_${v} THEN ${v + 1}`;
      });
      return `CAST(CASE CAST(${quoteIdentifier(subgroupColumns[i]!)} AS VARCHAR) ${cases.join(' ')} ELSE 0 END AS DOUBLE)`;
    }),
  );
  const columns = await readDoubleColumns(
    db.connection,
    `SELECT CAST(${riskSql(model, 'm', params)} AS DOUBLE) AS risk, CAST(${quoteIdentifier(spec.outcome)} AS DOUBLE) AS y, ${codes.join(', ')}
     FROM ${quoteIdentifier(table)} ORDER BY person_id`,
    params,
  );
  const subgroups = Object.fromEntries(
    subgroupColumns.map((c, i) => [c, Array.from(columns[i + 2]!, (code) => (code === 0 ? null : dictionaries[i]![code - 1]!))]),
  );
  return evaluatePredictions(columns[0]!, Uint8Array.from(columns[1]!), subgroups);
}

async function distinctValues(db: Database, table: string, column: string): Promise<string[]> {
  const rows = await db.rows<{ v: string }>(
    `SELECT DISTINCT CAST(${quoteIdentifier(column)} AS VARCHAR) AS v FROM ${quoteIdentifier(table)} WHERE ${quoteIdentifier(column)} IS NOT NULL ORDER BY v`,
  );
  return rows.map((r) => r.v);
}

async function referenceDistributions(db: Database, table: string, model: FittedModel): Promise<Record<string, ReferenceDistribution>> {
  const params = {};
  const columns = await readDoubleColumns(
    db.connection,
    `SELECT CAST(${riskSql(model, 'm', params)} AS DOUBLE) AS score, ${driftFeatures.map((f) => `CAST(${quoteIdentifier(f)} AS DOUBLE)`).join(', ')}
     FROM ${quoteIdentifier(table)} ORDER BY person_id`,
    params,
  );
  const names = ['score', ...driftFeatures];
  return Object.fromEntries(names.map((name, i) => [name, referenceDistribution(columns[i]!)]));
}

/** Runs `work` on a second connection to the database, closing it afterwards. */
async function onSecondConnection<T>(db: Database, work: (other: Database) => Promise<T>): Promise<T> {
  const other = await db.fork();
  try {
    return await work(other);
  } finally {
    other.close();
  }
}

async function earliestActivity(db: Database): Promise<string | null> {
  const rows = await db.rowsJson<{ earliest: string | null }>(
    `SELECT strftime(least(
       (SELECT min(admission_date) FROM inpatient_spells),
       (SELECT CAST(min(arrival_at) AS DATE) FROM ae_attendances),
       (SELECT min(appointment_date) FROM outpatient_appointments)), '%Y-%m-%d') AS earliest`,
  );
  return rows[0]?.earliest ?? null;
}


