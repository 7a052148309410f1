// Ridge-penalised logistic regression by iteratively reweighted least squares (Newton's method), optionally with an
// offset: Strata's one logistic routine, used for the models' fit and for both recalibrations (in the large, in
// models/fitModels.ts; calibration intercept and slope, in models/evaluatePredictions.ts). Deterministic: no random
// starts, no sampling here; columns are standardised for conditioning (unless asked not to) and the coefficients
// are returned on the original scale.

/** Rows per block of the Hessian accumulation: 60 columns of 1,024 doubles stay in a 512 KiB cache. */
const rowBlock = 1024;

export interface LogisticFit {
  intercept: number;
  coefficients: number[];
  iterations: number;
  converged: boolean;
  /** Terms (by index) a sign-constrained fit holds at 0; empty for an unconstrained fit. */
  heldAtZero: number[];
}

export interface FitOptions {
  /** L2 penalty on standardised coefficients (not the intercept); default 1. 0 for a maximum-likelihood fit. */
  ridge?: number;
  maxIterations?: number;
  /**
   * Converged once a full Newton step (not halved) moves no standardised coefficient by more than this; that step
   * is taken. Newton's method converges quadratically, so the answer is then within about tolerance^2 of the
   * optimum: with the default 1e-8, the maximum-likelihood answer to within rounding (a further iteration moves
   * nothing beyond the last digits). Steps this small are not tested against the log-likelihood, which cannot
   * resolve them (its rounding is larger than their gain); a halved step never counts as convergence.
   */
  tolerance?: number;
  /**
   * Added to every row's linear predictor with coefficient 1 (not fitted): e.g. logit(p) of existing predictions,
   * so that an intercept-only fit is a recalibration in the large.
   */
  offset?: Float64Array;
  /** Centre and scale the columns before fitting (default true). Off, the fit runs on the columns as given. */
  standardise?: boolean;
  /**
   * Where to start, on the original scale (a fit of the same terms on nearby data): Newton's method then
   * needs a few iterations instead of a dozen. Default: every coefficient 0, the intercept the logit of
   * the event rate (0 with an offset: the offset taken as the prediction). The answer is the same to within
   * rounding.
   */
  start?: { intercept: number; coefficients: readonly number[] };
  /** Case weights (e.g. inverse sampling fractions); default 1. */
  weights?: Float64Array;
  /** Overwrite `columns` with their standardised values instead of copying them (saves a copy of the design). */
  standardiseInPlace?: boolean;
  /** Per term: true when its coefficient must be 0 or above (a sign-constrained fit). */
  nonNegative?: readonly boolean[];
  /**
   * Sum the Hessian, gradient and linear predictor over the terms' non-zero values only (see SparseRows): the default
   * when under 35% of the values are non-zero. The answer is the same to rounding either way; false or true forces the
   * choice (tests).
   */
  sparseHessian?: boolean;
}

/** columns[j][i] is term j for row i; y[i] is 0 or 1. With `nonNegative`, the sign-constrained fit. */
export function fitLogistic(columns: Float64Array[], y: Uint8Array, options: FitOptions = {}): LogisticFit {
  const design = prepareDesign(columns, y, options);
  const start = startingPoint(design, options);
  if (options.nonNegative) return fitNonNegative(design, start, options.nonNegative, options);
  const result = newton(design, allFree(design.k), start, options);
  return onOriginalScale(design, result.beta, result.iterations, result.converged, []);
}

/**
 * The unconstrained fit and the sign-constrained one on one standardised copy of the design, the second started at
 * the first's optimum (where the active set is usually found in one or two steps).
 */
export function fitLogisticBothWays(
  columns: Float64Array[],
  y: Uint8Array,
  options: FitOptions & { nonNegative: readonly boolean[] },
): { unconstrained: LogisticFit; nonNegative: LogisticFit } {
  const design = prepareDesign(columns, y, options);
  const free = newton(design, allFree(design.k), startingPoint(design, options), options);
  const unconstrained = onOriginalScale(design, free.beta, free.iterations, free.converged, []);
  return { unconstrained, nonNegative: fitNonNegative(design, free.beta, options.nonNegative, options) };
}

