// Ridge-penalised logistic regression by iteratively reweighted least squares (Newton's method).
// Deterministic: no random starts, no sampling here; columns are standardised for conditioning and
// the coefficients are returned on the original scale.

export interface LogisticFit {
  intercept: number;
  coefficients: number[];
  iterations: number;
  converged: boolean;
}

export interface FitOptions {
  /** L2 penalty on standardised coefficients (not the intercept). */
  ridge?: number;
  maxIterations?: number;
  tolerance?: number;
  /** Case weights (e.g. inverse sampling fractions); default 1. */
  weights?: Float64Array;
}

/** columns[j][i] is term j for row i; y[i] is 0 or 1. */
export function fitLogistic(columns: Float64Array[], y: Uint8Array, options: FitOptions = {}): LogisticFit {
  const n = y.length;
  const k = columns.length;
  const ridge = options.ridge ?? 1;
  const maxIterations = options.maxIterations ?? 50;
  const tolerance = options.tolerance ?? 1e-8;
  const caseWeight = options.weights ?? new Float64Array(n).fill(1);

  const means = columns.map((col) => weightedMean(col, caseWeight));
  const scales = columns.map((col, j) => {
    const sd = Math.sqrt(weightedMean(col.map((v) => (v - means[j]!) ** 2), caseWeight));
    return sd > 0 ? sd : 1;
  });
  const z = columns.map((col, j) => col.map((v) => (v - means[j]!) / scales[j]!));

  const p = k + 1; // intercept first
  let beta = new Float64Array(p);
  const eventRate = weightedMean(Float64Array.from(y), caseWeight);
  beta[0] = Math.log(eventRate / (1 - eventRate));
  let converged = false;
  let iterations = 0;
  for (; iterations < maxIterations && !converged; iterations++) {
    const hessian = new Float64Array(p * p);
    const gradient = new Float64Array(p);
    const row = new Float64Array(p);
    for (let i = 0; i < n; i++) {
      row[0] = 1;
      let eta = beta[0]!;
      for (let j = 0; j < k; j++) {
        const v = z[j]![i]!;
        row[j + 1] = v;
        eta += beta[j + 1]! * v;
      }
      const mu = 1 / (1 + Math.exp(-eta));
      const w = caseWeight[i]! * Math.max(mu * (1 - mu), 1e-12);
      const residual = caseWeight[i]! * (y[i]! - mu);
      for (let a = 0; a < p; a++) {
        const ra = row[a]!;
        gradient[a]! += ra * residual;
        const wa = w * ra;
        for (let b = 0; b <= a; b++) hessian[a * p + b]! += wa * row[b]!;
      }
    }
    for (let a = 0; a < p; a++) for (let b = 0; b < a; b++) hessian[b * p + a] = hessian[a * p + b]!;
    for (let a = 1; a < p; a++) {
      hessian[a * p + a]! += ridge;
      gradient[a]! -= ridge * beta[a]!;
    }
    const step = solveSymmetric(hessian, gradient, p);
    // Step halving: a full Newton step can overshoot on small or sparse data, so take the longest
    // step (1, 1/2, 1/4, ...) that does not lower the penalised log-likelihood.
    const current = penalisedLogLikelihood(beta, z, y, caseWeight, ridge);
    let scale = 1;
    let next = beta.map((b, a) => b + step[a]!);
    for (let halvings = 0; halvings < 30 && !(penalisedLogLikelihood(next, z, y, caseWeight, ridge) >= current - 1e-12); halvings++) {
      scale /= 2;
      next = beta.map((b, a) => b + scale * step[a]!);
    }
    const change = Math.max(...step.map((v) => Math.abs(v * scale)));
    beta = next;
    converged = change < tolerance;
  }
  if (!beta.every(Number.isFinite)) throw new Error('the logistic fit did not converge to finite coefficients');

  const coefficients = Array.from({ length: k }, (_, j) => beta[j + 1]! / scales[j]!);
  const intercept = beta[0]! - coefficients.reduce((sum, c, j) => sum + c * means[j]!, 0);
  return { intercept, coefficients, iterations, converged };
}

function penalisedLogLikelihood(beta: Float64Array, z: Float64Array[], y: Uint8Array, weights: Float64Array, ridge: number): number {
  let total = 0;
  for (let i = 0; i < y.length; i++) {
    let eta = beta[0]!;
    for (let j = 0; j < z.length; j++) eta += beta[j + 1]! * z[j]![i]!;
    // log(1 + e^eta) computed stably
    const softplus = eta > 0 ? eta + Math.log1p(Math.exp(-eta)) : Math.log1p(Math.exp(eta));
    total += weights[i]! * (y[i]! * eta - softplus);
  }
  let penalty = 0;
  for (let a = 1; a < beta.length; a++) penalty += beta[a]! * beta[a]!;
  return total - (ridge / 2) * penalty;
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
