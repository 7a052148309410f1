// Smoothed (flexible) calibration of a binary risk model for TRIPOD+AI reporting: beside evaluatePredictions'
// calibration intercept, slope and deciles, the ICI, E50, E90 and Emax of Austin & Steyerberg (Stat Med 2019) and the
// Brier skill score. Pure and deterministic; no DB. Full precision is kept: rounding belongs to whoever presents it.
//
// The curve is not loess (no well-kept library exists, and a hand-written one is not wanted): it is the "flexible
// calibration curve" of Van Calster et al. (J Clin Epidemiol 2016), a logistic regression of the outcome on a
// restricted cubic spline of logit(p), fitted by Strata's one logistic routine. Its basis adds k - 2 columns, so a
// million people take under two seconds, most of it in the fit.

import { fitLogistic } from './fitLogistic.ts';

export interface SmoothedCalibration {
  /** One sentence saying exactly how the curve was fitted (knots, clamp, fitter), or why there are no metrics. */
  method: string;
  /** Integrated calibration index: mean over people of |p_i - s_i|, s_i the smoothed observed risk at p_i. */
  ici: number | null;
  /** Median of |p_i - s_i| (type-7 quantile). */
  e50: number | null;
  /** 90th percentile of |p_i - s_i| (type-7 quantile). */
  e90: number | null;
  /** Maximum of |p_i - s_i|. */
  emax: number | null;
  /** 1 - Brier / (prevalence * (1 - prevalence)); null when the prevalence is 0 or 1. */
  brier_skill: number | null;
  /** The smoothed curve at about 20 points spread by quantile of p (for charts); empty when there is no curve. */
  curve: { predicted: number; observed: number }[];
}

export interface SmoothedCalibrationOptions {
  /** Knots asked for: 3, 4 or 5 (default 4), placed at Harrell's default quantiles of logit(p). */
  knots?: number;
  /**
   * Above this many people the curve is fitted on every m-th person by position (m the smallest whole number that
   * brings them under it), and read at everyone: a curve of at most 5 parameters is pinned down by 50,000 people,
   * and a validation year of 250,000 with its groups then costs a fifth as much. Default 50,000.
   */
  maxFitRows?: number;
}

const probabilityFloor = 1e-12;
const curvePoints = 20;

/** Harrell's default knot quantiles (rms::rcspline.eval), by number of knots. */
const knotQuantiles: { readonly [knots: number]: readonly number[] } = {
  3: [0.1, 0.5, 0.9],
  4: [0.05, 0.35, 0.65, 0.95],
  5: [0.05, 0.275, 0.5, 0.725, 0.95],
};

/**
 * Harrell's restricted cubic spline basis (the rms parameterisation, rcspline.eval with norm = 2): for knots
 * t_1 < ... < t_k, the k - 2 nonlinear columns
 *   (x - t_j)+^3 - (x - t_{k-1})+^3 (t_k - t_j) / (t_k - t_{k-1}) + (x - t_k)+^3 (t_{k-1} - t_j) / (t_k - t_{k-1}),
 * each divided by (t_k - t_1)^2 so that it is on the scale of x; j = 1 .. k - 2. Linear beyond the outer knots.
 * The linear term x itself is not included. Knots must be strictly increasing.
 */
export function restrictedCubicSpline(x: Float64Array, knots: readonly number[]): Float64Array[] {
  const k = knots.length;
  if (k < 3) throw new Error(`restrictedCubicSpline: need at least 3 knots, got ${k}`);
  for (let j = 1; j < k; j++) {
    if (!(knots[j]! > knots[j - 1]!)) throw new Error(`restrictedCubicSpline: knots must be strictly increasing, got ${knots.join(', ')}`);
  }
  const first = knots[0]!;
  const last = knots[k - 1]!;
  const penultimate = knots[k - 2]!;
  const norm = (last - first) * (last - first);
  const lastGap = last - penultimate;
  const columns: Float64Array[] = [];
  for (let j = 0; j < k - 2; j++) {
    const t = knots[j]!;
    const penultimateWeight = (last - t) / lastGap;
    const lastWeight = (penultimate - t) / lastGap;
    const column = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      let value = 0;
      if (v > t) value += cube(v - t);
      if (v > penultimate) value -= cube(v - penultimate) * penultimateWeight;
      if (v > last) value += cube(v - last) * lastWeight;
      column[i] = value / norm;
    }
    columns.push(column);
  }
  return columns;
}

function cube(v: number): number {
  return v * v * v;
}

/**
 * The smoothed calibration curve of `predicted` against `observed` (0/1) and the metrics read from it. Inputs are
 * validated as evaluatePredictions validates them.
 */
