// Validation metrics against brute force and hand-worked examples; calibration on data drawn from known risks.
import { describe, expect, it } from 'vitest';
import { evaluatePredictions } from '../../models/evaluatePredictions.ts';
import { seeded } from '../helpers/seeded.ts';


const logistic = (eta: number): number => 1 / (1 + Math.exp(-eta));
const logit = (p: number): number => Math.log(p / (1 - p));

/** True risks with logit ~ Normal(-2.5, 1.2) (event rate about 12%), and outcomes drawn from them. */
function simulate(n: number, seed: number): { risk: Float64Array; y: Uint8Array } {
  const random = seeded(seed);
  const risk = new Float64Array(n);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    risk[i] = logistic(-2.5 + 1.2 * normal);
    y[i] = random() < risk[i]! ? 1 : 0;
  }
  return { risk, y };
}

function bruteForceAuroc(p: Float64Array, y: Uint8Array): number {
  let score = 0;
  let pairs = 0;
  for (let i = 0; i < p.length; i++) {
    if (y[i] !== 1) continue;
    for (let j = 0; j < p.length; j++) {
      if (y[j] !== 0) continue;
      pairs++;
      if (p[i]! > p[j]!) score += 1;
      else if (p[i] === p[j]) score += 0.5;
    }
  }
  return score / pairs;
}

const evaluate = (p: number[], y: number[]) => evaluatePredictions(Float64Array.from(p), Uint8Array.from(y));

describe('evaluatePredictions: discrimination and accuracy', () => {
  it('matches a brute-force pair count for AUROC on random data with many ties', () => {
    const random = seeded(11);
    const n = 700;
    const p = new Float64Array(n);
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      p[i] = Math.round(random() * 20) / 20; // 21 distinct scores
      y[i] = random() < 0.1 + 0.5 * p[i]! ? 1 : 0;
    }
    const evaluation = evaluatePredictions(p, y);
    expect(evaluation.auroc).toBeCloseTo(bruteForceAuroc(p, y), 12);
  });

  it('gives 1 for a perfect ranking, 0 for an inverted one and 0.5 for a constant score', () => {
    const y = [1, 0, 0, 1, 0, 1, 0, 0];
    expect(evaluate(y.map((v) => (v ? 0.9 : 0.1)), y).auroc).toBe(1);
    expect(evaluate(y.map((v) => (v ? 0.1 : 0.9)), y).auroc).toBe(0);
    const constant = evaluate(y.map(() => 0.3), y);
    expect(constant.auroc).toBe(0.5);
    // With every score tied there is one threshold: precision is the event rate.
    expect(constant.auprc).toBeCloseTo(3 / 8, 15);
  });

  it('computes average precision step-wise, with tied scores as one step whatever their order', () => {
    // Precision at each positive: 1/1, 2/3, 3/5.
    expect(evaluate([0.9, 0.8, 0.7, 0.6, 0.5], [1, 0, 1, 0, 1]).auprc).toBeCloseTo((1 + 2 / 3 + 3 / 5) / 3, 15);
    // Scores 0.9 (+), 0.8 (+ and -, tied), 0.3 (+): precision 1/1, then 2/3 after the whole tie, then 3/4.
    const expected = (1 + 2 / 3 + 3 / 4) / 3;
    expect(evaluate([0.9, 0.8, 0.8, 0.3], [1, 1, 0, 1]).auprc).toBeCloseTo(expected, 15);
    expect(evaluate([0.8, 0.9, 0.3, 0.8], [0, 1, 1, 1]).auprc).toBeCloseTo(expected, 15);
  });

  it('ranks the whole range of doubles in [0, 1], from -0 and subnormals to 1', () => {
    const p = [0.5, 0, 1, 5e-324, 1e-300, -0, 0.25, 1e-12, 0.5, 0.75, 2.2250738585072014e-308, 0.999999999];
    const y = p.map((_, i) => i % 2);
    // One person per "decile": decile d holds the person with ascending rank d - 1.
    const byRank = evaluatePredictions(Float64Array.from(p), Uint8Array.from(y), {}, { deciles: p.length });
    const ascending = [...p].sort((a, b) => a - b).map((v) => v + 0);
    expect(byRank.calibration.observed_expected_by_decile.map((d) => d.min_predicted)).toEqual(ascending);
  });

  it('gives no calibration slope when the outcomes are perfectly separated (the fit diverges)', () => {
    const y = [1, 0, 0, 1, 0, 1, 0, 0];
    const { calibration } = evaluate(y.map((v) => (v ? 0.9 : 0.1)), y);
    expect(calibration.slope).toBeNull();
    expect(calibration.intercept).toBeTypeOf('number');
  });

  it('computes the Brier score and the totals', () => {
    const evaluation = evaluate([0.1, 0.9, 0.5], [0, 1, 1]);
    expect(evaluation.brier).toBeCloseTo((0.01 + 0.01 + 0.25) / 3, 15);
    expect(evaluation).toMatchObject({ n: 3, events: 2 });
    expect(evaluation.event_rate).toBeCloseTo(2 / 3, 15);
    expect(evaluation.mean_predicted).toBeCloseTo(0.5, 15);
  });

  it('gives no AUROC, AUPRC, sensitivity or calibration when nobody has the outcome', () => {
    const evaluation = evaluate([0.1, 0.2, 0.3], [0, 0, 0]);
    expect(evaluation.auroc).toBeNull();
    expect(evaluation.auprc).toBeNull();
    expect(evaluation.calibration.intercept).toBeNull();
    expect(evaluation.calibration.slope).toBeNull();
    expect(evaluation.at_top.every((t) => t.sensitivity === null)).toBe(true);
    expect(JSON.parse(JSON.stringify(evaluation))).toEqual(evaluation);
  });
});

