import { describe, expect, it } from 'vitest';
import { funnelGrid, funnelLimits } from '../../reports/funnelLimits.ts';

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
