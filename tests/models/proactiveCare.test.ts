// "Did proactive care work?": observed / expected emergency admissions after a care plan, against matched people not
// reviewed at the time, with its cluster-robust interval. Tiny populations built row by row; every figure by hand.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../core/db/Database.ts';
import { addDays } from '../../core/dates.ts';
import { type CarePlanHorizon, carePlanMatchedOn, estimateCarePlanEffect } from '../../models/proactiveCare.ts';
import { openTestDatabase } from '../helpers/testDatabase.ts';

let db: Database;
beforeEach(async () => {
  db = await openTestDatabase();
});
afterEach(() => db.close());

interface PersonSettings {
  yearOfBirth?: number;
  sex?: string;
  registeredOn?: string;
  dateOfDeath?: string | null;
  optOut?: string;
}

/** Default: a woman born 1955 (70 in 2025: 65-74), registered since 2000, alive, not opted out. */
async function person(personId: string, settings: PersonSettings = {}): Promise<void> {
  await db.run(
    `INSERT INTO persons (person_id, year_of_birth, sex, practice_code, registered_on, date_of_death, opt_out, first_extract, last_extract)
     VALUES ($person_id, $year_of_birth, $sex, 'A00001', $registered_on::DATE, $date_of_death::DATE, $opt_out, DATE '2020-01-01', DATE '2026-06-30')`,
    {
      person_id: personId,
      year_of_birth: settings.yearOfBirth ?? 1955,
      sex: settings.sex ?? '2',
      registered_on: settings.registeredOn ?? '2000-01-01',
      date_of_death: settings.dateOfDeath ?? null,
      opt_out: settings.optOut ?? 'N',
    },
  );
}

let reviewCount = 0;
async function review(personId: string, reviewedOn: string, outcome = 'CP'): Promise<void> {
  reviewCount++;
  await db.run(
    `INSERT INTO mdt_reviews (review_id, person_id, reviewed_on, outcome, extract_date, source_line)
     VALUES ($review_id, $person_id, $reviewed_on::DATE, $outcome, DATE '2026-06-30', $line)`,
    { review_id: `R${reviewCount}`, person_id: personId, reviewed_on: reviewedOn, outcome, line: reviewCount },
  );
}

let spellCount = 0;
/** An emergency spell (admission method 21) unless another method is given. */
async function admission(personId: string, admittedOn: string, method = '21'): Promise<void> {
  spellCount++;
  await db.run(
    `INSERT INTO inpatient_spells (spell_id, person_id, admission_date, admission_method, primary_diagnosis, extract_date, source_line)
     VALUES ($spell_id, $person_id, $admitted_on::DATE, $method, 'R69', DATE '2026-06-30', $line)`,
    { spell_id: `S${spellCount}`, person_id: personId, admitted_on: admittedOn, method, line: spellCount },
  );
}

async function register(personId: string, condition: string, diagnosedOn: string): Promise<void> {
  await db.run(
    `INSERT INTO gp_conditions (person_id, condition, diagnosed_on, extract_date, source_line)
     VALUES ($person_id, $condition, $diagnosed_on::DATE, DATE '2026-06-30', 1)`,
    { person_id: personId, condition, diagnosed_on: diagnosedOn },
  );
}

const z = 1.959963984540054;
const byDays = (horizons: CarePlanHorizon[], days: number) => horizons.find((h) => h.days === days)!;

