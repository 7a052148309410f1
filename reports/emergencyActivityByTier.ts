// Each tier's expected people admitted and its emergency admissions of the last 12 months, for the risk pyramid
// (section 2) and the opportunity section (10): one query (sql/report/emergency_activity_by_tier.sql), one window.
import { type Database, sqlFile } from '../core/db/Database.ts';
import { dateParam } from '../core/dates.ts';
import { type CountGroup, type SuppressedFigures, suppressSmallNumbers } from './suppressSmallNumbers.ts';

const emergencyActivitySql = sqlFile('report/emergency_activity_by_tier.sql');

export interface TierEmergencyActivity {
  tier: string;
  /** The sum of ea_risk: people expected to have an emergency admission in the next 12 months. */
  expected_people: number;
  /** Emergency admissions in the 365 days to as_of, the people they were for, and their total length in days. */
  admissions: number;
  people_admitted: number;
  spell_days: number;
}

/** One row per tier with scored people or admissions. */
export function readEmergencyActivityByTier(db: Database, asOf: string): Promise<TierEmergencyActivity[]> {
  return db.rows<TierEmergencyActivity>(emergencyActivitySql, { as_of: dateParam(asOf) });
}

const activityMeasures = ['admissions', 'people_admitted'] as const;
export type ActivityMeasure = (typeof activityMeasures)[number];

export interface TierActivityFigures {
  readonly figures: SuppressedFigures;
  /** The cell of a measure for a tier ('1', '2', ...), tiers 1-2 ('1-2') or everyone ('all'). */
  cell(measure: ActivityMeasure, scope: string): string;
  /**
   * Tiers 1-2's share of the people expected to have an emergency admission in the next 12 months (sums of risks, not
   * counts of people, so not suppressed); null when nobody is expected to.
   */
  readonly expectedShareTier12: number | null;
}

/**
 * Emergency admissions and people admitted in the last 12 months by tier, with tiers 1-2 and the total, suppressed as
 * one set (the risk pyramid and the summary show the same figures the same way).
 */
export async function loadTierActivityFigures(db: Database, asOf: string, tiers: readonly string[], threshold: number): Promise<TierActivityFigures> {
  const rows = await readEmergencyActivityByTier(db, asOf);
  const cell = (measure: ActivityMeasure, scope: string): string => `${measure}|${scope}`;
  const counts = new Map<string, number>();
  const groups: CountGroup[] = [];
  for (const measure of activityMeasures) {
    let total = 0;
    for (const tier of tiers) {
      const value = rows.find((row) => row.tier === tier)?.[measure] ?? 0;
      counts.set(cell(measure, tier), value);
      total += value;
    }
    counts.set(cell(measure, 'all'), total);
    counts.set(cell(measure, '1-2'), (counts.get(cell(measure, '1')) ?? 0) + (counts.get(cell(measure, '2')) ?? 0));
    groups.push({ parts: tiers.map((tier) => cell(measure, tier)), total: cell(measure, 'all') });
    groups.push({ parts: [cell(measure, '1'), cell(measure, '2')], total: cell(measure, '1-2') });
  }
  const expected = (tier: string) => rows.find((row) => row.tier === tier)?.expected_people ?? 0;
  const expectedAll = tiers.reduce((sum, tier) => sum + expected(tier), 0);
  const expectedShareTier12 = expectedAll > 0 ? (expected('1') + expected('2')) / expectedAll : null;
  return { figures: suppressSmallNumbers({ counts, groups, threshold }), cell, expectedShareTier12 };
}
