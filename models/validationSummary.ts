// The validation figures a governance board reads first, taken from a model card for run.json: discrimination with
// its interval, calibration, the error rates at the list cut-off and the groups flagged there. The card holds every
// figure; this is the summary beside each run, so a night's record says how far its scores can be trusted.
import type { ModelCard } from './modelCard.ts';

export interface ValidationSummary {
  model_version: string;
  /** False when there was too little history to validate: the other fields are then absent. */
  validated: boolean;
  evaluation_index_date?: string;
  n?: number;
  events?: number;
  auroc?: number | null;
  auroc_interval?: { lower: number; upper: number } | null;
  auprc?: number | null;
  brier?: number;
  calibration_intercept?: number | null;
  calibration_slope?: number | null;
  /** Integrated calibration index and E90 of the smoothed calibration curve (null in older cards). */
  ici?: number | null;
  e90?: number | null;
  list_share?: number;
  at_cutoff?: {
    ppv: number | null;
    sensitivity: number | null;
    false_positive_rate: number | null;
    false_negative_rate: number | null;
    false_omission_rate: number | null;
  } | null;
  /** Groups whose false negative rate at the cut-off differs from everyone's by more than the configured margin. */
  fairness_flags?: { dimension: string; group: string | null; false_negative_rate: number; gap: number }[] | null;
  /** The PARR-lite baseline on the same rows, and this model's lift over it (emergency admission only). */
  baseline?: { auroc: number | null; auprc: number | null; captured: number; lift: { auroc: number | null; auprc: number | null; captured: number } } | null;
  /** The production model on the latest complete year (in-sample): how well tonight's scores are calibrated. */
  production_check?: { calibration_intercept: number | null; calibration_slope: number | null; ici: number | null; e90: number | null } | null;
}

export function validationSummary(card: ModelCard): ValidationSummary {
  const validation = card.validation;
  const check = card.production_check?.metrics;
  const productionCheck = check
    ? {
        calibration_intercept: check.calibration.intercept, calibration_slope: check.calibration.slope,
        ici: check.calibration.smoothed?.ici ?? null, e90: check.calibration.smoothed?.e90 ?? null,
      }
    : null;
  if (validation === null) return { model_version: card.model_version, validated: false, production_check: productionCheck };
  const baseline = validation.baseline ?? null;
  const metrics = validation.metrics;
  const cut = metrics.at_cutoff;
  return {
    model_version: card.model_version,
    validated: true,
    evaluation_index_date: validation.evaluation_index_date,
    n: metrics.n,
    events: metrics.events,
    auroc: metrics.auroc,
    auroc_interval: metrics.auroc_interval ?? null,
    auprc: metrics.auprc,
    brier: metrics.brier,
    calibration_intercept: metrics.calibration.intercept,
    calibration_slope: metrics.calibration.slope,
    ici: metrics.calibration.smoothed?.ici ?? null,
    e90: metrics.calibration.smoothed?.e90 ?? null,
    list_share: metrics.list_share,
    // Cards validated before the cut-off errors were measured have none.
    at_cutoff: cut
      ? {
          ppv: cut.ppv?.value ?? null,
          sensitivity: cut.sensitivity?.value ?? null,
          false_positive_rate: cut.false_positive_rate?.value ?? null,
          false_negative_rate: cut.false_negative_rate?.value ?? null,
          false_omission_rate: cut.false_omission_rate?.value ?? null,
        }
      : null,
    fairness_flags: metrics.fairness?.flagged ?? null,
    baseline: baseline
      ? { auroc: baseline.auroc, auprc: baseline.auprc, captured: baseline.captured_by_baseline, lift: baseline.lift }
      : null,
    production_check: productionCheck,
  };
}
