import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../core/db/Database.ts';
import { renderReport } from '../../reports/renderReport.ts';
import { estimateOpportunity, preventable, roundBedDays, roundMoney } from '../../reports/sections/opportunity.ts';
import { fixtureAsOf, fixtureInput, openReportFixture } from './reportFixture.ts';

const previousAsOf = '2026-11-21';

/**
 * Two runs of tier history before today's: an older one (ignored: not the latest before as_of) and 2026-11-21, which
 * matches today's tiers except that the first 12 tier-4 people (by id) were not scored, the next 20 tier-4 people were
 * in tier 3, the first 5 tier-2 people were in tier 3, and `gone` people scored then are no longer scored (in tier 4,
 * or in tier 1 with `goneTier` 1). A row for as_of itself (written by the run before the report) is not "the previous
 * run".
 */
async function addTierHistory(db: Database, smallCell = true, gone = 9, goneTier = 4): Promise<void> {
  await db.run(`
    INSERT INTO tier_history (as_of, person_id, ea_tier, ea_risk)
    WITH t4 AS (SELECT person_id, row_number() OVER (ORDER BY person_id) AS k FROM scores WHERE ea_tier = 4),
    t2 AS (SELECT person_id, row_number() OVER (ORDER BY person_id) AS k FROM scores WHERE ea_tier = 2)
    SELECT DATE '${previousAsOf}', s.person_id,
      CASE WHEN t4.k BETWEEN 13 AND 32 THEN 3 WHEN t2.k <= 5 AND ${smallCell} THEN 3 ELSE s.ea_tier END, s.ea_risk
    FROM scores AS s
    LEFT JOIN t4 ON t4.person_id = s.person_id
    LEFT JOIN t2 ON t2.person_id = s.person_id
    WHERE t4.k IS NULL OR t4.k > 12`);
  await db.run(`INSERT INTO tier_history (as_of, person_id, ea_tier, ea_risk) SELECT DATE '${previousAsOf}', 'PG' || lpad(k::VARCHAR, 5, '0'), ${goneTier}, 0.01 FROM range(1, ${gone + 1}) AS t(k)`);
  await db.run(`INSERT INTO tier_history (as_of, person_id, ea_tier, ea_risk) SELECT DATE '2026-11-01', person_id, 1, 0.9 FROM scores`);
  await db.run(`INSERT INTO tier_history (as_of, person_id, ea_tier, ea_risk) SELECT DATE '${fixtureAsOf}', person_id, ea_tier, ea_risk FROM scores`);
}

function section(page: string, id: string): string {
  const match = new RegExp(`<section id="${id}"[\\s\\S]*?</section>`).exec(page);
  if (!match) throw new Error(`no section ${id}`);
  return match[0];
}