/** The standardised design: a column of ones (the intercept) first, then each term centred and scaled. */
interface Design {
  n: number;
  k: number;
  columns: Float64Array[];
  y: Uint8Array;
  caseWeight: Float64Array;
  means: number[];
  scales: number[];
  ridge: number;
  /** Added to every row's linear predictor (zeros without an offset). */
  offset: Float64Array;
  /** The terms as given (before centring and scaling), row by row, zeros left out; null when too few are zero. */
  sparse: SparseRows | null;
}

/**
 * The design's terms row by row, only the non-zero ones (compressed sparse rows): row i's entries are
 * term[start[i]..start[i+1]) with value[...], terms in increasing order. Most terms (conditions, activity counts,
 * interactions) are 0 for most people, so the Hessian's sums over these are a few dozen products a row rather than
 * thousands; centring (which makes every value non-zero) is applied to the sums afterwards.
 */
interface SparseRows {
  start: Int32Array;
  term: Int32Array;
  value: Float64Array;
}

/** Below this share of non-zero values the Hessian is summed over the sparse rows. */
const sparseShare = 0.35;

function sparseRows(columns: readonly Float64Array[], n: number, choice: boolean | undefined): SparseRows | null {
  if (choice === false || columns.length === 0) return null;
  let nonZero = 0;
  for (const column of columns) for (let i = 0; i < n; i++) if (column[i] !== 0) nonZero++;
  if (choice === undefined && nonZero > sparseShare * n * columns.length) return null;
  const start = new Int32Array(n + 1);
  for (const column of columns) for (let i = 0; i < n; i++) if (column[i] !== 0) start[i + 1]!++;
  for (let i = 0; i < n; i++) start[i + 1]! += start[i]!;
  const next = Int32Array.from(start.subarray(0, n));
  const term = new Int32Array(nonZero);
  const value = new Float64Array(nonZero);
  columns.forEach((column, j) => {
    for (let i = 0; i < n; i++) {
      const v = column[i]!;
      if (v === 0) continue;
      const at = next[i]!++;
      term[at] = j;
      value[at] = v;
    }
  });
  return { start, term, value };
}

function prepareDesign(columns: Float64Array[], y: Uint8Array, options: FitOptions): Design {
  const n = y.length;
  const caseWeight = options.weights ?? new Float64Array(n).fill(1);
  if (options.offset && options.offset.length !== n) throw new Error(`fitLogistic: the offset has ${options.offset.length} rows for ${n} outcomes`);
  const offset = options.offset ?? new Float64Array(n);
  const standardise = options.standardise ?? true;
  const means = columns.map((col) => (standardise ? weightedMean(col, caseWeight) : 0));
  const scales = columns.map((col, j) => {
    if (!standardise) return 1;
    const sd = Math.sqrt(weightedMean(col.map((v) => (v - means[j]!) ** 2), caseWeight));
    return sd > 0 ? sd : 1;
  });
  // Taken before standardising, which may overwrite the columns.
  const sparse = sparseRows(columns, n, options.sparseHessian);
  const z = columns.map((col, j) => {
    const out = options.standardiseInPlace ? col : new Float64Array(col.length);
    for (let i = 0; i < col.length; i++) out[i] = (col[i]! - means[j]!) / scales[j]!;
    return out;
  });
  return { n, k: columns.length, columns: [new Float64Array(n).fill(1), ...z], y, caseWeight, means, scales, ridge: options.ridge ?? 1, offset, sparse };
}

/** Where Newton's method starts, on the standardised scale (intercept first). */
function startingPoint(design: Design, options: FitOptions): Float64Array {
  const beta = new Float64Array(design.k + 1);
  const { start } = options;
  if (start && start.coefficients.length === design.k && [start.intercept, ...start.coefficients].every(Number.isFinite)) {
    // On the standardised scale: b_j = c_j * scale_j, and the intercept absorbs the means.
    beta[0] = start.intercept + start.coefficients.reduce((sum, c, j) => sum + c * design.means[j]!, 0);
    for (let j = 0; j < design.k; j++) beta[j + 1] = start.coefficients[j]! * design.scales[j]!;
  } else if (!options.offset) {
    const eventRate = weightedMean(Float64Array.from(design.y), design.caseWeight);
    beta[0] = Math.log(eventRate / (1 - eventRate));
  }
  return beta;
}

