// The population-segments section (reports/sections/segments.ts, sql/report/segments_by_tier.sql): people and
// emergency admissions per 1,000 by segment and tier and by segment and PCN, on a population built group by group so
// that every figure can be worked by hand; then small cells, hidden with a second cell so that no total gives them back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../core/db/Database.ts';
import { renderReport } from '../../reports/renderReport.ts';
import { segmentFinding } from '../../reports/sections/segments.ts';
import { tableByCaption, textOf } from '../helpers/reportHtml.ts';
import { findHiddenSumsFromTotals, findUnsuppressedSmallCounts } from '../helpers/smallCountScan.ts';
import { fixtureInput, openReportFixture } from './reportFixture.ts';

// 100 people in five groups: (group, segment, tier, practice, PCN, people).
//   healthy                40 in tier 4, A81001 (U00001): no admission
//   complex_multimorbidity 12 in tier 2, A81001 (U00001): 2 emergency admissions each = 24
//   complex_multimorbidity 18 in tier 3, A81001 (U00001): the first 8 one each, 364 days before as_of = 8
//   frailty_dementia       10 in tier 2, B82001 (U00002): one each, the first 2 a second one = 12; not counted: an
//                          elective admission, and an emergency one 365 days before as_of (outside the window)
//   long_term_conditions   20 in tier 4, B82001 (U00002): no admission
const constructedPopulationSql = [
  'DELETE FROM scores',
  'DELETE FROM inpatient_spells',
  `INSERT INTO scores
   WITH groups(g, segment, tier, practice_code, pcn_code, n) AS (
     VALUES (1, 'healthy', 4, 'A81001', 'U00001', 40), (2, 'complex_multimorbidity', 2, 'A81001', 'U00001', 12),
       (3, 'complex_multimorbidity', 3, 'A81001', 'U00001', 18), (4, 'frailty_dementia', 2, 'B82001', 'U00002', 10),
       (5, 'long_term_conditions', 4, 'B82001', 'U00002', 20)
   ),
   people AS (SELECT *, unnest(range(1, n + 1)) AS k FROM groups)
   SELECT 'PS' || g || '_' || k, practice_code, pcn_code, 50, '45-64', CASE WHEN k % 2 = 0 THEN '2' ELSE '1' END, 'White', 5,
     0, 0, 0.0, 0, 0, 0, CASE tier WHEN 2 THEN 0.4 WHEN 3 THEN 0.15 ELSE 0.03 END, tier, 0.05, ['age'], NULL, segment
   FROM people`,
  `INSERT INTO inpatient_spells
   SELECT 'SP' || row_number() OVER (), person_id, DATE '2026-11-22' - days, NULL, method, 'J441', NULL, NULL, DATE '2026-11-22', 1
   FROM (
     SELECT 'PS2_' || k AS person_id, d AS days, '21' AS method FROM range(1, 13) AS t(k), (VALUES (10), (200)) AS v(d)
     UNION ALL SELECT 'PS3_' || k, 364, '2A' FROM range(1, 9) AS t(k)
     UNION ALL SELECT 'PS4_' || k, 30, '22' FROM range(1, 11) AS t(k)
     UNION ALL SELECT 'PS4_' || k, 60, '21' FROM range(1, 3) AS t(k)
     UNION ALL SELECT 'PS4_3', 20, '11'
     UNION ALL SELECT 'PS4_4', 365, '21'
     -- The opted-out person is not scored: their admission counts nowhere.
     UNION ALL SELECT 'PX900001', 5, '21'
   )`,
];

let db: Database;
let html: string;

beforeAll(async () => {
  db = await openReportFixture();
  for (const sql of constructedPopulationSql) await db.run(sql);
  html = await renderReport(db, fixtureInput);
});

afterAll(() => {
  db.close();
});

const byTierPeople = 'People by population segment and risk tier';
const byTierRates = 'Emergency admissions in the last 12 months per 1,000 people, by population segment and risk tier';
const byPcnPeople = 'People by population segment and primary care network (PCN)';
const byPcnRates = 'Emergency admissions in the last 12 months per 1,000 people, by population segment and primary care network (PCN)';

function row(caption: string, header: string): string[] {
  const found = tableByCaption(html, caption).rows.find((cells) => cells[0] === header);
  if (!found) throw new Error(`no row ${header} in ${caption}`);
  return found.slice(1);
}

