// Population stability index: quantile bins of the training distribution, hand-worked shifts and heavy ties.
import { describe, expect, it } from 'vitest';
import { interpretPsi, populationStabilityIndex, psiAgainstReference, referenceDistribution } from '../../models/populationStabilityIndex.ts';
import { seeded } from '../helpers/seeded.ts';


const zeroToNinetyNine = Float64Array.from({ length: 100 }, (_, i) => i);

describe('populationStabilityIndex', () => {
  it('is 0 for identical samples and small for two samples of one distribution', () => {
    const same = populationStabilityIndex(zeroToNinetyNine, zeroToNinetyNine);
    expect(same.psi).toBe(0);
    expect(same.bins).toHaveLength(10);
    expect(same.bins.every((b) => b.expected_share === 0.1 && b.actual_share === 0.1)).toBe(true);

    const random = seeded(5);
    const training = Float64Array.from({ length: 50_000 }, () => random());
    const scoring = Float64Array.from({ length: 50_000 }, () => random());
    expect(populationStabilityIndex(training, scoring).psi).toBeLessThan(0.005);
  });

  it('matches a hand-worked shift', () => {
    // Edges at 9, 19, ..., 89 give ten bins of 10% of `expected`. Actual puts 20%, 20%, then 10% four times, then
    // 5% four times in them: two bins give 0.1 ln 2 each and four give 0.05 ln 2 each, so PSI = 0.4 ln 2.
    const counts = [20, 20, 10, 10, 10, 10, 5, 5, 5, 5];
    const actual = Float64Array.from(counts.flatMap((count, bin) => Array.from({ length: count }, (_, k) => 10 * bin + (k % 10))));
    const result = populationStabilityIndex(zeroToNinetyNine, actual);
    expect(result.bins.map((b) => b.upper)).toEqual([9, 19, 29, 39, 49, 59, 69, 79, 89, Infinity]);
    expect(result.bins[0]!.lower).toBe(-Infinity);
    expect(result.bins.map((b) => b.actual_share)).toEqual(counts.map((c) => c / 100));
    expect(result.psi).toBeCloseTo(0.4 * Math.LN2, 12);
    expect(result.bins[0]!.contribution).toBeCloseTo(0.1 * Math.LN2, 12);
    expect(interpretPsi(result.psi)).toBe('major shift');
  });

  it('merges tied edges for a count that is 0 for 80% of people, leaving no bin empty', () => {
    const expected = Float64Array.from([...Array(800).fill(0), ...Array(100).fill(1), ...Array(50).fill(2), ...Array(30).fill(3), ...Array(20).fill(4)]);
    const actual = Float64Array.from([...Array(700).fill(0), ...Array(150).fill(1), ...Array(100).fill(2), ...Array(40).fill(7), ...Array(10).fill(-1)]);
    const result = populationStabilityIndex(expected, actual);
    expect(result.bins.map((b) => [b.lower, b.upper])).toEqual([[-Infinity, 0], [0, 1], [1, Infinity]]);
    expect(result.bins.map((b) => b.expected_share)).toEqual([0.8, 0.1, 0.1]);
    // -1 falls in the bottom bin, 7 (beyond anything in training) in the top one.
    expect(result.bins.map((b) => b.actual_share)).toEqual([0.71, 0.15, 0.14]);
    const byHand = [[0.8, 0.71], [0.1, 0.15], [0.1, 0.14]].reduce((sum, [e, a]) => sum + (a! - e!) * Math.log(a! / e!), 0);
    expect(result.psi).toBeCloseTo(byHand, 12);

    // An actual sample missing two bins entirely: the epsilon floor keeps every number finite.
    const allZero = populationStabilityIndex(expected, new Float64Array(500));
    expect(allZero.bins.map((b) => b.actual_share)).toEqual([1, 1e-4, 1e-4]);
    expect(allZero.bins.every((b) => Number.isFinite(b.contribution))).toBe(true);
    expect(Number.isFinite(allZero.psi)).toBe(true);
    expect(allZero.psi).toBeGreaterThan(0.25);

    // When the top quantile is also the largest value, the edge is dropped so the top bin is not empty.
    const mostlyOne = populationStabilityIndex(Float64Array.from([0, ...Array(9).fill(1)]), Float64Array.from([0, 1]));
    expect(mostlyOne.bins.map((b) => [b.upper, b.expected_share])).toEqual([[0, 0.1], [Infinity, 0.9]]);
    // A constant feature has one bin and cannot show a shift.
    expect(populationStabilityIndex(new Float64Array(10), Float64Array.of(3, 4)).bins).toHaveLength(1);
  });

  it('refuses empty samples, non-finite values and bad options', () => {
    expect(() => populationStabilityIndex(new Float64Array(0), zeroToNinetyNine)).toThrow(/expected has 0/);
    expect(() => populationStabilityIndex(zeroToNinetyNine, Float64Array.of(1, Number.NaN))).toThrow(/actual value 1 is NaN/);
    expect(() => populationStabilityIndex(zeroToNinetyNine, zeroToNinetyNine, { bins: 0 })).toThrow(/bins/);
    expect(() => populationStabilityIndex(zeroToNinetyNine, zeroToNinetyNine, { epsilon: 0 })).toThrow(/epsilon/);
  });
});

describe('interpretPsi', () => {
  it('uses the conventional 0.1 and 0.25 thresholds', () => {
    expect(interpretPsi(0)).toBe('stable');
    expect(interpretPsi(0.0999)).toBe('stable');
    expect(interpretPsi(0.1)).toBe('moderate shift');
    expect(interpretPsi(0.2499)).toBe('moderate shift');
    expect(interpretPsi(0.25)).toBe('major shift');
    expect(interpretPsi(3)).toBe('major shift');
    expect(() => interpretPsi(Number.NaN)).toThrow(/at least 0/);
    expect(() => interpretPsi(-0.1)).toThrow(/at least 0/);
  });
});

// PSI against a stored reference equals the PSI computed from the raw samples, and flags a real shift.
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
