// Out-of-time validation of a binary risk model (domain notes, "How the model is validated"): predictions
// scored at a validation index date against the outcome in the 365 days after it. Discrimination, calibration,
// the Kaiser-pyramid cut-offs and the same again by sex, age band, deprivation and ethnic group, with the error
// rates at the cut-off that decides who is listed (fairness, as SPARRA v4's review reports them) and their
// intervals. Pure and deterministic; no DB. Full precision is kept here: rounding belongs to whoever presents the
// figures.
//
// One radix sort of a typed index array by predicted risk (descending, ties by original index, as scorePopulation
// ranks by ea_risk then person_id: pass rows in person_id order for the same tie-breaks) feeds every rank-based
// figure, and nothing allocates per row: a million people evaluate in well under a second.

import { fitLogistic } from './fitLogistic.ts';
import { clopperPearson, type Proportion } from './proportionInterval.ts';
import { type SmoothedCalibration, smoothedCalibration } from './smoothedCalibration.ts';

/** Group labels per dimension, aligned with the predictions: { sex: [...], age_band: [...], ... }. */
export interface Subgroups {
  readonly [dimension: string]: readonly (string | null)[];
}

export interface EvaluationOptions {
  /** Shares flagged from the top of the ranking: the run's tier cut-offs. Default: the pyramid's 0.5%, 5% and 20%. */
  topShares?: number[];
  /** The share of the population on the case-finding lists, at which every subgroup is judged. Default 5%. */
  listShare?: number;
  /**
   * The run's small-number threshold: a subgroup with fewer people than this has no size, and one with fewer events,
   * or fewer non-events, shows no metrics. Default 8 (the contract hides 1 to 7).
   */
  smallCountThreshold?: number;
  /** Number of risk groups for observed/expected. Default 10. */
  deciles?: number;
  /**
   * A group is flagged when its false negative rate at the list cut-off differs from the whole population's by more
   * than this (absolute, as a proportion). Default 0.1.
   */
  fnrGapMargin?: number;
  /**
   * Also fit the smoothed calibration curve (ICI, E50, E90, Emax, Brier skill): 'overall', or 'overall and groups'
   * (each unsuppressed subgroup too). Each costs a spline fit and a few sorts of its rows (about 0.2 s per 250,000),
   * so training asks for it only for the model it keeps. Default none.
   */
  smoothedCalibration?: 'overall' | 'overall and groups';
}

/**
 * Who the list cut-off gets right and wrong: the people in the listed share (the whole population's top
 * list_share) against those with the outcome. Each rate with its exact 95% interval; null when its denominator is 0.
 */
export interface CutoffErrors {
  listed: number;
  true_positives: number;
  false_positives: number;
  false_negatives: number;
  true_negatives: number;
  /** Of the listed, the share with the outcome. */
  ppv: Proportion | null;
  /** Of those with the outcome, the share listed. */
  sensitivity: Proportion | null;
  /** Of those without the outcome, the share listed. */
  false_positive_rate: Proportion | null;
  /** Of those with the outcome, the share not listed: the people the list misses. */
  false_negative_rate: Proportion | null;
  /** Of those not listed, the share with the outcome. */
  false_omission_rate: Proportion | null;
}

/** A group's place at the cut-off, beside the whole population's. */
export interface GroupCutoffErrors extends CutoffErrors {
  /** The group's share of everyone listed; null when nobody is listed. */
  share_of_list: number | null;
  /** The group's share of everyone with the outcome; null when nobody had it. */
  share_of_outcomes: number | null;
  /** Its false negative rate minus the whole population's; null when either is. */
  false_negative_rate_gap: number | null;
  /** The gap is wider than the margin (options.fnrGapMargin) either way. */
  flagged: boolean;
}

/** A 95% interval. */
export interface Interval {
  lower: number;
  upper: number;
}

export interface DecileCalibration {
  /** 1 is the lowest predicted risk, `deciles` the highest. */
  decile: number;
  n: number;
  observed: number;
  /** Sum of the predicted risks. */
  expected: number;
  observed_rate: number | null;
  mean_predicted: number | null;
  /** observed / expected: above 1 means the model under-predicts in this group. */
  o_e: number | null;
  min_predicted: number | null;
  max_predicted: number | null;
}