describe('evaluatePredictions: calibration', () => {
  it('finds slope exactly 1 and intercept exactly 0 (to 1e-12) for predictions that match every group\'s observed rate', () => {
    // Two risk levels, each observed at exactly its predicted rate: the maximum-likelihood recalibration is the identity.
    const p = [...new Array<number>(10).fill(0.2), ...new Array<number>(5).fill(0.6)];
    const y = [1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0];
    const { calibration } = evaluate(p, y);
    expect(Math.abs(calibration.slope! - 1)).toBeLessThan(1e-12);
    expect(Math.abs(calibration.intercept!)).toBeLessThan(1e-12);
  });

  const { risk, y } = simulate(200_000, 2024);

  it('finds slope 1 and intercept 0 when outcomes are drawn from the predictions themselves', () => {
    const { calibration } = evaluatePredictions(risk, y);
    expect(Math.abs(calibration.slope! - 1)).toBeLessThan(0.04);
    expect(Math.abs(calibration.intercept!)).toBeLessThan(0.03);
  });

  it('finds a slope below 1 for overconfident predictions (logits stretched 1.8 times)', () => {
    const overconfident = risk.map((p) => logistic(1.8 * logit(p)));
    const { calibration } = evaluatePredictions(overconfident, y);
    expect(Math.abs(calibration.slope! - 1 / 1.8)).toBeLessThan(0.03);
  });

  it('finds a positive intercept when the model under-predicts and a negative one when it over-predicts', () => {
    const under = evaluatePredictions(risk.map((p) => logistic(logit(p) - 0.5)), y).calibration;
    const over = evaluatePredictions(risk.map((p) => logistic(logit(p) + 0.5)), y).calibration;
    expect(Math.abs(under.intercept! - 0.5)).toBeLessThan(0.03);
    expect(Math.abs(over.intercept! + 0.5)).toBeLessThan(0.03);
    expect(Math.abs(under.slope! - 1)).toBeLessThan(0.04);
  });

  it('splits observed and expected by decile of rank, adding up to the totals', () => {
    const n = 12_345;
    const evaluation = evaluatePredictions(risk.subarray(0, n), y.subarray(0, n));
    const byDecile = evaluation.calibration.observed_expected_by_decile;
    expect(byDecile.map((d) => d.decile)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(byDecile.reduce((sum, d) => sum + d.n, 0)).toBe(n);
    expect(byDecile.reduce((sum, d) => sum + d.observed, 0)).toBe(evaluation.events);
    expect(byDecile.reduce((sum, d) => sum + d.expected, 0)).toBeCloseTo(evaluation.mean_predicted * n, 6);
    for (const d of byDecile) {
      expect([1234, 1235]).toContain(d.n);
      expect(d.o_e).toBeCloseTo(d.observed / d.expected, 12);
      expect(d.observed_rate).toBeCloseTo(d.observed / d.n, 12);
    }
    for (let d = 1; d < byDecile.length; d++) expect(byDecile[d]!.min_predicted!).toBeGreaterThanOrEqual(byDecile[d - 1]!.max_predicted!);
  });
});

describe('evaluatePredictions: the top of the ranking', () => {
  // Person i has risk (20 - i) / 20, so the ranking is the input order.
  const p = Float64Array.from({ length: 20 }, (_, i) => (20 - i) / 20);
  const y = Uint8Array.from({ length: 20 }, (_, i) => ([0, 2, 3, 7, 12, 19].includes(i) ? 1 : 0));

  it('counts PPV and sensitivity in the top ceil(n × share)', () => {
    const { at_top } = evaluatePredictions(p, y, {}, { topShares: [0.1, 0.25, 0.5] });
    expect(at_top).toEqual([
      { share: 0.1, n_flagged: 2, true_positives: 1, ppv: 0.5, sensitivity: 1 / 6, threshold: p[1] },
      { share: 0.25, n_flagged: 5, true_positives: 3, ppv: 0.6, sensitivity: 3 / 6, threshold: p[4] },
      { share: 0.5, n_flagged: 10, true_positives: 4, ppv: 0.4, sensitivity: 4 / 6, threshold: p[9] },
    ]);
  });

  it('uses the pyramid cut-offs by default and flags at least one person', () => {
    const { at_top } = evaluatePredictions(p, y);
    expect(at_top.map((t) => [t.share, t.n_flagged])).toEqual([[0.005, 1], [0.05, 1], [0.2, 4]]);
  });

  it('breaks ties by original index, in the flagged set and in the deciles', () => {
    const tied = new Float64Array(10).fill(0.3);
    const options = { topShares: [0.2], deciles: 5 };
    const second = evaluatePredictions(tied, Uint8Array.from([0, 1, 0, 0, 0, 0, 0, 0, 0, 0]), {}, options);
    const third = evaluatePredictions(tied, Uint8Array.from([0, 0, 1, 0, 0, 0, 0, 0, 0, 0]), {}, options);
    const last = evaluatePredictions(tied, Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 1]), {}, options);
    expect(second.at_top[0]).toMatchObject({ n_flagged: 2, true_positives: 1, threshold: 0.3 });
    expect(third.at_top[0]).toMatchObject({ n_flagged: 2, true_positives: 0 });
    // People flagged first sit in the top decile; the last index in the bottom one.
    expect(second.calibration.observed_expected_by_decile.map((d) => d.observed)).toEqual([0, 0, 0, 0, 1]);
    expect(last.calibration.observed_expected_by_decile.map((d) => d.observed)).toEqual([1, 0, 0, 0, 0]);
    expect(JSON.stringify(evaluatePredictions(tied, Uint8Array.from([0, 1, 0, 0, 0, 0, 0, 0, 0, 0]), {}, options))).toBe(
      JSON.stringify(second),
    );
  });
});