function rowCells(html: string, rowHeader: string): string[] {
  const row = new RegExp(`<tr[^>]*><th scope="row"[^>]*>${rowHeader}</th>(.*?)</tr>`).exec(html);
  if (!row) throw new Error(`no table row for ${rowHeader}`);
  return [...(row[1] as string).matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((cell) => cell[1] as string);
}

const joinedRow = `Joined tiers 1–2: in tiers 1–2 today, in tier 3 or 4 on ${previousAsOf} or not scored then`;
const leftRow = `Left tiers 1–2: in tier 3 or 4 today, in tiers 1–2 on ${previousAsOf}`;

let db: Database;
let html: string;
let tierSizes: Record<number, number>;

beforeAll(async () => {
  db = await openReportFixture();
  await addTierHistory(db);
  html = await renderReport(db, fixtureInput);
  const rows = await db.rows<{ ea_tier: number; n: number }>('SELECT ea_tier, count(*)::INTEGER AS n FROM scores GROUP BY 1');
  tierSizes = Object.fromEntries(rows.map((row) => [row.ea_tier, row.n]));
});

afterAll(() => {
  db.close();
});

describe('movers', () => {
  it('counts the flows from the latest earlier run to today', async () => {
    // Without the small tier 3 to tier 2 cell, the flows in and out of tier 4 are all publishable.
    const other = await openReportFixture();
    let movers: string;
    try {
      await addTierHistory(other, false);
      movers = section(await renderReport(other, fixtureInput), 'movers');
    } finally {
      other.close();
    }
    expect(movers).toContain(`People scored on ${fixtureAsOf}: risk tier on ${previousAsOf} (rows) and today (columns)`);
    // Columns: Tier 1..4 today, all. Only people scored today: the 9 scored on the previous date and not today are
    // in no row, column or total.
    expect(rowCells(movers, `Not scored on ${previousAsOf}`)).toEqual(['0', '0', '0', '12', '12']);
    const t4 = tierSizes[4] as number;
    expect(rowCells(movers, `Tier 4 on ${previousAsOf}`)).toEqual(['0', '0', '0', String(t4 - 32), String(t4 - 32)]);
    expect(rowCells(movers, 'All people scored today').slice(3)).toEqual([String(t4), '300']);
    expect(rowCells(movers, `Tier 3 on ${previousAsOf}`)).toEqual(['0', '0', String(tierSizes[3]), '20', String((tierSizes[3] as number) + 20)]);
    expect(movers).not.toMatch(/no longer scored/i);
    // Nobody joined tiers 1-2 this time; in the main fixture the 5 who did are hidden (below).
    expect(rowCells(movers, joinedRow)).toEqual(['0']);
  });

  it('hides the small cell (5 moved from tier 3 to tier 2) and enough others that it cannot be worked out', () => {
    const movers = section(html, 'movers');
    const tier3 = rowCells(movers, `Tier 3 on ${previousAsOf}`);
    expect(tier3[1]).toBe('*');
    expect(tier3.filter((cell) => cell === '*').length).toBeGreaterThanOrEqual(2);
    const tier2Column = [`Tier 1 on ${previousAsOf}`, `Tier 2 on ${previousAsOf}`, `Tier 3 on ${previousAsOf}`, `Tier 4 on ${previousAsOf}`, `Not scored on ${previousAsOf}`]
      .map((row) => rowCells(movers, row)[1]);
    expect(tier2Column.filter((cell) => cell === '*').length).toBeGreaterThanOrEqual(2);
    // Joined tiers 1-2: the same 5 people; left: nobody.
    expect(rowCells(movers, joinedRow)).toEqual(['*']);
    expect(rowCells(movers, leftRow)).toEqual(['0']);
    expect(movers).not.toMatch(/>[1-7]</);
  });

  it('counts only people scored today: who was scored before and is not now changes no figure, however many, whatever their tier', async () => {
    // An objector in tier 1 on the previous date must read exactly like a person who died or left, or whose rows never
    // arrived: the report cannot tell them apart, so it cannot reveal the objection.
    const render = async (gone: number, goneTier: number): Promise<string> => {
      const other = await openReportFixture();
      try {
        await addTierHistory(other, true, gone, goneTier);
        return await renderReport(other, fixtureInput);
      } finally {
        other.close();
      }
    };
    const none = await render(0, 4);
    expect(await render(1, 1)).toBe(none);
    expect(await render(3, 2)).toBe(none);
    expect(html).toBe(none);
  });

  it("does not give back a small flow through a tier's published count, and shows that count as the headline does", async () => {
    // 5 of today's tier-2 people were in tier 3, and nobody else moved: in the tier 3 column the people who stayed are
    // the only non-zero cell, and the headline publishes the column's total, so hiding them protects nothing.
    const other = await openReportFixture();
    let page: string;
    try {
      await other.run(`
        INSERT INTO tier_history (as_of, person_id, ea_tier, ea_risk)
        WITH t2 AS (SELECT person_id, row_number() OVER (ORDER BY person_id) AS k FROM scores WHERE ea_tier = 2)
        SELECT DATE '${previousAsOf}', s.person_id, CASE WHEN t2.k <= 5 THEN 3 ELSE s.ea_tier END, s.ea_risk
        FROM scores AS s LEFT JOIN t2 ON t2.person_id = s.person_id`);
      page = await renderReport(other, fixtureInput);
    } finally {
      other.close();
    }
    const movers = section(page, 'movers');
    const headline = section(page, 'headline');
    const t3 = String(tierSizes[3]);
    expect(rowCells(headline, 'Tier 3')[2]).toBe(t3);
    expect(rowCells(movers, 'All people scored today')[2]).toBe(t3);
    const tier3Row = rowCells(movers, `Tier 3 on ${previousAsOf}`);
    expect(tier3Row[1]).toBe('*');
    // Tier 3 today (shown) minus the people who stayed would give the 5 back if both that cell and the row's total
    // (the headline's previous count) were shown; so would the headline's change.
    expect(tier3Row[2] === '*' || tier3Row[4] === '*').toBe(true);
    expect(rowCells(headline, 'Tier 3').at(-1)).not.toBe('-5');
  });

  it('says so when there is no previous run', async () => {
    const other = await openReportFixture();
    try {
      const page = await renderReport(other, fixtureInput);
      expect(section(page, 'movers')).toContain('There is no previous run before 2026-11-22');
      expect(section(page, 'headline')).toContain('no previous run');
    } finally {
      other.close();
    }
  });
});

describe('headline: change since the last run', () => {
  it('shows each tier now, in the previous run, and the change', () => {
    const headline = section(html, 'headline');
    expect(headline).toContain(`Of the people scored today, in this tier on ${previousAsOf}`);
    const t3 = tierSizes[3] as number;
    expect(rowCells(headline, 'Tier 3').slice(-2)).toEqual([String(t3 + 25), '-25']);
    // Tier 1 has 3 people: hidden now, so its change is hidden too.
    expect(rowCells(headline, 'Tier 1').slice(-3)).toEqual(['*', '*', '*']);
    // The 5 who moved into tier 2 cannot be read off tier 2's change.
    expect(rowCells(headline, 'Tier 2').at(-1)).not.toBe('+5');
  });
});

describe('opportunity', () => {
  it('does the arithmetic: admissions = people expected × spells per person admitted, bed days = × mean stay, money = × cost', () => {
    const estimate = estimateOpportunity([
      { tier: '1', expectedPeople: 2.5, spells: 4, admittedPeople: 2, spellDays: 30 },
      { tier: '2', expectedPeople: 10, spells: 16, admittedPeople: 8, spellDays: 70 },
    ]);
    expect(estimate.expectedPeople).toBe(12.5);
    expect(estimate.admissionsPerPerson).toBe(2);
    expect(estimate.expectedAdmissions).toBe(25);
    expect(estimate.meanLengthOfStay).toBe(5);
    expect(estimate.expectedBedDays).toBe(125);
    const freed = preventable(estimate, 0.1, 400);
    expect(freed.admissions).toBeCloseTo(2.5);
    expect(freed.bedDays).toBeCloseTo(12.5);
    expect(freed.cost).toBeCloseTo(5000);
    const none = estimateOpportunity([{ tier: '4', expectedPeople: 3, spells: 0, admittedPeople: 0, spellDays: 0 }]);
    expect([none.expectedAdmissions, none.expectedBedDays]).toEqual([null, null]);
    expect(preventable(none, 0.1, 400)).toEqual({ admissions: null, bedDays: null, cost: null });
  });

  it('shows the tiers and the prevention figures from the database, rounded', async () => {
    const facts = await db.rows<{ tier: string; expected: number; spells: number; admitted: number; days: number }>(`
      WITH bucketed AS (
        SELECT person_id, ea_risk, CASE WHEN ea_tier <= 2 THEN '1-2' ELSE ea_tier::VARCHAR END AS tier FROM scores
      ),
      stays AS (
        SELECT b.tier, sp.person_id, least(coalesce(sp.discharge_date, DATE '${fixtureAsOf}'), DATE '${fixtureAsOf}') - sp.admission_date AS los
        FROM inpatient_spells AS sp JOIN bucketed AS b ON b.person_id = sp.person_id
        WHERE sp.admission_method IN ('21', '2A', '22')
          AND sp.admission_date > DATE '${fixtureAsOf}' - 365 AND sp.admission_date <= DATE '${fixtureAsOf}'
      )
      SELECT tier, (SELECT sum(ea_risk) FROM bucketed AS b WHERE b.tier = st.tier)::DOUBLE AS expected,
        count(*)::INTEGER AS spells, count(DISTINCT person_id)::INTEGER AS admitted, sum(los)::DOUBLE AS days
      FROM stays AS st GROUP BY tier`);
    const fact = (tier: string) => facts.find((row) => row.tier === tier)!;
    const opportunity = section(html, 'opportunity');
    expect(opportunity).toContain('modelled estimates');

    const t3 = fact('3');
    // The fixture's tier-3 people had more than one spell each on average, which the estimate must carry.
    expect(t3.spells).toBeGreaterThan(t3.admitted);
    const t3Admissions = (t3.expected * t3.spells) / t3.admitted;
    const t3Cells = rowCells(opportunity, 'Tier 3');
    expect(t3Cells[1]).toBe(t3.expected.toFixed(1));
    expect(t3Cells[2]).toBe(String(t3.spells));
    expect(t3Cells[3]).toBe((t3.spells / t3.admitted).toFixed(2));
    expect(t3Cells[4]).toBe((t3.days / t3.spells).toFixed(1));
    expect(t3Cells[5]).toBe(t3Admissions.toFixed(1));
    expect(t3Cells[6]).toBe(roundBedDays((t3Admissions * t3.days) / t3.spells).toLocaleString('en-GB'));

    const top = fact('1-2');
    const topAdmissions = (top.expected * top.spells) / top.admitted;
    const bedDays = (topAdmissions * top.days) / top.spells;
    expect(rowCells(opportunity, 'Tiers 1–2')[5]).toBe(topAdmissions.toFixed(1));
    expect(rowCells(opportunity, 'Tiers 1–2')[6]).toBe(roundBedDays(bedDays).toLocaleString('en-GB'));
    expect(rowCells(opportunity, 'Emergency admissions prevented')).toEqual([(topAdmissions * 0.1).toFixed(1)]);
    expect(rowCells(opportunity, 'Emergency bed days freed')).toEqual([roundBedDays(bedDays * 0.1).toLocaleString('en-GB')]);
    expect(rowCells(opportunity, 'Value of the bed days freed, at £400 per bed day')).toEqual([
      `£${roundMoney(bedDays * 0.1 * 400).toLocaleString('en-GB')}`,
    ]);

    const custom = section(await renderReport(db, { ...fixtureInput, preventableShare: 0.2, costPerBedDay: 550 }), 'opportunity');
    expect(rowCells(custom, 'Value of the bed days freed, at £550 per bed day')).toEqual([
      `£${roundMoney(bedDays * 0.2 * 550).toLocaleString('en-GB')}`,
    ]);
    expect(custom).toContain('If 20% of tiers 1–2');
  });

  it('refuses a preventable share or cost it cannot use', async () => {
    await expect(renderReport(db, { ...fixtureInput, preventableShare: 1.5 })).rejects.toThrow(/preventableShare/);
    await expect(renderReport(db, { ...fixtureInput, costPerBedDay: -1 })).rejects.toThrow(/costPerBedDay/);
  });
});

describe('determinism with tier history', () => {
  it('gives byte-identical HTML on a second render and from a second copy', async () => {
    expect(await renderReport(db, fixtureInput)).toBe(html);
    const copy = await openReportFixture();
    try {
      await addTierHistory(copy);
      expect(await renderReport(copy, fixtureInput)).toBe(html);
    } finally {
      copy.close();
    }
  });
});
