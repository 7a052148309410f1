// Merging before blanking (issue 17): the merge function on hand values, and the rendered report against the old
// method (every category on its own, blanked where small) on the report fixture: more cells shown, and still no count
// from 1 to 7 that a reader can see or work out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../core/db/Database.ts';
import { evaluatePredictions } from '../../models/evaluatePredictions.ts';
import type { ModelCard } from '../../models/modelCard.ts';
import { mergeSmallCategories } from '../../reports/mergeSmallCategories.ts';
import type { ReportInput } from '../../reports/reportInput.ts';
import { renderReport } from '../../reports/renderReport.ts';
import { type ReportTable, reportTables } from '../helpers/reportHtml.ts';
import { seeded } from '../helpers/seeded.ts';
import { findHiddenSumsFromTotals, findUnsuppressedSmallCounts } from '../helpers/smallCountScan.ts';
import { driftFor, unvalidatedCard, validatedCard } from './modelCardFixture.ts';
import { fixtureInput, openReportFixture } from './reportFixture.ts';

const members = (merged: ReturnType<typeof mergeSmallCategories>): string[][] => merged.map((category) => [...category.members]);

describe('mergeSmallCategories', () => {
  it('joins a small ordered band to its smaller neighbour, and adds the counts', () => {
    const bands = [
      { key: '65-74', counts: [900, 40] },
      { key: '75-84', counts: [600, 30] },
      { key: '85+', counts: [150, 5] },
    ];
    const merged = mergeSmallCategories(bands, { kind: 'adjacent' }, 8);
    expect(members(merged)).toEqual([['65-74'], ['75-84', '85+']]);
    expect(merged[1]!.counts).toEqual([750, 35]);
    // A band in the middle goes to the smaller side; merging goes on until no band is small.
    const middle = mergeSmallCategories(
      [{ key: 'a', counts: [100] }, { key: 'b', counts: [3] }, { key: 'c', counts: [50] }, { key: 'd', counts: [2] }, { key: 'e', counts: [6] }],
      { kind: 'adjacent' },
      8,
    );
    expect(members(middle)).toEqual([['a'], ['b', 'c'], ['d', 'e']]);
  });

  it('merges small nominal groups into the catch-all, formed from its keys, smallest first; fixed groups never merge', () => {
    const groups = [
      { key: 'White', counts: [1300, 65] },
      { key: 'Mixed', counts: [40, 3] },
      { key: 'Asian', counts: [140, 9] },
      { key: 'Black', counts: [60, 8] },
      { key: 'Other', counts: [30, 8] },
      { key: 'Not stated', counts: [200, 12] },
    ];
    const merged = mergeSmallCategories(groups, { kind: 'catchAll', catchAll: ['Other', 'Not stated'] }, 8);
    expect(members(merged)).toEqual([['White'], ['Asian'], ['Black'], ['Mixed', 'Other', 'Not stated']]);
    expect(merged[3]).toMatchObject({ isCatchAll: true, counts: [270, 23] });
    // Only the catch-all small: the smallest other group joins it. A fixed group stays whatever its size.
    const sexes = mergeSmallCategories(
      [{ key: 'Male', counts: [3] }, { key: 'Female', counts: [20] }, { key: 'Not recorded', counts: [4] }],
      { kind: 'catchAll', catchAll: ['Not recorded'], fixed: ['Male', 'Female'] },
      8,
    );
    expect(members(sexes)).toEqual([['Male'], ['Female'], ['Not recorded']]);
  });

  it('merges nothing when nothing is small', () => {
    const categories = [{ key: 'a', counts: [10, 0] }, { key: 'b', counts: [8, 8] }];
    const merged = mergeSmallCategories(categories, { kind: 'adjacent' }, 8);
    expect(merged).toEqual([{ members: ['a'], counts: [10, 0], isCatchAll: false }, { members: ['b'], counts: [8, 8], isCatchAll: false }]);
    expect(members(mergeSmallCategories(categories, { kind: 'catchAll', catchAll: ['b'] }, 8))).toEqual([['a'], ['b']]);
  });

  it('merges everything into one when everything is small, and leaves a small sum small', () => {
    const tiny = [{ key: 'a', counts: [2] }, { key: 'b', counts: [1] }, { key: 'c', counts: [3] }];
    expect(mergeSmallCategories(tiny, { kind: 'adjacent' }, 8)).toEqual([{ members: ['a', 'b', 'c'], counts: [6], isCatchAll: false }]);
    expect(mergeSmallCategories(tiny, { kind: 'catchAll', catchAll: ['c'] }, 8)).toEqual([{ members: ['a', 'b', 'c'], counts: [6], isCatchAll: true }]);
  });

  it('treats 0 as shown (not small) and a count not known as small; a sum with an unknown part is unknown', () => {
    const zeros = [{ key: 'a', counts: [0] }, { key: 'b', counts: [0] }, { key: 'c', counts: [9] }];
    expect(members(mergeSmallCategories(zeros, { kind: 'adjacent' }, 8))).toEqual([['a'], ['b'], ['c']]);
    const unknown = mergeSmallCategories([{ key: 'a', counts: [20] }, { key: 'b', counts: [null] }], { kind: 'adjacent' }, 8);
    expect(unknown).toEqual([{ members: ['a', 'b'], counts: [null], isCatchAll: false }]);
    expect(mergeSmallCategories([], { kind: 'adjacent' }, 8)).toEqual([]);
  });
});

