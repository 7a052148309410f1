import { describe, expect, it } from 'vitest';
import { formatCount, formatPercent, formatRate } from '../../reports/formatFigures.ts';
import {
  type CountGroup,
  type Figure,
  rateOf,
  suppressSmallNumbers,
  type SuppressedFigures,
} from '../../reports/suppressSmallNumbers.ts';

const counts = (entries: Record<string, number>): Map<string, number> => new Map(Object.entries(entries));
const hidden = (figures: SuppressedFigures): string[] => [...figures.suppressedIds].sort();
const value = (figure: Figure): number | string => (figure.kind === 'value' ? figure.value : figure.kind);

describe('suppressSmallNumbers: primary suppression', () => {
  it('hides every count from 1 to 7 and shows 0 and 8 upwards', () => {
    const input: Record<string, number> = {};
    for (let n = 0; n <= 10; n += 1) input[`n${n}`] = n;
    const figures = suppressSmallNumbers({ counts: counts(input) });
    for (let n = 0; n <= 10; n += 1) {
      const shown = formatCount(figures.count(`n${n}`));
      expect(shown).toBe(n >= 1 && n <= 7 ? '*' : String(n));
    }
  });

  it('shows zero as 0, never as *', () => {
    const figures = suppressSmallNumbers({ counts: counts({ zero: 0 }) });
    expect(figures.count('zero')).toEqual({ kind: 'value', value: 0 });
    expect(formatCount(figures.count('zero'))).toBe('0');
  });

  it('takes another threshold: 5 hides 1..4', () => {
    const figures = suppressSmallNumbers({ counts: counts({ a: 4, b: 5 }), threshold: 5 });
    expect(hidden(figures)).toEqual(['a']);
  });

  it('refuses counts that are not whole numbers >= 0, and unknown cells', () => {
    expect(() => suppressSmallNumbers({ counts: counts({ a: -1 }) })).toThrow(/whole number/);
    expect(() => suppressSmallNumbers({ counts: counts({ a: 2.5 }) })).toThrow(/whole number/);
    expect(() => suppressSmallNumbers({ counts: counts({ a: 9 }), groups: [{ parts: ['a', 'b'] }] })).toThrow(/no count with id b/);
    expect(() => suppressSmallNumbers({ counts: counts({ a: 9 }) }).count('b')).toThrow(/no count with id b/);
  });
});