export interface Calibration {
  method: string;
  /**
   * Calibration-in-the-large: a in logit P(y = 1) = a + logit(p), i.e. with logit(p) as an offset (slope fixed
   * at 1). 0 is ideal; above 0 the model under-predicts on average, below 0 it over-predicts.
   * Null when there are no events or no non-events, or the fit did not converge.
   */
  intercept: number | null;
  /**
   * b in logit P(y = 1) = a' + b logit(p), logit(p) the single covariate. 1 is ideal; below 1 the predictions are
   * too extreme (typical of overfitting), above 1 too modest. Null as for the intercept.
   */
  slope: number | null;
  observed_expected_by_decile: DecileCalibration[];
  /**
   * Wald 95% intervals of the intercept and slope, from the information of their own fits (absent from cards
   * written before; null when the fit is).
   */
  intercept_interval?: Interval | null;
  slope_interval?: Interval | null;
  /** The flexible calibration curve and its summaries (options.smoothedCalibration; absent otherwise). */
  smoothed?: SmoothedCalibration;
}

export interface TopShareResult {
  share: number;
  /** ceil(n × share), the same count that scorePopulation puts in a tier. */
  n_flagged: number;
  true_positives: number;
  ppv: number;
  /** Null when nobody had the outcome. */
  sensitivity: number | null;
  /** The lowest predicted risk in the flagged set. People tied at it may fall either side (by original index). */
  threshold: number;
}

export interface SubgroupResult {
  group: string | null;
  /** Null when a suppressed group has fewer than 8 people. */
  n: number | null;
  /** Null when suppressed. */
  events: number | null;
  /** Too few events or non-events for honest metrics: none are given. */
  suppressed: boolean;
  auroc?: number;
  brier?: number;
  event_rate?: number;
  mean_predicted?: number;
  /** Of the group's people in the whole population's listed share, the share with the outcome; null when none is listed. */
  ppv_listed?: number | null;
  /** Of the group's people with the outcome, the share in the whole population's listed share. */
  sensitivity_listed?: number;
  /** The AUROC's 95% interval (DeLong); null when the group has a single positive or negative. */
  auroc_interval?: Interval | null;
  /** The error rates at the list cut-off (absent from cards written before they were measured). */
  at_cutoff?: GroupCutoffErrors;
  /** The group's own smoothed calibration (options.smoothedCalibration; absent otherwise). */
  calibration_smoothed?: SmoothedCalibration;
  /** The group's calibration in the large and slope, as for everyone (with calibration_smoothed; null unconverged). */
  calibration_intercept?: number | null;
  calibration_slope?: number | null;
  /** Their Wald 95% intervals (null when the fit is). */
  calibration_intercept_interval?: Interval | null;
  calibration_slope_interval?: Interval | null;
}

export interface ModelEvaluation {
  n: number;
  events: number;
  event_rate: number;
  mean_predicted: number;
  /** Null when every outcome is the same. */
  auroc: number | null;
  /** Average precision; null when nobody had the outcome. */
  auprc: number | null;
  brier: number;
  calibration: Calibration;
  at_top: TopShareResult[];
  /** The listed share the subgroup figures are judged at (options.listShare). */
  list_share: number;
  /** The small-number threshold the subgroup figures were suppressed with (options.smallCountThreshold). */
  small_count_threshold: number;
  by_subgroup: { [dimension: string]: SubgroupResult[] };
  /** The AUROC's 95% interval, DeLong's (absent from cards written before it was measured). */
  auroc_interval?: Interval | null;
  /** The whole population's error rates at the list cut-off (absent from older cards, as the fairness block). */
  at_cutoff?: CutoffErrors;
  /** How the subgroups compare at the cut-off, and which are flagged. */
  fairness?: {
    method: string;
    false_negative_rate_margin: number;
    /** Every unsuppressed group whose false negative rate differs by more than the margin. */
    flagged: { dimension: string; group: string | null; false_negative_rate: number; gap: number }[];
  };
}