function allFree(k: number): boolean[] {
  return new Array<boolean>(k).fill(true);
}

function onOriginalScale(design: Design, beta: Float64Array, iterations: number, converged: boolean, heldAtZero: number[]): LogisticFit {
  if (!beta.every(Number.isFinite)) throw new Error('the logistic fit did not converge to finite coefficients');
  const coefficients = Array.from({ length: design.k }, (_, j) => beta[j + 1]! / design.scales[j]!);
  const intercept = beta[0]! - coefficients.reduce((sum, c, j) => sum + c * design.means[j]!, 0);
  return { intercept, coefficients, iterations, converged, heldAtZero };
}

/**
 * The penalised maximum-likelihood fit with every `nonNegative` coefficient at 0 or above, by an active set: fit, hold
 * every constrained coefficient that came out negative at 0 and refit; when none is negative, free the held one whose
 * likelihood gradient says it would rise above 0 (the Karush-Kuhn-Tucker condition fails), and go on until none
 * would. Scaling by a positive standard deviation keeps every sign, so the constraint holds on both scales.
 */
function fitNonNegative(design: Design, start: Float64Array, nonNegative: readonly boolean[], options: FitOptions): LogisticFit {
  if (nonNegative.length !== design.k) throw new Error(`fitLogistic: nonNegative has ${nonNegative.length} flags for ${design.k} terms`);
  // From a fit of the same terms (a warm start), a constrained term that is negative there, or held at 0, starts held:
  // the active set is then usually right at once. From a cold start every term starts free.
  const warm = start.some((b, a) => a > 0 && b !== 0);
  const free = nonNegative.map((constrained, j) => !(warm && constrained && start[j + 1]! <= 0));
  let beta: Float64Array = Float64Array.from(start);
  for (let j = 0; j < design.k; j++) {
    if (!free[j]) beta[j + 1] = 0;
  }
  let iterations = 0;
  let converged = false;
  // Each pass either holds more coefficients at 0 or frees one that the gradient says must rise: a few passes in
  // practice; the bound only stops a cycle that rounding could cause.
  for (let pass = 0; pass < 3 * design.k + 3; pass++) {
    const result = newton(design, free, beta, options);
    beta = result.beta;
    iterations += result.iterations;
    converged = result.converged;
    const negative = nonNegative.flatMap((constrained, j) => (constrained && free[j] && beta[j + 1]! < 0 ? [j] : []));
    if (negative.length > 0) {
      for (const j of negative) {
        free[j] = false;
        beta[j + 1] = 0;
      }
      continue;
    }
    const gradient = likelihoodGradient(design, beta);
    const tolerance = 1e-7 * design.n;
    let release = -1;
    for (let j = 0; j < design.k; j++) {
      if (!free[j] && gradient[j + 1]! > tolerance && (release < 0 || gradient[j + 1]! > gradient[release + 1]!)) release = j;
    }
    if (release < 0) break;
    free[release] = true;
  }
  const heldAtZero = free.flatMap((isFree, j) => (isFree ? [] : [j]));
  return onOriginalScale(design, beta, iterations, converged, heldAtZero);
}

/**
 * Newton's method (IRLS) on the free columns, from `start` (full length; held coefficients stay as given, which is 0).
 */