export function smoothedCalibration(predicted: Float64Array, observed: Uint8Array, options: SmoothedCalibrationOptions = {}): SmoothedCalibration {
  const knotsAsked = options.knots ?? 4;
  const quantilesForKnots = knotQuantiles[knotsAsked];
  if (!quantilesForKnots) throw new Error(`smoothedCalibration: knots must be 3, 4 or 5, got ${knotsAsked}`);
  const n = predicted.length;
  if (observed.length !== n) throw new Error(`smoothedCalibration: ${n} predictions but ${observed.length} observed outcomes`);
  if (n === 0) throw new Error('smoothedCalibration: no predictions to evaluate');

  let events = 0;
  let sumSquaredError = 0;
  const logitP = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const p = predicted[i]!;
    // Written so that NaN fails too.
    if (!(p >= 0 && p <= 1)) throw new Error(`smoothedCalibration: prediction ${i} is ${p}, not a probability in [0, 1]`);
    const y = observed[i]!;
    if (y > 1) throw new Error(`smoothedCalibration: observed outcome ${i} is ${y}, not 0 or 1`);
    events += y;
    sumSquaredError += (p - y) * (p - y);
    const clamped = Math.min(Math.max(p, probabilityFloor), 1 - probabilityFloor);
    logitP[i] = Math.log(clamped / (1 - clamped));
  }
  const prevalence = events / n;
  const brierSkill = events > 0 && events < n ? 1 - sumSquaredError / n / (prevalence * (1 - prevalence)) : null;
  const noCurve = (why: string): SmoothedCalibration => ({
    method: `no smoothed calibration curve: ${why}`,
    ici: null,
    e50: null,
    e90: null,
    emax: null,
    brier_skill: brierSkill,
    curve: [],
  });
  if (events === 0 || events === n) return noCurve(`the outcome has ${events === 0 ? 'no events' : 'no non-events'} among ${n} people`);

  const sortedLogit = Float64Array.from(logitP).sort();
  let distinctValues = 1;
  for (let i = 1; i < n; i++) if (sortedLogit[i] !== sortedLogit[i - 1]) distinctValues++;
  const knots: number[] = [];
  for (const q of quantilesForKnots) {
    const knot = quantileOfSorted(sortedLogit, q);
    if (knots.length === 0 || knot > knots[knots.length - 1]!) knots.push(knot);
  }
  // Under 3 distinct knots there is no spline; with fewer distinct logit(p) values than the spline's k parameters
  // the design is singular. Either way the curve is the logistic recalibration a + b logit(p). With a single
  // distinct value b cannot be estimated (and a constant column standardises to rounding noise), so logit(p) is an
  // offset and only a is fitted: the recalibration in the large, whose curve is the event rate.
  const useSpline = knots.length >= 3 && distinctValues >= knots.length;
  const oneValue = distinctValues === 1;
  const columns = oneValue ? [] : [logitP, ...(useSpline ? restrictedCubicSpline(logitP, knots) : [])];
  const maxFitRows = options.maxFitRows ?? defaultMaxFitRows;
  if (!Number.isInteger(maxFitRows) || maxFitRows < 1) throw new Error(`smoothedCalibration: maxFitRows must be a whole number of at least 1, got ${maxFitRows}`);
  const stride = Math.ceil(n / maxFitRows);
  const fitColumns = columns.map((column) => everyNth(column, stride));
  const fitObserved = everyNth(observed, stride);
  const fitEvents = fitObserved.reduce((sum, y) => sum + y, 0);
  if (fitEvents === 0 || fitEvents === fitObserved.length) {
    return noCurve(`every ${stride}th person of ${n}, the people the curve would be fitted on, has the same outcome`);
  }
  const fit = oneValue
    ? fitLogistic([], fitObserved, { ridge: 0, offset: everyNth(logitP, stride), start: { intercept: 0, coefficients: [] } })
    : fitLogistic(fitColumns, fitObserved, { ridge: 0, start: warmStart(fitColumns, fitObserved) });
  const slope = oneValue ? 1 : fit.coefficients[0]!;

  const knotText = knots.map((t) => t.toPrecision(4)).join(', ');
  const design = useSpline
    ? `a restricted cubic spline of logit(p) (Harrell's rms parameterisation) with ${knots.length} knots at the ` +
      `${quantilesForKnots.map((q) => `${q * 100}%`).join('/')} type-7 quantiles of logit(p) (${knotText})` +
      (knots.length < knotsAsked ? ', duplicate knots dropped' : '')
    : oneValue
      ? `an intercept with logit(p) as an offset, the recalibration in the large (every prediction is ${predicted[0]}, ` +
        `so there is no spline and no slope)`
      : `logit(p) alone, a linear logistic recalibration (${knots.length} distinct of ${knotsAsked} knots ` +
        `(${knotText}) and ${distinctValues} distinct logit(p) values, too few for a spline)`;
  const fitted = stride === 1 ? 'every person in the fit' : `fitted on every ${stride}th person by position (${fitObserved.length} of ${n}) and read at everyone`;
  const method =
    `logistic regression of the outcome on ${design}, p clamped to [1e-12, 1 - 1e-12], ` +
    `fitted by maximum likelihood (fitLogistic, ridge 0, columns standardised, ${fitted})`;
  if (!fit.converged) return noCurve(`${method} did not converge in ${fit.iterations} iterations`);

  const smoothed = (logit: number, basis: readonly number[]): number => {
    let eta = fit.intercept + slope * logit;
    for (let j = 0; j < basis.length; j++) eta += fit.coefficients[j + 1]! * basis[j]!;
    return 1 / (1 + Math.exp(-eta));
  };
  const absoluteError = new Float64Array(n);
  const basis = new Array<number>(Math.max(columns.length - 1, 0)).fill(0);
  let sumError = 0;
  let maxError = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 1; j < columns.length; j++) basis[j - 1] = columns[j]![i]!;
    const error = Math.abs(predicted[i]! - smoothed(logitP[i]!, basis));
    absoluteError[i] = error;
    sumError += error;
    if (error > maxError) maxError = error;
  }
  absoluteError.sort();

  // The curve at evenly spaced quantiles of p, from the smallest to the largest prediction, one point per distinct p.
  const sortedPredicted = Float64Array.from(predicted).sort();
  const curve: { predicted: number; observed: number }[] = [];
  for (let m = 0; m < curvePoints; m++) {
    const p = quantileOfSorted(sortedPredicted, m / (curvePoints - 1));
    if (curve.length > 0 && curve[curve.length - 1]!.predicted === p) continue;
    const clamped = Math.min(Math.max(p, probabilityFloor), 1 - probabilityFloor);
    const logit = Math.log(clamped / (1 - clamped));
    const pointBasis = useSpline ? restrictedCubicSpline(Float64Array.of(logit), knots).map((column) => column[0]!) : [];
    curve.push({ predicted: p, observed: smoothed(logit, pointBasis) });
  }

  return {
    method,
    ici: sumError / n,
    e50: quantileOfSorted(absoluteError, 0.5),
    e90: quantileOfSorted(absoluteError, 0.9),
    emax: maxError,
    brier_skill: brierSkill,
    curve,
  };
}