const defaultTopShares = [0.005, 0.05, 0.2];
/** Fairness review asks about the MDT-review cut-off: by default the top 5% (tiers 1-2). */
const defaultListShare = 0.05;
/** Counts 1-7 are not published (data contract §4; reports/suppressSmallNumbers.ts applies it at export). */
const defaultSmallCountThreshold = 8;
const defaultFnrGapMargin = 0.1;
/** The standard normal's 97.5th percentile, for 95% intervals. */
const z975 = 1.959963984540054;
const probabilityFloor = 1e-12;

export function evaluatePredictions(
  predicted: Float64Array,
  observed: Uint8Array,
  subgroups: Subgroups = {},
  options: EvaluationOptions = {},
): ModelEvaluation {
  const topShares = options.topShares ?? defaultTopShares;
  const listShare = options.listShare ?? defaultListShare;
  const smallCountThreshold = options.smallCountThreshold ?? defaultSmallCountThreshold;
  const deciles = options.deciles ?? 10;
  const fnrGapMargin = options.fnrGapMargin ?? defaultFnrGapMargin;
  if (!(fnrGapMargin >= 0 && fnrGapMargin <= 1)) throw new Error(`evaluatePredictions: the false negative rate margin must be in [0, 1], got ${fnrGapMargin}`);
  for (const share of topShares) {
    if (!(share > 0 && share <= 1)) throw new Error(`evaluatePredictions: each top share must be in (0, 1], got ${share}`);
  }
  if (!(listShare > 0 && listShare <= 1)) throw new Error(`evaluatePredictions: the list share must be in (0, 1], got ${listShare}`);
  if (!Number.isInteger(smallCountThreshold) || smallCountThreshold < 1) {
    throw new Error(`evaluatePredictions: the small-number threshold must be a whole number of at least 1, got ${smallCountThreshold}`);
  }
  if (!Number.isInteger(deciles) || deciles < 1) {
    throw new Error(`evaluatePredictions: deciles must be a whole number of at least 1, got ${deciles}`);
  }
  const n = predicted.length;
  if (observed.length !== n) {
    throw new Error(`evaluatePredictions: ${n} predictions but ${observed.length} observed outcomes`);
  }
  if (n === 0) throw new Error('evaluatePredictions: no predictions to evaluate');
  for (const [dimension, labels] of Object.entries(subgroups)) {
    if (labels.length !== n) {
      throw new Error(`evaluatePredictions: subgroup ${dimension} has ${labels.length} labels for ${n} predictions`);
    }
  }

  let events = 0;
  let sumPredicted = 0;
  let sumSquaredError = 0;
  for (let i = 0; i < n; i++) {
    const p = predicted[i]!;
    // Written so that NaN fails too.
    if (!(p >= 0 && p <= 1)) throw new Error(`evaluatePredictions: prediction ${i} is ${p}, not a probability in [0, 1]`);
    const y = observed[i]!;
    if (y > 1) throw new Error(`evaluatePredictions: observed outcome ${i} is ${y}, not 0 or 1`);
    events += y;
    sumPredicted += p;
    sumSquaredError += (p - y) * (p - y);
  }
  const nonEvents = n - events;

  const ranking = rankByRisk(predicted, observed);
  const { risk, outcome, closesTie } = ranking;
  const [{ auroc, interval: overallInterval }] = aurocByGroup(ranking, null, [events], [nonEvents]) as [AurocResult];

  // Average precision, deciles and the top-share counts in one pass down the ranking.
  const decileN = new Float64Array(deciles);
  const decileObserved = new Float64Array(deciles);
  const decileExpected = new Float64Array(deciles);
  const decileMin = new Float64Array(deciles).fill(Infinity);
  const decileMax = new Float64Array(deciles).fill(-Infinity);
  const cumulativeEvents = new Uint32Array(n);
  let truePositives = 0;
  let falsePositives = 0;
  let tiePositives = 0;
  let tieNegatives = 0;
  let precisionSum = 0;
  for (let j = 0; j < n; j++) {
    const p = risk[j]!;
    const y = outcome[j]!;
    // Decile by ascending rank: the person ranked last (lowest risk, last among ties) has rank 0.
    const decile = Math.floor(((n - 1 - j) * deciles) / n);
    decileN[decile]!++;
    decileObserved[decile]! += y;
    decileExpected[decile]! += p;
    if (p < decileMin[decile]!) decileMin[decile] = p;
    if (p > decileMax[decile]!) decileMax[decile] = p;

    if (y === 1) tiePositives++;
    else tieNegatives++;
    cumulativeEvents[j] = truePositives + tiePositives;
    // Precision is taken only at the end of a run of equal scores, so the order within ties cannot change it.
    if (closesTie[j] === 1) {
      truePositives += tiePositives;
      falsePositives += tieNegatives;
      if (tiePositives > 0) precisionSum += (tiePositives * truePositives) / (truePositives + falsePositives);
      tiePositives = 0;
      tieNegatives = 0;
    }
  }

  const observedExpected: DecileCalibration[] = [];
  for (let d = 0; d < deciles; d++) {
    const count = decileN[d]!;
    observedExpected.push({
      decile: d + 1,
      n: count,
      observed: decileObserved[d]!,
      expected: decileExpected[d]!,
      observed_rate: count > 0 ? decileObserved[d]! / count : null,
      mean_predicted: count > 0 ? decileExpected[d]! / count : null,
      o_e: decileExpected[d]! > 0 ? decileObserved[d]! / decileExpected[d]! : null,
      min_predicted: count > 0 ? decileMin[d]! : null,
      max_predicted: count > 0 ? decileMax[d]! : null,
    });
  }

  const atTop: TopShareResult[] = topShares.map((share) => {
    const flagged = Math.ceil(n * share);
    const tp = cumulativeEvents[flagged - 1]!;
    return {
      share,
      n_flagged: flagged,
      true_positives: tp,
      ppv: tp / flagged,
      sensitivity: events > 0 ? tp / events : null,
      threshold: risk[flagged - 1]!,
    };
  });

  const { intercept, slope, interceptInterval, slopeInterval } = recalibration(predicted, observed);

  const listedCount = Math.ceil(n * listShare);
  const overallAtCutoff = cutoffErrors(listedCount, cumulativeEvents[listedCount - 1]!, events, n);
  const bySubgroup: { [dimension: string]: SubgroupResult[] } = {};
  const flagged: NonNullable<ModelEvaluation['fairness']>['flagged'] = [];
  for (const [dimension, labels] of Object.entries(subgroups)) {
    bySubgroup[dimension] = evaluateSubgroups(dimension, labels, ranking, listedCount, smallCountThreshold, {
      overall: overallAtCutoff, events, fnrGapMargin, smoothed: options.smoothedCalibration === 'overall and groups' ? { predicted, observed } : null,
    });
    for (const group of bySubgroup[dimension]!) {
      const cut = group.at_cutoff;
      if (cut?.flagged) flagged.push({ dimension, group: group.group, false_negative_rate: cut.false_negative_rate!.value, gap: cut.false_negative_rate_gap! });
    }
  }

  return {
    n,
    events,
    event_rate: events / n,
    mean_predicted: sumPredicted / n,
    auroc: Number.isNaN(auroc) ? null : auroc,
    auprc: events > 0 ? precisionSum / events : null,
    brier: sumSquaredError / n,
    calibration: {
      method:
        'logistic recalibration of observed on logit(p), p clamped to [1e-12, 1 - 1e-12], by Newton iterations: ' +
        'intercept = calibration-in-the-large (logit(p) as an offset); slope = coefficient of logit(p) as the single covariate',
      intercept,
      slope,
      observed_expected_by_decile: observedExpected,
      intercept_interval: interceptInterval,
      slope_interval: slopeInterval,
      ...(options.smoothedCalibration ? { smoothed: smoothedCalibration(predicted, observed) } : {}),
    },
    at_top: atTop,
    list_share: listShare,
    small_count_threshold: smallCountThreshold,
    by_subgroup: bySubgroup,
    auroc_interval: overallInterval,
    at_cutoff: overallAtCutoff,
    fairness: {
      method:
        `At the list cut-off (the whole population's top ${listShare} by predicted risk, ties kept in input order as scoring ranks ` +
        'them): each rate with its exact Clopper-Pearson 95% interval; AUROC 95% intervals by DeLong\'s variance (DeLong, DeLong ' +
        `& Clarke-Pearson, Biometrics 1988; ties at half), clamped to [0, 1]. A group with fewer than ${smallCountThreshold} outcomes or ` +
        `non-outcomes gets no figures. A group is flagged when its false negative rate differs from the whole population's by more than ${fnrGapMargin}.`,
      false_negative_rate_margin: fnrGapMargin,
      flagged,
    },
  };
}