describe('segments section: a population worked by hand', () => {
  it('counts the people of each segment in each tier, tiers 1–2 and overall', () => {
    expect(tableByCaption(html, byTierPeople).headers).toEqual(['Segment', 'Tier 1', 'Tier 2', 'Tier 3', 'Tier 4', 'Tiers 1–2', 'All tiers']);
    expect(row(byTierPeople, 'Healthy')).toEqual(['0', '0', '0', '40', '0', '40']);
    expect(row(byTierPeople, 'Complex multimorbidity (2 or more LTCs)')).toEqual(['0', '12', '18', '0', '12', '30']);
    expect(row(byTierPeople, 'Frailty and dementia')).toEqual(['0', '10', '0', '0', '10', '10']);
    expect(row(byTierPeople, 'One long-term condition')).toEqual(['0', '0', '0', '20', '0', '20']);
    expect(row(byTierPeople, 'End of life')).toEqual(['0', '0', '0', '0', '0', '0']);
    expect(row(byTierPeople, 'All segments')).toEqual(['0', '22', '18', '60', '22', '100']);
  });

  it('gives emergency admissions of the last 365 days per 1,000 people, "–" where nobody is', () => {
    // Complex, tier 2: 24 / 12; tier 3: 8 / 18 (the admission 364 days back counts); frailty: 12 / 10.
    expect(row(byTierRates, 'Complex multimorbidity (2 or more LTCs)')).toEqual(['–', '2,000.0', '444.4', '–', '2,000.0', '1,066.7']);
    expect(row(byTierRates, 'Frailty and dementia')).toEqual(['–', '1,200.0', '–', '–', '1,200.0', '1,200.0']);
    expect(row(byTierRates, 'Healthy')).toEqual(['–', '–', '–', '0.0', '–', '0.0']);
    // 44 admissions: the elective one, the one 365 days back and the opted-out person's are not among them.
    expect(row(byTierRates, 'All segments')).toEqual(['–', '1,636.4', '444.4', '0.0', '1,636.4', '440.0']);
  });

  it('agrees with the risk pyramid on each tier', () => {
    const pyramid = tableByCaption(html, 'Emergency admissions in the last 12 months, by risk tier today');
    const tier2 = pyramid.rows.find((cells) => cells[0] === 'Tier 2')!;
    expect(tier2[1]).toBe('22');
    expect(tier2.at(-1)).toBe('1,636.4');
  });

  it('shows each segment by the PCN of its practice', () => {
    expect(tableByCaption(html, byPcnPeople).headers).toEqual(['Segment', 'U00001', 'U00002', 'All PCNs']);
    expect(row(byPcnPeople, 'Complex multimorbidity (2 or more LTCs)')).toEqual(['30', '0', '30']);
    expect(row(byPcnPeople, 'One long-term condition')).toEqual(['0', '20', '20']);
    expect(row(byPcnPeople, 'All segments')).toEqual(['70', '30', '100']);
    // U00001: 32 admissions for 70 people; U00002: 12 for 30.
    expect(row(byPcnRates, 'All segments')).toEqual(['457.1', '400.0', '440.0']);
    expect(row(byPcnRates, 'Frailty and dementia')).toEqual(['–', '1,200.0', '1,200.0']);
  });

  it('opens with one sentence: who holds most of tiers 1–2, and who has the highest rate', () => {
    const section = /<section id="segments"[^>]*>(.*?)<\/section>/s.exec(html)?.[1] ?? '';
    const first = textOf(/<p[^>]*>(.*?)<\/p>/s.exec(section)?.[1] ?? '');
    expect(first).toBe(
      // The hand-worked population's segments are 10 to 40 people: too few to compare their admission rates.
      'Complex multimorbidity (2 or more LTCs) holds the most people in tiers 1–2 (54.5% of them); no segment has the ' +
        '100 people or more this report needs to compare admission rates.',
    );
  });

  it('draws the rates as a grid, with its words and data table', () => {
    expect(html).toContain('<figure class="chart" id="chart-segments-by-tier"');
    expect(html).toContain('The highest is 2,000.0 per 1,000 for Complex multimorbidity (2 or more LTCs) in Tier 2.');
  });
});

