import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../core/db/Database.ts';
import { renderReport } from '../../reports/renderReport.ts';
import { tableByCaption } from '../helpers/reportHtml.ts';
import { deleteOptedOutActivity, fixtureInput, openReportFixture, optedOutPersonId } from './reportFixture.ts';

const sectionTitles = [
  'Summary',
  'Headline',
  'Risk pyramid',
  'Practices and primary care networks',
  'Population segments',
  'Inequalities',
  'Long-term conditions',
  'Activity trends',
  'Movers',
  'Model performance',
  'Data quality',
  'Opportunity',
  'Did proactive care work?',
];

let db: Database;
let html: string;

beforeAll(async () => {
  db = await openReportFixture();
  html = await renderReport(db, fixtureInput);
});

afterAll(() => {
  db.close();
});

/** The text of each cell of the table row whose first cell is `rowHeader`, in the table with that caption. */
function rowCells(page: string, rowHeader: string, caption = 'People in tiers 1–2 by GP practice'): string[] {
  const table = new RegExp(`<caption>${caption}</caption>(.*?)</table>`, 's').exec(page);
  if (!table) throw new Error(`no table ${caption}`);
  const row = new RegExp(`<tr[^>]*><th scope="row"[^>]*>${rowHeader}</th>(.*?)</tr>`).exec(table[1] as string);
  if (!row) throw new Error(`no table row for ${rowHeader}`);
  return [...(row[1] as string).matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((cell) => cell[1] as string);
}

describe('renderReport: structure', () => {
  it('has every section heading, in order', () => {
    let from = 0;
    sectionTitles.forEach((title, index) => {
      const at = html.indexOf(`>${index + 1}. ${title}</h2>`, from);
      expect(at, title).toBeGreaterThan(from);
      from = at;
    });
  });

  it('is one self-contained page: no script, no URL, no external resource', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/@import|<link|<img|<iframe/i);
    // url(...) only for in-page SVG references such as clip paths.
    expect(html).not.toMatch(/url\((?!#)/);
    expect(html).toMatch(/@media print/);
  });

  it('draws charts as inline SVG with ids unique in the page', () => {
    const svgs = html.match(/<svg /g) ?? [];
    expect(svgs.length).toBeGreaterThanOrEqual(8);
    const ids = [...html.matchAll(/ id="([^"]+)"/g)].map((match) => match[1]);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('renderReport: disclosure control', () => {
  it('shows no person_id, and nothing from a quarantined row', async () => {
    const ids = await db.rows<{ person_id: string }>('SELECT person_id FROM persons ORDER BY person_id');
    expect(ids.length).toBe(302);
    for (const { person_id } of ids) expect(html.includes(person_id), person_id).toBe(false);
    expect(html).not.toContain('9434765919');
    expect(html).not.toContain('detail mentions');
  });

  it("shows '*' for a practice with 1 to 7 people in tiers 1-2", () => {
    // B82001 has 5 people in tiers 1-2 out of 60.
    const cells = rowCells(html, 'B82001');
    expect(cells[1]).toBe('60');
    expect(cells[2]).toBe('*');
    expect(cells[3]).toBe('*');
  });

  it('hides a second practice so the hidden one cannot be worked out from the total', () => {
    const hiddenPractices = ['A81001', 'A81002', 'B82001', 'B82002'].filter((code) => rowCells(html, code)[2] === '*');
    expect(hiddenPractices.length).toBeGreaterThanOrEqual(2);
    expect(rowCells(html, 'All practices')[2]).toBe('66');
  });

  it('shows each practice once, in the PCN most of its people have, whatever a few records say', async () => {
    const other = await openReportFixture();
    try {
      // Two A81001 people (PCN U00001) with no PCN on their record, one with another PCN.
      await other.run(`UPDATE scores SET pcn_code = NULL WHERE person_id IN ('PX000001', 'PX000002')`);
      await other.run(`UPDATE scores SET pcn_code = 'U00002' WHERE person_id = 'PX000003'`);
      const page = await renderReport(other, fixtureInput);
      const practiceRows = (code: string): number => (page.match(new RegExp(`<th scope="row">${code}</th>`, 'g')) ?? []).length;
      // One row in the practice table and one in the funnel plot's data table.
      expect(practiceRows('A81001')).toBe(2);
      expect(rowCells(page, 'A81001')[0]).toBe('U00001');
      expect(rowCells(page, 'A81001')[1]).toBe('120');
      const pcnTable = 'People in tiers 1–2 by primary care network \\(PCN\\)';
      expect(rowCells(page, 'U00001', pcnTable).slice(0, 2)).toEqual(['2', '220']);
      expect(rowCells(page, 'U00002', pcnTable).slice(0, 2)).toEqual(['1', '60']);
    } finally {
      other.close();
    }
  });

  it("does not let an opted-out person's activity change any figure", async () => {
    const other = await openReportFixture();
    try {
      await deleteOptedOutActivity(other);
      const remaining = await other.value<bigint>(
        'SELECT count(*) FROM inpatient_spells WHERE person_id = $person_id',
        { person_id: optedOutPersonId },
      );
      expect(remaining).toBe(0n);
      expect(await renderReport(other, fixtureInput)).toBe(html);
    } finally {
      other.close();
    }
  });

  it('does change when a scored person has another emergency admission (the check above can fail)', async () => {
    const other = await openReportFixture();
    try {
      await other.run(
        `INSERT INTO inpatient_spells VALUES ('SNEW', 'PX000010', DATE '2026-10-10', DATE '2026-10-12', '21', 'J441', NULL, NULL, DATE '2026-11-22', 1)`,
      );
      expect(await renderReport(other, fixtureInput)).not.toBe(html);
    } finally {
      other.close();
    }
  });
});

describe('renderReport: determinism and input', () => {
  it('gives byte-identical HTML on a second render, and from a second copy of the database', async () => {
    expect(await renderReport(db, fixtureInput)).toBe(html);
    const copy = await openReportFixture();
    try {
      expect(await renderReport(copy, fixtureInput)).toBe(html);
    } finally {
      copy.close();
    }
  });

  it('says plainly when a model is not yet validated', () => {
    expect(html).toContain('not yet validated');
  });

  it('refuses input it cannot use, before any query', async () => {
    await expect(renderReport(db, { ...fixtureInput, asOf: '2026-02-30' })).rejects.toThrow(/asOf/);
    await expect(renderReport(db, { ...fixtureInput, tierCutoffs: [0.05, 0.005] })).rejects.toThrow(/increase/);
  });

  it('shows rows loaded and quarantined per file, and quarantined rows by reason over all files', () => {
    const files = tableByCaption(html, 'Rows in each extract file');
    expect(files.headers).toEqual(['Extract date', 'File', 'Rows loaded', 'Rows quarantined', 'Corrections to earlier rows']);
    // Rows loaded and corrections are those of the 300 people scored: not the opted-out person's (1 demographics row
    // a snapshot, 2 conditions, 20 spells, 15 attendances, 2 corrections) nor the dead person's (1 row a snapshot,
    // 1 spell), whatever extract_files says was loaded.
    expect(files.rows).toEqual([
      ['2026-11-21', 'demographics.csv', '300', '0', '0'],
      ['2026-11-21', 'gp_conditions.csv', '337', '0', '0'],
      // 5 quarantined rows are hidden, and so are the 40 beside them, or the total of 45 would give the 5 back. No
      // column of rows read gives them back either.
      ['2026-11-22', 'ae_attendances.csv', '800', '*', '0'],
      ['2026-11-22', 'demographics.csv', '300', '0', '0'],
      ['2026-11-22', 'inpatient_spells.csv', '500', '*', '10'],
      ['All files', '', '2,237', '45', '10'],
    ]);
    expect(html).toContain('Rows loaded and corrections are counted only for the people scored on 2026-11-22');
    const reasons = tableByCaption(html, 'Quarantined rows by reason, all files and extracts in this report');
    expect(reasons.rows).toEqual([
      ['a date that cannot be read', '*', 'inpatient_spells.csv'],
      ['a person not in any demographics extract', '*', 'inpatient_spells.csv'],
      ['the same record twice in one file', '30', 'ae_attendances.csv'],
      // 10 rows, hidden so that the two small ones cannot be worked out from the total of 45.
      ['a direct identifier (NHS number) where a pseudonym belongs', '*', 'ae_attendances.csv'],
      ['All reasons', '45', ''],
    ]);
  });

  it('hides a snapshot count that would give away the 1 to 7 people first seen since, beside the people scored', async () => {
    const other = await openReportFixture();
    try {
      // 5 of the people scored were first seen in the 2026-11-22 snapshot: 300 scored, 295 of them in 2026-11-21's.
      await other.run(`UPDATE persons SET first_extract = DATE '2026-11-22' WHERE person_id IN ('PX000001', 'PX000002', 'PX000003', 'PX000004', 'PX000005')`);
      const page = await renderReport(other, fixtureInput);
      const files = tableByCaption(page, 'Rows in each extract file');
      const loaded = (date: string, file: string): string => files.rows.find((row) => row[0] === date && row[1] === file)![2]!;
      expect(loaded('2026-11-22', 'demographics.csv')).toBe('300');
      expect(loaded('2026-11-21', 'demographics.csv')).toBe('*');
      // And the hidden count does not come back from the total of the column.
      expect(files.rows.filter((row) => row[2] === '*').length).toBeGreaterThanOrEqual(2);
    } finally {
      other.close();
    }
  });

  it('renders a data-quality section with no new extracts', async () => {
    const page = await renderReport(db, { ...fixtureInput, extractDates: [] });
    expect(page).toContain('No new extract was loaded for this report.');
  });

  it('renders when nobody is scored yet', async () => {
    const empty = await openReportFixture();
    try {
      await empty.run('DELETE FROM scores');
      const page = await renderReport(empty, fixtureInput);
      for (const [index, title] of sectionTitles.entries()) expect(page).toContain(`>${index + 1}. ${title}</h2>`);
      expect(page).not.toMatch(/NaN|undefined|Infinity/);
      expect(page).toContain('The funnel plot is not shown');
    } finally {
      empty.close();
    }
  });

  it('hides a second month when the last 12 months add up to the risk pyramid total', async () => {
    const other = await openReportFixture();
    try {
      // Leave 3 emergency admissions in March 2026.
      await other.run(`
        DELETE FROM inpatient_spells
        WHERE admission_method <> '11' AND admission_date BETWEEN DATE '2026-03-01' AND DATE '2026-03-31'
          AND spell_id NOT IN (
            SELECT spell_id FROM inpatient_spells
            WHERE admission_method <> '11' AND admission_date BETWEEN DATE '2026-03-01' AND DATE '2026-03-31'
            ORDER BY spell_id LIMIT 3)`);
      const hiddenMonths = (page: string): string[] => {
        const table = /<caption>Data table: Emergency admissions, A&amp;E attendances and emergency bed days per month, people scored<\/caption>(.*?)<\/table>/s.exec(page);
        return [...(table?.[1] ?? '').matchAll(/<tr><th scope="row">(\w+ \d{4})<\/th><td class="num">\*<\/td>/g)].map((match) => match[1] as string);
      };

      // 31 October: the 12 months November 2025 to October 2026 are exactly the pyramid's 365 days.
      const monthEnd = await renderReport(other, { ...fixtureInput, asOf: '2026-10-31' });
      expect(hiddenMonths(monthEnd)).toContain('March 2026');
      expect(hiddenMonths(monthEnd).length).toBeGreaterThanOrEqual(2);

      // 30 October: no run of whole months matches the pyramid's window, so March alone is hidden.
      const midMonth = await renderReport(other, { ...fixtureInput, asOf: '2026-10-30' });
      expect(hiddenMonths(midMonth)).toEqual(['March 2026']);
    } finally {
      other.close();
    }
  });
});
