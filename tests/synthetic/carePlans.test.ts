// The team meetings over the history (synthetic/knownProcess.ts, carePlans) and the truth of their care plans, which
// Strata's proactive-care comparison (models/proactiveCare.ts) is tested against:
// - a meeting lists a person only on what Strata can see (checked here against the inbox's own rows, without the
//   generator's code), so matching on it can remove the selection;
// - the care-plan truth file holds each first care plan in a year, as written to mdt_reviews;
// - with no effect (the default) a plan changes nothing, and the truth says so exactly; with an effect it lowers the risk.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { carePlanTruthPath, generateInbox, parseGenerateSettings } from '../../synthetic/index.ts';
import { readInboxFiles, tableRows } from './readInbox.ts';

const root = mkdtempSync(join(tmpdir(), 'strata-generate-care-plans-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const emergencyMethods = new Set(['21', '22', '23', '24', '25', '2A', '2B', '2C', '2D', '28']);
const dayOf = (iso: string): number => Date.parse(`${iso}T00:00:00Z`) / 86_400_000;

interface Generated {
  inbox: string;
  truth: Record<string, string>[];
  carePlans: Record<string, string>[];
}

function readCsv(path: string): Record<string, string>[] {
  const [header, ...lines] = readFileSync(path, 'utf8').trim().split('\n');
  const names = header!.split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((v, i) => [names[i]!, v])));
}

async function generate(name: string, carePlanEffect?: number): Promise<Generated> {
  const inbox = join(root, name);
  const truth = join(root, `${name}-truth.csv`);
  await generateInbox(
    parseGenerateSettings({ out: inbox, persons: 8000, seed: 11, asOf: '2026-11-22', extracts: 3, truth, badRows: false, gzip: false, carePlanEffect }),
  );
  return { inbox, truth: readCsv(truth), carePlans: readCsv(carePlanTruthPath(truth)) };
}

let none: Generated;
let effect: Generated;
beforeAll(async () => {
  none = await generate('none');
  effect = await generate('effect', 0.6);
}, 60_000);

describe('strata generate: the team meetings over the history', () => {
  it('lists a person only on the emergency admissions and age Strata reads from the inbox', () => {
    const files = readInboxFiles(effect.inbox);
    const birthYear = new Map(tableRows(files, 'demographics').map((r) => [r.fields[0]!, Number(r.fields[1])]));
    // The newest version of each spell (a correction re-sends its key in a later folder).
    const spells = new Map<string, { person: string; admitted: number; method: string }>();
    for (const r of tableRows(files, 'inpatient_spells')) spells.set(r.fields[0]!, { person: r.fields[1]!, admitted: dayOf(r.fields[2]!), method: r.fields[4]! });
    const admissions = new Map<string, number[]>();
    for (const s of spells.values()) if (emergencyMethods.has(s.method)) admissions.set(s.person, [...(admissions.get(s.person) ?? []), s.admitted]);
    const meetings = tableRows(files, 'mdt_reviews').filter((r) => r.fields[0]!.startsWith('MDTH'));
    expect(meetings.length).toBeGreaterThan(300);
    for (const { fields } of meetings) {
      const indexDay = dayOf(fields[2]!) - 1;
      const inYear = (admissions.get(fields[1]!) ?? []).filter((d) => d > indexDay - 365 && d <= indexDay).length;
      const age = new Date(indexDay * 86_400_000).getUTCFullYear() - birthYear.get(fields[1]!)!;
      expect(age, fields[0]).toBeGreaterThanOrEqual(18);
      expect(inYear >= 2 || (inYear >= 1 && age >= 75), `${fields[0]}: ${inYear} admissions at ${age}`).toBe(true);
    }
  });

  it('writes the truth of every first care plan in a year that Strata can compare, as it is in mdt_reviews', () => {
    const reviews = tableRows(readInboxFiles(effect.inbox), 'mdt_reviews').map((r) => r.fields);
    const byId = new Map(reviews.map((f) => [f[0]!, f]));
    expect(effect.carePlans.length).toBeGreaterThan(50);
    for (const row of effect.carePlans) {
      const review = byId.get(row['review_id']!)!;
      expect(review.slice(1, 4)).toEqual([row['person_id'], row['reviewed_on'], 'CP']);
      const day = dayOf(row['reviewed_on']!);
      const earlier = reviews.filter((f) => f[1] === row['person_id'] && f[0] !== row['review_id'] && dayOf(f[2]!) >= day - 365 && dayOf(f[2]!) < day);
      expect(earlier, row['review_id']).toEqual([]);
    }
  });

  it('with no effect (the default) a plan changes nothing, exactly; with hazard ratio 0.6 it lowers every risk', () => {
    expect(new Set(none.truth.map((r) => r['care_plan_hazard_ratio']))).toEqual(new Set(['1']));
    expect(new Set(effect.truth.map((r) => r['care_plan_hazard_ratio']))).toEqual(new Set(['0.6']));
    const horizons = ['3m', '6m', '12m'];
    for (const row of none.carePlans) {
      for (const h of horizons) expect(row[`p_admission_${h}_with_plan`]).toBe(row[`p_admission_${h}_without_plan`]);
    }
    for (const row of effect.carePlans) {
      for (const h of horizons) expect(Number(row[`p_admission_${h}_with_plan`])).toBeLessThanOrEqual(Number(row[`p_admission_${h}_without_plan`]));
    }
    const ratio = (h: string) =>
      effect.carePlans.reduce((sum, r) => sum + Number(r[`p_admission_${h}_with_plan`]), 0) /
      effect.carePlans.reduce((sum, r) => sum + Number(r[`p_admission_${h}_without_plan`]), 0);
    // Risk ratios are nearer 1 than the hazard ratio, and nearer still at 12 months, when more of the people left
    // without a plan have been given one at a later meeting.
    expect(ratio('3m')).toBeGreaterThan(0.6);
    expect(ratio('3m')).toBeLessThan(ratio('12m'));
    expect(ratio('12m')).toBeLessThan(0.95);
  });
});