describe('segments section: small numbers', () => {
  it('hides a segment of 1 to 7 people in a tier, and a second cell so no total gives it back', async () => {
    const small = await openReportFixture();
    try {
      for (const sql of constructedPopulationSql) await small.run(sql);
      // 3 of the healthy people are end of life instead.
      await small.run(`UPDATE scores SET segment = 'end_of_life' WHERE person_id IN ('PS1_1', 'PS1_2', 'PS1_3')`);
      const page = await renderReport(small, fixtureInput);
      const table = tableByCaption(page, byTierPeople);
      const cells = (header: string) => table.rows.find((r) => r[0] === header)!.slice(1);
      expect(cells('End of life')).toEqual(['0', '0', '0', '*', '0', '*']);
      // Tier 4's 60 people are published by the risk pyramid, so the smallest other cell of tier 4 is hidden with it:
      // one long-term condition's 20 (not healthy's 37).
      expect(cells('One long-term condition')[3]).toBe('*');
      expect(cells('Healthy')[3]).toBe('37');
      expect(cells('All segments')).toEqual(['0', '22', '18', '60', '22', '100']);
      expect(findUnsuppressedSmallCounts(page)).toEqual([]);
      expect(findHiddenSumsFromTotals(page)).toEqual([]);
    } finally {
      small.close();
    }
  });

  it('names only published figures in the finding', () => {
    const value = (v: number) => ({ kind: 'value', value: v }) as const;
    const hidden = { kind: 'suppressed' } as const;
    const finding = segmentFinding(['end_of_life', 'healthy'], {
      people: (segment, scope) => (segment === null ? value(20) : scope.kind === 'tier12' && segment === 'end_of_life' ? hidden : value(12)),
      rate: () => hidden,
    });
    expect(finding).toBe('Healthy holds the most people in tiers 1–2 (60.0% of them); no segment has the 100 people or more this report needs to compare admission rates.');
    expect(segmentFinding(['healthy'], { people: () => hidden, rate: () => hidden })).toContain('too small to publish');
    // 40 in tiers 1–2, 12 of them healthy: the hidden 28 could hold a larger segment, and a hidden rate a higher one.
    const qualified = segmentFinding(['end_of_life', 'healthy'], {
      people: (segment, scope) => (segment === null ? value(40) : scope.kind === 'tier12' && segment === 'end_of_life' ? hidden : value(12)),
      rate: (segment) => (segment === 'healthy' ? value(250) : hidden),
    }, 10);
    expect(qualified).toBe(
      'Of the segments whose counts are published, Healthy holds the most people in tiers 1–2 (30.0% of them); of the ' +
        'segments whose rates are published, it also has the highest rate of emergency admissions, 250.0 per 1,000 people in the last 12 months.',
    );
  });

  it('compares admission rates only of segments of 100 people or more', () => {
    const value = (v: number) => ({ kind: 'value', value: v }) as const;
    const sizes: Record<string, number> = { end_of_life: 40, frailty_dementia: 150, healthy: 500 };
    const rates: Record<string, number> = { end_of_life: 900, frailty_dementia: 400, healthy: 200 };
    // In tiers 1–2: 100 people, 60 of them healthy.
    const finding = segmentFinding(['end_of_life', 'frailty_dementia', 'healthy'], {
      people: (segment, scope) =>
        scope.kind === 'tier12' ? value(segment === null ? 100 : segment === 'healthy' ? 60 : 20) : value(segment === null ? 690 : sizes[segment]!),
      rate: (segment) => value(rates[segment as string]!),
    });
    expect(finding).toBe(
      'Healthy holds the most people in tiers 1–2 (60.0% of them); of the segments of 100 people or more, Frailty and ' +
        'dementia has the highest rate of emergency admissions, 400.0 per 1,000 people in the last 12 months.',
    );
    // End of life's size hidden (as secondary suppression can hide a large one): the words speak of published sizes.
    const hiddenSize = segmentFinding(['end_of_life', 'frailty_dementia', 'healthy'], {
      people: (segment, scope) =>
        scope.kind === 'tier12'
          ? value(segment === null ? 100 : segment === 'healthy' ? 60 : 20)
          : segment === 'end_of_life' ? { kind: 'suppressed' } : value(segment === null ? 690 : sizes[segment]!),
      rate: (segment) => value(rates[segment as string]!),
    });
    expect(hiddenSize).toContain('of the segments of 100 people or more whose sizes are published, Frailty and dementia has the highest rate');
    const noneLarge = segmentFinding(['end_of_life', 'healthy'], {
      people: (segment, scope) => (scope.kind === 'tier12' ? value(segment === null ? 30 : 15) : segment === 'end_of_life' ? { kind: 'suppressed' } : value(40)),
      rate: () => value(100),
    });
    expect(noneLarge).toContain('no segment whose size is published has the 100 people or more');
  });
});
