// "Did proactive care work?" against the generator's known effect: on generated inboxes whose care plans lower the
// emergency-admission hazard (hazard ratio 0.5 for 12 months) or do nothing (1), Strata's observed / expected
// (models/proactiveCare.ts) holds the true risk ratio among the people given a plan (truth-care-plans.csv) inside its
// 95% interval at 3, 6 and 12 months; it finds the effect (the interval below 1) and, with none, finds none (1 inside).
// It also counts exactly the plans the truth file holds: the same first plans in a year, with complete follow-up.
// 25,000 people, seed 1 (the first tried). A 95% interval misses now and then by design: over seeds 1, 2, 3, 4, 7 and 8
// (tests/bench/carePlanBench.ts) it held the truth at 16 of 18 horizons with the effect and 18 of 18 without; the
// 200,000-person figures in docs/proactive-care.md are measured with the same script.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateInbox, parseGenerateSettings } from '../../synthetic/index.ts';
import { carePlanTruthPath } from '../../synthetic/MdtReviewWriter.ts';
import type { CarePlanEffect } from '../../models/proactiveCare.ts';
import { estimateOnInbox, type TrueCarePlanEffect, trueCarePlanEffect } from '../helpers/carePlanTruth.ts';
import { temporaryFolder } from '../helpers/testDatabase.ts';

const root = temporaryFolder('strata-care-plan-recovery-');
afterAll(() => rmSync(root, { recursive: true, force: true }));
const asOf = '2026-11-22';

async function generateAndEstimate(name: string, seed: number, carePlanEffect: number): Promise<{ estimate: CarePlanEffect; truth: TrueCarePlanEffect[] }> {
  const inbox = join(root, name);
  const truth = join(root, `${name}-truth.csv`);
  await generateInbox(parseGenerateSettings({ out: inbox, persons: 25_000, seed, asOf, extracts: 3, truth, badRows: false, gzip: false, carePlanEffect }));
  return { estimate: await estimateOnInbox(inbox, asOf), truth: trueCarePlanEffect(carePlanTruthPath(truth), asOf) };
}

let effect: Awaited<ReturnType<typeof generateAndEstimate>>;
let none: Awaited<ReturnType<typeof generateAndEstimate>>;
beforeAll(async () => {
  effect = await generateAndEstimate('effect', 1, 0.5);
  none = await generateAndEstimate('none', 1, 1);
}, 120_000);

describe('the proactive-care comparison on generated inboxes with a known effect', () => {
  it('compares exactly the care plans the truth file holds', () => {
    for (const { estimate, truth } of [effect, none]) {
      for (const h of estimate.horizons) {
        const t = truth.find((x) => x.days === h.days)!;
        expect(t.carePlans, `${h.months} months`).toBeGreaterThan(100);
        expect(h.care_plans, `${h.months} months`).toBe(t.carePlans);
        expect(h.matched! / h.care_plans!).toBeGreaterThan(0.7);
      }
    }
  });

  it('recovers a real effect within its interval, and the interval says there is one', () => {
    for (const h of effect.estimate.horizons) {
      const t = effect.truth.find((x) => x.days === h.days)!;
      expect(h.suppressed).toBe(false);
      expect(t.ratio).toBeLessThan(0.8);
      expect(h.ratio_lower!, `${h.months} months: truth ${t.ratio}, estimate ${h.ratio}`).toBeLessThanOrEqual(t.ratio);
      expect(h.ratio_upper!, `${h.months} months: truth ${t.ratio}, estimate ${h.ratio}`).toBeGreaterThanOrEqual(t.ratio);
      expect(h.ratio_upper!).toBeLessThan(1);
    }
  });

  it('finds no effect when there is none', () => {
    for (const h of none.estimate.horizons) {
      const t = none.truth.find((x) => x.days === h.days)!;
      expect(t.ratio).toBe(1);
      expect(h.suppressed).toBe(false);
      expect(h.ratio_lower!, `${h.months} months: estimate ${h.ratio}`).toBeLessThanOrEqual(1);
      expect(h.ratio_upper!, `${h.months} months: estimate ${h.ratio}`).toBeGreaterThanOrEqual(1);
    }
  });
});
