// Fits one model on a training feature table (features at an index date, outcomes in the 365 days
// after it). Training cost is bounded: above maxTrainingRows, every event is kept and non-events are
// sampled by a hash of person_id (deterministic) and weighted back up.
import { createHash } from 'node:crypto';
import type { Database } from '../pipeline/db/Database.ts';
import { quoteIdentifier } from '../pipeline/db/Database.ts';
import { fitLogistic } from './fitLogistic.ts';
import type { ModelSpec } from './modelSpecs.ts';

export interface FittedTerm {
  id: string;
  factor: string;
  sql: string;
  coefficient: number;
}

export interface ModelCard {
  model_version: string;
  target: ModelSpec['target'];
  description: string;
  method: string;
  training_index_date: string;
  outcome_window: { from_exclusive: string; to_inclusive: string };
  training_rows: number;
  training_events: number;
  rows_used_in_fit: number;
  event_rate: number;
  iterations: number;
  converged: boolean;
  validation: null | Record<string, unknown>;
  validation_note: string;
  intercept: number;
  terms: FittedTerm[];
}

export interface TrainOptions {
  maxTrainingRows?: number;
  ridge?: number;
}

const hashBuckets = 1_000_000;

export async function trainModel(
  db: Database,
  spec: ModelSpec,
  trainingTable: string,
  trainingIndexDate: string,
  outcomeWindowEnd: string,
  options: TrainOptions = {},
): Promise<ModelCard> {
  const table = quoteIdentifier(trainingTable);
  const outcome = quoteIdentifier(spec.outcome);
  const counts = (await db.rows<{ rows: bigint; events: bigint }>(
    `SELECT count(*) AS rows, count(*) FILTER (${outcome}) AS events FROM ${table}`,
  ))[0]!;
  const rows = Number(counts.rows);
  const events = Number(counts.events);
  if (rows === 0 || events === 0 || events === rows) {
    throw new Error(
      `cannot fit the ${spec.target} model: the training year (index ${trainingIndexDate}) has ${rows} people and ${events} outcomes; ` +
        'load at least two years of history',
    );
  }
  const cap = options.maxTrainingRows ?? 250_000;
  const nonEvents = rows - events;
  const keepShare = Math.min(1, Math.max(0, (cap - events) / nonEvents));
  const keepBuckets = Math.max(1, Math.round(keepShare * hashBuckets));
  const nonEventWeight = hashBuckets / keepBuckets;

  const termColumns = spec.terms.map((t, j) => `CAST(${t.sql} AS DOUBLE) AS t${j}`).join(', ');
  const reader = await db.connection.runAndReadAll(
    `SELECT ${termColumns}, CAST(${outcome} AS INTEGER) AS y
     FROM ${table}
     WHERE ${outcome} OR hash(person_id) % ${hashBuckets} < $keep_buckets
     ORDER BY person_id`,
    { keep_buckets: keepBuckets },
  );
  const raw = reader.getColumnsJS() as unknown as number[][];
  const y = Uint8Array.from(raw[spec.terms.length]!);
  const columns = spec.terms.map((_, j) => Float64Array.from(raw[j]!));
  const weights = Float64Array.from(y, (v) => (v === 1 ? 1 : keepShare < 1 ? nonEventWeight : 1));
  const fit = fitLogistic(columns, y, { weights, ridge: options.ridge ?? 1 });

  const terms = spec.terms.map((t, j) => ({ id: t.id, factor: t.factor, sql: t.sql, coefficient: fit.coefficients[j]! }));
  const fingerprint = createHash('sha256')
    .update(JSON.stringify({ intercept: fit.intercept, terms }))
    .digest('hex')
    .slice(0, 8);
  return {
    model_version: `${spec.target}-${trainingIndexDate}-${fingerprint}`,
    target: spec.target,
    description: spec.description,
    method: 'ridge-penalised logistic regression (IRLS), deterministic; non-events hash-sampled and re-weighted above the row cap',
    training_index_date: trainingIndexDate,
    outcome_window: { from_exclusive: trainingIndexDate, to_inclusive: outcomeWindowEnd },
    training_rows: rows,
    training_events: events,
    rows_used_in_fit: y.length,
    event_rate: events / rows,
    iterations: fit.iterations,
    converged: fit.converged,
    validation: null,
    validation_note: 'Not yet validated out of time: temporal validation arrives with the model registry (issue 4).',
    intercept: fit.intercept,
    terms,
  };
}
