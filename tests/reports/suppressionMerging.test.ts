// Merging before blanking (issue 17): the merge function on hand values, and the rendered report against the old
// method (every category on its own, blanked where small) on the report fixture: more cells shown, and still no count
// from 1 to 7 that a reader can see or work out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../core/db/Database.ts';
import { mergeSmallCategories } from '../../reports/mergeSmallCategories.ts';
import { renderReport } from '../../reports/renderReport.ts';
import { reportTables } from '../helpers/reportHtml.ts';
import { findHiddenSumsFromTotals, findUnsuppressedSmallCounts } from '../helpers/smallCountScan.ts';
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
    expect(merged).toContain('Not recorded combines Indeterminate (code 9) and Not known (code X)');
  });

  it('still shows no count from 1 to 7, and no hidden count a total gives back', () => {
    expect(findUnsuppressedSmallCounts(merged)).toEqual([]);
    expect(findHiddenSumsFromTotals(merged)).toEqual([]);
  });
});

/** The report with mergeSmallCategories a no-op, which is what the report did before issue 17. */
async function renderWithoutMerging(db: Database): Promise<string> {
  const { vi } = await import('vitest');
  vi.resetModules();
  vi.doMock('../../reports/mergeSmallCategories.ts', async (importOriginal) => {
    const actual = await importOriginal<typeof import('../../reports/mergeSmallCategories.ts')>();
    return {
      ...actual,
      mergeSmallCategories: (categories: readonly { key: string; counts: readonly (number | null)[] }[]) =>
        categories.map((category) => ({ members: [category.key], counts: [...category.counts], isCatchAll: false })),
    };
  });
  const fresh = await import('../../reports/renderReport.ts');
  const html = await fresh.renderReport(db, fixtureInput);
  vi.doUnmock('../../reports/mergeSmallCategories.ts');
  vi.resetModules();
  return html;
}
