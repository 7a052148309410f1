// Disclosure control of the whole rendered report (data contract §4): no count from 1 to 7 anywhere a reader can
// see it, no hidden count that subtraction gives back, and a scan that is shown to fail when suppression is off.
// The fixture is rendered at its usual size and at a size with many small groups.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../core/db/Database.ts';
import { renderReport } from '../../reports/renderReport.ts';
import { renderTable } from '../../reports/renderTable.ts';
import { countIn, tableByCaption } from '../helpers/reportHtml.ts';
import { findHiddenSumsFromTotals, findUnsuppressedSmallCounts, scanProse } from '../helpers/smallCountScan.ts';
import { fixtureInput, openReportFixture } from './reportFixture.ts';

const manySmallGroups = { people: 90, spells: 120, attendances: 200 };

// In the 85+ band: 3 people with no LTC (hidden), 9 with 2, 10 with 4 and the rest (12 or so) with 1. Hiding the
// 3 hides the 9, then the 10; the people, the 1s and the "% with 2 or more" would then still give the 3 back.
const fewWithoutConditionsSql = `
UPDATE scores SET ltc_count = CASE
  WHEN person_id IN (SELECT person_id FROM scores WHERE age_band = '85+' ORDER BY person_id LIMIT 3) THEN 0
  WHEN person_id IN (SELECT person_id FROM scores WHERE age_band = '85+' ORDER BY person_id LIMIT 9 OFFSET 3) THEN 2
  WHEN person_id IN (SELECT person_id FROM scores WHERE age_band = '85+' ORDER BY person_id LIMIT 10 OFFSET 12) THEN 4
  ELSE 1 END
WHERE age_band = '85+'`;

let usual: Database;
let small: Database;
let fewWithoutConditions: Database;
const pages = new Map<string, string>();

beforeAll(async () => {
  usual = await openReportFixture();
  small = await openReportFixture(manySmallGroups);
  fewWithoutConditions = await openReportFixture();
  await fewWithoutConditions.run(fewWithoutConditionsSql);
  pages.set('usual', await renderReport(usual, fixtureInput));
  pages.set('many small groups', await renderReport(small, fixtureInput));
  pages.set('few 85+ without an LTC', await renderReport(fewWithoutConditions, fixtureInput));
});

afterAll(() => {
  usual.close();
  small.close();
  fewWithoutConditions.close();
});

describe('small-number scan of the rendered report', () => {
  it.each(['usual', 'many small groups', 'few 85+ without an LTC'])('finds no count from 1 to 7 in tables, charts or text (%s fixture)', (name) => {
    const page = pages.get(name) as string;
    expect(findUnsuppressedSmallCounts(page)).toEqual([]);
    // The scan had something to look at: many figures hidden, and many shown.
    expect((page.match(/>\*</g) ?? []).length).toBeGreaterThan(50);
  });

  it('fails on the same data with suppression switched off (threshold 1 hides nothing)', async () => {
    const usualFindings = findUnsuppressedSmallCounts(await renderReport(usual, { ...fixtureInput, suppressionThreshold: 1 }));
    expect(usualFindings.some((finding) => finding.where.startsWith('table "People in tiers 1–2 by GP practice"'))).toBe(true);
    // With many small groups, the charts' data tables and the words under the activity chart give counts away too.
    const smallFindings = findUnsuppressedSmallCounts(await renderReport(small, { ...fixtureInput, suppressionThreshold: 1 }));
    expect(smallFindings.some((finding) => finding.where.startsWith('table "Data table:'))).toBe(true);
    expect(smallFindings.some((finding) => finding.where === 'chart desc')).toBe(true);
  });

  it('reads prose the way a reader would: counts are caught, labels, ranks, dates and rates are not', () => {
    expect(scanProse('Since the previous run, 5 people joined tiers 1–2.')).toHaveLength(1);
    expect(scanProse('A&E attendances ranged from 3 (March 2026) to 40 (May 2026) a month.')).toHaveLength(1);
    expect(scanProse('Tier 1 holds 0.5%; tiers 1, 2 and 3 end at 20%. Decile 1 (most deprived), tenth 7, 2 or more LTCs.')).toEqual([]);
    expect(scanProse('Scores as of 2026-11-22, from March 2026; 15.3% and 3.4 per 1,000; ages 0-17 and 85+; £4,000.')).toEqual([]);
    expect(scanProse('4 practice(s) not shown. 2 bar(s) left out.')).toEqual([]);
  });
});

describe('no hidden count comes back by subtraction', () => {
  it.each(['usual', 'many small groups', 'few 85+ without an LTC'])('from a table total (%s fixture)', (name) => {
    expect(findHiddenSumsFromTotals(pages.get(name) as string)).toEqual([]);
  });

  it('the total check finds one hidden cell, and hidden cells that add up to 1 to 7', () => {
    const table = (cells: string[], total: string): string =>
      renderTable({
        caption: 'Test',
        columns: [{ header: 'Group' }, { header: 'People', numeric: true }],
        rows: [...cells.map((cell, index) => ({ cells: [`Group ${index + 1}`, cell] })), { cells: ['All groups', total], total: true }],
      });
    expect(findHiddenSumsFromTotals(table(['*', '40', '50'], '93'))).toEqual([{ where: 'table "Test", column "People"', text: 'the one hidden cell is 3' }]);
    expect(findHiddenSumsFromTotals(table(['*', '*', '50'], '55'))).toEqual([{ where: 'table "Test", column "People"', text: '2 hidden cells add up to 5' }]);
    expect(findHiddenSumsFromTotals(table(['*', '*', '50'], '58'))).toEqual([]);
    expect(findHiddenSumsFromTotals(table(['*', '*', '*'], '*'))).toEqual([]);
  });

  // In the LTC-by-age table, people = none + 1 + 2–3 + 4+, multimorbidity (the "% with 2 or more", times the
  // people) = 2–3 + 4+, and people = none + 1 + multimorbidity. A relation with exactly one hidden term gives it back.
  it.each(['usual', 'many small groups', 'few 85+ without an LTC'])('LTC-by-age table (%s fixture)', (name) => {
    const table = tableByCaption(pages.get(name) as string, 'Number of long-term conditions by age band');
    const column = (header: string): number => {
      const at = table.headers.indexOf(header);
      if (at < 0) throw new Error(`no column ${header}`);
      return at;
    };
    let hiddenSeen = 0;
    for (const row of table.rows) {
      const shown = (header: string): boolean => row[column(header)] !== '*';
      const people = shown('People');
      const none = shown('No LTCs');
      const one = shown('1 LTC');
      const twoThree = shown('2–3 LTCs');
      const fourPlus = shown('4 or more LTCs');
      const multimorbid = people && shown('% with 2 or more');
      const relations = [
        [people, none, one, twoThree, fourPlus],
        [multimorbid, twoThree, fourPlus],
        [people, none, one, multimorbid],
      ];
      for (const relation of relations) expect(relation.filter((known) => !known).length, `${row[0]}: ${row.join(' | ')}`).not.toBe(1);
      hiddenSeen += row.filter((cell) => cell === '*').length;
      // Shown counts are whole numbers (the relation check relies on reading them).
      for (const header of ['People', 'No LTCs', '1 LTC']) if (shown(header)) expect(countIn(row[column(header)] as string)).not.toBeNull();
    }
    expect(hiddenSeen).toBeGreaterThan(0);
  });
});
