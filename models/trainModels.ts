// Trains both models for an as_of, honestly:
//   validation: fit on index as_of - 730 (outcomes to as_of - 365), evaluate on index as_of - 365
//               (outcomes to as_of): out of time, never on training rows;
//   production: refit the chosen variant on index as_of - 365, recalibrated in the large.
// Every variant is fitted both unconstrained and with its condition and utilisation terms held non-negative; the
// constrained form is kept unless the other validates clearly better, and the card records both.
// Each model gets a card: windows, counts, terms, validation metrics, and reference distributions for drift.
// The emergency-admission model is also compared, on the same validation rows, with a PARR-lite baseline (age, sex
// and prior emergency admissions) that is fitted only for that comparison and never scores anyone.
import type { Database } from '../core/db/Database.ts';
import { type Params, quoteIdentifier } from '../core/db/Database.ts';
import { readDoubleColumns } from '../core/db/readColumns.ts';
import { addDays } from '../core/dates.ts';
import { buildFeatures, type FeatureBuild } from './buildFeatures.ts';
import { driftFeatures } from './measureDrift.ts';
import { type ReferenceDistribution, referenceDistribution } from './populationStabilityIndex.ts';
import { type EvaluationOptions, evaluatePredictions, type ModelEvaluation } from './evaluatePredictions.ts';
import { riskSql } from './linearPredictor.ts';
import { type BaselineComparison, cardFormat, type FormMetrics, type ModelCard, resolveTerms } from './modelCard.ts';
import { type ModelSpec, type ModelVariant, modelSpecs, parrLiteBaseline } from './modelSpecs.ts';
import { modelGovernance } from './modelGovernance.ts';
import { defaultMaxTrainingRows, type FittedModel, fitModels, modelVersion, type TrainOptions } from './fitModels.ts';
import type { ProgressFactory } from '../core/logging/Logger.ts';

export type { ModelCard } from './modelCard.ts';

/** What training needs from the run's configuration besides the fit itself. */
export interface TrainingSettings extends TrainOptions {
  /** The run's tier cut-offs: validation reports PPV and sensitivity at each. */
  tierCutoffs?: readonly number[];
  /** Tiers 1 to this are on the case-finding lists: subgroups are judged at that cut-off. */
  listTiers?: number;
  /** The report's small-number threshold, which the validation subgroups follow. */
  suppressionThreshold?: number;
  /** A group whose false negative rate at the list cut-off differs from everyone's by more than this is flagged. */
  fairnessFnrMargin?: number;
}

/**
 * A more expressive variant is kept only when its validation AUROC beats the simpler one by this much; and the
 * unconstrained form of a model only when it beats the sign-constrained one by this much.
 */
const clearGainInAuroc = 0.002;
const signConstraintRule =
  'Condition and utilisation terms (registers, counts of admissions, attendances, appointments and medicines, Charlson, ' +
  'frailty) are held at 0 or above, since having more of one cannot plausibly lower the risk; the unconstrained fit is ' +
  `used instead only when it validates clearly better (AUROC higher by ${clearGainInAuroc} or more). Either way a term ` +
  'that lowers the risk is never given as a reason.';
const subgroupColumns = ['sex', 'age_band', 'imd_quintile', 'ethnic_group'] as const;
/** The longest window any feature looks back over (sql/intermediate/features/utilisation_features.sql: 3 years). */
const longestLookbackDays = 1095;

