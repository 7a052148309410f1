// Fits one model variant on a training feature table (features at an index date, outcomes in the 365
// days after it), then recalibrates it in the large so its mean risk on those rows equals their observed
// rate. Training cost is bounded: the training features are built for a hash sample of at most
// maxTrainingRows people (models/buildFeatures.ts); should a table still hold more rows, every
// event is kept and non-events are sampled by a hash of person_id (deterministic) and weighted back up.
import { createHash } from 'node:crypto';
import pLimit from 'p-limit';
import type { Database } from '../core/db/Database.ts';
import { quoteIdentifier } from '../core/db/Database.ts';
import { hashBucket } from '../core/db/duckdbDialect.ts';
import { readDoubleColumns } from '../core/db/readColumns.ts';
import { fitLogistic } from './fitLogistic.ts';
import { fitLogisticInWorker } from './fitLogisticInWorker.ts';
import { type LinearModel, linearPredictorSql } from './linearPredictor.ts';
import type { CardTerm } from './modelCard.ts';
import type { ModelSpec, ModelVariant } from './modelSpecs.ts';

/** A fitted model before it becomes a card: how it was fitted, and its coefficients by term id. */
export interface FittedModel {
  target: ModelSpec['target'];
  variant: ModelVariant['name'];
  /** Fitted with the variant's condition and utilisation terms held at 0 or above. */
  sign_constrained: boolean;
  training_index_date: string;
  outcome_window: { from_exclusive: string; to_inclusive: string };
  training_rows: number;
  training_events: number;
  rows_used_in_fit: number;
  event_rate: number;
  iterations: number;
  converged: boolean;
  /** Constrained terms the fit holds at 0 (their coefficient would otherwise be negative). */
  terms_held_at_zero: string[];
  recalibration: { intercept_shift: number; mean_predicted_before: number; mean_predicted_after: number; observed_rate: number };
  intercept: number;
  terms: CardTerm[];
}

export interface TrainOptions {
  maxTrainingRows?: number;
  ridge?: number;
}

/** Which fits of a variant: the unconstrained one, the sign-constrained one, or both (in that order). */
export type FitForm = 'unconstrained' | 'non-negative' | 'both';

export interface FitRequest {
  spec: ModelSpec;
  variant: ModelVariant;
  form: FitForm;
  /** A fit of the same terms on nearby data to start from. */
  start?: { intercept: number; terms: readonly CardTerm[] };
}

const hashBuckets = 1_000_000;
/** The default cap on training rows: people sampled at each training index date. */
export const defaultMaxTrainingRows = 250_000;

/** Logistic fits run at most this many at a time, each in its own worker thread: one per core here. */
const concurrentFits = 2;

/**
 * Fits several model variants on one training table: per request, the fits its form asks for (both: the
 * unconstrained one, then the sign-constrained one). Each sample is read from DuckDB in turn, and its fits run in a
 * worker thread while the next sample is read, two workers at a time (p-limit bounds both).
 */
export async function fitModels(
  db: Database,
  requests: readonly FitRequest[],
  trainingTable: string,
  trainingIndexDate: string,
  outcomeWindowEnd: string,
  options: TrainOptions = {},
): Promise<FittedModel[][]> {
  const table = quoteIdentifier(trainingTable);
  // Reads share the one connection, so they take turns; a read starts only once a fit slot is free, so no more
  // samples wait in memory than there are fits running.
  const fitSlots = pLimit({ concurrency: concurrentFits, rejectOnClear: true });
  const reads = pLimit(1);
  const samples: TrainingSample[] = [];
  const fits = requests.map(({ spec, variant, form, start }, i) =>
    fitSlots(async () => {
      const sample = await reads(() => readTrainingSample(db, spec, variant, table, trainingIndexDate, options));
      samples[i] = sample;
      return fitLogisticInWorker(
        sample.columns,
        sample.y,
        {
          weights: sample.weights,
          ridge: options.ridge ?? 1,
          ...(form === 'unconstrained' ? {} : { nonNegative: variant.terms.map((t) => t.nonNegative === true) }),
          ...(start ? { start: startFor(variant, start) } : {}),
        },
        form === 'both',
      );
    }),
  );
  try {
    await Promise.all(fits);
  } catch (error) {
    fitSlots.clearQueue(); // the fits not yet started are not started
    throw error;
  } finally {
    // Never leave a worker's failure unhandled, nor return while one still runs.
    await Promise.allSettled(fits);
  }

  const models: FittedModel[][] = [];
  for (const [i, { spec, variant, form }] of requests.entries()) {
    const sample = samples[i]!;
    const results = await fits[i]!;
    const outcome = quoteIdentifier(spec.outcome);
    const fitted: FittedModel[] = [];
    for (const [index, fit] of results.entries()) {
      const constrained = form === 'non-negative' || (form === 'both' && index === 1);
      const terms = variant.terms.map((t, j) => ({ id: t.id, coefficient: fit.coefficients[j]! }));
      const recalibration = await recalibrateInTheLarge(db, table, outcome, {
        intercept: fit.intercept,
        terms: variant.terms.map((t, j) => ({ sql: t.sql, coefficient: fit.coefficients[j]! })),
      });
      fitted.push({
        target: spec.target,
        variant: variant.name,
        sign_constrained: constrained,
        training_index_date: trainingIndexDate,
        outcome_window: { from_exclusive: trainingIndexDate, to_inclusive: outcomeWindowEnd },
        training_rows: sample.rows,
        training_events: sample.events,
        rows_used_in_fit: sample.rowsUsed,
        event_rate: sample.events / sample.rows,
        iterations: fit.iterations,
        converged: fit.converged,
        terms_held_at_zero: fit.heldAtZero.map((j) => variant.terms[j]!.id),
        recalibration,
        intercept: fit.intercept + recalibration.intercept_shift,
        terms,
      });
    }
    models.push(fitted);
  }
  return models;
}

