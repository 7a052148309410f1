// The logistic fit recovers known coefficients from data drawn from a known model, deterministically.
import { describe, expect, it } from 'vitest';
import { fitLogistic, fitLogisticBothWays, type LogisticFit } from '../../models/fitLogistic.ts';
import { seeded } from '../helpers/seeded.ts';


function simulate(n: number, seed: number) {
  const random = seeded(seed);
  const x1 = new Float64Array(n);
  const x2 = new Float64Array(n);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    x1[i] = random() * 4;
    x2[i] = random() < 0.3 ? 1 : 0;
    const eta = -3 + 0.8 * x1[i]! + 1.2 * x2[i]!;
    y[i] = random() < 1 / (1 + Math.exp(-eta)) ? 1 : 0;
  }
  return { x1, x2, y };
}

describe('fitLogistic', () => {
  it('recovers the coefficients of a known model', () => {
    const { x1, x2, y } = simulate(50_000, 7);
    const fit = fitLogistic([x1, x2], y, { ridge: 0 });
    expect(fit.converged).toBe(true);
    expect(fit.intercept).toBeCloseTo(-3, 1);
    expect(fit.coefficients[0]).toBeCloseTo(0.8, 1);
    expect(fit.coefficients[1]).toBeCloseTo(1.2, 1);
  });

  it('started from a nearby fit, reaches the same answer in fewer iterations', () => {
    const { x1, x2, y } = simulate(50_000, 13);
    const cold = fitLogistic([x1, x2], y, { ridge: 1 });
    const nearby = { intercept: cold.intercept + 0.3, coefficients: [cold.coefficients[0]! * 0.8, cold.coefficients[1]! * 1.3] };
    const warm = fitLogistic([x1, x2], y, { ridge: 1, start: nearby });
    expect(warm.converged).toBe(true);
    expect(warm.iterations).toBeLessThan(cold.iterations);
    expect(warm.intercept).toBeCloseTo(cold.intercept, 7);
    expect(warm.coefficients[0]).toBeCloseTo(cold.coefficients[0]!, 7);
    expect(warm.coefficients[1]).toBeCloseTo(cold.coefficients[1]!, 7);
    // A start of the wrong shape is ignored rather than trusted.
    expect(fitLogistic([x1, x2], y, { ridge: 1, start: { intercept: 0, coefficients: [1] } })).toEqual(cold);
  });

  it('gives the same answer with non-events sampled and re-weighted', () => {
    const { x1, x2, y } = simulate(50_000, 11);
    const keep: number[] = [];
    for (let i = 0; i < y.length; i++) if (y[i] === 1 || i % 4 === 0) keep.push(i);
    const pick = (a: Float64Array) => Float64Array.from(keep, (i) => a[i]!);
    const ySample = Uint8Array.from(keep, (i) => y[i]!);
    const weights = Float64Array.from(ySample, (v) => (v === 1 ? 1 : 4));
    const full = fitLogistic([x1, x2], y, { ridge: 0 });
    const sampled = fitLogistic([pick(x1), pick(x2)], ySample, { ridge: 0, weights });
    expect(sampled.coefficients[0]).toBeCloseTo(full.coefficients[0]!, 1);
    expect(sampled.intercept).toBeCloseTo(full.intercept, 1);
  });

  it('is deterministic and shrinks coefficients with a ridge penalty', () => {
    const { x1, x2, y } = simulate(5_000, 3);
    const a = fitLogistic([x1, x2], y, { ridge: 1 });
    const b = fitLogistic([x1, x2], y, { ridge: 1 });
    expect(a).toEqual(b);
    const heavy = fitLogistic([x1, x2], y, { ridge: 5_000 });
    expect(Math.abs(heavy.coefficients[0]!)).toBeLessThan(Math.abs(a.coefficients[0]!));
  });

  it('reproduces the event rate on the training data (calibration in the large)', () => {
    const { x1, x2, y } = simulate(20_000, 5);
    const fit = fitLogistic([x1, x2], y, { ridge: 0 });
    let predicted = 0;
    let observed = 0;
    for (let i = 0; i < y.length; i++) {
      predicted += 1 / (1 + Math.exp(-(fit.intercept + fit.coefficients[0]! * x1[i]! + fit.coefficients[1]! * x2[i]!)));
      observed += y[i]!;
    }
    expect(predicted / y.length).toBeCloseTo(observed / y.length, 6);
  });
});