describe('estimateCarePlanEffect', () => {
  it('matches care plans to unreviewed people in their cell and gives O / E with the sandwich interval, by hand', async () => {
    // Review dates r1 = 2025-03-02 (t0 = d1 = 2025-03-01) and r2 = 2025-06-02 (t0 = d2 = 2025-06-01). Everyone is a
    // woman born 1955 (65-74) with no registers. asOf 2026-06-30: every horizon is complete at both dates.
    for (const id of ['C1', 'C2', 'C3', 'C4', 'K1', 'K2', 'K3', 'K4']) await person(id);
    await person('K5', { registeredOn: '2025-05-01' }); // registered after d1: only at d2
    await person('K6', { registeredOn: '2025-05-01' });
    await review('C1', '2025-03-02');
    await review('C2', '2025-03-02');
    await review('C3', '2025-06-02');
    await review('C4', '2025-06-02');
    await admission('C1', '2025-04-15'); // d1 + 45
    await admission('K1', '2025-03-31'); // d1 + 30; at d2 it puts K1 in the cell with 1 admission, which has no care plan
    await admission('C3', '2025-08-01'); // d1 + 153 and d2 + 61
    await admission('K5', '2025-07-01'); // d2 + 30
    await admission('K2', '2025-05-01', '11'); // elective: no outcome, not counted in the 12 months before d2

    const effect = await estimateCarePlanEffect(db, '2026-06-30', { suppressionThreshold: 1 });
    expect(effect.as_of).toBe('2026-06-30');
    expect(effect.matched_on).toEqual(carePlanMatchedOn);
    expect(effect.horizons.map((h) => [h.months, h.days])).toEqual([[3, 91], [6, 182], [12, 365]]);

    // Cell A (d1): care plans C1 (admitted), C2 (not): n_A = 2, O_A = 1. Controls K1-K4, and C3 and C4, whose care
    // plans come later (intention to treat): m_A = 6.
    // Cell B (d2): care plans C3 (admitted d2 + 61), C4 (not): n_B = 2, O_B = 1. Controls K2, K3, K4, K5, K6 (K1 is in
    // another cell, C1 and C2 were reviewed in the year before): m_B = 5, y_B = 1 (K5), p_B = 1/5 at every horizon.
    //
    // 3 months: y_A = 1 (K1; C3's admission is d1 + 153), p_A = 1/6.
    //   O = 2, E = 2 * 1/6 + 2 * 1/5 = 11/15, ratio = 30/11.
    const three = byDays(effect.horizons, 91);
    expect(three).toMatchObject({ care_plans: 4, matched: 4, unmatched: 0, observed: 2, suppressed: false });
    expect(three.expected).toBeCloseTo(11 / 15, 12);
    expect(three.ratio).toBeCloseTo(30 / 11, 12);
    expect(three.observed_share).toBeCloseTo(2 / 4, 12);
    expect(three.expected_share).toBeCloseTo(11 / 15 / 4, 12);

    // 12 months: y_A = 2 (K1, C3), p_A = 1/3. O = 2, E = 2/3 + 2/5 = 16/15, theta = 15/8.
    const twelve = byDays(effect.horizons, 365);
    const theta = 15 / 8;
    expect(twelve).toMatchObject({ care_plans: 4, matched: 4, unmatched: 0, observed: 2, suppressed: false });
    expect(twelve.expected).toBeCloseTo(16 / 15, 12);
    expect(twelve.ratio).toBeCloseTo(theta, 12);
    // Each person's U_k: care plans add (o - theta p_c); control rows add -theta n_c (y - p_c) / m_c.
    //   control in A, y = 1: -theta * 2 * (1 - 1/3) / 6 = -2 theta / 9;  y = 0: -theta * 2 * (0 - 1/3) / 6 = +theta / 9
    //   control in B, y = 1: -theta * 2 * (1 - 1/5) / 5 = -8 theta / 25; y = 0: +2 theta / 25
    const contributions = [
      1 - theta / 3, // C1: care plan in A, admitted
      -theta / 3, // C2: care plan in A, not admitted
      1 - theta / 5 - (2 * theta) / 9, // C3: care plan in B, admitted; control in A, admitted
      -theta / 5 + theta / 9, // C4: care plan in B, not admitted; control in A, not admitted
      (-2 * theta) / 9, // K1: control in A, admitted
      theta / 9 + (2 * theta) / 25, // K2: control in A and in B, not admitted
      theta / 9 + (2 * theta) / 25, // K3
      theta / 9 + (2 * theta) / 25, // K4
      (-8 * theta) / 25, // K5: control in B, admitted
      (2 * theta) / 25, // K6: control in B, not admitted
    ];
    // At theta = O / E the contributions sum to 0.
    expect(contributions.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 12);
    const variance = contributions.reduce((sum, u) => sum + u * u, 0) / (16 / 15) ** 2;
    const halfWidth = (z * Math.sqrt(variance)) / theta;
    expect(twelve.ratio_lower).toBeCloseTo(theta * Math.exp(-halfWidth), 10);
    expect(twelve.ratio_upper).toBeCloseTo(theta * Math.exp(halfWidth), 10);

    // 6 months: d1 + 182 = 2025-08-30 still holds C3's admission, so as at 12 months.
    const six = byDays(effect.horizons, 182);
    expect(six.ratio).toBeCloseTo(theta, 12);
    expect(six.ratio_lower).toBeCloseTo(twelve.ratio_lower!, 12);
  });

  it('reports a care plan with no control in its cell as unmatched, and leaves it out of O and E', async () => {
    await person('C1');
    await person('C2', { sex: '1' }); // the only man: no control in his cell
    await person('K1');
    await person('K2');
    await review('C1', '2025-03-02');
    await review('C2', '2025-03-02');
    await admission('C2', '2025-03-10');
    await admission('K1', '2025-03-10');
    const twelve = byDays((await estimateCarePlanEffect(db, '2026-06-30', { suppressionThreshold: 1 })).horizons, 365);
    // C1's cell: m = 2, y = 1, p = 1/2. O = 0 (C2's admission is not counted), E = 1/2.
    expect(twelve).toMatchObject({ care_plans: 2, matched: 1, unmatched: 1, observed: 0, expected: 0.5, ratio: 0 });
    // A ratio of 0 has no interval on the log scale.
    expect(twelve.ratio_lower).toBeNull();
    expect(twelve.ratio_upper).toBeNull();
  });

  it('keeps only first reviews in a year, and never takes a person reviewed in the year before r as a control', async () => {
    const r = '2025-03-02';
    await person('A'); // care plan, no earlier review
    await person('B'); // care plan, another review exactly 365 days before: excluded
    await person('D'); // care plan, another review 366 days before: included
    await person('E'); // two care plans the same day: counted once
    await review('A', r);
    await review('B', r);
    await review('B', addDays(r, -365), 'NA');
    await review('D', r);
    await review('D', addDays(r, -366), 'AM');
    await review('E', r);
    await review('E', r);
    await person('K1'); // control, not admitted
    await person('K2'); // reviewed 365 days before r: not a control
    await person('K3'); // reviewed 366 days before r: a control, admitted
    await person('K4'); // reviewed on r with another outcome: not a control
    await review('K2', addDays(r, -365), 'AM');
    await review('K3', addDays(r, -366), 'NR');
    await review('K4', r, 'DC');
    for (const id of ['K2', 'K3', 'K4']) await admission(id, '2025-04-01');
    const twelve = byDays((await estimateCarePlanEffect(db, '2026-06-30', { suppressionThreshold: 1 })).horizons, 365);
    // Care plans A, D, E; controls K1 and K3: p = 1/2, E = 3 * 1/2.
    expect(twelve).toMatchObject({ care_plans: 3, matched: 3, unmatched: 0, observed: 0, expected: 1.5 });
  });

  it('counts a review at a horizon only when its whole follow-up is in the data', async () => {
    const asOf = '2026-06-30';
    await person('C1');
    await person('C2');
    await person('K1');
    // C1's t0 is exactly asOf - 91: complete at 3 months only. C2's t0 is exactly asOf - 365: complete at all three.
    await review('C1', addDays(asOf, -90));
    await review('C2', addDays(asOf, -364));
    // A care plan with less than 91 days of follow-up is nowhere.
    await person('C3');
    await review('C3', addDays(asOf, -89));
    const effect = await estimateCarePlanEffect(db, asOf, { suppressionThreshold: 1 });
    expect(effect.horizons.map((h) => h.care_plans)).toEqual([2, 1, 1]);
  });

  it('takes the outcome in (t0, t0 + h] and the previous admissions in (t0 - 365, t0]', async () => {
    const t0 = '2025-03-01';
    const r = addDays(t0, 1);
    await person('X');
    await person('Y');
    await review('X', r);
    await review('Y', r);
    await admission('X', t0); // in the 12 months before (1 previous admission), not an outcome
    await admission('X', addDays(t0, 91)); // the last day of the 3 months
    await admission('Y', t0);
    await admission('Y', addDays(t0, 92)); // after the 3 months, within 6
    await person('K'); // 1 previous admission (t0 - 364 is inside the window): X and Y's cell
    await admission('K', addDays(t0, -364));
    await person('J2'); // 1 previous admission, and admitted the day after t0
    await admission('J2', addDays(t0, -1));
    await admission('J2', addDays(t0, 1));
    await person('J'); // t0 - 365 is outside the window: 0 previous admissions, another cell
    await admission('J', addDays(t0, -365));
    await admission('J', addDays(t0, 10));
    const effect = await estimateCarePlanEffect(db, '2026-06-30', { suppressionThreshold: 1 });
    // The cell with 1 previous admission: controls K and J2, p = 1/2, E = 2 * 1/2 = 1 (with J in it, E would be 4/3).
    // 3 months: only X's admission at t0 + 91 counts (O = 1). 6 months: Y's at t0 + 92 too (O = 2).
    expect(byDays(effect.horizons, 91)).toMatchObject({ matched: 2, observed: 1, expected: 1, ratio: 1 });
    expect(byDays(effect.horizons, 182)).toMatchObject({ matched: 2, observed: 2, expected: 1, ratio: 2 });
  });

  it('counts distinct long-term-condition registers diagnosed by t0, not palliative care', async () => {
    const t0 = '2025-03-01';
    await person('C');
    await review('C', addDays(t0, 1));
    await register('C', 'HF', '2020-01-01');
    await register('C', 'HF', '2021-01-01'); // the same register twice: 1
    await person('K1'); // HF and palliative care: 1 register, C's cell
    await register('K1', 'HF', t0);
    await register('K1', 'PC', '2020-01-01');
    await person('K2'); // HF, and COPD diagnosed after t0: 1 register, C's cell
    await register('K2', 'HF', '2019-01-01');
    await register('K2', 'COPD', addDays(t0, 1));
    await admission('K2', addDays(t0, 5));
    await person('K3'); // no register: another cell
    await admission('K3', addDays(t0, 5));
    await person('K4'); // HF and COPD: 2 registers, another cell
    await register('K4', 'HF', '2019-01-01');
    await register('K4', 'COPD', '2019-01-01');
    const twelve = byDays((await estimateCarePlanEffect(db, '2026-06-30', { suppressionThreshold: 1 })).horizons, 365);
    // Controls K1 and K2: p = 1/2.
    expect(twelve).toMatchObject({ matched: 1, observed: 0, expected: 0.5 });
  });

  it('leaves out opted-out, dead and not-yet-registered people from both arms', async () => {
    const t0 = '2025-03-01';
    const r = addDays(t0, 1);
    await person('C');
    await review('C', r);
    await person('K1');
    await person('K2');
    await admission('K1', addDays(t0, 5));
    const outside: [string, PersonSettings][] = [
      ['OPT', { optOut: 'Y' }],
      ['DEAD', { dateOfDeath: t0 }], // dead on t0: not alive after it
      ['LATE', { registeredOn: r }],
      ['UNBORN', { yearOfBirth: 2026 }],
      ['P9434765919', {}], // holds an NHS number
    ];
    // Each excluded kind once with a care plan, and once more admitted, where a control would be.
    for (const [id, settings] of outside) {
      await person(id, settings);
      await review(id, r);
      await person(`${id}_K`, settings);
      await admission(`${id}_K`, addDays(t0, 5));
    }
    const twelve = byDays((await estimateCarePlanEffect(db, '2026-06-30', { suppressionThreshold: 1 })).horizons, 365);
    // Only C is a care plan; its controls are K1 (admitted) and K2: p = 1/2.
    expect(twelve).toMatchObject({ care_plans: 1, matched: 1, observed: 0, expected: 0.5 });
  });

  describe('small-number suppression', () => {
    /** n care plans on one day, `admitted` of them admitted, and 10 controls of whom 5 are admitted. */
    async function carePlans(n: number, admitted: number): Promise<void> {
      const t0 = '2025-03-01';
      for (let i = 0; i < n; i++) {
        await person(`C${i}`);
        await review(`C${i}`, addDays(t0, 1));
        if (i < admitted) await admission(`C${i}`, addDays(t0, 5));
      }
      for (let i = 0; i < 10; i++) {
        await person(`K${i}`);
        if (i < 5) await admission(`K${i}`, addDays(t0, 5));
      }
    }
    const hidden = { observed: null, expected: null, observed_share: null, expected_share: null, ratio: null, ratio_lower: null, ratio_upper: null, suppressed: true };

    it('hides everything when fewer care plans are matched than the threshold, and counts from 1 to threshold - 1', async () => {
      await carePlans(3, 1);
      const twelve = byDays((await estimateCarePlanEffect(db, '2026-06-30', { suppressionThreshold: 5 })).horizons, 365);
      // unmatched (0) goes with them: hidden counts are never shown beside the total they make.
      expect(twelve).toMatchObject({ care_plans: null, matched: null, unmatched: null, ...hidden });
    });

    it('hides the figures when few were admitted, or few were not, but shows the counts', async () => {
      await carePlans(10, 2);
      const twelve = byDays((await estimateCarePlanEffect(db, '2026-06-30', { suppressionThreshold: 5 })).horizons, 365);
      expect(twelve).toMatchObject({ care_plans: 10, matched: 10, unmatched: 0, ...hidden });
    });

    it('hides the figures when almost all were admitted', async () => {
      await carePlans(10, 8);
      const twelve = byDays((await estimateCarePlanEffect(db, '2026-06-30', { suppressionThreshold: 5 })).horizons, 365);
      expect(twelve).toMatchObject({ care_plans: 10, matched: 10, ...hidden });
    });

    it('hides a second count with a small one, since care_plans = matched + unmatched', async () => {
      // 10 matched and 2 unmatched (men, with no unreviewed man in their cell): care_plans would give unmatched away.
      await carePlans(10, 5);
      for (const id of ['M1', 'M2']) {
        await person(id, { sex: '1' });
        await review(id, '2025-03-02');
      }
      let twelve = byDays((await estimateCarePlanEffect(db, '2026-06-30', { suppressionThreshold: 5 })).horizons, 365);
      expect(twelve).toMatchObject({ care_plans: null, matched: 10, unmatched: null, observed: 5, suppressed: false });
      // One unreviewed man (M4) matches the 2 men and a third (M3): 13 matched. With 10 unmatched women of 85+,
      // care_plans 23, matched 13 and unmatched 10 all show.
      await person('M3', { sex: '1' });
      await review('M3', '2025-03-02');
      await person('M4', { sex: '1' });
      for (let i = 0; i < 10; i++) {
        await person(`U${i}`, { yearOfBirth: 1930 });
        await review(`U${i}`, '2025-03-02');
      }
      twelve = byDays((await estimateCarePlanEffect(db, '2026-06-30', { suppressionThreshold: 5 })).horizons, 365);
      expect(twelve).toMatchObject({ care_plans: 23, matched: 13, unmatched: 10, suppressed: false });
    });

    it('hides unmatched with a suppressed matched count, and shows care_plans', async () => {
      // 3 matched women (their cell has 10 controls) and 10 unmatched women of 85+ (none unreviewed in theirs).
      await carePlans(3, 1);
      for (let i = 0; i < 10; i++) {
        await person(`U${i}`, { yearOfBirth: 1930 });
        await review(`U${i}`, '2025-03-02');
      }
      const twelve = byDays((await estimateCarePlanEffect(db, '2026-06-30', { suppressionThreshold: 5 })).horizons, 365);
      expect(twelve).toMatchObject({ care_plans: 13, matched: null, unmatched: null, ...hidden });
    });

    it('shows them when the counts are large enough, and 0 admitted may show', async () => {
      await carePlans(10, 5);
      let twelve = byDays((await estimateCarePlanEffect(db, '2026-06-30', { suppressionThreshold: 5 })).horizons, 365);
      // p = 5/10, E = 10 * 1/2 = 5, O = 5.
      expect(twelve).toMatchObject({ matched: 10, observed: 5, expected: 5, ratio: 1, observed_share: 0.5, expected_share: 0.5, suppressed: false });
      await db.run("DELETE FROM inpatient_spells WHERE person_id LIKE 'C%'");
      twelve = byDays((await estimateCarePlanEffect(db, '2026-06-30', { suppressionThreshold: 5 })).horizons, 365);
      expect(twelve).toMatchObject({ matched: 10, observed: 0, expected: 5, ratio: 0, suppressed: false });
    });
  });

  it('gives empty horizons, without error, when there are no care plans or no reviews at all', async () => {
    await person('K1');
    const empty = await estimateCarePlanEffect(db, '2026-06-30', { suppressionThreshold: 8 });
    const nothing = { care_plans: 0, matched: 0, unmatched: 0, observed: null, expected: null, ratio: null, ratio_lower: null, ratio_upper: null };
    expect(empty.horizons).toHaveLength(3);
    for (const h of empty.horizons) expect(h).toMatchObject(nothing);
    await review('K1', '2025-03-02', 'AM');
    const noCarePlans = await estimateCarePlanEffect(db, '2026-06-30', { suppressionThreshold: 8 });
    for (const h of noCarePlans.horizons) expect(h).toMatchObject(nothing);
  });

  it('refuses a threshold that is not a whole number of at least 1, and a date that is not YYYY-MM-DD', async () => {
    await expect(estimateCarePlanEffect(db, '2026-06-30', { suppressionThreshold: 0 })).rejects.toThrow(/whole number/);
    await expect(estimateCarePlanEffect(db, '30/06/2026', { suppressionThreshold: 8 })).rejects.toThrow(/YYYY-MM-DD/);
  });
});