function newton(design: Design, free: readonly boolean[], start: Float64Array, options: FitOptions): { beta: Float64Array; iterations: number; converged: boolean } {
  const maxIterations = options.maxIterations ?? 50;
  const tolerance = options.tolerance ?? 1e-8;
  const { n, y, caseWeight, ridge } = design;
  // Positions in the full coefficient vector of the intercept and of each free term.
  const positions = [0, ...free.flatMap((isFree, j) => (isFree ? [j + 1] : []))];
  const columns = positions.map((a) => design.columns[a]!);
  const p = positions.length;
  let beta = Float64Array.from(positions, (a) => start[a]!);
  // The offset and the held coefficients' part of the linear predictor: fixed during these iterations.
  const heldPart = Float64Array.from(design.offset);
  for (let j = 0; j < design.k; j++) {
    const b = start[j + 1]!;
    if (free[j] || b === 0) continue;
    const column = design.columns[j + 1]!;
    for (let i = 0; i < n; i++) heldPart[i]! += b * column[i]!;
  }

  let converged = false;
  let iterations = 0;
  // The design is walked column by column (the intercept as a column of ones) rather than row by row: each
  // sum still adds its terms in row order, but the inner loops run over contiguous typed arrays.
  const eta = new Float64Array(n);
  const w = new Float64Array(n);
  const residual = new Float64Array(n);
  const weighted = new Float64Array(n);
  const trial = new Float64Array(n);
  // The linear predictor of the free columns' coefficients: over the non-zero values only when the design is sparse.
  const predict = (coefficients: Float64Array, out: Float64Array): Float64Array =>
    design.sparse ? sparseLinearPredictor(design, design.sparse, positions, coefficients, heldPart, out) : linearPredictor(coefficients, columns, heldPart, out);
  for (; iterations < maxIterations && !converged; iterations++) {
    const hessian = new Float64Array(p * p);
    const gradient = new Float64Array(p);
    predict(beta, eta);
    for (let i = 0; i < n; i++) {
      const mu = 1 / (1 + Math.exp(-eta[i]!));
      w[i] = caseWeight[i]! * Math.max(mu * (1 - mu), 1e-12);
      residual[i] = caseWeight[i]! * (y[i]! - mu);
    }
    if (design.sparse) {
      sparseHessianAndGradient(design, design.sparse, positions, w, residual, hessian, gradient);
    } else {
      denseHessianAndGradient(columns, w, residual, weighted, hessian, gradient);
    }
    for (let a = 0; a < p; a++) for (let b = 0; b < a; b++) hessian[b * p + a] = hessian[a * p + b]!;
    for (let a = 1; a < p; a++) {
      hessian[a * p + a]! += ridge;
      gradient[a]! -= ridge * beta[a]!;
    }
    const step = solveSymmetric(hessian, gradient, p);
    // A step that is not finite (a singular system, or a fit running off to infinity) ends the iterations unconverged.
    if (!step.every(Number.isFinite)) break;
    const largest = Math.max(...step.map(Math.abs));
    let next = beta.map((b, a) => b + step[a]!);
    let halved = false;
    if (largest >= tolerance) {
      // Step halving: a full Newton step can overshoot on small or sparse data, so take the longest step
      // (1, 1/2, 1/4, ...) that does not lower the penalised log-likelihood by more than its rounding (relative
      // 1e-12: a sum over many rows is no more exact than that, and a step whose gain is below it is not an overshoot).
      // eta is this iteration's predictor, of beta.
      const current = penalisedLogLikelihood(eta, beta, y, caseWeight, ridge);
      const slack = 1e-12 + 1e-12 * Math.abs(current);
      let scale = 1;
      for (let halvings = 0; halvings < 30 && !(penalisedLogLikelihood(predict(next, trial), next, y, caseWeight, ridge) >= current - slack); halvings++) {
        scale /= 2;
        halved = true;
        next = beta.map((b, a) => b + scale * step[a]!);
      }
    }
    beta = next;
    // Only a full step counts: a halved one says nothing about the distance to the optimum.
    converged = !halved && largest < tolerance;
  }
  const full = Float64Array.from(start);
  positions.forEach((a, index) => {
    full[a] = beta[index]!;
  });
  return { beta: full, iterations, converged };
}


/**
 * The Hessian's lower triangle (X'WX on the standardised columns, intercept first) and the gradient X'r, summed
 * column by column over every row. Rows in blocks that stay in cache; every sum carries over from block to block,
 * so its terms are still added in row order. Four sums run side by side in the innermost loop.
 */