describe('fitLogistic against a closed form', () => {
  it('with one binary covariate, the fit is logit(p0) and logit(p1) - logit(p0)', () => {
    // 200 people without the exposure (30 events) and 100 with it (40 events).
    const x = new Float64Array(300);
    const y = new Uint8Array(300);
    for (let i = 0; i < 300; i++) {
      x[i] = i < 200 ? 0 : 1;
      y[i] = (i < 200 && i < 30) || (i >= 200 && i < 240) ? 1 : 0;
    }
    const logit = (p: number) => Math.log(p / (1 - p));
    const fit = fitLogistic([x], y, { ridge: 0 });
    expect(fit.intercept).toBeCloseTo(logit(30 / 200), 9);
    expect(fit.coefficients[0]).toBeCloseTo(logit(40 / 100) - logit(30 / 200), 9);
  });

  it('converges on sparse data where a full Newton step would overshoot', () => {
    // A rare covariate seen only with events: the unpenalised fit runs off to infinity; the ridge keeps it finite.
    const x = Float64Array.from({ length: 500 }, (_, i) => (i < 3 ? 1 : 0));
    const y = Uint8Array.from({ length: 500 }, (_, i) => (i < 3 || i % 50 === 0 ? 1 : 0));
    const fit = fitLogistic([x], y, { ridge: 1 });
    expect(fit.converged).toBe(true);
    expect(Number.isFinite(fit.coefficients[0]!)).toBe(true);
  });
});

/**
 * Three correlated terms, one of which truly lowers the risk: x3 (-0.6), while x1 (+0.8) and x2 (+0.1, and
 * correlated with x3) raise it.
 */
function simulateWithANegativeTerm(n: number, seed: number) {
  const random = seeded(seed);
  const columns = [new Float64Array(n), new Float64Array(n), new Float64Array(n)];
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const x1 = random() * 3;
    const x3 = random() < 0.4 ? 1 : 0;
    const x2 = x3 === 1 && random() < 0.7 ? 1 : random() < 0.2 ? 1 : 0;
    columns[0]![i] = x1;
    columns[1]![i] = x2;
    columns[2]![i] = x3;
    const eta = -2.5 + 0.8 * x1 + 0.1 * x2 - 0.6 * x3;
    y[i] = random() < 1 / (1 + Math.exp(-eta)) ? 1 : 0;
  }
  return { columns, y };
}

function penalisedLogLikelihood(fit: LogisticFit, columns: Float64Array[], y: Uint8Array, ridge: number): number {
  let total = 0;
  for (let i = 0; i < y.length; i++) {
    let eta = fit.intercept;
    fit.coefficients.forEach((c, j) => { eta += c * columns[j]![i]!; });
    total += y[i]! * eta - Math.log1p(Math.exp(eta));
  }
  // The penalty is on the standardised scale: c_j * sd_j.
  const penalty = fit.coefficients.reduce((sum, c, j) => {
    const column = columns[j]!;
    const mean = column.reduce((a, v) => a + v, 0) / column.length;
    const sd = Math.sqrt(column.reduce((a, v) => a + (v - mean) ** 2, 0) / column.length);
    return sum + (c * sd) ** 2;
  }, 0);
  return total - (ridge / 2) * penalty;
}