/** The error rates of listing the first `listed` people, `truePositives` of them with the outcome. */
function cutoffErrors(listed: number, truePositives: number, events: number, n: number): CutoffErrors {
  const falsePositives = listed - truePositives;
  const falseNegatives = events - truePositives;
  const trueNegatives = n - listed - falseNegatives;
  return {
    listed,
    true_positives: truePositives,
    false_positives: falsePositives,
    false_negatives: falseNegatives,
    true_negatives: trueNegatives,
    ppv: clopperPearson(truePositives, listed),
    sensitivity: clopperPearson(truePositives, events),
    false_positive_rate: clopperPearson(falsePositives, n - events),
    false_negative_rate: clopperPearson(falseNegatives, events),
    false_omission_rate: clopperPearson(falseNegatives, n - listed),
  };
}

/** Everyone in rank order (highest risk first), so later passes read memory in sequence. */
interface Ranking {
  /** order[j] is the original index of the person ranked j (0 = highest risk). */
  order: Uint32Array;
  risk: Float64Array;
  outcome: Uint8Array;
  /** 1 where the next person has a different risk: the end of a run of ties. */
  closesTie: Uint8Array;
}

/**
 * Ranks by predicted risk, highest first; equal risks keep their original order. A stable LSD radix sort on the
 * bits of the doubles (for numbers >= 0 the bit patterns order like the numbers; inverted, they order highest
 * first): four 16-bit passes carrying the keys along, several times faster than a comparison sort on a million rows.
 */