/** A start in the variant's term order, from a fit that names its terms by id (a term it lacks starts at 0). */
function startFor(variant: ModelVariant, start: { intercept: number; terms: readonly CardTerm[] }): { intercept: number; coefficients: number[] } {
  const byId = new Map(start.terms.map((t) => [t.id, t.coefficient]));
  return { intercept: start.intercept, coefficients: variant.terms.map((t) => byId.get(t.id) ?? 0) };
}

interface TrainingSample {
  rows: number;
  events: number;
  rowsUsed: number;
  columns: Float64Array[];
  y: Uint8Array;
  weights: Float64Array;
}

/** Every event, and above the row cap a hash sample of non-events weighted back up, in person order. */
async function readTrainingSample(
  db: Database,
  spec: ModelSpec,
  variant: ModelVariant,
  table: string,
  trainingIndexDate: string,
  options: TrainOptions,
): Promise<TrainingSample> {
  const outcome = quoteIdentifier(spec.outcome);
  const counts = (await db.rows<{ rows: bigint; events: bigint }>(
    `SELECT count(*) AS rows, count(*) FILTER (${outcome}) AS events FROM ${table}`,
  ))[0]!;
  const rows = Number(counts.rows);
  const events = Number(counts.events);
  if (rows === 0 || events === 0 || events === rows) {
    throw new Error(
      `cannot fit the ${spec.target} model: the year after ${trainingIndexDate} has ${rows} people and ${events} outcomes; ` +
        'load at least two years of history',
    );
  }
  const cap = options.maxTrainingRows ?? defaultMaxTrainingRows;
  const keepShare = Math.min(1, Math.max(0, (cap - events) / (rows - events)));
  const keepBuckets = Math.max(1, Math.round(keepShare * hashBuckets));
  const nonEventWeight = keepShare < 1 ? hashBuckets / keepBuckets : 1;

  const termColumns = variant.terms.map((t, j) => `CAST(${t.sql} AS DOUBLE) AS t${j}`).join(', ');
  const raw = await readDoubleColumns(
    db.connection,
    `SELECT ${termColumns}, CAST(${outcome} AS DOUBLE) AS y
     FROM ${table}
     WHERE ${outcome} OR ${hashBucket('person_id', hashBuckets)} < $keep_buckets
     ORDER BY person_id`,
    { keep_buckets: keepBuckets },
  );
  const y = Uint8Array.from(raw[variant.terms.length]!);
  const columns = raw.slice(0, variant.terms.length);
  const weights = Float64Array.from(y, (v) => (v === 1 ? 1 : nonEventWeight));
  return { rows, events, rowsUsed: y.length, columns, y, weights };
}

/**
 * Shifts the intercept so that the mean predicted risk over every training row equals the observed
 * rate (sampling and the ridge penalty move it slightly): the maximum-likelihood intercept-only logistic fit
 * with the model's linear predictor as an offset, whose score equation is exactly that. Solved in TypeScript
 * over rows read in person order, so the answer is the same on every run.
 */
async function recalibrateInTheLarge(
  db: Database,
  table: string,
  outcome: string,
  model: LinearModel,
): Promise<FittedModel['recalibration']> {
  const params = {};
  const [lp, yColumn] = (await readDoubleColumns(
    db.connection,
    `SELECT CAST(${linearPredictorSql(model, 'm', params)} AS DOUBLE) AS lp, CAST(${outcome} AS DOUBLE) AS y
     FROM ${table} ORDER BY person_id`,
    params,
  )) as [Float64Array, Float64Array];
  const observed = yColumn.reduce((sum, v) => sum + v, 0);
  const meanAt = (shift: number) => {
    let total = 0;
    for (let i = 0; i < lp.length; i++) total += 1 / (1 + Math.exp(-(lp[i]! + shift)));
    return total / lp.length;
  };
  const fit = fitLogistic([], Uint8Array.from(yColumn), { offset: lp, ridge: 0, start: { intercept: 0, coefficients: [] } });
  if (!fit.converged) throw new Error('the recalibration in the large did not converge');
  const shift = fit.intercept;
  return { intercept_shift: shift, mean_predicted_before: meanAt(0), mean_predicted_after: meanAt(shift), observed_rate: observed / lp.length };
}

/** A short, stable version id: target, training index date and a fingerprint of the coefficients. */
export function modelVersion(model: FittedModel): string {
  const fingerprint = createHash('sha256')
    .update(JSON.stringify({ variant: model.variant, intercept: model.intercept, terms: model.terms }))
    .digest('hex')
    .slice(0, 8);
  return `${model.target}-${model.training_index_date}-${fingerprint}`;
}