describe('fitLogistic with non-negative terms', () => {
  it('holds a truly protective constrained term at 0 and refits the others, the best fit any feasible hold-set gives', () => {
    const { columns, y } = simulateWithANegativeTerm(40_000, 21);
    const nonNegative = [true, true, true];
    const free = fitLogistic(columns, y, { ridge: 1 });
    expect(free.coefficients[2]).toBeLessThan(-0.3);
    const constrained = fitLogistic(columns, y, { ridge: 1, nonNegative });
    expect(constrained.converged).toBe(true);
    expect(constrained.coefficients.every((c) => c >= 0)).toBe(true);
    expect(constrained.heldAtZero).toContain(2);
    expect(constrained.coefficients[2]).toBe(0);

    // Brute force, independent of the active set: every subset of terms held at 0, fitted unconstrained on the rest;
    // of the fits with no negative coefficient, the one with the highest penalised likelihood.
    let best: { fit: LogisticFit; value: number } | null = null;
    for (let mask = 0; mask < 8; mask++) {
      const kept = [0, 1, 2].filter((j) => !(mask & (1 << j)));
      const fit = fitLogistic(kept.map((j) => columns[j]!), y, { ridge: 1 });
      const coefficients = [0, 0, 0];
      kept.forEach((j, index) => { coefficients[j] = fit.coefficients[index]!; });
      if (coefficients.some((c) => c < 0)) continue;
      const full = { ...fit, coefficients };
      const value = penalisedLogLikelihood(full, columns, y, 1);
      if (best === null || value > best.value) best = { fit: full, value };
    }
    expect(best).not.toBeNull();
    expect(constrained.intercept).toBeCloseTo(best!.fit.intercept, 6);
    constrained.coefficients.forEach((c, j) => expect(c).toBeCloseTo(best!.fit.coefficients[j]!, 6));
  });

  it('changes nothing when no constrained coefficient would be negative, and leaves unconstrained terms free', () => {
    const { columns, y } = simulateWithANegativeTerm(20_000, 5);
    const free = fitLogistic(columns, y, { ridge: 1 });
    const onlyFirstTwo = fitLogistic(columns, y, { ridge: 1, nonNegative: [true, true, false] });
    expect(onlyFirstTwo.heldAtZero).toEqual([]);
    expect(onlyFirstTwo.coefficients[2]).toBeLessThan(0);
    onlyFirstTwo.coefficients.forEach((c, j) => expect(c).toBeCloseTo(free.coefficients[j]!, 7));
  });

  it('fits both ways on one design: the same fits as two separate calls', () => {
    const { columns, y } = simulateWithANegativeTerm(20_000, 8);
    const nonNegative = [true, true, true];
    const both = fitLogisticBothWays(columns.map((c) => Float64Array.from(c)), y, { ridge: 1, nonNegative });
    const free = fitLogistic(columns, y, { ridge: 1 });
    const constrained = fitLogistic(columns, y, { ridge: 1, nonNegative });
    expect(both.unconstrained).toEqual(free);
    expect(both.nonNegative.heldAtZero).toEqual(constrained.heldAtZero);
    both.nonNegative.coefficients.forEach((c, j) => expect(c).toBeCloseTo(constrained.coefficients[j]!, 7));
  });
});

describe('fitLogistic with an offset (the recalibrations)', () => {
  const logistic = (eta: number): number => 1 / (1 + Math.exp(-eta));

  it('fits an intercept alone, with an offset, that makes the mean predicted risk the observed rate to 1e-12', () => {
    const random = seeded(31);
    const n = 30_000;
    const offset = new Float64Array(n);
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      offset[i] = -3 + 2.5 * random();
      // Outcomes drawn 0.4 above the offset: the fit must find a shift near 0.4, and exactly the one that calibrates.
      y[i] = random() < logistic(offset[i]! + 0.4) ? 1 : 0;
    }
    const fit = fitLogistic([], y, { offset, ridge: 0, start: { intercept: 0, coefficients: [] } });
    expect(fit.converged).toBe(true);
    let predicted = 0;
    let observed = 0;
    for (let i = 0; i < n; i++) {
      predicted += logistic(offset[i]! + fit.intercept);
      observed += y[i]!;
    }
    expect(Math.abs(predicted / n - observed / n)).toBeLessThan(1e-12);
    expect(fit.intercept).toBeCloseTo(0.4, 1);
  });

  it('with a constant offset c, the intercept is logit(event rate) - c', () => {
    const y = Uint8Array.from({ length: 1_000 }, (_, i) => (i % 8 === 0 ? 1 : 0));
    const fit = fitLogistic([], y, { offset: new Float64Array(1_000).fill(-1.5), ridge: 0 });
    expect(Math.abs(fit.intercept - (Math.log(125 / 875) + 1.5))).toBeLessThan(1e-12);
  });

  it('converges fully: a fit started at its own answer stays there, and cold and warm starts agree to rounding', () => {
    const { x1, x2, y } = simulate(50_000, 13);
    const cold = fitLogistic([x1, x2], y, { ridge: 1 });
    const again = fitLogistic([x1, x2], y, { ridge: 1, start: cold });
    const nearby = { intercept: cold.intercept + 0.3, coefficients: [cold.coefficients[0]! * 0.8, cold.coefficients[1]! * 1.3] };
    const warm = fitLogistic([x1, x2], y, { ridge: 1, start: nearby });
    for (const other of [again, warm]) {
      expect(other.converged).toBe(true);
      expect(Math.abs(other.intercept - cold.intercept)).toBeLessThan(1e-12);
      other.coefficients.forEach((c, j) => expect(Math.abs(c - cold.coefficients[j]!)).toBeLessThan(1e-12));
    }
  });

  it('gives the same fit unstandardised as standardised', () => {
    const { x1, x2, y } = simulate(20_000, 3);
    const standardised = fitLogistic([x1, x2], y, { ridge: 0 });
    const raw = fitLogistic([x1, x2], y, { ridge: 0, standardise: false });
    expect(Math.abs(raw.intercept - standardised.intercept)).toBeLessThan(1e-12);
    raw.coefficients.forEach((c, j) => expect(Math.abs(c - standardised.coefficients[j]!)).toBeLessThan(1e-12));
  });

  it('rejects an offset whose length is not the number of outcomes', () => {
    expect(() => fitLogistic([], new Uint8Array(3), { offset: new Float64Array(2) })).toThrow(/offset/);
  });
});