function rankByRisk(predicted: Float64Array, observed: Uint8Array): Ranking {
  const n = predicted.length;
  const values = new Float64Array(n);
  // + 0 turns -0 into 0, whose sign bit would otherwise sort it above every positive number.
  for (let i = 0; i < n; i++) values[i] = predicted[i]! + 0;
  const words = new Uint32Array(values.buffer);
  const littleEndian = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
  const low = littleEndian ? 0 : 1;
  const high = 1 - low;

  const radix = 1 << 16;
  const counts = new Uint32Array(4 * radix);
  let order = new Uint32Array(n);
  let lowKeys = new Uint32Array(n);
  let highKeys = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const lowKey = ~words[2 * i + low]! >>> 0;
    const highKey = ~words[2 * i + high]! >>> 0;
    order[i] = i;
    lowKeys[i] = lowKey;
    highKeys[i] = highKey;
    counts[lowKey & 0xffff]!++;
    counts[radix + (lowKey >>> 16)]!++;
    counts[2 * radix + (highKey & 0xffff)]!++;
    counts[3 * radix + (highKey >>> 16)]!++;
  }
  let nextOrder = new Uint32Array(n);
  let nextLowKeys = new Uint32Array(n);
  let nextHighKeys = new Uint32Array(n);
  for (let pass = 0; pass < 4; pass++) {
    const base = pass * radix;
    // A digit every row shares (common in the low bits of rounded risks) leaves the order as it is.
    let skip = false;
    let position = 0;
    for (let digit = 0; digit < radix; digit++) {
      const count = counts[base + digit]!;
      if (count === n) skip = true;
      counts[base + digit] = position;
      position += count;
    }
    if (skip) continue;
    const keys = pass < 2 ? lowKeys : highKeys;
    const shift = (pass & 1) * 16;
    for (let j = 0; j < n; j++) {
      const at = counts[base + ((keys[j]! >>> shift) & 0xffff)]!++;
      nextOrder[at] = order[j]!;
      nextLowKeys[at] = lowKeys[j]!;
      nextHighKeys[at] = highKeys[j]!;
    }
    [order, nextOrder] = [nextOrder, order];
    [lowKeys, nextLowKeys] = [nextLowKeys, lowKeys];
    [highKeys, nextHighKeys] = [nextHighKeys, highKeys];
  }

  const risk = new Float64Array(n);
  const outcome = new Uint8Array(n);
  const closesTie = new Uint8Array(n);
  for (let j = 0; j < n; j++) {
    const i = order[j]!;
    risk[j] = values[i]!;
    outcome[j] = observed[i]!;
  }
  for (let j = 0; j < n - 1; j++) closesTie[j] = risk[j + 1] !== risk[j] ? 1 : 0;
  closesTie[n - 1] = 1;
  return { order, risk, outcome, closesTie };
}

