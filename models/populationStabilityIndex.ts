// Population stability index: how far a feature's (or a score's) distribution in the scoring population has moved
// from the training population the model was fitted on. Pure and deterministic; no DB.
//
// Bins are quantiles of `expected` (the training distribution). Each bin is (lower, upper], the first open below and
// the last open above, so every value of either sample falls in exactly one bin. Every upper edge is itself a value
// of `expected`, and equal edges are merged, so a heavily tied feature (0 for 80% of people, say) gets fewer, wider
// bins rather than empty ones: no bin is empty in `expected`.
//
// A model card keeps only its training rows' bins and shares (referenceDistribution); each run's PSI is taken
// against them (psiAgainstReference), which equals the PSI of the raw samples. The run's drift step, which reads
// the scores and warns, is models/measureDrift.ts.

export interface PsiBin {
  /** Exclusive; -Infinity for the first bin (JSON.stringify writes it as null). */
  lower: number;
  /** Inclusive; Infinity for the last bin (JSON.stringify writes it as null). */
  upper: number;
  expected_share: number;
  actual_share: number;
  /** (actual_share - expected_share) × ln(actual_share / expected_share), both shares floored at epsilon. */
  contribution: number;
}

export interface PsiOptions {
  /** Number of quantile bins before merging tied edges. Default 10. */
  bins?: number;
  /** Floor for a bin's share, so an empty bin in either sample gives a large but finite contribution. Default 1e-4. */
  epsilon?: number;
}

export interface PopulationStability {
  psi: number;
  bins: PsiBin[];
}

export function populationStabilityIndex(
  expected: Float64Array,
  actual: Float64Array,
  options: PsiOptions = {},
): PopulationStability {
  const binCount = options.bins ?? 10;
  const epsilon = options.epsilon ?? 1e-4;
  if (!Number.isInteger(binCount) || binCount < 1) {
    throw new Error(`populationStabilityIndex: bins must be a whole number of at least 1, got ${binCount}`);
  }
  if (!(epsilon > 0 && epsilon < 1)) throw new Error(`populationStabilityIndex: epsilon must be in (0, 1), got ${epsilon}`);
  if (expected.length === 0 || actual.length === 0) {
    throw new Error(
      `populationStabilityIndex: both samples need values (expected has ${expected.length}, actual has ${actual.length})`,
    );
  }
  checkFinite(expected, 'expected');
  checkFinite(actual, 'actual');

  const sorted = Float64Array.from(expected).sort();
  const n = sorted.length;
  const largest = sorted[n - 1]!;
  // The j/bins quantile is the smallest value with at least that share of `expected` at or below it. An edge equal
  // to the largest value would leave the last bin empty, so it is dropped too.
  const edges: number[] = [];
  for (let j = 1; j < binCount; j++) {
    const edge = sorted[Math.ceil((j * n) / binCount) - 1]!;
    if (edge < largest && (edges.length === 0 || edge > edges[edges.length - 1]!)) edges.push(edge);
  }

  const expectedCounts = countByBin(expected, edges);
  const actualCounts = countByBin(actual, edges);
  const bins: PsiBin[] = [];
  let psi = 0;
  for (let b = 0; b <= edges.length; b++) {
    const expectedShare = Math.max(expectedCounts[b]! / expected.length, epsilon);
    const actualShare = Math.max(actualCounts[b]! / actual.length, epsilon);
    const contribution = (actualShare - expectedShare) * Math.log(actualShare / expectedShare);
    psi += contribution;
    bins.push({
      lower: b === 0 ? -Infinity : edges[b - 1]!,
      upper: b === edges.length ? Infinity : edges[b]!,
      expected_share: expectedShare,
      actual_share: actualShare,
      contribution,
    });
  }
  return { psi, bins };
}

/** A training distribution as a model card keeps it: its quantile bins and the share of rows in each. */
export interface ReferenceDistribution {
  /** Inclusive upper edges of every bin but the last (which is open above). */
  upper_edges: number[];
  shares: number[];
}

export function referenceDistribution(values: Float64Array, bins = 10): ReferenceDistribution {
  const { bins: quantileBins } = populationStabilityIndex(values, values, { bins });
  return {
    upper_edges: quantileBins.slice(0, -1).map((b) => b.upper),
    shares: quantileBins.map((b) => b.expected_share),
  };
}

/** PSI of `actual` against a stored reference, with the same (lower, upper] bins. */
export function psiAgainstReference(reference: ReferenceDistribution, actual: Float64Array, epsilon = 1e-4): number {
  if (actual.length === 0) throw new Error('psiAgainstReference: no values to compare');
  const counts = countByBin(actual, reference.upper_edges);
  let psi = 0;
  for (let b = 0; b < counts.length; b++) {
    const expected = Math.max(reference.shares[b]!, epsilon);
    const observed = Math.max(counts[b]! / actual.length, epsilon);
    psi += (observed - expected) * Math.log(observed / expected);
  }
  return psi;
}

export type PsiInterpretation = 'stable' | 'moderate shift' | 'major shift';

/**
 * The conventional credit-scoring rule of thumb: below 0.1 no significant change, 0.1 to 0.25 a moderate shift worth
 * investigating, 0.25 or more a major shift (Siddiqi N. Credit Risk Scorecards: Developing and Implementing
 * Intelligent Credit Scoring. Wiley, 2006). These are conventions, not tests: the PSI of sampling noise alone grows with the
 * number of bins and shrinks as the samples grow (Yurdakul B. Statistical properties of population stability index. PhD thesis, Western
 * Michigan University, 2018).
 */
export function interpretPsi(psi: number): PsiInterpretation {
  if (!(psi >= 0)) throw new Error(`interpretPsi: a PSI is a number of at least 0, got ${psi}`);
  if (psi < 0.1) return 'stable';
  if (psi < 0.25) return 'moderate shift';
  return 'major shift';
}

function checkFinite(values: Float64Array, name: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) throw new Error(`populationStabilityIndex: ${name} value ${i} is ${values[i]}`);
  }
}

/** Counts per bin (lower, upper] by binary search over the ascending edges. */
function countByBin(values: Float64Array, edges: readonly number[]): Float64Array {
  const counts = new Float64Array(edges.length + 1);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    let low = 0;
    let high = edges.length;
    // The first edge at or above v closes v's bin; past the last edge, v is in the open top bin.
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (edges[mid]! < v) low = mid + 1;
      else high = mid;
    }
    counts[low]!++;
  }
  return counts;
}
