// Fairness at the cut-off that decides who is listed (issue 16, part 1): error rates by group with exact intervals,
// AUROC intervals by DeLong's variance, and the false-negative-rate flag. Against hand-worked values, R's
// binom.test (Clopper-Pearson) and a brute-force count of every rate from its definition.
import { describe, expect, it } from 'vitest';
import { type CutoffErrors, evaluatePredictions } from '../../models/evaluatePredictions.ts';
import { clopperPearson } from '../../models/proportionInterval.ts';
import { smoothedCalibration } from '../../models/smoothedCalibration.ts';
import { seeded } from '../helpers/seeded.ts';

/** log of n choose k, summed exactly enough for n = 500. */
function logChoose(n: number, k: number): number {
  let total = 0;
  for (let i = 1; i <= k; i++) total += Math.log(n - k + i) - Math.log(i);
  return total;
}

describe('clopperPearson', () => {
  it("matches R's binom.test intervals at small n, and meets the definition at n = 500", () => {
    // binom.test(3, 10)$conf.int: 0.06673951 0.65245285; binom.test(0, 10): 0 0.3084971; binom.test(10, 10): 0.6915029 1
    const three = clopperPearson(3, 10)!;
    expect(three.value).toBe(0.3);
    expect(three.lower).toBeCloseTo(0.06673951, 7);
    expect(three.upper).toBeCloseTo(0.65245285, 7);
    expect(clopperPearson(0, 10)).toMatchObject({ value: 0, lower: 0 });
    expect(clopperPearson(0, 10)!.upper).toBeCloseTo(0.3084971, 6);
    expect(clopperPearson(10, 10)).toMatchObject({ value: 1, upper: 1 });
    expect(clopperPearson(10, 10)!.lower).toBeCloseTo(0.6915029, 6);
    // The defining property at larger n: at the lower limit P(X >= 45) = 2.5%, at the upper P(X <= 45) = 2.5%,
    // X ~ Binomial(500, limit), summed term by term here.
    const { lower, upper } = clopperPearson(45, 500)!;
    const pmf = (k: number, p: number) => Math.exp(logChoose(500, k) + k * Math.log(p) + (500 - k) * Math.log(1 - p));
    let atLeast = 0;
    for (let k = 45; k <= 500; k++) atLeast += pmf(k, lower);
    let atMost = 0;
    for (let k = 0; k <= 45; k++) atMost += pmf(k, upper);
    expect(atLeast).toBeCloseTo(0.025, 7);
    expect(atMost).toBeCloseTo(0.025, 7);
  });

  it('gives null for no trials and refuses impossible counts', () => {
    expect(clopperPearson(0, 0)).toBeNull();
    expect(() => clopperPearson(4, 3)).toThrow(/not a count/);
    expect(() => clopperPearson(1.5, 3)).toThrow(/not a count/);
    expect(() => clopperPearson(1, 3, 1)).toThrow(/level/);
  });
});

describe('AUROC interval (DeLong)', () => {
  it('matches the hand-worked placements of a six-person example', () => {
    // Positives at 0.9, 0.8, 0.6 outrank 3, 3 and 2 of the 3 negatives: AUROC 8/9. Their placements 1, 1, 2/3 and
    // the negatives' (share of positives above them) 2/3, 1, 1 each have variance 1/27, so Var = 1/81 + 1/81.
    const evaluation = evaluatePredictions(Float64Array.from([0.9, 0.8, 0.7, 0.6, 0.5, 0.4]), Uint8Array.from([1, 1, 0, 1, 0, 0]));
    expect(evaluation.auroc).toBeCloseTo(8 / 9, 12);
    const se = Math.sqrt(2 / 81);
    expect(evaluation.auroc_interval!.lower).toBeCloseTo(8 / 9 - 1.959963984540054 * se, 10);
    expect(evaluation.auroc_interval!.upper).toBe(1); // 8/9 + 1.96 × 0.157 is above 1: clamped
  });

  it('treats ties at half, as the brute-force variance of the placements does, on random data with many ties', () => {
    const random = seeded(21);
    const n = 400;
    const p = new Float64Array(n);
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      p[i] = Math.round(random() * 10) / 10;
      y[i] = random() < 0.15 + 0.5 * p[i]! ? 1 : 0;
    }
    const positives = [...p].filter((_, i) => y[i] === 1);
    const negatives = [...p].filter((_, i) => y[i] === 0);
    const psi = (a: number, b: number) => (a > b ? 1 : a === b ? 0.5 : 0);
    const v10 = positives.map((a) => negatives.reduce((s, b) => s + psi(a, b), 0) / negatives.length);
    const v01 = negatives.map((b) => positives.reduce((s, a) => s + psi(a, b), 0) / positives.length);
    const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
    const variance = (v: number[]) => v.reduce((s, x) => s + (x - mean(v)) ** 2, 0) / (v.length - 1);
    const auroc = mean(v10);
    const se = Math.sqrt(variance(v10) / positives.length + variance(v01) / negatives.length);
    const evaluation = evaluatePredictions(p, y);
    expect(evaluation.auroc).toBeCloseTo(auroc, 12);
    expect(evaluation.auroc_interval!.lower).toBeCloseTo(auroc - 1.959963984540054 * se, 10);
    expect(evaluation.auroc_interval!.upper).toBeCloseTo(Math.min(1, auroc + 1.959963984540054 * se), 10);
  });

  it('has no interval with a single positive, and covers the truth about 95% of the time', () => {
    expect(evaluatePredictions(Float64Array.from([0.9, 0.5, 0.1]), Uint8Array.from([1, 0, 0])).auroc_interval).toBeNull();
    // 200 samples of 600 from a population whose AUROC is known (scores Normal(1, 1) vs Normal(0, 1): Phi(1/sqrt 2)).
    const truth = 0.7602499389065233;
    const random = seeded(5);
    const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    let covered = 0;
    for (let sample = 0; sample < 200; sample++) {
      const y = Uint8Array.from({ length: 600 }, () => (random() < 0.3 ? 1 : 0));
      const score = Float64Array.from(y, (v) => 1 / (1 + Math.exp(-(v + normal()))));
      const interval = evaluatePredictions(score, y).auroc_interval!;
      if (interval.lower <= truth && truth <= interval.upper) covered++;
    }
    expect(covered).toBeGreaterThanOrEqual(180);
    expect(covered).toBeLessThanOrEqual(199);
  });
});