function denseHessianAndGradient(
  columns: readonly Float64Array[], w: Float64Array, residual: Float64Array, weighted: Float64Array, hessian: Float64Array, gradient: Float64Array,
): void {
  const n = w.length;
  const p = columns.length;
  for (let start = 0; start < n; start += rowBlock) {
    const end = Math.min(n, start + rowBlock);
    for (let a = 0; a < p; a++) {
      const columnA = columns[a]!;
      let g = gradient[a]!;
      for (let i = start; i < end; i++) {
        const ra = columnA[i]!;
        g += ra * residual[i]!;
        weighted[i] = w[i]! * ra;
      }
      gradient[a] = g;
      const rowA = a * p;
      let b = 0;
      for (; b + 3 <= a; b += 4) {
        const c0 = columns[b]!;
        const c1 = columns[b + 1]!;
        const c2 = columns[b + 2]!;
        const c3 = columns[b + 3]!;
        let h0 = hessian[rowA + b]!;
        let h1 = hessian[rowA + b + 1]!;
        let h2 = hessian[rowA + b + 2]!;
        let h3 = hessian[rowA + b + 3]!;
        for (let i = start; i < end; i++) {
          const wi = weighted[i]!;
          h0 += wi * c0[i]!;
          h1 += wi * c1[i]!;
          h2 += wi * c2[i]!;
          h3 += wi * c3[i]!;
        }
        hessian[rowA + b] = h0;
        hessian[rowA + b + 1] = h1;
        hessian[rowA + b + 2] = h2;
        hessian[rowA + b + 3] = h3;
      }
      for (; b <= a; b++) {
        const columnB = columns[b]!;
        let h = hessian[rowA + b]!;
        for (let i = start; i < end; i++) h += weighted[i]! * columnB[i]!;
        hessian[rowA + b] = h;
      }
    }
  }
}

/**
 * The same lower triangle and gradient from the sparse rows of the terms as given: the sums S0 = sum w,
 * S1_a = sum w x_a, S2_ab = sum w x_a x_b, R0 = sum r and R1_a = sum r x_a run over non-zero values only, and
 * centring and scaling follow from them:
 *   H_00 = S0, H_a0 = (S1_a - m_a S0) / s_a, H_ab = (S2_ab - m_a S1_b - m_b S1_a + m_a m_b S0) / (s_a s_b),
 *   g_0 = R0, g_a = (R1_a - m_a R0) / s_a,
 * which are sum w z_a z_b and sum r z_a for z = (x - m) / s, added in another order (equal to rounding).
 * `positions` are the intercept (0) and the free terms (term j at j + 1), in increasing order.
 */
function sparseHessianAndGradient(
  design: Design, sparse: SparseRows, positions: readonly number[], w: Float64Array, residual: Float64Array, hessian: Float64Array, gradient: Float64Array,
): void {
  const p = positions.length;
  const at = freeIndex(design.k, positions);
  const s1 = new Float64Array(p);
  const s2 = new Float64Array(p * p);
  const r1 = new Float64Array(p);
  let s0 = 0;
  let r0 = 0;
  const { start, term, value } = sparse;
  for (let i = 0; i < design.n; i++) {
    const wi = w[i]!;
    const ri = residual[i]!;
    s0 += wi;
    r0 += ri;
    const end = start[i + 1]!;
    for (let e = start[i]!; e < end; e++) {
      const a = at[term[e]!]!;
      if (a < 0) continue;
      const x = value[e]!;
      const wx = wi * x;
      s1[a]! += wx;
      r1[a]! += ri * x;
      const row = a * p;
      for (let f = start[i]!; f <= e; f++) {
        const b = at[term[f]!]!;
        if (b >= 0) s2[row + b]! += wx * value[f]!;
      }
    }
  }
  const mean = (a: number): number => design.means[positions[a]! - 1]!;
  const scale = (a: number): number => design.scales[positions[a]! - 1]!;
  hessian[0] = s0;
  gradient[0] = r0;
  for (let a = 1; a < p; a++) {
    const ma = mean(a);
    const sa = scale(a);
    hessian[a * p] = (s1[a]! - ma * s0) / sa;
    gradient[a] = (r1[a]! - ma * r0) / sa;
    for (let b = 1; b <= a; b++) {
      const mb = mean(b);
      hessian[a * p + b] = (s2[a * p + b]! - ma * s1[b]! - mb * s1[a]! + ma * mb * s0) / (sa * scale(b));
    }
  }
}

/**
 * eta = fixed + b_0 + sum_a b_a (x_a - m_a) / s_a over the free columns, as fixed + (b_0 - sum_a b_a m_a / s_a) +
 * sum_a (b_a / s_a) x_a over the non-zero values: the dense predictor to rounding.
 */
