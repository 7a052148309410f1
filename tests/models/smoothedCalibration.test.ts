// Smoothed calibration (ICI, E50, E90, Emax, Brier skill) against hand-worked values and data drawn from known risks.
import { describe, expect, it } from 'vitest';
import { restrictedCubicSpline, smoothedCalibration } from '../../models/smoothedCalibration.ts';
import { seeded } from '../helpers/seeded.ts';

const logistic = (eta: number): number => 1 / (1 + Math.exp(-eta));
const logit = (p: number): number => Math.log(p / (1 - p));

/** Predictions with logit ~ Normal(-2.5, 1.2) (about 12% on average), outcomes drawn from truth(p). */
function simulate(n: number, seed: number, truth: (p: number) => number): { p: Float64Array; q: Float64Array; y: Uint8Array } {
  const random = seeded(seed);
  const p = new Float64Array(n);
  const q = new Float64Array(n);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    p[i] = logistic(-2.5 + 1.2 * normal);
    q[i] = truth(p[i]!);
    y[i] = random() < q[i]! ? 1 : 0;
  }
  return { p, q, y };
}

/** R's type-7 quantile, written out again here. */
function type7(values: Float64Array, q: number): number {
  const sorted = Float64Array.from(values).sort();
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return sorted[lo]! * (1 - (h - lo)) + sorted[hi]! * (h - lo);
}

function gapSummary(p: Float64Array, q: Float64Array): { mean: number; median: number; p90: number } {
  const gap = p.map((v, i) => Math.abs(v - q[i]!));
  return { mean: gap.reduce((s, v) => s + v, 0) / gap.length, median: type7(gap, 0.5), p90: type7(gap, 0.9) };
}

describe('restrictedCubicSpline: the rms basis', () => {
  it('matches values worked by hand for knots 0, 1, 2, 3', () => {
    // Column j: [(x - t_j)+^3 - (x - 2)+^3 (3 - t_j) + (x - 3)+^3 (2 - t_j)] / 3^2.
    // x = 2.5: [2.5^3 - 0.5^3 * 3] / 9 = 15.25 / 9 and [1.5^3 - 0.5^3 * 2] / 9 = 3.125 / 9.
    // x = 4: [64 - 8 * 3 + 1 * 2] / 9 = 42 / 9 and [27 - 8 * 2 + 1 * 1] / 9 = 12 / 9.
    const [first, second] = restrictedCubicSpline(Float64Array.of(-1, 0.5, 2.5, 4), [0, 1, 2, 3]);
    expect(Array.from(first!)).toEqual([0, expect.closeTo(0.125 / 9, 14), expect.closeTo(15.25 / 9, 14), expect.closeTo(42 / 9, 14)]);
    expect(Array.from(second!)).toEqual([0, 0, expect.closeTo(3.125 / 9, 14), expect.closeTo(12 / 9, 14)]);
  });

  it('agrees with the truncated-power formula on uneven knots and is linear beyond the last knot', () => {
    const knots = [-4.2, -3, -2.1, -0.7, 0.4];
    const plus3 = (u: number): number => (u > 0 ? u * u * u : 0);
    const x = Float64Array.of(-6, -4.2, -3.5, -2.5, -1, 0, 0.4, 1, 2, 3);
    const columns = restrictedCubicSpline(x, knots);
    expect(columns).toHaveLength(3);
    const t1 = knots[0]!;
    const tk1 = knots[3]!;
    const tk = knots[4]!;
    columns.forEach((column, j) => {
      const tj = knots[j]!;
      x.forEach((v, i) => {
        const expected = (plus3(v - tj) - (plus3(v - tk1) * (tk - tj)) / (tk - tk1) + (plus3(v - tk) * (tk1 - tj)) / (tk - tk1)) / (tk - t1) ** 2;
        expect(column[i]).toBeCloseTo(expected, 12);
      });
      // x = 1, 2, 3 are evenly spaced past the last knot: zero second difference.
      expect(column[7]! - 2 * column[8]! + column[9]!).toBeCloseTo(0, 9);
    });
  });

  it('refuses fewer than 3 knots or knots out of order', () => {
    expect(() => restrictedCubicSpline(Float64Array.of(1), [0, 1])).toThrow(/at least 3 knots/);
    expect(() => restrictedCubicSpline(Float64Array.of(1), [0, 2, 1])).toThrow(/strictly increasing/);
  });
});