describe('evaluatePredictions: subgroups', () => {
  // 200 people ranked in input order; the global top 5% is people 0-9, all in group A.
  const n = 200;
  const p = Float64Array.from({ length: n }, (_, i) => (n - i) / (n + 1));
  const events = new Set([0, 1, 2, 3, 5, ...Array.from({ length: 10 }, (_, k) => 100 + k), ...Array.from({ length: 10 }, (_, k) => 10 + k)]);
  const y = Uint8Array.from({ length: n }, (_, i) => (events.has(i) ? 1 : 0));
  const cohort = Array.from({ length: n }, (_, i) => (i < 10 || (i >= 100 && i < 150) ? 'A' : 'B'));
  const area = Array.from({ length: n }, (_, i) => (i >= 150 && i < 155 ? 'Y' : i >= 190 ? 'Z' : i === 60 ? null : 'X'));
  const allEvents = Array.from({ length: n }, (_, i) => (events.has(i) ? 'admitted' : 'not admitted'));
  const evaluation = evaluatePredictions(p, y, { cohort, area, all_events: allEvents });

  it('uses the global listed set (by default the top 5%) for PPV and sensitivity within each group', () => {
    const [a, b] = evaluation.by_subgroup['cohort']!;
    expect(evaluation.list_share).toBe(0.05);
    // A: 60 people, 15 events; all 10 flagged people are in A and 5 of them (0, 1, 2, 3, 5) were admitted.
    expect(a).toMatchObject({ group: 'A', n: 60, events: 15, suppressed: false, ppv_listed: 0.5, sensitivity_listed: 5 / 15 });
    // B: 140 people, 10 events, nobody flagged (a within-group top 5% would have flagged 7 of them).
    expect(b).toMatchObject({ group: 'B', n: 140, events: 10, suppressed: false, ppv_listed: null, sensitivity_listed: 0 });
    expect(a!.event_rate).toBeCloseTo(15 / 60, 15);
  });

  it('judges groups at the configured list share and suppresses with the configured threshold', () => {
    const configured = evaluatePredictions(p, y, { cohort, area }, { listShare: 0.1, smallCountThreshold: 12, topShares: [0.01, 0.1, 0.3] });
    expect(configured.list_share).toBe(0.1);
    expect(configured.small_count_threshold).toBe(12);
    expect(configured.at_top.map((t) => t.share)).toEqual([0.01, 0.1, 0.3]);
    const [a, b] = configured.by_subgroup['cohort']!;
    // The top 10% is people 0-19: 0-9 in A (5 admitted), 10-19 in B (all 10 admitted).
    expect(a).toMatchObject({ ppv_listed: 0.5, sensitivity_listed: 5 / 15 });
    // B's 10 outcomes are too few under a threshold of 12; under the default of 8 it shows.
    expect(b).toEqual({ group: 'B', n: 140, events: null, suppressed: true });
    const wider = evaluatePredictions(p, y, { cohort }, { listShare: 0.1 });
    expect(wider.by_subgroup['cohort']![1]).toMatchObject({ ppv_listed: 1, sensitivity_listed: 1 });
    // Z has 10 people: shown under the default threshold of 8, hidden under 12.
    expect(configured.by_subgroup['area']!.find((g) => g.group === 'Z')).toEqual({ group: 'Z', n: null, events: null, suppressed: true });
  });

  it('gives each group the AUROC and Brier score of its own people', () => {
    const [a] = evaluation.by_subgroup['cohort']!;
    const members = cohort.flatMap((g, i) => (g === 'A' ? [i] : []));
    const alone = evaluatePredictions(
      Float64Array.from(members, (i) => p[i]!),
      Uint8Array.from(members, (i) => y[i]!),
    );
    expect(a!.auroc).toBeCloseTo(alone.auroc!, 14);
    expect(a!.brier).toBeCloseTo(alone.brier, 14);
    expect(a!.mean_predicted).toBeCloseTo(alone.mean_predicted, 14);
  });

  it('suppresses groups with fewer than 8 events or non-events, hiding n below 8', () => {
    expect(evaluation.by_subgroup['area']).toEqual([
      expect.objectContaining({ group: 'X', suppressed: false }),
      { group: 'Y', n: null, events: null, suppressed: true }, // 5 people, no events
      { group: 'Z', n: 10, events: null, suppressed: true }, // 10 people, no events
      { group: null, n: null, events: null, suppressed: true }, // the one person without a label, listed last
    ]);
    expect(evaluation.by_subgroup['all_events']).toEqual([
      { group: 'admitted', n: 25, events: null, suppressed: true }, // no non-events: AUROC is meaningless
      { group: 'not admitted', n: 175, events: null, suppressed: true },
    ]);
    const stricter = evaluatePredictions(p, y, { cohort }, { smallCountThreshold: 12 });
    expect(stricter.by_subgroup['cohort']!.map((g) => g.suppressed)).toEqual([false, true]);
  });
});

