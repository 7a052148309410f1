import { describe, expect, it } from 'vitest';
import { estimateOverdispersion, funnelGrid, funnelLimits } from '../../reports/funnelLimits.ts';

// Normal approximation to the binomial, for a check where it is good (n p (1 - p) large).
const normalLimit = (p: number, n: number, z: number): number => p + z * Math.sqrt((p * (1 - p)) / n);

describe('funnelLimits', () => {
  it('matches the normal approximation for large groups', () => {
    const limits = funnelLimits(0.05, 10_000);
    expect(limits.upper95).toBeCloseTo(normalLimit(0.05, 10_000, 1.96), 3);
    expect(limits.lower95).toBeCloseTo(normalLimit(0.05, 10_000, -1.96), 3);
    expect(limits.upper998).toBeCloseTo(normalLimit(0.05, 10_000, 3.09), 3);
    expect(limits.lower998).toBeCloseTo(normalLimit(0.05, 10_000, -3.09), 3);
  });

  it('interpolates between binomial quantiles as Spiegelhalter (2005) does', () => {
    // Binomial(100, 0.5): P(X <= 59) = 0.9716, P(X <= 60) = 0.9824, so the 97.5% point is 60 - 0.685 = 59.32;
    // P(X <= 39) = 0.0176, P(X <= 40) = 0.0284, so the 2.5% point is 40 - 0.315 = 39.69.
    const limits = funnelLimits(0.5, 100);
    expect(limits.upper95).toBeCloseTo(0.5932, 3);
    expect(limits.lower95).toBeCloseTo(0.3969, 3);
  });

  it('narrows as groups grow, with the 99.8% limits outside the 95% limits', () => {
    let previous = funnelLimits(0.05, 50);
    for (const n of [100, 500, 2_000, 20_000]) {
      const limits = funnelLimits(0.05, n);
      expect(limits.upper95).toBeLessThan(previous.upper95);
      expect(limits.lower95).toBeGreaterThanOrEqual(previous.lower95);
      expect(limits.upper998).toBeGreaterThan(limits.upper95);
      expect(limits.lower998).toBeLessThanOrEqual(limits.lower95);
      previous = limits;
    }
  });

  it('stays within 0 and 1 for small groups and extreme targets', () => {
    for (const [p, n] of [[0.005, 10], [0.99, 12], [0, 40], [1, 40]] as const) {
      const limits = funnelLimits(p, n);
      for (const value of [limits.lower998, limits.lower95, limits.upper95, limits.upper998]) {
        expect(value).toBeGreaterThanOrEqual(0);
        expect(value).toBeLessThanOrEqual(1);
      }
    }
  });

  it('spreads grid sizes from the smallest to the largest group', () => {
    const grid = funnelGrid(20, 5_000, 40);
    expect(grid[0]).toBe(20);
    expect(grid[grid.length - 1]).toBe(5_000);
    expect([...grid].sort((a, b) => a - b)).toEqual(grid);
  });
});

