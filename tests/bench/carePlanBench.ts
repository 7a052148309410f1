// Strata's proactive-care comparison (models/proactiveCare.ts) against the generator's known care-plan effect, on a
// generated inbox of any size:
//   npx tsx tests/bench/carePlanBench.ts PERSONS SEED HAZARD_RATIO [WORK_FOLDER]
// Generates the inbox with --care-plan-effect HAZARD_RATIO (kept in WORK_FOLDER when given, else a temporary folder
// that is removed), loads it, and prints each horizon's true risk ratio beside Strata's observed / expected and its
// 95% interval, with the time each step took.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateInbox, parseGenerateSettings } from '../../synthetic/index.ts';
import { carePlanTruthPath } from '../../synthetic/MdtReviewWriter.ts';
import { timedEstimateOnInbox, trueCarePlanEffect } from '../helpers/carePlanTruth.ts';

const [personsText, seedText, ratioText, workFolder] = process.argv.slice(2);
if (!personsText || !seedText || !ratioText) {
  console.error('usage: npx tsx tests/bench/carePlanBench.ts PERSONS SEED HAZARD_RATIO [WORK_FOLDER]');
  process.exit(2);
}
const asOf = '2026-11-22';
const work = workFolder ?? mkdtempSync(join(tmpdir(), 'strata-care-plan-bench-'));
try {
  const inbox = join(work, 'inbox');
  const truth = join(work, 'truth.csv');
  let started = performance.now();
  await generateInbox(parseGenerateSettings({
    out: inbox, persons: Number(personsText), seed: Number(seedText), asOf, extracts: 3, truth, badRows: false, gzip: false,
    carePlanEffect: Number(ratioText),
  }));
  const generated = (performance.now() - started) / 1000;
  const { estimate, loadSeconds, compareSeconds } = await timedEstimateOnInbox(inbox, asOf);
  const truths = trueCarePlanEffect(carePlanTruthPath(truth), asOf);
  console.log(`${personsText} people, seed ${seedText}, care-plan hazard ratio ${ratioText}: generated in ${generated.toFixed(1)} s, loaded in ${loadSeconds.toFixed(1)} s, compared in ${compareSeconds.toFixed(1)} s (load average ${loadavg()[0]!.toFixed(1)})`);
  console.log('| after | care plans (truth) | matched | observed | expected | true risk ratio | Strata O/E (95% interval) | truth inside |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const h of estimate.horizons) {
    const t = truths.find((x) => x.days === h.days)!;
    const inside = h.ratio_lower !== null && h.ratio_upper !== null && h.ratio_lower <= t.ratio && t.ratio <= h.ratio_upper;
    console.log(
      `| ${h.months} months | ${h.care_plans} (${t.carePlans}) | ${h.matched} | ${h.observed} | ${h.expected?.toFixed(1)} | ${t.ratio.toFixed(3)} | ` +
        `${h.ratio?.toFixed(3)} (${h.ratio_lower?.toFixed(3)} to ${h.ratio_upper?.toFixed(3)}) | ${inside ? 'yes' : 'no'} |`,
    );
  }
} finally {
  if (workFolder === undefined) rmSync(work, { recursive: true, force: true });
}