function sparseLinearPredictor(
  design: Design, sparse: SparseRows, positions: readonly number[], beta: Float64Array, fixed: Float64Array, eta: Float64Array,
): Float64Array {
  const at = freeIndex(design.k, positions);
  const perValue = new Float64Array(design.k);
  let constant = beta[0]!;
  for (let a = 1; a < positions.length; a++) {
    const j = positions[a]! - 1;
    perValue[j] = beta[a]! / design.scales[j]!;
    constant -= perValue[j]! * design.means[j]!;
  }
  const { start, term, value } = sparse;
  for (let i = 0; i < design.n; i++) {
    let sum = fixed[i]! + constant;
    const end = start[i + 1]!;
    for (let e = start[i]!; e < end; e++) {
      const j = term[e]!;
      if (at[j]! >= 0) sum += perValue[j]! * value[e]!;
    }
    eta[i] = sum;
  }
  return eta;
}

/** For each term, its index among `positions` (intercept first), or -1 when it is held. */
function freeIndex(k: number, positions: readonly number[]): Int32Array {
  const at = new Int32Array(k).fill(-1);
  positions.forEach((position, index) => {
    if (position > 0) at[position - 1] = index;
  });
  return at;
}

/** d(log-likelihood)/d(beta_a) for every column at `beta` (the ridge term is 0 for a coefficient held at 0). */
function likelihoodGradient(design: Design, beta: Float64Array): Float64Array {
  const eta = linearPredictor(beta, design.columns, design.offset, new Float64Array(design.n));
  const residual = new Float64Array(design.n);
  for (let i = 0; i < design.n; i++) residual[i] = design.caseWeight[i]! * (design.y[i]! - 1 / (1 + Math.exp(-eta[i]!)));
  return Float64Array.from(design.columns, (column) => {
    let g = 0;
    for (let i = 0; i < design.n; i++) g += column[i]! * residual[i]!;
    return g;
  });
}

/** At the linear predictor `eta` of the coefficients `beta`. */
function penalisedLogLikelihood(eta: Float64Array, beta: Float64Array, y: Uint8Array, weights: Float64Array, ridge: number): number {
  let total = 0;
  for (let i = 0; i < y.length; i++) {
    const e = eta[i]!;
    // log(1 + e^eta) computed stably
    const softplus = e > 0 ? e + Math.log1p(Math.exp(-e)) : Math.log1p(Math.exp(e));
    total += weights[i]! * (y[i]! * e - softplus);
  }
  let penalty = 0;
  for (let a = 1; a < beta.length; a++) penalty += beta[a]! * beta[a]!;
  return total - (ridge / 2) * penalty;
}

/** eta[i] = fixed[i] + beta0 * 1 + beta1 * column1[i] + ..., added in that order for every row. */
function linearPredictor(beta: Float64Array, columns: Float64Array[], fixed: Float64Array, eta: Float64Array): Float64Array {
  eta.set(fixed);
  for (let a = 0; a < columns.length; a++) {
    const column = columns[a]!;
    const coefficient = beta[a]!;
    for (let i = 0; i < eta.length; i++) eta[i]! += coefficient * column[i]!;
  }
  return eta;
}

function weightedMean(values: Float64Array, weights: Float64Array): number {
  let sum = 0;
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    sum += values[i]! * weights[i]!;
    total += weights[i]!;
  }
  return total > 0 ? sum / total : 0;
}

/** Solves A x = b for symmetric positive-definite A (row-major, size p) by Cholesky decomposition. */
function solveSymmetric(a: Float64Array, b: Float64Array, p: number): Float64Array {
  const l = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * p + j]!;
      for (let m = 0; m < j; m++) sum -= l[i * p + m]! * l[j * p + m]!;
      if (i === j) l[i * p + i] = Math.sqrt(Math.max(sum, 1e-12));
      else l[i * p + j] = sum / l[j * p + j]!;
    }
  }
  const y = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    let sum = b[i]!;
    for (let m = 0; m < i; m++) sum -= l[i * p + m]! * y[m]!;
    y[i] = sum / l[i * p + i]!;
  }
  const x = new Float64Array(p);
  for (let i = p - 1; i >= 0; i--) {
    let sum = y[i]!;
    for (let m = i + 1; m < p; m++) sum -= l[m * p + i]! * x[m]!;
    x[i] = sum / l[i * p + i]!;
  }
  return x;
}