describe('suppressSmallNumbers: secondary suppression', () => {
  it('hides the next-smallest cell when one cell of a totalled row is hidden', () => {
    const figures = suppressSmallNumbers({
      counts: counts({ a: 3, b: 50, c: 20, total: 73 }),
      groups: [{ parts: ['a', 'b', 'c'], total: 'total' }],
    });
    expect(hidden(figures)).toEqual(['a', 'c']);
    expect(value(figures.count('total'))).toBe(73);
  });

  it('skips zero cells when choosing the complement (a hidden 0 protects nothing)', () => {
    const figures = suppressSmallNumbers({
      counts: counts({ a: 5, z: 0, b: 12, c: 9, total: 26 }),
      groups: [{ parts: ['a', 'z', 'b', 'c'], total: 'total' }],
    });
    expect(hidden(figures)).toEqual(['a', 'c']);
    expect(value(figures.count('z'))).toBe(0);
  });

  it('hides the total when no other non-zero cell is left', () => {
    // b is hidden elsewhere; with a = 0 the total would give b away.
    const figures = suppressSmallNumbers({
      counts: counts({ a: 0, b: 40, total: 40 }),
      groups: [{ parts: ['a', 'b'], total: 'total' }],
      alreadySuppressed: ['b'],
    });
    expect(hidden(figures)).toEqual(['b', 'total']);
  });

  it('hides a part when the total is hidden but every part is shown', () => {
    const figures = suppressSmallNumbers({
      counts: counts({ a: 30, b: 20, total: 50 }),
      groups: [{ parts: ['a', 'b'], total: 'total' }],
      alreadySuppressed: ['total'],
    });
    expect(hidden(figures)).toEqual(['b', 'total']);
  });

  it('leaves a group alone when two or more of its cells are hidden and they add up to 8 or more', () => {
    const figures = suppressSmallNumbers({
      counts: counts({ a: 3, b: 5, c: 100, total: 108 }),
      groups: [{ parts: ['a', 'b', 'c'], total: 'total' }],
    });
    expect(hidden(figures)).toEqual(['a', 'b']);
  });

  it('hides one more cell when the hidden cells add up to a small number', () => {
    // 3 + 4 = 7 = 157 - 100 - 50: the two hidden cells together are a count from 1 to 7.
    const request = { counts: counts({ a: 3, b: 4, c: 100, d: 50, total: 157 }), groups: [{ parts: ['a', 'b', 'c', 'd'], total: 'total' }] };
    expect(hidden(suppressSmallNumbers(request))).toEqual(['a', 'b', 'd']);
    expect(hidden(suppressSmallNumbers({ ...request, protectHiddenSums: false }))).toEqual(['a', 'b']);
    // Every other part is 0: the total goes instead.
    const zeros = { counts: counts({ a: 3, b: 4, c: 0, total: 7 }), groups: [{ parts: ['a', 'b', 'c'], total: 'total' }] };
    expect(hidden(suppressSmallNumbers(zeros))).toEqual(['a', 'b', 'total']);
  });

  it('treats a group without a total as adding up to a figure known elsewhere', () => {
    const figures = suppressSmallNumbers({ counts: counts({ a: 2, b: 30, c: 10 }), groups: [{ parts: ['a', 'b', 'c'] }] });
    expect(hidden(figures)).toEqual(['a', 'c']);
  });

  it('breaks ties by the order of the parts', () => {
    const figures = suppressSmallNumbers({
      counts: counts({ a: 1, b: 10, c: 10, total: 21 }),
      groups: [{ parts: ['a', 'c', 'b'], total: 'total' }],
    });
    expect(hidden(figures)).toEqual(['a', 'c']);
  });

  it('follows a hidden cell through a table with row and column totals', () => {
    //        col1  col2 | row total
    // row1     3    20  |   23
    // row2    30    40  |   70
    // total   33    60  |   93
    const figures = suppressSmallNumbers({
      counts: counts({ a: 3, b: 20, c: 30, d: 40, r1: 23, r2: 70, c1: 33, c2: 60, all: 93 }),
      groups: [
        { parts: ['a', 'b'], total: 'r1' },
        { parts: ['c', 'd'], total: 'r2' },
        { parts: ['a', 'c'], total: 'c1' },
        { parts: ['b', 'd'], total: 'c2' },
        { parts: ['r1', 'r2'], total: 'all' },
        { parts: ['c1', 'c2'], total: 'all' },
      ],
    });
    expect(hidden(figures)).toEqual(['a', 'b', 'c', 'd']);
    for (const total of ['r1', 'r2', 'c1', 'c2', 'all']) expect(figures.isSuppressed(total)).toBe(false);
  });

  it('protects a practice hidden inside its PCN as well as inside the area total', () => {
    // PCN U1 = P1 + P2, PCN U2 = P3 alone; all practices add up to the area.
    const figures = suppressSmallNumbers({
      counts: counts({ p1: 30, p2: 22, p3: 5, u1: 52, u2: 5, area: 57 }),
      groups: [
        { parts: ['p1', 'p2', 'p3'], total: 'area' },
        { parts: ['p1', 'p2'], total: 'u1' },
        { parts: ['p3'], total: 'u2' },
        { parts: ['u1', 'u2'], total: 'area' },
      ],
    });
    // p3 and u2 (both 5) are primary. Smallest groups first: U2's own group is already safe, the PCN split hides
    // u1 (u2 = area - u1 otherwise), then U1's practices hide p2 (p2 = u1 - p1 is open now u1 is hidden, but one of
    // its two terms is hidden too), and the area's practices have two hidden. p1 stays: 30 = p1, and p2 + p3 = 27
    // does not split.
    expect(hidden(figures)).toEqual(['p2', 'p3', 'u1', 'u2']);
    assertNoGroupGivesAwayACell(figures, [
      { parts: ['p1', 'p2', 'p3'], total: 'area' },
      { parts: ['p1', 'p2'], total: 'u1' },
      { parts: ['p3'], total: 'u2' },
      { parts: ['u1', 'u2'], total: 'area' },
    ], counts({ p1: 30, p2: 22, p3: 5, u1: 52, u2: 5, area: 57 }));
  });

  it('never hides a cell shown elsewhere (fixed), and never protects with a part that such a cell gives away', () => {
    // A flow table's column: b is the only non-zero part and its total (the people in a tier today) is published by
    // another table. Hiding b to protect a would protect nothing: the column gives b back, and then the row gives a.
    const input = counts({ a: 5, b: 60, rowTotal: 65, z: 0, columnTotal: 60 });
    const groups: CountGroup[] = [
      { parts: ['a', 'b'], total: 'rowTotal' },
      { parts: ['b', 'z'], total: 'columnTotal' },
    ];
    expect(hidden(suppressSmallNumbers({ counts: input, groups, fixed: ['columnTotal'] }))).toEqual(['a', 'rowTotal']);
    // Without knowing the column total is published, b is chosen and the column total hidden, which hides nothing.
    expect(hidden(suppressSmallNumbers({ counts: input, groups }))).toEqual(['a', 'b', 'columnTotal']);
    // A group without a total pins its parts the same way.
    expect(hidden(suppressSmallNumbers({ counts: input, groups: [groups[0]!, { parts: ['b', 'z'] }] }))).toEqual(['a', 'rowTotal']);
    expect(() => suppressSmallNumbers({ counts: counts({ a: 5 }), fixed: ['a'] })).toThrow(/shown elsewhere but must be hidden/);
  });

  it('never leaves a group with exactly one hidden cell, over many generated tables', () => {
    let seed = 20261122;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let trial = 0; trial < 200; trial += 1) {
      const rows = 2 + Math.floor(random() * 4);
      const columns = 2 + Math.floor(random() * 4);
      const input = new Map<string, number>();
      const groups: CountGroup[] = [];
      for (let r = 0; r < rows; r += 1) {
        for (let c = 0; c < columns; c += 1) input.set(`${r},${c}`, random() < 0.3 ? Math.floor(random() * 8) : Math.floor(random() * 60));
      }
      for (let r = 0; r < rows; r += 1) {
        const parts = Array.from({ length: columns }, (_unused, c) => `${r},${c}`);
        input.set(`row${r}`, parts.reduce((sum, id) => sum + (input.get(id) as number), 0));
        groups.push({ parts, total: `row${r}` });
      }
      for (let c = 0; c < columns; c += 1) {
        const parts = Array.from({ length: rows }, (_unused, r) => `${r},${c}`);
        input.set(`col${c}`, parts.reduce((sum, id) => sum + (input.get(id) as number), 0));
        groups.push({ parts, total: `col${c}` });
      }
      const rowTotals = Array.from({ length: rows }, (_unused, r) => `row${r}`);
      input.set('all', rowTotals.reduce((sum, id) => sum + (input.get(id) as number), 0));
      groups.push({ parts: rowTotals, total: 'all' });
      groups.push({ parts: Array.from({ length: columns }, (_unused, c) => `col${c}`), total: 'all' });

      const figures = suppressSmallNumbers({ counts: input, groups });
      for (const [id, count] of input) if (count >= 1 && count <= 7) expect(figures.isSuppressed(id)).toBe(true);
      assertNoGroupGivesAwayACell(figures, groups, input);
    }
  });
});