export async function trainModels(
  db: Database,
  asOf: string,
  options: TrainingSettings = {},
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

  // Every variant of every model is fitted on the validation year first, sign-constrained (two variants at a time, in
  // worker threads), the simplest also unconstrained from the same design; then evaluated once the training features
  // are there. A variant is chosen on the constrained fits, then the form of the chosen variant.
  const evaluation = evaluationOptions(options);
  let validationFits: FittedModel[][] = [];
  const step = progress?.(2) ?? (() => {});
  const variants = modelSpecs.flatMap((spec) =>
    spec.variants.map((variant, index) => ({ spec, variant, form: index === 0 ? ('both' as const) : ('non-negative' as const) })),
  );
  // The baseline is one more fit in the same pool, last, sign-constrained like the form a model is kept in unless
  // validation says otherwise: prior admissions cannot plausibly lower the risk in a commissioner's tool either.
  const baselineSpec = modelSpecs.find((spec) => spec.target === parrLiteBaseline.target)!;
  const baselineRequest = { spec: baselineSpec, variant: parrLiteBaseline.variant, form: 'non-negative' as const };
  let baselineFit: FittedModel | undefined;
  try {
    if (canValidate) {
      const fits = await fitModels(db, [...variants, baselineRequest], 'validation_fit_features', validationFitIndex, trainingIndex, options);
      validationFits = fits.slice(0, variants.length);
      baselineFit = fits[variants.length]![0]!;
    }
    step(1, `${variants.length} variants${canValidate ? ' and the PARR-lite baseline' : ''} fitted on the validation year`);
  } finally {
    await trainingFeatures.catch(() => undefined);
  }
  const trainingBuild = await trainingFeatures;

  const chosen: Choice[] = [];
  for (const spec of modelSpecs) {
    if (!canValidate) {
      chosen.push({ variant: spec.variants[0]!, constrained: true, start: undefined, validation: null, forms: null });
      continue;
    }
    const evaluations = [];
    for (const variant of spec.variants) {
      const fits = validationFits[variants.findIndex((v) => v.spec === spec && v.variant === variant)]!;
      const nonNegative = fits.find((f) => f.sign_constrained)!;
      evaluations.push({
        variant,
        fits,
        // Compared on overall figures only: the kept form is evaluated again below, by group.
        nonNegative: { fit: nonNegative, metrics: await evaluateOn(db, 'training_features', spec, nonNegative, evaluation, 'none') },
      });
    }
    let kept = evaluations[0]!;
    for (const candidate of evaluations.slice(1)) {
      if ((candidate.nonNegative.metrics.auroc ?? 0) >= (kept.nonNegative.metrics.auroc ?? 0) + clearGainInAuroc) kept = candidate;
    }
    // The kept variant unconstrained: fitted beside the constrained one for the simplest, and now for another.
    const unconstrainedFit =
      kept.fits.find((f) => !f.sign_constrained) ??
      (await fitModels(db, [{ spec, variant: kept.variant, form: 'unconstrained', start: kept.nonNegative.fit }], 'validation_fit_features', validationFitIndex, trainingIndex, options))[0]![0]!;
    const unconstrained = { fit: unconstrainedFit, metrics: await evaluateOn(db, 'training_features', spec, unconstrainedFit, evaluation, 'none') };
    const constrained = !((unconstrained.metrics.auroc ?? 0) >= (kept.nonNegative.metrics.auroc ?? 0) + clearGainInAuroc);
    const form = constrained ? kept.nonNegative : unconstrained;
    // The kept form again, with the smoothed calibration overall and by group (a spline fit each: only for this one).
    const validated = await evaluateOn(db, 'training_features', spec, form.fit, { ...evaluation, smoothedCalibration: 'overall and groups' });
    const baseline =
      spec === baselineSpec && baselineFit
        ? compareWithBaseline(baselineFit, await evaluateOn(db, 'training_features', spec, baselineFit, evaluation, 'none'), form.metrics)
        : null;
    chosen.push({
      variant: kept.variant,
      constrained,
      start: form.fit,
      forms: {
        unconstrained: formMetrics(kept.variant, unconstrained.fit, unconstrained.metrics),
        non_negative: formMetrics(kept.variant, kept.nonNegative.fit, kept.nonNegative.metrics),
      },
      validation: {
        fit_index_date: validationFitIndex,
        evaluation_index_date: trainingIndex,
        outcome_window: { from_exclusive: trainingIndex, to_inclusive: asOf },
        // Each variant as it was compared: sign-constrained.
        variant_comparison: evaluations.map((e) => ({
          variant: e.variant.name, terms: e.variant.terms.length, auroc: e.nonNegative.metrics.auroc, auprc: e.nonNegative.metrics.auprc,
          brier: e.nonNegative.metrics.brier, calibration_slope: e.nonNegative.metrics.calibration.slope,
        })),
        metrics: validated,
        baseline,
      },
    });
    log(
      `validated ${spec.target}: ` +
        evaluations.map((e) => `${e.variant.name} AUROC ${e.nonNegative.metrics.auroc?.toFixed(4)}`).join(', ') +
        ` (sign-constrained); kept ${kept.variant.name}, ${constrained ? 'sign-constrained' : 'unconstrained'} ` +
        `(unconstrained AUROC ${unconstrained.metrics.auroc?.toFixed(4)})`,
    );
    if (baseline) {
      log(
        `baseline PARR-lite AUROC ${baseline.auroc?.toFixed(4)} vs model ${form.metrics.auroc?.toFixed(4)}, ` +
          `AUPRC ${baseline.auprc?.toFixed(4)} vs ${form.metrics.auprc?.toFixed(4)}; in tiers 1-${options.listTiers ?? 2} ` +
          `${baseline.captured_by_baseline} vs ${baseline.captured_by_model} of the ${baseline.events} people admitted`,
      );
    }
  }

  // Each production fit starts from its chosen fit a year earlier: the same answer in fewer iterations.
  const production = await fitModels(
    db,
    modelSpecs.map((spec, i) => {
      const choice = chosen[i]!;
      return { spec, variant: choice.variant, form: choice.constrained ? ('non-negative' as const) : ('unconstrained' as const), ...(choice.start ? { start: choice.start } : {}) };
    }),
    'training_features', trainingIndex, asOf, options,
  );
  step(2, 'production models fitted');
  const cards: ModelCard[] = [];
  for (const [i, spec] of modelSpecs.entries()) {
    const fitted = production[i]![0]!;
    const choice = chosen[i]!;
    const { intercept, terms, ...training } = fitted;
    // Today's scores against the latest complete year: the rows the production model was fitted and recalibrated on.
    const productionCheck = await evaluateOn(db, 'training_features', spec, fitted, { ...evaluation, smoothedCalibration: 'overall' });
    cards.push({
      card_format: cardFormat,
      model_version: modelVersion(fitted),
      target: spec.target,
      score_column: spec.scoreColumn,
      description: spec.description,
      method:
        'Ridge-penalised logistic regression fitted by IRLS (deterministic), on the people eligible at the training index ' +
        'date or, above the row cap, on a hash sample of them by person_id; condition and utilisation terms held at 0 or ' +
        'above by an active set unless validation chose otherwise; recalibrated in the large on those rows; scored in SQL.',
      fitted_for_as_of: asOf,
      variant: choice.variant.name,
      sign_constraint: {
        rule: signConstraintRule,
        constrained_terms: choice.variant.terms.filter((t) => t.nonNegative).map((t) => t.id),
        chosen: choice.constrained ? 'non-negative' : 'unconstrained',
        validation: choice.forms,
      },
      training: { ...training, people_eligible: trainingBuild.eligible },
      validation: choice.validation,
      validation_note:
        validationNote +
        (trainingBuild.eligible > trainingBuild.rows
          ? ` Fitted and evaluated on a hash sample by person_id of ${trainingBuild.rows} of the ${trainingBuild.eligible} people eligible at each index date.`
          : ''),
      production_check: {
        index_date: trainingIndex,
        outcome_window: { from_exclusive: trainingIndex, to_inclusive: asOf },
        note:
          'The production model, as it scores tonight, on the latest complete year: the rows it was fitted and recalibrated ' +
          'on. In-sample, so it says how well the scores are calibrated to the latest year, not how well the model ' +
          'generalises: the out-of-time validation says that.',
        metrics: productionCheck,
      },
      governance: modelGovernance(spec.target),
      reference_distributions: await referenceDistributions(db, 'training_features', fitted),
      intercept,
      terms,
    });
  }
  for (const table of ['training_features', 'validation_fit_features']) await db.run(`DROP TABLE IF EXISTS ${quoteIdentifier(table)}`);
  return cards;
}