describe('evaluatePredictions: input checks', () => {
  it('refuses mismatched lengths, empty input, impossible predictions and bad options', () => {
    expect(() => evaluate([0.1, 0.2], [0])).toThrow(/2 predictions but 1 observed/);
    expect(() => evaluate([], [])).toThrow(/no predictions/);
    expect(() => evaluate([0.1, 1.2], [0, 1])).toThrow(/prediction 1 is 1.2/);
    expect(() => evaluate([0.1, -0.1], [0, 1])).toThrow(/not a probability/);
    expect(() => evaluate([Number.NaN, 0.1], [0, 1])).toThrow(/prediction 0 is NaN/);
    expect(() => evaluate([0.1, 0.2], [0, 2])).toThrow(/outcome 1 is 2/);
    expect(() => evaluatePredictions(Float64Array.of(0.1, 0.2), Uint8Array.of(0, 1), { sex: ['1'] })).toThrow(
      /subgroup sex has 1 labels for 2/,
    );
    expect(() => evaluatePredictions(Float64Array.of(0.1), Uint8Array.of(0), {}, { topShares: [0] })).toThrow(/top share/);
    expect(() => evaluatePredictions(Float64Array.of(0.1), Uint8Array.of(0), {}, { deciles: 0 })).toThrow(/deciles/);
  });
});