/** A group's AUROC and its 95% interval. */
interface AurocResult {
  /** NaN when the group lacks either class. */
  auroc: number;
  /** Null when the group has fewer than two positives or two negatives (no variance to estimate). */
  interval: Interval | null;
}

/**
 * Mann-Whitney AUROC for each group in one pass down the ranking: every positive scores 1 for each negative of its
 * group ranked strictly below it and 1/2 for each tied with it (the average-rank treatment of ties). Runs of equal
 * scores are closed together, so the order within ties does not matter. NaN for a group lacking either class.
 * `rankedGroup[j]` is the group of the person ranked j; null puts everyone in group 0.
 *
 * The same pass gives DeLong's variance: each positive's placement (the share of its group's negatives it
 * outranks, ties at half) and each negative's (the share of positives outranking it); the AUROC's variance is the
 * positives' placement variance over their number plus the negatives' over theirs (DeLong, DeLong & Clarke-Pearson,
 * Biometrics 1988;44:837-45). The interval is AUROC ± 1.96 standard errors, clamped to [0, 1].
 */
function aurocByGroup(
  ranking: Ranking,
  rankedGroup: Int32Array | null,
  positives: readonly number[],
  negatives: readonly number[],
): AurocResult[] {
  const { outcome, closesTie } = ranking;
  const groups = positives.length;
  const tiePositives = new Float64Array(groups);
  const tieNegatives = new Float64Array(groups);
  const negativesAbove = new Float64Array(groups);
  const positivesAbove = new Float64Array(groups);
  const concordant = new Float64Array(groups);
  // Sums of the placements and of their squares, positives' and negatives'.
  const positivePlacementSquares = new Float64Array(groups);
  const negativePlacements = new Float64Array(groups);
  const negativePlacementSquares = new Float64Array(groups);
  const touched = new Int32Array(groups);
  let touchedCount = 0;
  const n = outcome.length;
  for (let j = 0; j < n; j++) {
    const g = rankedGroup === null ? 0 : rankedGroup[j]!;
    if (tiePositives[g] === 0 && tieNegatives[g] === 0) touched[touchedCount++] = g;
    if (outcome[j] === 1) tiePositives[g]!++;
    else tieNegatives[g]!++;
    if (closesTie[j] === 1) {
      for (let t = 0; t < touchedCount; t++) {
        const h = touched[t]!;
        const below = negatives[h]! - negativesAbove[h]! - tieNegatives[h]!;
        const outranked = below + 0.5 * tieNegatives[h]!;
        concordant[h]! += tiePositives[h]! * outranked;
        if (negatives[h]! > 0) positivePlacementSquares[h]! += tiePositives[h]! * (outranked / negatives[h]!) ** 2;
        if (positives[h]! > 0) {
          const placement = (positivesAbove[h]! + 0.5 * tiePositives[h]!) / positives[h]!;
          negativePlacements[h]! += tieNegatives[h]! * placement;
          negativePlacementSquares[h]! += tieNegatives[h]! * placement * placement;
        }
        negativesAbove[h]! += tieNegatives[h]!;
        positivesAbove[h]! += tiePositives[h]!;
        tiePositives[h] = 0;
        tieNegatives[h] = 0;
      }
      touchedCount = 0;
    }
  }
  return positives.map((pos, g): AurocResult => {
    const neg = negatives[g]!;
    if (!(pos > 0 && neg > 0)) return { auroc: NaN, interval: null };
    const auroc = concordant[g]! / (pos * neg);
    if (pos < 2 || neg < 2) return { auroc, interval: null };
    // Both kinds of placement average the AUROC: the sum of the positives' is exactly `concordant` / neg.
    const positiveVariance = (positivePlacementSquares[g]! - pos * auroc * auroc) / (pos - 1);
    const negativeMean = negativePlacements[g]! / neg;
    const negativeVariance = (negativePlacementSquares[g]! - neg * negativeMean * negativeMean) / (neg - 1);
    const standardError = Math.sqrt(Math.max(0, positiveVariance / pos + negativeVariance / neg));
    return { auroc, interval: { lower: Math.max(0, auroc - z975 * standardError), upper: Math.min(1, auroc + z975 * standardError) } };
  });
}