describe('smoothedCalibration: data drawn from known risks', () => {
  it('finds perfectly calibrated predictions calibrated, and the Brier skill is 1 - Brier / (prev (1 - prev))', () => {
    const { p, y } = simulate(200_000, 11, (v) => v);
    const result = smoothedCalibration(p, y);
    expect(result.ici).toBeLessThan(0.01);
    expect(result.e90).toBeLessThan(0.01);
    expect(result.e50!).toBeLessThanOrEqual(result.e90!);
    expect(result.e90!).toBeLessThanOrEqual(result.emax!);
    let brier = 0;
    let events = 0;
    for (let i = 0; i < p.length; i++) {
      brier += (p[i]! - y[i]!) ** 2;
      events += y[i]!;
    }
    brier /= p.length;
    const prevalence = events / p.length;
    expect(result.brier_skill).toBeCloseTo(1 - brier / (prevalence * (1 - prevalence)), 12);
    expect(result.method).toMatch(/restricted cubic spline of logit\(p\).*4 knots at the 5%\/35%\/65%\/95%/);
  });

  it('places the knots at the type-7 quantiles of logit(p)', () => {
    const { p, y } = simulate(20_000, 5, (v) => v);
    const logits = p.map(logit);
    const expected = [0.1, 0.5, 0.9].map((q) => type7(logits, q).toPrecision(4)).join(', ');
    const result = smoothedCalibration(p, y, { knots: 3 });
    expect(result.method).toContain(`3 knots at the 10%/50%/90% type-7 quantiles of logit(p) (${expected})`);
  });

  it('measures over-prediction when the truth is p^2', () => {
    const { p, q, y } = simulate(200_000, 23, (v) => v * v);
    const truth = gapSummary(p, q);
    const result = smoothedCalibration(p, y);
    expect(truth.mean).toBeGreaterThan(0.05);
    expect(Math.abs(result.ici! - truth.mean)).toBeLessThan(0.005);
    expect(Math.abs(result.e50! - truth.median)).toBeLessThan(0.005);
    expect(Math.abs(result.e90! - truth.p90)).toBeLessThan(0.01);
  });

  it('measures predictions too extreme (logit q = 0.5 logit p) with 3, 4 and 5 knots', () => {
    const { p, q, y } = simulate(200_000, 31, (v) => logistic(0.5 * logit(v)));
    const truth = gapSummary(p, q);
    expect(truth.mean).toBeGreaterThan(0.05);
    for (const knots of [3, 4, 5]) {
      const result = smoothedCalibration(p, y, { knots });
      expect(result.method).toContain(`${knots} knots`);
      expect(Math.abs(result.ici! - truth.mean)).toBeLessThan(0.005);
      expect(Math.abs(result.e50! - truth.median)).toBeLessThan(0.005);
      expect(Math.abs(result.e90! - truth.p90)).toBeLessThan(0.01);
    }
  });

  it('follows miscalibration that bends in logit(p), where a straight recalibration line cannot', () => {
    // logit q = logit p + 0.8 sin(logit p + 2.5): on these rows the spline's ICI is within 0.002 of the truth,
    // the linear recalibration's (the spline switched off) 0.008 below it.
    const { p, q, y } = simulate(200_000, 41, (v) => logistic(logit(v) + 0.8 * Math.sin(logit(v) + 2.5)));
    const truth = gapSummary(p, q);
    const result = smoothedCalibration(p, y);
    expect(Math.abs(result.ici! - truth.mean)).toBeLessThan(0.004);
  });

  it('draws the curve at up to 20 quantiles of p, from the smallest prediction to the largest', () => {
    const { p, y } = simulate(100_000, 3, (v) => v * v);
    const { curve } = smoothedCalibration(p, y);
    expect(curve).toHaveLength(20);
    expect(curve[0]!.predicted).toBe(Math.min(...p));
    expect(curve[19]!.predicted).toBe(Math.max(...p));
    expect(curve[10]!.predicted).toBeCloseTo(type7(p, 10 / 19), 15);
    for (let m = 1; m < curve.length; m++) expect(curve[m]!.predicted).toBeGreaterThan(curve[m - 1]!.predicted);
    // Mid-range, the curve follows the truth q = p^2.
    const middle = curve[10]!;
    expect(Math.abs(middle.observed - middle.predicted ** 2)).toBeLessThan(0.005);
  });
});