const defaultMaxFitRows = 50_000;

/** Every `stride`-th element from the first (all of them when stride is 1). */
function everyNth<T extends Float64Array | Uint8Array>(values: T, stride: number): T {
  if (stride === 1) return values;
  const out = new (values.constructor as { new (length: number): T })(Math.ceil(values.length / stride));
  for (let i = 0, j = 0; i < values.length; i += stride) out[j++] = values[i]!;
  return out;
}

/** Rows in the subsample that finds a starting point for a large fit. */
const warmStartRows = 32_768;

/**
 * Where the full fit starts. From the perfectly calibrated answer (s = p), a million people drawn from q = p^2 took 9
 * Newton iterations over every row (about 0.18 s each); from the fit to every m-th row (m chosen so that about 32,768
 * rows are used, 0.1 s), 6. Only the start changes: the answer is the maximum-likelihood fit to every row, to within
 * rounding. The subsample is by position, so the same input always gives the same start.
 */
function warmStart(columns: Float64Array[], observed: Uint8Array): { intercept: number; coefficients: number[] } {
  const calibrated = { intercept: 0, coefficients: columns.map((_, j) => (j === 0 ? 1 : 0)) };
  const n = observed.length;
  const stride = Math.floor(n / warmStartRows);
  if (stride < 2) return calibrated;
  const rows = Math.ceil(n / stride);
  const sampleColumns = columns.map((column) => {
    const sample = new Float64Array(rows);
    for (let r = 0; r < rows; r++) sample[r] = column[r * stride]!;
    return sample;
  });
  const sampleObserved = new Uint8Array(rows);
  let events = 0;
  for (let r = 0; r < rows; r++) events += sampleObserved[r] = observed[r * stride]!;
  if (events === 0 || events === rows) return calibrated;
  const fit = fitLogistic(sampleColumns, sampleObserved, { ridge: 0, start: calibrated, standardiseInPlace: true });
  return fit.converged ? { intercept: fit.intercept, coefficients: fit.coefficients } : calibrated;
}

/**
 * The type-7 quantile (R's default, as Austin & Steyerberg used): with h = (n - 1) q, the value at rank floor(h)
 * plus (h - floor(h)) of the gap to the next, ranks from 0 in ascending order.
 */
function quantileOfSorted(sorted: Float64Array, q: number): number {
  const h = (sorted.length - 1) * q;
  const below = Math.floor(h);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below]! + (h - below) * (sorted[above]! - sorted[below]!);
}