function evaluateSubgroups(
  dimension: string,
  labels: readonly (string | null)[],
  ranking: Ranking,
  listedCount: number,
  smallCountThreshold: number,
  whole: {
    overall: CutoffErrors;
    events: number;
    fnrGapMargin: number;
    /** Everyone's predictions and outcomes in input order, when each group's smoothed calibration is wanted. */
    smoothed: { predicted: Float64Array; observed: Uint8Array } | null;
  },
): SubgroupResult[] {
  const { order, risk, outcome } = ranking;
  const n = order.length;
  // Labels are read in input order (reading a million strings in rank order is several times slower), then ranked.
  const ids = new Map<string | null, number>();
  const groupOf = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const label = labels[i];
    if (label !== null && typeof label !== 'string') {
      throw new Error(`evaluatePredictions: subgroup ${dimension} label ${i} is ${String(label)}, not a string or null`);
    }
    let id = ids.get(label);
    if (id === undefined) {
      id = ids.size;
      ids.set(label, id);
    }
    groupOf[i] = id;
  }
  const rankedGroup = new Int32Array(n);
  for (let j = 0; j < n; j++) rankedGroup[j] = groupOf[order[j]!]!;
  const groups = ids.size;
  const count = new Float64Array(groups);
  const events = new Float64Array(groups);
  const sumPredicted = new Float64Array(groups);
  const sumSquaredError = new Float64Array(groups);
  const flagged = new Float64Array(groups);
  const flaggedEvents = new Float64Array(groups);
  for (let j = 0; j < n; j++) {
    const g = rankedGroup[j]!;
    const p = risk[j]!;
    const y = outcome[j]!;
    count[g]!++;
    events[g]! += y;
    sumPredicted[g]! += p;
    sumSquaredError[g]! += (p - y) * (p - y);
    // The people listed in the whole population, not each group's own top share.
    if (j < listedCount) {
      flagged[g]!++;
      flaggedEvents[g]! += y;
    }
  }
  const positives = Array.from(events);
  const negatives = positives.map((e, g) => count[g]! - e);
  const auroc = aurocByGroup(ranking, rankedGroup, positives, negatives);
  const totalListed = whole.overall.listed;
  const overallFnr = whole.overall.false_negative_rate?.value ?? null;

  // Code-unit order (not locale order) so that the output is the same on every machine; missing labels last.
  const labelled = [...ids.entries()].sort(([a], [b]) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1));
  return labelled.map(([group, g]): SubgroupResult => {
    const size = count[g]!;
    if (events[g]! < smallCountThreshold || negatives[g]! < smallCountThreshold) {
      return { group, n: size >= smallCountThreshold ? size : null, events: null, suppressed: true };
    }
    return {
      group,
      n: size,
      events: events[g]!,
      suppressed: false,
      auroc: auroc[g]!.auroc,
      brier: sumSquaredError[g]! / size,
      event_rate: events[g]! / size,
      mean_predicted: sumPredicted[g]! / size,
      ppv_listed: flagged[g]! > 0 ? flaggedEvents[g]! / flagged[g]! : null,
      sensitivity_listed: flaggedEvents[g]! / events[g]!,
      auroc_interval: auroc[g]!.interval,
      at_cutoff: groupCutoff(cutoffErrors(flagged[g]!, flaggedEvents[g]!, events[g]!, size)),
      ...(whole.smoothed ? groupCalibration(g, size) : {}),
    };
  });

  /** The smoothed calibration of group g's own people. */
  function groupCalibration(
    g: number,
    size: number,
  ): Pick<SubgroupResult, 'calibration_smoothed' | 'calibration_intercept' | 'calibration_slope' | 'calibration_intercept_interval' | 'calibration_slope_interval'> {
    const { predicted, observed } = whole.smoothed!;
    const p = new Float64Array(size);
    const y = new Uint8Array(size);
    let k = 0;
    for (let i = 0; i < n; i++) {
      if (groupOf[i] !== g) continue;
      p[k] = predicted[i]!;
      y[k++] = observed[i]!;
    }
    const { intercept, slope, interceptInterval, slopeInterval } = recalibration(p, y);
    return {
      calibration_smoothed: smoothedCalibration(p, y), calibration_intercept: intercept, calibration_slope: slope,
      calibration_intercept_interval: interceptInterval, calibration_slope_interval: slopeInterval,
    };
  }

  function groupCutoff(errors: CutoffErrors): GroupCutoffErrors {
    const fnr = errors.false_negative_rate?.value ?? null;
    const gap = fnr === null || overallFnr === null ? null : fnr - overallFnr;
    return {
      ...errors,
      share_of_list: totalListed > 0 ? errors.listed / totalListed : null,
      share_of_outcomes: whole.events > 0 ? (errors.true_positives + errors.false_negatives) / whole.events : null,
      false_negative_rate_gap: gap,
      flagged: gap !== null && Math.abs(gap) > whole.fnrGapMargin,
    };
  }
}