/** Every rate at the cut-off worked out from its definition, person by person. */
function bruteForce(listed: boolean[], y: number[]): Omit<CutoffErrors, 'ppv' | 'sensitivity' | 'false_positive_rate' | 'false_negative_rate' | 'false_omission_rate'> & Record<string, number | null> {
  let tp = 0, fp = 0, fn = 0, tn = 0;
  listed.forEach((l, i) => {
    if (l && y[i] === 1) tp++;
    else if (l) fp++;
    else if (y[i] === 1) fn++;
    else tn++;
  });
  const rate = (a: number, b: number) => (b === 0 ? null : a / b);
  return {
    listed: tp + fp, true_positives: tp, false_positives: fp, false_negatives: fn, true_negatives: tn,
    ppv: rate(tp, tp + fp), sensitivity: rate(tp, tp + fn), fpr: rate(fp, fp + tn), fnr: rate(fn, tp + fn), for: rate(fn, fn + tn),
  };
}

describe('error rates at the list cut-off, by group', () => {
  it('gives a hand-worked ten-person example exactly, with the whole population beside each group', () => {
    // Ranked by risk; the top 30% (3 people) are listed. Group A: listed 1 (an event) of 5 with 3 events;
    // group B: listed 2 (one event) of 5 with 1 event.
    const risk = [0.95, 0.9, 0.85, 0.6, 0.5, 0.45, 0.4, 0.3, 0.2, 0.1];
    const outcome = [1, 1, 0, 1, 0, 1, 0, 0, 0, 0];
    const group = ['A', 'B', 'B', 'A', 'B', 'A', 'A', 'B', 'A', 'B'];
    const evaluation = evaluatePredictions(Float64Array.from(risk), Uint8Array.from(outcome), { sex: group }, {
      listShare: 0.3, smallCountThreshold: 1, fnrGapMargin: 0.25,
    });
    const whole = evaluation.at_cutoff!;
    expect(whole).toMatchObject({ listed: 3, true_positives: 2, false_positives: 1, false_negatives: 2, true_negatives: 5 });
    expect(whole.false_negative_rate!.value).toBe(0.5);
    expect(whole.false_positive_rate!.value).toBeCloseTo(1 / 6, 15);
    expect(whole.false_omission_rate!.value).toBeCloseTo(2 / 7, 15);
    const [a, b] = evaluation.by_subgroup['sex']!;
    expect(a!.at_cutoff).toMatchObject({ listed: 1, true_positives: 1, false_positives: 0, false_negatives: 2, true_negatives: 2 });
    expect(a!.at_cutoff!.false_negative_rate!.value).toBeCloseTo(2 / 3, 15);
    expect(a!.at_cutoff!.false_negative_rate_gap).toBeCloseTo(2 / 3 - 1 / 2, 15);
    expect(a!.at_cutoff!.share_of_list).toBeCloseTo(1 / 3, 15);
    expect(a!.at_cutoff!.share_of_outcomes).toBeCloseTo(3 / 4, 15);
    expect(a!.at_cutoff!.flagged).toBe(false); // 0.167 is within the 0.25 margin
    expect(b!.at_cutoff).toMatchObject({ listed: 2, true_positives: 1, false_positives: 1, false_negatives: 0, true_negatives: 3 });
    expect(b!.at_cutoff!.false_negative_rate!.value).toBe(0);
    expect(b!.at_cutoff!.false_negative_rate_gap).toBe(-0.5);
    expect(b!.at_cutoff!.flagged).toBe(true); // misses none where the whole population misses half
    expect(evaluation.fairness!.flagged).toEqual([{ dimension: 'sex', group: 'B', false_negative_rate: 0, gap: -0.5 }]);
    expect(b!.at_cutoff!.ppv).toEqual(clopperPearson(1, 2));
  });

  it('agrees with a brute-force count for every group of a generated population, ties included', () => {
    const random = seeded(8);
    const n = 5000;
    const risk = new Float64Array(n);
    const outcome = new Uint8Array(n);
    const band: string[] = [];
    for (let i = 0; i < n; i++) {
      band.push(['18-44', '45-64', '65-74', '75+'][Math.floor(random() * 4)]!);
      risk[i] = Math.round((0.02 + 0.3 * random() * (band[i] === '75+' ? 1.5 : 1)) * 100) / 100; // heavy ties
      outcome[i] = random() < risk[i]! ? 1 : 0;
    }
    const evaluation = evaluatePredictions(risk, outcome, { age_band: band }, { listShare: 0.05 });
    // Listed: the top 250 by risk, ties in input order (a stable sort by descending risk).
    const order = [...risk.keys()].sort((i, j) => risk[j]! - risk[i]! || i - j);
    const listed = new Array<boolean>(n).fill(false);
    for (const i of order.slice(0, Math.ceil(n * 0.05))) listed[i] = true;
    const whole = bruteForce(listed, [...outcome]);
    const totalEvents = outcome.reduce((s, v) => s + v, 0);
    for (const result of evaluation.by_subgroup['age_band']!) {
      const members = [...band.keys()].filter((i) => band[i] === result.group);
      const expected = bruteForce(members.map((i) => listed[i]!), members.map((i) => outcome[i]!));
      const cut = result.at_cutoff!;
      expect(cut).toMatchObject({ listed: expected['listed'], true_positives: expected['true_positives'], false_positives: expected['false_positives'], false_negatives: expected['false_negatives'], true_negatives: expected['true_negatives'] });
      expect(cut.ppv?.value ?? null).toBe(expected['ppv']);
      expect(cut.false_positive_rate?.value ?? null).toBe(expected['fpr']);
      expect(cut.false_negative_rate?.value ?? null).toBe(expected['fnr']);
      expect(cut.false_omission_rate?.value ?? null).toBe(expected['for']);
      expect(cut.share_of_list).toBe(expected['listed']! / 250);
      expect(cut.share_of_outcomes).toBe((expected['true_positives']! + expected['false_negatives']!) / totalEvents);
      expect(cut.false_negative_rate_gap).toBeCloseTo(expected['fnr']! - whole['fnr']!, 14);
      expect(cut.flagged).toBe(Math.abs(expected['fnr']! - whole['fnr']!) > 0.1);
    }
    expect(evaluation.fairness!.flagged.map((f) => f.group)).toEqual(
      evaluation.by_subgroup['age_band']!.filter((r) => r.at_cutoff?.flagged).map((r) => r.group),
    );
    // The oldest are listed far more often, so the youngest miss far more of their outcomes: someone is flagged.
    expect(evaluation.fairness!.flagged.length).toBeGreaterThan(0);
  });

  it('gives a group without enough outcomes no figures, and a rate with a zero denominator as null', () => {
    const risk = Float64Array.from({ length: 40 }, (_, i) => 1 - i / 40);
    const outcome = Uint8Array.from({ length: 40 }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const group = Array.from({ length: 40 }, (_, i) => (i < 36 ? 'big' : 'small'));
    const evaluation = evaluatePredictions(risk, outcome, { g: group }, { listShare: 0.1, smallCountThreshold: 3 });
    const small = evaluation.by_subgroup['g']!.find((r) => r.group === 'small')!;
    expect(small.suppressed).toBe(true);
    expect(small.at_cutoff).toBeUndefined();
    // Nobody has the outcome: sensitivity and the false negative rate have no denominator.
    const none = evaluatePredictions(Float64Array.from([0.5, 0.4, 0.3]), Uint8Array.from([0, 0, 0]), {}, { listShare: 0.34 });
    expect(none.at_cutoff!.sensitivity).toBeNull();
    expect(none.at_cutoff!.false_negative_rate).toBeNull();
    expect(none.auroc_interval).toBeNull();
    expect(none.fairness!.flagged).toEqual([]);
  });

  it('refuses a margin outside [0, 1]', () => {
    expect(() => evaluatePredictions(Float64Array.from([0.5]), Uint8Array.from([1]), {}, { fnrGapMargin: 2 })).toThrow(/margin/);
  });
});

describe('smoothed calibration inside the evaluation (issue 16, part 2)', () => {
  it('is the smoothed curve of everyone and of each group on its own people, only when asked for', () => {
    const random = seeded(31);
    const n = 20_000;
    const risk = new Float64Array(n);
    const outcome = new Uint8Array(n);
    const sex: string[] = [];
    for (let i = 0; i < n; i++) {
      sex.push(random() < 0.5 ? '1' : '2');
      risk[i] = 0.01 + 0.4 * random() ** 2;
      // Women's risk is over-predicted by half: their curve, not men's, should show it.
      outcome[i] = random() < (sex[i] === '2' ? risk[i]! / 2 : risk[i]!) ? 1 : 0;
    }
    expect(evaluatePredictions(risk, outcome, { sex }).calibration.smoothed).toBeUndefined();
    const evaluation = evaluatePredictions(risk, outcome, { sex }, { smoothedCalibration: 'overall and groups' });
    const overallOnly = evaluatePredictions(risk, outcome, { sex }, { smoothedCalibration: 'overall' });
    expect(overallOnly.calibration.smoothed).toEqual(smoothedCalibration(risk, outcome));
    expect(overallOnly.by_subgroup['sex']![0]!.calibration_smoothed).toBeUndefined();
    expect(evaluation.calibration.smoothed).toEqual(smoothedCalibration(risk, outcome));
    const [men, women] = evaluation.by_subgroup['sex']!;
    const own = (label: string) => {
      const members = sex.flatMap((s, i) => (s === label ? [i] : []));
      return smoothedCalibration(Float64Array.from(members, (i) => risk[i]!), Uint8Array.from(members, (i) => outcome[i]!));
    };
    expect(men!.calibration_smoothed).toEqual(own('1'));
    expect(women!.calibration_smoothed).toEqual(own('2'));
    expect(men!.calibration_smoothed!.ici!).toBeLessThan(0.01);
    // Calibration in the large and slope by group: each group's own, as an evaluation of its rows alone gives them.
    for (const [group, label] of [[men!, '1'], [women!, '2']] as const) {
      const members = sex.flatMap((s, i) => (s === label ? [i] : []));
      const alone = evaluatePredictions(Float64Array.from(members, (i) => risk[i]!), Uint8Array.from(members, (i) => outcome[i]!)).calibration;
      expect(group.calibration_intercept).toBe(alone.intercept);
      expect(group.calibration_slope).toBe(alone.slope);
      expect(group.calibration_intercept_interval).toEqual(alone.intercept_interval);
      expect(group.calibration_slope_interval).toEqual(alone.slope_interval);
    }
    expect(Math.abs(men!.calibration_intercept!)).toBeLessThan(0.1);
    expect(women!.calibration_intercept!).toBeLessThan(-0.5); // predicted twice the risk: log-odds about 0.7 too high
    expect(women!.calibration_smoothed!.ici!).toBeGreaterThan(0.05);
  });
});

describe('intervals of calibration in the large and slope (Wald)', () => {
  it('cover 0 and 1 about 95% of the time when outcomes are drawn from the predictions themselves', () => {
    const random = seeded(41);
    let interceptCovered = 0;
    let slopeCovered = 0;
    for (let sample = 0; sample < 200; sample++) {
      const risk = Float64Array.from({ length: 2000 }, () => 0.02 + 0.5 * random() ** 2);
      const outcome = Uint8Array.from(risk, (p) => (random() < p ? 1 : 0));
      const calibration = evaluatePredictions(risk, outcome).calibration;
      if (calibration.intercept_interval!.lower <= 0 && 0 <= calibration.intercept_interval!.upper) interceptCovered++;
      if (calibration.slope_interval!.lower <= 1 && 1 <= calibration.slope_interval!.upper) slopeCovered++;
      expect(calibration.intercept_interval!.lower).toBeLessThan(calibration.intercept!);
      expect(calibration.slope_interval!.upper).toBeGreaterThan(calibration.slope!);
    }
    for (const covered of [interceptCovered, slopeCovered]) {
      expect(covered).toBeGreaterThanOrEqual(180);
      expect(covered).toBeLessThanOrEqual(199);
    }
  });

  it('are null when there is no outcome to fit', () => {
    const calibration = evaluatePredictions(Float64Array.from([0.2, 0.3]), Uint8Array.from([0, 0])).calibration;
    expect(calibration.intercept_interval).toBeNull();
    expect(calibration.slope_interval).toBeNull();
  });
});
