// Drift: each model card keeps the distribution of its score and key features on its training rows
// (quantile bins); every run compares today's distributions with them by the population stability index.
import { populationStabilityIndex } from './populationStabilityIndex.ts';

export interface ReferenceDistribution {
  /** Inclusive upper edges of every bin but the last (which is open above). */
  upper_edges: number[];
  shares: number[];
}

/** Columns whose distribution each run compares with the training rows, besides the score itself. */
export const driftFeatures = [
  'age', 'ltc_count', 'emergency_admissions_12m', 'ae_attendances_12m', 'frailty_score', 'distinct_medicines_6m',
] as const;

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
  const counts = new Float64Array(reference.shares.length);
  const edges = reference.upper_edges;
  for (let i = 0; i < actual.length; i++) {
    const v = actual[i]!;
    let lo = 0;
    let hi = edges.length; // the bin is the first whose upper edge is >= v
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (v <= edges[mid]!) hi = mid;
      else lo = mid + 1;
    }
    counts[lo]!++;
  }
  let psi = 0;
  for (let b = 0; b < counts.length; b++) {
    const expected = Math.max(reference.shares[b]!, epsilon);
    const observed = Math.max(counts[b]! / actual.length, epsilon);
    psi += (observed - expected) * Math.log(observed / expected);
  }
  return psi;
}

/** PSI above this is worth a warning (issue 4: warn when any PSI exceeds 0.2). */
export const driftWarningPsi = 0.2;