describe('estimateOverdispersion (Spiegelhalter, Qual Saf Health Care 2005)', () => {
  // Six practices, 400 of 2,000 people in tiers 1-2, so the target is 0.2 and s_i = √(0.16 / n_i).
  const practices = [
    { n: 100, events: 10 }, // rate 0.10, s 0.04:     z = -0.10 / 0.04 = -2.5
    { n: 100, events: 30 }, // rate 0.30, s 0.04:     z = +2.5
    { n: 200, events: 40 }, // rate 0.20:             z = 0
    { n: 200, events: 50 }, // rate 0.25, s 0.028284: z = 0.05 / 0.028284 = 1.767767
    { n: 400, events: 64 }, // rate 0.16, s 0.02:     z = -0.04 / 0.02 = -2
    { n: 1000, events: 206 }, // rate 0.206, s 0.012649: z = 0.006 / 0.012649 = 0.474342
  ];
  // Sorted z: -2.5, -2, 0, 0.474342, 1.767767, 2.5. The 10% point sits at position (6 - 1) × 0.1 = 0.5:
  // -2.5 + 0.5 × 0.5 = -2.25. The 90% point at 4.5: 1.767767 + 0.5 × (2.5 - 1.767767) = 2.133883.
  // Winsorised z: -2.25, 2.133883, 0, 1.767767, -2, 0.474342; squares 5.0625, 4.553459, 0, 3.125, 4, 0.225,
  // summing to 16.965959, so phi = 16.965959 / 6 = 2.827660 and k phi = 16.97 > k - 1 = 5: over-dispersed.
  // w_i = n_i / 0.16 = 625, 625, 1250, 1250, 2500, 6250; Σw = 12,500; Σw² = 49,218,750; Σw²/Σw = 3,937.5.
  // tau² = (16.965959 - 5) / (12,500 - 3,937.5) = 11.965959 / 8,562.5 = 0.00139748; tau = 0.037383.
  it('matches a worked example computed by hand', () => {
    const estimate = estimateOverdispersion(0.2, practices);
    expect(estimate.groups).toBe(6);
    expect(estimate.phi).toBeCloseTo(2.82766, 5);
    expect(estimate.overdispersed).toBe(true);
    expect(estimate.tau2).toBeCloseTo(0.00139748, 8);
    expect(Math.sqrt(estimate.tau2)).toBeCloseTo(0.037383, 6);
  });

  it('widens the limits by tau²: target ± z √(s² + tau²)', () => {
    const { tau2 } = estimateOverdispersion(0.2, practices);
    // n = 400: s² = 0.16 / 400 = 0.0004; √(0.0004 + 0.00139748) = 0.0423967.
    const limits = funnelLimits(0.2, 400, tau2);
    expect(limits.upper95).toBeCloseTo(0.2 + 1.959964 * 0.0423967, 5); // 0.283096
    expect(limits.lower95).toBeCloseTo(0.2 - 1.959964 * 0.0423967, 5); // 0.116904
    expect(limits.lower998).toBeCloseTo(0.2 - 3.090232 * 0.0423967, 5); // 0.068984
    expect(limits.upper998).toBeCloseTo(0.2 + 3.090232 * 0.0423967, 5); // 0.331016
    // The widening stays as groups grow: the limits tend to target ± z tau, not to the target.
    const huge = funnelLimits(0.2, 10_000_000, tau2);
    expect(huge.upper95 - 0.2).toBeCloseTo(1.959964 * Math.sqrt(tau2), 4);
  });

  it('finds no over-dispersion when practices vary less than chance would make them, leaving the limits unchanged', () => {
    // z = -0.25, +0.25, 0, 0; the 10% and 90% points are -0.175 and +0.175 (positions 0.3 and 2.7 of 0-3), so
    // phi = (0.175² × 2) / 4 = 0.0153125 and k phi = 0.06 < k - 1 = 3.
    const estimate = estimateOverdispersion(0.2, [
      { n: 100, events: 19 },
      { n: 100, events: 21 },
      { n: 100, events: 20 },
      { n: 100, events: 20 },
    ]);
    expect(estimate.overdispersed).toBe(false);
    expect(estimate.tau2).toBe(0);
    expect(estimate.phi).toBeCloseTo(0.0153125, 10);
    expect(funnelLimits(0.2, 100, estimate.tau2)).toEqual(funnelLimits(0.2, 100));
  });

  it('estimates nothing from one practice', () => {
    expect(estimateOverdispersion(0.3, [{ n: 500, events: 150 }])).toEqual({ groups: 1, phi: 0, overdispersed: false, tau2: 0 });
  });

  it('leaves out a practice of size 0', () => {
    const withEmpty = estimateOverdispersion(0.2, [...practices, { n: 0, events: 0 }]);
    expect(withEmpty).toEqual(estimateOverdispersion(0.2, practices));
    expect(() => funnelLimits(0.2, 0)).toThrow(/whole number >= 1/);
  });

  it('finds no over-dispersion when every practice has the same rate', () => {
    const estimate = estimateOverdispersion(0.25, [
      { n: 40, events: 10 },
      { n: 400, events: 100 },
      { n: 4_000, events: 1_000 },
    ]);
    expect(estimate).toEqual({ groups: 3, phi: 0, overdispersed: false, tau2: 0 });
  });

  it('estimates nothing against a target of 0 or 1, and rejects impossible groups', () => {
    expect(estimateOverdispersion(0, [{ n: 10, events: 0 }, { n: 20, events: 0 }]).tau2).toBe(0);
    expect(estimateOverdispersion(1, [{ n: 10, events: 10 }, { n: 20, events: 20 }]).tau2).toBe(0);
    expect(() => estimateOverdispersion(0.2, [{ n: 10, events: 11 }])).toThrow(/events/);
    expect(() => funnelLimits(0.2, 10, -0.1)).toThrow(/tau²/);
  });
});