describe('fitLogistic: the Hessian summed over non-zero values only', () => {
  /** Like Strata's features: a dense age, and many terms that are 0 for most people (flags, counts, products). */
  function sparseDesign(n: number, seed: number) {
    const random = seeded(seed);
    const terms = 24;
    const columns = Array.from({ length: terms }, () => new Float64Array(n));
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      columns[0]![i] = 20 + random() * 70;
      for (let j = 1; j < terms; j++) {
        const present = random() < 0.02 + 0.01 * (j % 5);
        columns[j]![i] = present ? (j % 3 === 0 ? 1 + Math.floor(random() * 4) : 1) : 0;
      }
      // Two interactions: products of a flag and age, and of two flags.
      columns[terms - 2]![i] = columns[1]![i]! * columns[0]![i]!;
      columns[terms - 1]![i] = columns[2]![i]! * columns[3]![i]!;
      let eta = -4 + 0.02 * (columns[0]![i]! - 50);
      for (let j = 1; j < terms - 2; j++) eta += (j % 4 === 0 ? -0.3 : 0.4) * columns[j]![i]!;
      y[i] = random() < 1 / (1 + Math.exp(-eta)) ? 1 : 0;
    }
    return { columns, y };
  }

  it('chooses itself on a sparse design and gives the dense fit to rounding: unconstrained, sign-constrained, weighted, unstandardised', () => {
    const { columns, y } = sparseDesign(40_000, 31);
    const nonNegative = columns.map((_column, j) => j > 0 && j % 4 === 0);
    const weights = Float64Array.from(y, (event, i) => (event ? 1 : 1 + (i % 3)));
    for (const options of [{ ridge: 1 }, { ridge: 0.5, nonNegative }, { ridge: 1, weights }, { ridge: 1, standardise: false }]) {
      const dense = fitLogistic(columns.map((c) => Float64Array.from(c)), y, { ...options, sparseHessian: false });
      const auto = fitLogistic(columns.map((c) => Float64Array.from(c)), y, options);
      const sparse = fitLogistic(columns.map((c) => Float64Array.from(c)), y, { ...options, sparseHessian: true });
      // Left to itself on this design (8% of values non-zero) it takes the sparse sums: the very same fit, bit for bit.
      expect(auto).toEqual(sparse);
      for (const fit of [auto, sparse]) {
        expect(fit.converged).toBe(true);
        expect(fit.heldAtZero).toEqual(dense.heldAtZero);
        expect(Math.abs(fit.intercept - dense.intercept)).toBeLessThan(1e-9);
        fit.coefficients.forEach((c, j) => expect(Math.abs(c - dense.coefficients[j]!), `term ${j}`).toBeLessThan(1e-9));
      }
    }
    // The sums run in another order, so the two ways differ in their last digits: the equality above tells them apart.
    const options = { ridge: 1 };
    expect(fitLogistic(columns, y, { ...options, sparseHessian: false })).not.toEqual(fitLogistic(columns, y, { ...options, sparseHessian: true }));
    // The constrained fit did hold some terms at 0, so the active set's sub-Hessians were exercised.
    expect(fitLogistic(columns, y, { ridge: 0.5, nonNegative }).heldAtZero.length).toBeGreaterThan(0);
  });

  it('is not used on a dense design unless asked, and gives the same fit when asked', () => {
    const { x1, x2, y } = simulate(20_000, 5);
    const dense = fitLogistic([x1, x2], y, { ridge: 1, sparseHessian: false });
    expect(fitLogistic([x1, x2], y, { ridge: 1 })).toEqual(dense);
    const forced = fitLogistic([x1, x2], y, { ridge: 1, sparseHessian: true });
    expect(Math.abs(forced.intercept - dense.intercept)).toBeLessThan(1e-9);
    forced.coefficients.forEach((c, j) => expect(Math.abs(c - dense.coefficients[j]!)).toBeLessThan(1e-9));
  });
});