const fewMixedSql = `
UPDATE scores SET ethnic_group = 'White'
WHERE ethnic_group = 'Mixed' AND person_id NOT IN (SELECT person_id FROM scores WHERE ethnic_group = 'Mixed' ORDER BY person_id LIMIT 3)`;

/** Cells of every table that are shown as a figure, and those shown as '*'. */
function cellCounts(html: string): { shown: number; hidden: number } {
  let shown = 0;
  let hidden = 0;
  for (const table of reportTables(html)) {
    for (const row of table.rows) {
      row.forEach((cell, index) => {
        if (index === 0) return;
        if (cell === '*') hidden += 1;
        else if (/^-?[\d,]+(\.\d+)?%?$/.test(cell)) shown += 1;
      });
    }
  }
  return { shown, hidden };
}

describe('merging before blanking, on the report fixture', () => {
  let db: Database;
  let merged: string;
  let old: string;

  beforeAll(async () => {
    db = await openReportFixture();
    // The fixture with 3 people in the Mixed group (the rest counted as White): a small group beside larger ones.
    await db.run(fewMixedSql);
    merged = await renderReport(db, fixtureInput);
    // The old method as the report had it: every ethnic group and sex code its own row. Rendered with the merge
    // switched off (a threshold-free merge: nothing counts as small), so everything else is the same.
    old = await renderWithoutMerging(db);
  }, 120_000);

  afterAll(() => db.close());

  it('shows more cells than blanking alone, and says under the tables what it merged', () => {
    const before = cellCounts(old);
    const after = cellCounts(merged);
    expect(after.shown).toBeGreaterThan(before.shown);
    expect(after.hidden).toBeLessThan(before.hidden);
    expect(merged).toContain('Other or not stated combines Mixed, Other and Not stated');
    expect(merged).toContain('Male or not recorded combines Male, Indeterminate (code 9) and Not known (code X)');
  });

  it('still shows no count from 1 to 7, and no hidden count a total gives back', () => {
    expect(findUnsuppressedSmallCounts(merged)).toEqual([]);
    expect(findHiddenSumsFromTotals(merged)).toEqual([]);
  });
});

/**
 * The report as it was before issue 17 merged anything but sex codes 9 and X: mergeSmallCategories a no-op and no
 * category small enough to merge, so the ethnic groups, model age bands and a small "Not recorded" sex stay apart.
 */
async function renderWithoutMerging(db: Database, input: ReportInput = fixtureInput): Promise<string> {
  const { vi } = await import('vitest');
  vi.resetModules();
  vi.doMock('../../reports/mergeSmallCategories.ts', async (importOriginal) => {
    const actual = await importOriginal<typeof import('../../reports/mergeSmallCategories.ts')>();
    return {
      ...actual,
      isSmallCategory: () => false,
      mergeSmallCategories: (categories: readonly { key: string; counts: readonly (number | null)[] }[]) =>
        categories.map((category) => ({ members: [category.key], counts: [...category.counts], isCatchAll: false })),
    };
  });
  const fresh = await import('../../reports/renderReport.ts');
  const html = await fresh.renderReport(db, input);
  vi.doUnmock('../../reports/mergeSmallCategories.ts');
  vi.resetModules();
  return html;
}

function tableNamed(html: string, caption: string, index = 0): ReportTable {
  const table = reportTables(html).filter((candidate) => candidate.caption === caption)[index];
  if (table === undefined) throw new Error(`no table ${caption}`);
  return table;
}

/** Cells of a table's male and female rows (merged or not) shown as '*'. */
function hiddenMaleOrFemale(table: ReportTable): number {
  return table.rows.filter((row) => /\b(Male|Female)\b/.test(row[0] ?? '')).reduce((sum, row) => sum + row.filter((cell) => cell === '*').length, 0);
}