/** The variant and form chosen for one model, with what validation found. */
interface Choice {
  variant: ModelVariant;
  constrained: boolean;
  /** The chosen fit on the validation year, where the production fit starts. */
  start: FittedModel | undefined;
  validation: ModelCard['validation'];
  forms: ModelCard['sign_constraint']['validation'];
}

/** The evaluation settings from the run's configuration (the defaults are the contract's). */
function evaluationOptions(options: TrainingSettings): EvaluationOptions {
  const cutoffs = options.tierCutoffs ?? [0.005, 0.05, 0.2];
  const listTiers = options.listTiers ?? 2;
  return {
    topShares: [...cutoffs],
    listShare: listTiers <= cutoffs.length ? cutoffs[listTiers - 1]! : 1,
    smallCountThreshold: options.suppressionThreshold ?? 8,
    ...(options.fairnessFnrMargin === undefined ? {} : { fnrGapMargin: options.fairnessFnrMargin }),
  };
}

function formMetrics(variant: ModelVariant, fit: FittedModel, metrics: ModelEvaluation): FormMetrics {
  const constrained = new Set(variant.terms.filter((t) => t.nonNegative).map((t) => t.id));
  return {
    auroc: metrics.auroc,
    auprc: metrics.auprc,
    brier: metrics.brier,
    calibration_intercept: metrics.calibration.intercept,
    calibration_slope: metrics.calibration.slope,
    negative_terms: fit.terms.filter((t) => constrained.has(t.id) && t.coefficient < 0).map((t) => t.id),
    terms_held_at_zero: fit.terms_held_at_zero,
  };
}

