// Test helper: the true effect of the generator's care plans (truth-care-plans.csv, synthetic/MdtReviewWriter.ts) at
// each horizon Strata reports, over the plans whose follow-up is complete by as-of, as Strata counts them
// (models/proactiveCare.ts), and Strata's estimate of it on the same inbox, loaded from scratch.
import { readFileSync } from 'node:fs';
import { Database } from '../../core/db/Database.ts';
import { initDatabase } from '../../core/db/initDatabase.ts';
import { loadInbox } from '../../pipeline/ingest/loadInbox.ts';
import { type CarePlanEffect, estimateCarePlanEffect } from '../../models/proactiveCare.ts';

export interface TrueCarePlanEffect {
  months: number;
  days: number;
  /** Care plans with complete follow-up. */
  carePlans: number;
  /** Expected number admitted with the plan, and had they not had it. */
  withPlan: number;
  withoutPlan: number;
  /** withPlan / withoutPlan: the risk ratio among the people given a plan, which Strata's observed / expected estimates. */
  ratio: number;
}

const horizons = [
  { months: 3, days: 91 },
  { months: 6, days: 182 },
  { months: 12, days: 365 },
];
const dayOf = (iso: string): number => Date.parse(`${iso}T00:00:00Z`) / 86_400_000;

export function trueCarePlanEffect(carePlanTruthCsv: string, asOf: string): TrueCarePlanEffect[] {
  const [header, ...lines] = readFileSync(carePlanTruthCsv, 'utf8').trim().split('\n');
  const names = header!.split(',');
  const rows = lines.map((line) => Object.fromEntries(line.split(',').map((v, i) => [names[i]!, v])));
  return horizons.map(({ months, days }) => {
    const complete = rows.filter((r) => dayOf(r['reviewed_on']!) - 1 + days <= dayOf(asOf));
    const withPlan = complete.reduce((sum, r) => sum + Number(r[`p_admission_${months}m_with_plan`]), 0);
    const withoutPlan = complete.reduce((sum, r) => sum + Number(r[`p_admission_${months}m_without_plan`]), 0);
    return { months, days, carePlans: complete.length, withPlan, withoutPlan, ratio: withPlan / withoutPlan };
  });
}

/** Loads `inbox` into a fresh in-memory database and runs Strata's comparison on it as of its newest extract. */
export async function estimateOnInbox(inbox: string, asOf: string, suppressionThreshold = 8): Promise<CarePlanEffect> {
  return (await timedEstimateOnInbox(inbox, asOf, suppressionThreshold)).estimate;
}

/** The same, with the seconds the load and the comparison took. */
export async function timedEstimateOnInbox(
  inbox: string,
  asOf: string,
  suppressionThreshold = 8,
): Promise<{ estimate: CarePlanEffect; loadSeconds: number; compareSeconds: number }> {
  const db = await Database.open({ path: ':memory:' });
  try {
    await initDatabase(db);
    const started = performance.now();
    const load = await loadInbox(db, inbox, { runId: 'care-plans', now: new Date(`${asOf}T12:00:00Z`) });
    if (load.rejected.length > 0) throw new Error(`the inbox was refused: ${load.rejected[0]!.message}`);
    const loaded = performance.now();
    const estimate = await estimateCarePlanEffect(db, asOf, { suppressionThreshold });
    return { estimate, loadSeconds: (loaded - started) / 1000, compareSeconds: (performance.now() - loaded) / 1000 };
  } finally {
    db.close();
  }
}