describe('suppressSmallNumbers: rates', () => {
  const figures = suppressSmallNumbers({
    counts: counts({ small: 4, big: 40, people: 1000, fewPeople: 6, none: 0, zeroPeople: 0 }),
  });

  it('computes a rate from shown counts', () => {
    expect(value(figures.rate('big', 'people', 1000))).toBe(40);
    expect(formatRate(figures.rate('big', 'people', 1000))).toBe('40.0');
    expect(formatPercent(figures.rate('big', 'people', 100))).toBe('4.0%');
  });

  it('hides a rate whose numerator is hidden', () => {
    expect(figures.rate('small', 'people', 1000)).toEqual({ kind: 'suppressed' });
    expect(formatRate(figures.rate('small', 'people', 1000))).toBe('*');
  });

  it('hides a rate whose denominator is hidden', () => {
    expect(figures.rate('none', 'fewPeople', 1000)).toEqual({ kind: 'suppressed' });
    expect(formatPercent(figures.rate('big', 'fewPeople', 100))).toBe('*');
  });

  it('shows a zero rate, and no rate over a zero denominator', () => {
    expect(value(figures.rate('none', 'people', 1000))).toBe(0);
    expect(figures.rate('none', 'zeroPeople', 1000)).toEqual({ kind: 'none' });
    expect(formatRate(figures.rate('none', 'zeroPeople', 1000))).toBe('–');
  });

  it('combines figures from different suppression requests', () => {
    const other = suppressSmallNumbers({ counts: counts({ admissions: 120 }) });
    expect(value(rateOf(other.count('admissions'), figures.count('people'), 1000))).toBe(120);
    expect(rateOf(other.count('admissions'), figures.count('fewPeople'), 1000)).toEqual({ kind: 'suppressed' });
  });

  it('hides a rate when a cell is hidden by secondary suppression', () => {
    const table = suppressSmallNumbers({
      counts: counts({ a: 2, b: 30, c: 60, total: 92, peopleB: 300 }),
      groups: [{ parts: ['a', 'b', 'c'], total: 'total' }],
    });
    expect(table.isSuppressed('b')).toBe(true);
    expect(table.rate('b', 'peopleB', 1000)).toEqual({ kind: 'suppressed' });
  });
});

/** Within every group: zero or at least two hidden members, unless the only other parts are 0 and there is no total. */
function assertNoGroupGivesAwayACell(figures: SuppressedFigures, groups: readonly CountGroup[], input: ReadonlyMap<string, number>): void {
  for (const group of groups) {
    const members = group.total === undefined ? group.parts : [...group.parts, group.total];
    const hiddenMembers = members.filter((id) => figures.isSuppressed(id));
    if (hiddenMembers.length !== 1) continue;
    const othersNonZero = group.parts.filter((id) => !figures.isSuppressed(id) && (input.get(id) as number) > 0);
    expect({ group, hiddenMembers, othersNonZero }).toEqual({ group, hiddenMembers, othersNonZero: [] });
    expect(group.total).toBeUndefined();
  }
}
