// Each tier's expected people admitted and its emergency admissions of the last 12 months, for the risk pyramid
// (section 2) and the opportunity section (10): one query (sql/report/emergency_activity_by_tier.sql), one window.
import { type Database, sqlFile } from '../core/db/Database.ts';
import { dateParam } from '../core/dates.ts';

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