describe('a small "Not recorded" sex joins the larger sex rather than hiding a male or female figure', () => {
  let db: Database;
  let page: string;
  let before: string;
  // A validation year in which 30 people have sex code X and one of them the outcome: too few to show, and the
  // total is published, so blanking alone must hide a male or female figure too.
  const card = ((): ModelCard => {
    const random = seeded(17);
    const n = 20_000;
    const predicted = new Float64Array(n);
    const observed = new Uint8Array(n);
    const sex: string[] = [];
    for (let i = 0; i < n; i++) {
      sex.push(i < 30 ? 'X' : i % 3 === 0 ? '1' : '2');
      predicted[i] = 0.02 + 0.3 * random() ** 3;
      observed[i] = i < 30 ? (i === 0 ? 1 : 0) : random() < predicted[i]! ? 1 : 0;
    }
    const base = validatedCard();
    const metrics = evaluatePredictions(predicted, observed, { sex });
    return { ...base, validation: { ...base.validation!, metrics } };
  })();
  const input: ReportInput = { ...fixtureInput, modelCards: [card, unvalidatedCard()], drift: driftFor([card, unvalidatedCard()], 0.05) };

  beforeAll(async () => {
    db = await openReportFixture();
    page = await renderReport(db, input);
    before = await renderWithoutMerging(db, input);
  }, 120_000);

  afterAll(() => db.close());

  it('by age band and sex: one "Female or not recorded" (or male) row per band, and fewer male or female figures hidden', () => {
    // The fixture's 3 people with code X fall in three age bands, 1 in each.
    const old = tableNamed(before, 'By age band and sex');
    const merged = tableNamed(page, 'By age band and sex');
    expect(old.rows.filter((row) => row[0]!.endsWith('Not recorded'))).toHaveLength(6);
    expect(merged.rows.some((row) => row[0]!.endsWith(', Not recorded'))).toBe(false);
    const joined = merged.rows.filter((row) => / or not recorded$/.test(row[0]!));
    expect(joined).toHaveLength(6);
    expect(new Set(joined.map((row) => row[0]!.split(', ')[1]))).toHaveProperty('size', 1);
    expect(hiddenMaleOrFemale(merged)).toBeLessThan(hiddenMaleOrFemale(old));
    expect(page).toContain('combines people recorded as');
    // The chart's data table follows the same rows.
    const chartRows = tableNamed(page, 'Data table: Tiers 1–2 per 1,000 people and % with 2 or more long-term conditions, by age band and sex').rows;
    expect(chartRows.filter((row) => row[1] === 'Not recorded')).toEqual([]);
  });

  it("the model's table by sex: men's outcomes, PPV and sensitivity shown, the joined row without an AUROC, the note gives women's", () => {
    const caption = 'By sex';
    const old = tableNamed(before, caption);
    const merged = tableNamed(page, caption);
    const male = (table: ReportTable) => table.rows.find((row) => row[0] === 'Male')!;
    // Blanking alone: Not recorded's 1 outcome hides, so does a male or female count beside it.
    expect(old.rows.map((row) => row[0])).toEqual(['Male', 'Female', 'Not recorded', 'All people']);
    expect(hiddenMaleOrFemale(old)).toBeGreaterThan(0);
    expect(merged.rows.map((row) => row[0])).toEqual(['Male', 'Female or not recorded', 'All people']);
    expect(hiddenMaleOrFemale(merged)).toBe(0);
    expect(male(merged).slice(1).every((cell) => /^[\d,.]+%?$/.test(cell))).toBe(true);
    const joined = merged.rows[1]!;
    expect(joined[3]).toBe('–');
    const female = card.validation!.metrics.by_subgroup.sex!.find((group) => group.group === '2')!;
    expect(page).toContain(`The AUROC for Female alone is ${female.auroc!.toFixed(3)}.`);
    // Male and the joined row add up to the total: nothing is left to hide.
    const total = merged.rows[2]!;
    for (const column of [1, 2]) {
      const value = (row: readonly string[]) => Number(row[column]!.replaceAll(',', ''));
      expect(value(male(merged)) + value(joined)).toBe(value(total));
    }
  });

  it('still shows no count from 1 to 7, and no hidden count a total gives back', () => {
    expect(findUnsuppressedSmallCounts(page)).toEqual([]);
    expect(findHiddenSumsFromTotals(page)).toEqual([]);
  });
});
