// PSI against a stored reference equals the PSI computed from the raw samples, and flags a real shift.
import { describe, expect, it } from 'vitest';
import { psiAgainstReference, referenceDistribution } from '../../models/driftCheck.ts';
import { populationStabilityIndex } from '../../models/populationStabilityIndex.ts';

const training = Float64Array.from({ length: 1000 }, (_, i) => (i % 100) / 100);
const shifted = Float64Array.from({ length: 1000 }, (_, i) => Math.min(0.99, (i % 100) / 100 + 0.3));
const counts = Float64Array.from({ length: 1000 }, (_, i) => (i < 800 ? 0 : i < 950 ? 1 : 3));

describe('drift against a stored reference', () => {
  it('matches the PSI of the raw samples, so a card need only keep bins and shares', () => {
    for (const actual of [training, shifted, counts]) {
      for (const expected of [training, counts]) {
        const direct = populationStabilityIndex(expected, actual).psi;
        expect(psiAgainstReference(referenceDistribution(expected), actual)).toBeCloseTo(direct, 12);
      }
    }
  });

  it('is near zero for the same distribution and large for a shift', () => {
    expect(psiAgainstReference(referenceDistribution(training), training)).toBeLessThan(1e-9);
    expect(psiAgainstReference(referenceDistribution(training), shifted)).toBeGreaterThan(0.2);
  });
});