/** Calibration in the large and slope; both null without events or without non-events, each null unconverged. */
function recalibration(predicted: Float64Array, observed: Uint8Array): {
  intercept: number | null;
  slope: number | null;
  interceptInterval: Interval | null;
  slopeInterval: Interval | null;
} {
  const n = predicted.length;
  let events = 0;
  for (let i = 0; i < n; i++) events += observed[i]!;
  if (events === 0 || events === n) return { intercept: null, slope: null, interceptInterval: null, slopeInterval: null };
  const logitP = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const p = Math.min(Math.max(predicted[i]!, probabilityFloor), 1 - probabilityFloor);
    logitP[i] = Math.log(p / (1 - p));
  }
  const inTheLarge = fitRecalibration(logitP, observed, false);
  const withSlope = fitRecalibration(logitP, observed, true);
  // The observed information at each fit: sums of w = s(1 - s), s its fitted risk, and of w x and w x^2.
  let interceptInformation = 0;
  let w0 = 0;
  let w1 = 0;
  let w2 = 0;
  for (let i = 0; i < n; i++) {
    const x = logitP[i]!;
    if (inTheLarge) {
      const s = 1 / (1 + Math.exp(-(inTheLarge.intercept + x)));
      interceptInformation += s * (1 - s);
    }
    if (withSlope) {
      const s = 1 / (1 + Math.exp(-(withSlope.intercept + withSlope.slope * x)));
      const w = s * (1 - s);
      w0 += w;
      w1 += w * x;
      w2 += w * x * x;
    }
  }
  const wald = (estimate: number, variance: number): Interval | null =>
    variance > 0 && Number.isFinite(variance) ? { lower: estimate - z975 * Math.sqrt(variance), upper: estimate + z975 * Math.sqrt(variance) } : null;
  return {
    intercept: inTheLarge?.intercept ?? null,
    slope: withSlope?.slope ?? null,
    interceptInterval: inTheLarge ? wald(inTheLarge.intercept, 1 / interceptInformation) : null,
    // The slope's variance: the (slope, slope) element of the inverse of [[w0, w1], [w1, w2]].
    slopeInterval: withSlope ? wald(withSlope.slope, w0 / (w0 * w2 - w1 * w1)) : null,
  };
}

/**
 * Maximum-likelihood logistic regression of y on x = logit(p) (fitLogistic, no penalty, x as given): both a and b when
 * `freeSlope`, otherwise a alone with b fixed at 1 (x as an offset). Started from (0, 1), the perfectly calibrated
 * answer. Unconverged (e.g. outcomes perfectly separated by x, where b runs off to infinity): null.
 */
function fitRecalibration(x: Float64Array, y: Uint8Array, freeSlope: boolean): { intercept: number; slope: number } | null {
  const fit = freeSlope
    ? fitLogistic([x], y, { ridge: 0, standardise: false, start: { intercept: 0, coefficients: [1] } })
    : fitLogistic([], y, { ridge: 0, offset: x, start: { intercept: 0, coefficients: [] } });
  return fit.converged ? { intercept: fit.intercept, slope: freeSlope ? fit.coefficients[0]! : 1 } : null;
}