describe('smoothedCalibration: ties, missing classes and bad input', () => {
  it('falls back to the recalibration in the large when every prediction is the same', () => {
    const p = new Float64Array(50).fill(0.2);
    const y = Uint8Array.from({ length: 50 }, (_, i) => (i % 5 === 0 || i % 7 === 0 ? 1 : 0));
    const rate = y.reduce((s, v) => s + v, 0) / 50;
    const result = smoothedCalibration(p, y);
    expect(result.method).toMatch(/logit\(p\) as an offset, the recalibration in the large \(every prediction is 0.2/);
    // The curve through one point is the event rate there.
    expect(result.ici).toBeCloseTo(Math.abs(0.2 - rate), 9);
    expect(result.e50).toBeCloseTo(Math.abs(0.2 - rate), 9);
    expect(result.emax).toBeCloseTo(Math.abs(0.2 - rate), 9);
    expect(result.curve).toEqual([{ predicted: 0.2, observed: expect.closeTo(rate, 9) }]);
  });

  it('with two distinct predictions, fits each group rate exactly (hand-worked ICI, E50, E90, Emax)', () => {
    // 10 people at 0.1 with 2 events (rate 0.2, gap 0.1); 10 at 0.3 with 3 events (rate 0.3, gap 0).
    // Gaps sorted: ten 0s then ten 0.1s. ICI 0.05; E50: h = 19 * 0.5 = 9.5, halfway from 0 to 0.1 = 0.05;
    // E90: h = 17.1, between two 0.1s = 0.1; Emax 0.1.
    const p = Float64Array.from({ length: 20 }, (_, i) => (i < 10 ? 0.1 : 0.3));
    const y = Uint8Array.from({ length: 20 }, (_, i) => (i < 2 || (i >= 10 && i < 13) ? 1 : 0));
    const result = smoothedCalibration(p, y);
    expect(result.method).toContain('linear logistic recalibration');
    expect(result.ici).toBeCloseTo(0.05, 9);
    expect(result.e50).toBeCloseTo(0.05, 9);
    expect(result.e90).toBeCloseTo(0.1, 9);
    expect(result.emax).toBeCloseTo(0.1, 9);
    expect(result.curve.map((point) => point.predicted)).toEqual([0.1, 0.3]);
  });

  it('gives no curve metrics (and no Brier skill) without events or without non-events', () => {
    const noEvents = smoothedCalibration(Float64Array.of(0.1, 0.2, 0.3), Uint8Array.of(0, 0, 0));
    expect(noEvents).toEqual({ method: expect.stringMatching(/no events/), ici: null, e50: null, e90: null, emax: null, brier_skill: null, curve: [] });
    const allEvents = smoothedCalibration(Float64Array.of(0.1, 0.2, 0.3), Uint8Array.of(1, 1, 1));
    expect(allEvents.method).toMatch(/no non-events/);
    expect([allEvents.ici, allEvents.e50, allEvents.e90, allEvents.emax, allEvents.brier_skill]).toEqual([null, null, null, null, null]);
  });

  it('gives no curve metrics, and says so, when the fit does not converge (outcomes separated by p)', () => {
    const p = Float64Array.of(0.1, 0.2, 0.3, 0.7, 0.8, 0.9);
    const y = Uint8Array.of(0, 0, 0, 1, 1, 1);
    const result = smoothedCalibration(p, y);
    expect(result.method).toMatch(/^no smoothed calibration curve: logistic regression .* did not converge in \d+ iterations$/);
    expect([result.ici, result.e50, result.e90, result.emax]).toEqual([null, null, null, null]);
    expect(result.curve).toEqual([]);
    // The Brier skill needs no curve: Brier = (0.01 + 0.04 + 0.09) * 2 / 6, prevalence 1/2.
    expect(result.brier_skill).toBeCloseTo(1 - 0.28 / 6 / 0.25, 12);
  });

  it('handles one prediction', () => {
    const result = smoothedCalibration(Float64Array.of(0.4), Uint8Array.of(1));
    expect(result.ici).toBeNull();
    expect(result.brier_skill).toBeNull();
    expect(result.curve).toEqual([]);
  });

  it('throws on bad input', () => {
    expect(() => smoothedCalibration(Float64Array.of(0.1, 0.2), Uint8Array.of(1))).toThrow('smoothedCalibration: 2 predictions but 1 observed outcomes');
    expect(() => smoothedCalibration(new Float64Array(0), new Uint8Array(0))).toThrow('smoothedCalibration: no predictions to evaluate');
    expect(() => smoothedCalibration(Float64Array.of(0.1, 1.2), Uint8Array.of(0, 1))).toThrow('prediction 1 is 1.2, not a probability in [0, 1]');
    expect(() => smoothedCalibration(Float64Array.of(0.1, NaN), Uint8Array.of(0, 1))).toThrow('prediction 1 is NaN');
    expect(() => smoothedCalibration(Float64Array.of(0.1, 0.2), Uint8Array.of(0, 2))).toThrow('observed outcome 1 is 2, not 0 or 1');
    expect(() => smoothedCalibration(Float64Array.of(0.1, 0.2), Uint8Array.of(0, 1), { knots: 6 })).toThrow('knots must be 3, 4 or 5, got 6');
  });
});