/** The baseline against the kept model form, both evaluated on the same validation year with the same options. */
function compareWithBaseline(fit: FittedModel, baseline: ModelEvaluation, model: ModelEvaluation): BaselineComparison {
  const capturedByModel = capturedOnLists(model);
  const capturedByBaseline = capturedOnLists(baseline);
  return {
    name: parrLiteBaseline.name,
    terms: fit.terms.map((t) => t.id),
    sign_constrained: fit.sign_constrained,
    coefficients: { intercept: fit.intercept, terms: fit.terms },
    auroc: baseline.auroc,
    auprc: baseline.auprc,
    brier: baseline.brier,
    listed_share: baseline.list_share,
    events: baseline.events,
    captured_by_model: capturedByModel,
    captured_by_baseline: capturedByBaseline,
    lift: {
      auroc: model.auroc === null || baseline.auroc === null ? null : model.auroc - baseline.auroc,
      auprc: model.auprc === null || baseline.auprc === null ? null : model.auprc - baseline.auprc,
      captured: capturedByModel - capturedByBaseline,
    },
  };
}

/**
 * How many of the validation year's people with the outcome are in the listed share (tiers 1 to the list tier). The
 * listed share is one of the tier cut-offs, evaluated in at_top, unless the lists take every tier: then everyone.
 */
function capturedOnLists(metrics: ModelEvaluation): number {
  const atList = metrics.at_top.find((top) => top.share === metrics.list_share);
  if (atList) return atList.true_positives;
  if (metrics.list_share === 1) return metrics.events;
  throw new Error(`the listed share ${metrics.list_share} is not one of the evaluated tier cut-offs`);
}

/**
 * Predictions of `model` on a feature table with outcomes, evaluated with subgroups; with `subgroups` 'none', the
 * whole population only, for a comparison that keeps only overall figures (a variant, a form, the baseline).
 */
async function evaluateOn(
  db: Database, table: string, spec: ModelSpec, model: FittedModel, options: EvaluationOptions, subgroups: 'by group' | 'none' = 'by group',
): Promise<ModelEvaluation> {
  const params: Params = {};
  const groupColumns = subgroups === 'none' ? [] : subgroupColumns;
  // Each subgroup comes back as a code into its few distinct values (0 for null), so a million rows
  // make no million strings.
  const dictionaries: string[][] = [];
  const codes = await Promise.all(groupColumns.map((c) => distinctValues(db, table, c))).then((all) =>
    all.map((values, i) => {
      dictionaries.push(values);
      const cases = values.map((_, v) => {
        params[`g${i}_${v}`] = values[v]!;
        return `WHEN $g${i}_${v} THEN ${v + 1}`;
      });
      return `CAST(CASE CAST(${quoteIdentifier(groupColumns[i]!)} AS VARCHAR) ${cases.join(' ')} ELSE 0 END AS DOUBLE)`;
    }),
  );
  const columns = await readDoubleColumns(
    db.connection,
    `SELECT ${[`CAST(${riskSql(withSql(model), 'm', params)} AS DOUBLE) AS risk`, `CAST(${quoteIdentifier(spec.outcome)} AS DOUBLE) AS y`, ...codes].join(', ')}
     FROM ${quoteIdentifier(table)} ORDER BY person_id`,
    params,
  );
  const byGroup = Object.fromEntries(
    groupColumns.map((c, i) => [c, Array.from(columns[i + 2]!, (code) => (code === 0 ? null : dictionaries[i]![code - 1]!))]),
  );
  return evaluatePredictions(columns[0]!, Uint8Array.from(columns[1]!), byGroup, options);
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
    `SELECT CAST(${riskSql(withSql(model), 'm', params)} AS DOUBLE) AS score, ${driftFeatures.map((f) => `CAST(${quoteIdentifier(f)} AS DOUBLE)`).join(', ')}
     FROM ${quoteIdentifier(table)} ORDER BY person_id`,
    params,
  );
  const names = ['score', ...driftFeatures];
  return Object.fromEntries(names.map((name, i) => [name, referenceDistribution(columns[i]!)]));
}

/** A fitted model with each term's SQL from the registry. */
function withSql(model: FittedModel): { intercept: number; terms: { sql: string; coefficient: number }[] } {
  return { intercept: model.intercept, terms: resolveTerms(model) };
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


