// Trains both models for an as_of, honestly:
//   validation: fit on index as_of - 730 (outcomes to as_of - 365), evaluate on index as_of - 365
//               (outcomes to as_of): out of time, never on training rows;
//   production: refit the chosen variant on index as_of - 365, recalibrated in the large.
// Each model gets a card: windows, counts, terms, validation metrics, and reference distributions for drift.
import type { Database } from '../pipeline/db/Database.ts';
import { quoteIdentifier } from '../pipeline/db/Database.ts';
import { addDays } from '../pipeline/db/values.ts';
import { buildFeatures } from '../pipeline/features/buildFeatures.ts';
import { driftFeatures, type ReferenceDistribution, referenceDistribution } from './driftCheck.ts';
import { evaluatePredictions, type ModelEvaluation } from './evaluatePredictions.ts';
import { riskSql } from './linearPredictor.ts';
import { type ModelSpec, modelSpecs } from './modelSpecs.ts';
import { type FittedModel, type FittedTerm, fitModel, modelVersion, type TrainOptions } from './trainModel.ts';
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
  training: Omit<FittedModel, 'intercept' | 'terms'>;
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
  await buildFeatures(db, 'training_population', trainingIndex, 'training_features', true);

  const historyStart = await earliestActivity(db);
  const canValidate = historyStart !== null && historyStart <= addDays(validationFitIndex, -365);
  if (canValidate) await buildFeatures(db, 'training_population', validationFitIndex, 'validation_fit_features', true);
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

  // One step per model fitted: each variant on the validation year, then the production fit.
  const fits = modelSpecs.reduce((sum, spec) => sum + 1 + (canValidate ? spec.variants.length : 0), 0);
  const step = progress?.(fits) ?? (() => {});
  let fitted = 0;
  const cards: ModelCard[] = [];
  for (const spec of modelSpecs) {
    let chosen = spec.variants[0]!;
    let validation: ModelCard['validation'] = null;
    if (canValidate) {
      const evaluations = [];
      for (const variant of spec.variants) {
        const model = await fitModel(db, spec, variant, 'validation_fit_features', validationFitIndex, trainingIndex, options);
        evaluations.push({ variant, metrics: await evaluateOn(db, 'training_features', spec, model) });
        step(++fitted, `${spec.target} ${variant.name} (validation)`);
      }
      let best = evaluations[0]!;
      for (const candidate of evaluations.slice(1)) {
        if ((candidate.metrics.auroc ?? 0) >= (best.metrics.auroc ?? 0) + clearGainInAuroc) best = candidate;
      }
      chosen = best.variant;
      validation = {
        fit_index_date: validationFitIndex,
        evaluation_index_date: trainingIndex,
        outcome_window: { from_exclusive: trainingIndex, to_inclusive: asOf },
        variant_comparison: evaluations.map((e) => ({
          variant: e.variant.name, terms: e.variant.terms.length, auroc: e.metrics.auroc, auprc: e.metrics.auprc,
          brier: e.metrics.brier, calibration_slope: e.metrics.calibration.slope,
        })),
        metrics: best.metrics,
      };
      log(`validated ${spec.target}: ${evaluations.map((e) => `${e.variant.name} AUROC ${e.metrics.auroc?.toFixed(4)}`).join(', ')}; kept ${chosen.name}`);
    }
    const production = await fitModel(db, spec, chosen, 'training_features', trainingIndex, asOf, options);
    step(++fitted, `${spec.target} ${chosen.name}`);
    const { intercept, terms, ...training } = production;
    cards.push({
      model_version: modelVersion(production),
      target: spec.target,
      score_column: spec.scoreColumn,
      description: spec.description,
      method:
        'Ridge-penalised logistic regression fitted by IRLS (deterministic; above the row cap, non-events are hash-sampled ' +
        'by person_id and re-weighted), recalibrated in the large on the training year; scored in SQL.',
      fitted_for_as_of: asOf,
      variant: chosen.name,
      training,
      validation,
      validation_note: validationNote,
      reference_distributions: await referenceDistributions(db, 'training_features', production),
      intercept,
      terms,
    });
  }
  for (const table of ['training_features', 'validation_fit_features']) await db.run(`DROP TABLE IF EXISTS ${quoteIdentifier(table)}`);
  return cards;
}

/** Predictions of `model` on a feature table with outcomes, evaluated with subgroups. */
async function evaluateOn(db: Database, table: string, spec: ModelSpec, model: FittedModel): Promise<ModelEvaluation> {
  const params = {};
  const reader = await db.connection.runAndReadAll(
    `SELECT ${riskSql(model, 'm', params)} AS risk, CAST(${quoteIdentifier(spec.outcome)} AS INTEGER) AS y,
            ${subgroupColumns.map((c) => `CAST(${quoteIdentifier(c)} AS VARCHAR) AS ${quoteIdentifier(c)}`).join(', ')}
     FROM ${quoteIdentifier(table)} ORDER BY person_id`,
    params,
  );
  const columns = reader.getColumnsJS() as unknown as [number[], number[], ...(string | null)[][]];
  const subgroups = Object.fromEntries(subgroupColumns.map((c, i) => [c, columns[i + 2] as (string | null)[]]));
  return evaluatePredictions(Float64Array.from(columns[0]), Uint8Array.from(columns[1]), subgroups);
}

async function referenceDistributions(db: Database, table: string, model: FittedModel): Promise<Record<string, ReferenceDistribution>> {
  const params = {};
  const reader = await db.connection.runAndReadAll(
    `SELECT ${riskSql(model, 'm', params)} AS score, ${driftFeatures.map((f) => `CAST(${quoteIdentifier(f)} AS DOUBLE)`).join(', ')}
     FROM ${quoteIdentifier(table)} ORDER BY person_id`,
    params,
  );
  const columns = reader.getColumnsJS() as unknown as number[][];
  const names = ['score', ...driftFeatures];
  return Object.fromEntries(names.map((name, i) => [name, referenceDistribution(Float64Array.from(columns[i]!))]));
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


