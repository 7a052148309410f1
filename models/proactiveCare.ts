// "Did proactive care work?": emergency admissions after an MDT care plan (outcome CP) against people matched on the
// recorded drivers of risk at the same date who were not reviewed, as observed / expected with a cluster-robust
// interval. The rows stay in DuckDB (sql/report/proactive_care_*.sql); only per-horizon sums come to JavaScript.
import { type Database, sqlFile } from '../core/db/Database.ts';
import { dateParam } from '../core/db/dateParam.ts';

export interface CarePlanHorizon {
  months: 3 | 6 | 12;
  days: 91 | 182 | 365;
  /** Care plans analysed at this horizon (complete follow-up, first review in a year); null when 1 to threshold - 1. */
  care_plans: number | null;
  /** Of them, those with at least one control in their cell; null when 1 to threshold - 1. */
  matched: number | null;
  /** Those with no control in their cell: reported, not used; null when 1 to threshold - 1. */
  unmatched: number | null;
  /** Matched care plans with an emergency admission in the follow-up (O). */
  observed: number | null;
  /** The number expected from their controls' risks (E = sum of n_c * p_c). */
  expected: number | null;
  observed_share: number | null;
  expected_share: number | null;
  /** O / E: below 1, fewer admissions than their matches had. */
  ratio: number | null;
  ratio_lower: number | null;
  ratio_upper: number | null;
  /** Too few people, or too few with or without the outcome, to publish the figures. */
  suppressed: boolean;
}

export interface CarePlanEffect {
  as_of: string;
  method: string;
  matched_on: string[];
  horizons: CarePlanHorizon[];
  warning: string;
}

export interface CarePlanEffectOptions {
  /** Counts from 1 to this minus 1 are not published (data contract §4). */
  suppressionThreshold: number;
}

export const carePlanMatchedOn = [
  'review date',
  'age band',
  'sex',
  'emergency admissions in the previous 12 months (0, 1, 2, 3, 4 or more)',
  'long-term condition registers (0, 1, 2, 3, 4 or more)',
];

export const carePlanMethod =
  'Each care plan agreed at an MDT review (the first review of that person in a year) is compared with people who were ' +
  'not reviewed on that day or in the year before it, and who on the day before the review were registered, alive, not ' +
  'opted out and in the same cell: the same review date, age band, sex, number of emergency admissions in the previous ' +
  '12 months and number of long-term condition registers. The controls\' share with an emergency admission in the next ' +
  '3, 6 or 12 months gives each care plan its expected risk; the ratio is the number of care plans followed by an ' +
  'emergency admission divided by the number expected (observed / expected). Only reviews whose whole follow-up is in ' +
  'the data are counted, and care plans with no match in their cell are reported as unmatched and left out. The 95% ' +
  'interval allows for the same person appearing more than once (a cluster-robust sandwich variance, by person, on ' +
  'the log scale).';

export const carePlanWarning =
  'This is an observational comparison, not a trial. People chosen for a care plan may differ from their matches in ' +
  'ways the data do not show, such as how ill they seemed to the team or their own wishes, so a ratio below 1 is ' +
  'consistent with care plans having prevented admissions but does not prove it. The matching is on the recorded ' +
  'drivers of risk at the review date, not on Strata\'s risk score at that date. People who were reviewed later are ' +
  'kept as matches (they had not been reviewed at the time), which makes any effect of care plans look smaller.';

const horizonMonths = { 91: 3, 182: 6, 365: 12 } as const;
/** The standard normal's 97.5th percentile, for 95% intervals. */
const z975 = 1.959963984540054;

interface HorizonTotals {
  months: number;
  days: number;
  care_plans: number;
  matched: number;
  unmatched: number;
  observed: number | null;
  expected: number | null;
}

export async function estimateCarePlanEffect(db: Database, asOf: string, options: CarePlanEffectOptions): Promise<CarePlanEffect> {
  const threshold = options.suppressionThreshold;
  if (!Number.isInteger(threshold) || threshold < 1) {
    throw new Error(`estimateCarePlanEffect: the suppression threshold must be a whole number of at least 1, got ${threshold}`);
  }
  const params = { as_of: dateParam(asOf) };

  try {
    await db.run(`CREATE OR REPLACE TEMP TABLE proactive_care_index_rows AS ${sqlFile('report/proactive_care_index_rows.sql')}`, params);
    await db.run(`CREATE OR REPLACE TEMP TABLE proactive_care_cells AS ${sqlFile('report/proactive_care_cells.sql')}`, params);
    const totals = await db.rows<HorizonTotals>(sqlFile('report/proactive_care_horizons.sql'), params);

    const horizons: CarePlanHorizon[] = [];
    for (const t of totals) {
      const days = t.days as 91 | 182 | 365;
      const observed = t.observed;
      const expected = t.expected;
      const ratio = observed !== null && expected !== null && expected > 0 ? observed / expected : null;
      let interval: { lower: number; upper: number } | null = null;
      if (ratio !== null && ratio > 0) {
        const { sum_squared_contributions: meat } = (
          await db.rows<{ sum_squared_contributions: number }>(sqlFile('report/proactive_care_variance.sql'), { days, theta: ratio })
        )[0]!;
        interval = logScaleInterval(ratio, meat / (expected! * expected!));
      }
      const inSmallRange = (count: number) => count >= 1 && count < threshold;
      const suppressed = t.matched < threshold || (observed !== null && (inSmallRange(observed) || inSmallRange(t.matched - observed)));
      // care_plans = matched + unmatched, so hiding one small count hides a second one with it: a small unmatched
      // hides care_plans too (matched stays: the shares need it), and a suppressed matched hides unmatched.
      const hidePlans = inSmallRange(t.care_plans) || inSmallRange(t.unmatched);
      const hideMatched = inSmallRange(t.care_plans) || inSmallRange(t.matched);
      const hideUnmatched = hidePlans || hideMatched;
      horizons.push({
        months: horizonMonths[days],
        days,
        care_plans: hidePlans ? null : t.care_plans,
        matched: hideMatched ? null : t.matched,
        unmatched: hideUnmatched ? null : t.unmatched,
        observed: suppressed ? null : observed,
        expected: suppressed ? null : expected,
        observed_share: suppressed || observed === null || t.matched === 0 ? null : observed / t.matched,
        expected_share: suppressed || expected === null || t.matched === 0 ? null : expected / t.matched,
        ratio: suppressed ? null : ratio,
        ratio_lower: suppressed || interval === null ? null : interval.lower,
        ratio_upper: suppressed || interval === null ? null : interval.upper,
        suppressed,
      });
    }
    return { as_of: asOf, method: carePlanMethod, matched_on: [...carePlanMatchedOn], horizons, warning: carePlanWarning };
  } finally {
    await db.run('DROP TABLE IF EXISTS proactive_care_cells; DROP TABLE IF EXISTS proactive_care_index_rows');
  }
}

/** theta * exp(±z * se / theta): the delta-method interval for log(theta). Null when the variance is not usable. */
function logScaleInterval(theta: number, variance: number): { lower: number; upper: number } | null {
  if (!(variance >= 0) || !Number.isFinite(variance)) return null;
  const halfWidth = (z975 * Math.sqrt(variance)) / theta;
  return { lower: theta * Math.exp(-halfWidth), upper: theta * Math.exp(halfWidth) };
}
