// The person counts behind sections 1-5 (tiers, practices, PCNs, deprivation, age, sex, ethnic group, LTC counts),
// queried once from `scores` and suppressed as one set. One set matters: a figure shows the same way in every
// table, and a count hidden in one table cannot be recovered from a table it nests in (practice within PCN,
// age band and sex within age band, tiers 1 and 2 within "tiers 1-2").
import { listValue } from '@duckdb/node-api';
import { type Database, fillSqlSlots, sqlFile } from '../core/db/Database.ts';
import { isSmallCategory, mergeSmallCategories } from './mergeSmallCategories.ts';
import { type CountGroup, type Figure, type SuppressedFigures, suppressSmallNumbers } from './suppressSmallNumbers.ts';
import type { TierDefinition } from './reportInput.ts';

export const ageBands = ['0-17', '18-44', '45-64', '65-74', '75-84', '85+'] as const;
/** NHS stated gender codes (data contract §2). Codes 9 and X are listed only when someone has them. */
export const sexLabels: Readonly<Record<string, string>> = { '1': 'Male', '2': 'Female', '9': 'Indeterminate', X: 'Not known' };
/**
 * By age band and sex, codes 9 and X (and a missing code) are one group, "Not recorded": each is a few people in an
 * age band, and two small groups beside male and female hide far more (a male or female count too, so the band
 * still adds up) than one does.
 */
const otherSexKey = '9 or X';
const otherSexLabel = 'Not recorded';
/**
 * Where "Not recorded" is small enough in an age band to force a male or female figure beside it to be hidden, it
 * joins the sex with more people, in every band so the chart keeps two series: "Female or not recorded". Joining
 * the larger group changes its figures least.
 */
const sexOrNotRecordedKey = (sex: string): string => `${sex} or ${otherSexKey}`;
/** Small ethnic groups merge into this one (mergeSmallCategories.ts), formed from "Other", "Not stated" and no group. */
export const otherOrNotStated = 'Other or not stated';
/** The NHS 5+1 ethnic groups. */
export const ethnicGroups = ['White', 'Mixed', 'Asian', 'Black', 'Other', 'Not stated'] as const;

export type Dimension = 'all' | 'tier' | 'pcn' | 'practice' | 'imd' | 'age' | 'ageSex' | 'ethnic';
export type Measure = 'people' | 'tier12' | 'multimorbid' | 'ltc0' | 'ltc1' | 'ltc2to3' | 'ltc4plus';

/**
 * One category of a dimension. key1/key2 by dimension: tier (tier), pcn (the practice's PCN), practice (practice_code,
 * the practice's PCN), imd (decile), age (age band), ageSex (age band, sex code), ethnic (group); null = not recorded.
 */
export interface Category {
  readonly key1: string | null;
  readonly key2: string | null;
  /** For a merged category: the key1 of each category counted in it, in display order. */
  readonly members?: readonly (string | null)[];
  /** For a merged sex (age band and sex): the sex keys counted in it. */
  readonly members2?: readonly (string | null)[];
}

export interface PopulationFigures {
  readonly figures: SuppressedFigures;
  /** The categories of a dimension in display order (fixed lists include empty categories, shown as 0). */
  categories(dimension: Dimension): readonly Category[];
  cellId(measure: Measure, dimension: Dimension, category?: Category): string;
  count(measure: Measure, dimension: Dimension, category?: Category): Figure;
  /** measure / denominator × per within one category. */
  rate(measure: Measure, denominator: Measure, per: number, dimension: Dimension, category?: Category): Figure;
}

const allMeasures: readonly Measure[] = ['people', 'tier12', 'multimorbid', 'ltc0', 'ltc1', 'ltc2to3', 'ltc4plus'];

/** The measures the report shows for each dimension: only these take part in suppression. */
const measuresShown: Readonly<Record<Dimension, readonly Measure[]>> = {
  all: allMeasures,
  tier: ['people'],
  pcn: ['people', 'tier12'],
  practice: ['people', 'tier12'],
  imd: ['people', 'tier12', 'multimorbid'],
  age: ['people', 'multimorbid', 'ltc0', 'ltc1', 'ltc2to3', 'ltc4plus'],
  ageSex: ['people', 'tier12', 'multimorbid'],
  ethnic: ['people', 'tier12', 'multimorbid'],
};

// One pass over scores, each person counted once in every dimension (scores holds only scored, non-opted-out people).
const populationCountsSql = fillSqlSlots(sqlFile('report/population_counts.sql'), { practice_pcn: sqlFile('report/practice_pcn.sql') });

type CountsRow = { dimension: Dimension; key1: string | null; key2: string | null } & Record<Measure, number>;

export async function loadPopulationFigures(
  db: Database,
  tiers: readonly TierDefinition[],
  threshold: number,
): Promise<PopulationFigures> {
  const rows = await db.rows<CountsRow>(populationCountsSql, { other_sex: otherSexKey, other_sex_codes: listValue(['9', 'X']) });
  const byDimension = new Map<Dimension, CountsRow[]>();
  for (const row of rows) {
    const list = byDimension.get(row.dimension) ?? [];
    list.push(row);
    byDimension.set(row.dimension, list);
  }
  const present = (dimension: Dimension): CountsRow[] => byDimension.get(dimension) ?? [];

  const categories = new Map<Dimension, Category[]>([
    ['all', [{ key1: null, key2: null }]],
    ['tier', withExtras(tiers.map((t) => String(t.tier)), present('tier'))],
    ['pcn', present('pcn').map(({ key1, key2 }) => ({ key1, key2 }))],
    ['practice', present('practice').map(({ key1, key2 }) => ({ key1, key2 })).sort(comparePractices)],
    ['imd', withExtras(Array.from({ length: 10 }, (_unused, index) => String(index + 1)), present('imd'))],
    ['age', withExtras(ageBands, present('age'))],
  ]);

  const rowFor = new Map(rows.map((row) => [categoryKey(row.dimension, row), row]));
  const countOf = (dimension: Dimension, category: Category, measure: Measure): number => {
    let sum = 0;
    for (const key1 of category.members ?? [category.key1]) {
      for (const key2 of category.members2 ?? [category.key2]) sum += rowFor.get(categoryKey(dimension, { key1, key2 }))?.[measure] ?? 0;
    }
    return sum;
  };
  const suppressWith = (ethnic: Category[], ageSex: Category[]): SuppressedFigures => {
    categories.set('ethnic', ethnic);
    categories.set('ageSex', ageSex);
    const counts = new Map<string, number>();
    for (const [dimension, list] of categories) {
      for (const category of list) {
        for (const measure of measuresShown[dimension]) counts.set(cellId(measure, dimension, category), countOf(dimension, category, measure));
      }
    }
    return suppressSmallNumbers({ counts, groups: populationGroups(categories), threshold });
  };
  // A merge removes rows, so it is kept only where it shows more of its table than blanking alone: small ethnic groups
  // into "Other or not stated", then a small "Not recorded" sex into the larger sex (counting male and female figures).
  const shownCells = (figures: SuppressedFigures, dimension: Dimension, list: readonly Category[]): number =>
    list.reduce((sum, category) => sum + measuresShown[dimension].filter((measure) => !figures.isSuppressed(cellId(measure, dimension, category))).length, 0);
  let ethnic = withExtras(ethnicGroups, present('ethnic'));
  let ageSex = ageSexCategories(present('ageSex'));
  let figures = suppressWith(ethnic, ageSex);
  const ethnicMerged = mergeEthnicGroups(ethnic, (category, measure) => countOf('ethnic', category, measure), threshold);
  if (ethnicMerged.length !== ethnic.length) {
    const trial = suppressWith(ethnicMerged, ageSex);
    if (shownCells(trial, 'ethnic', ethnicMerged) > shownCells(figures, 'ethnic', ethnic)) [ethnic, figures] = [ethnicMerged, trial];
  }
  const sexMerged = mergeSexNotRecorded(ageSex, (category, measure) => countOf('ageSex', category, measure), threshold);
  if (sexMerged !== null) {
    const maleOrFemale = (list: readonly Category[]): Category[] => list.filter((category) => category.key2 !== otherSexKey);
    const trial = suppressWith(ethnic, sexMerged);
    if (shownCells(trial, 'ageSex', maleOrFemale(sexMerged)) > shownCells(figures, 'ageSex', maleOrFemale(ageSex))) [ageSex, figures] = [sexMerged, trial];
  }
  // The figures are those suppressed with the categories shown.
  if (categories.get('ethnic') !== ethnic || categories.get('ageSex') !== ageSex) figures = suppressWith(ethnic, ageSex);
  const categoriesOf = (dimension: Dimension): readonly Category[] => categories.get(dimension) ?? [];
  return {
    figures,
    categories: categoriesOf,
    cellId,
    count: (measure, dimension, category = allCategory) => figures.count(cellId(measure, dimension, category)),
    rate: (measure, denominator, per, dimension, category = allCategory) =>
      figures.rate(cellId(measure, dimension, category), cellId(denominator, dimension, category), per),
  };
}

const allCategory: Category = { key1: null, key2: null };

function cellId(measure: Measure, dimension: Dimension, category: Category = allCategory): string {
  return JSON.stringify([measure, dimension, category.key1, category.key2]);
}

function categoryKey(dimension: Dimension, category: Category): string {
  return JSON.stringify([dimension, category.key1, category.key2]);
}

/**
 * Ethnic groups as the report shows them: where a group has a count from 1 to threshold-1 among the figures shown
 * for it (or among the people not in them, which a reader gets by subtraction), the smallest groups merge into
 * "Other or not stated" first, so larger groups need not be hidden to protect them.
 */
function mergeEthnicGroups(list: readonly Category[], countOf: (category: Category, measure: Measure) => number, threshold: number): Category[] {
  const keyOf = (key1: string | null): string => key1 ?? '';
  const byKey = new Map(list.map((category) => [keyOf(category.key1), category]));
  const merged = mergeSmallCategories(
    list.map((category) => {
      const people = countOf(category, 'people');
      const tier12 = countOf(category, 'tier12');
      const multimorbid = countOf(category, 'multimorbid');
      return { key: keyOf(category.key1), counts: [people, tier12, multimorbid, people - tier12, people - multimorbid] };
    }),
    { kind: 'catchAll', catchAll: ['Other', 'Not stated', ''] },
    threshold,
  );
  // Merged down to one group, the table would compare nothing: its small cells are blanked instead.
  if (merged.length === 1 && list.length > 1) return [...list];
  return merged.map((category): Category => {
    const members = category.members.map((key) => (byKey.get(key) as Category).key1);
    if (!category.isCatchAll) return { key1: members[0] ?? null, key2: null };
    return { key1: otherOrNotStated, key2: null, members };
  });
}

/**
 * Age band by sex with "Not recorded" joined to the sex with more people, in every band; null when no band's "Not
 * recorded" has a figure from 1 to threshold-1 among those shown (or the people not in them), so nothing needs it.
 */
function mergeSexNotRecorded(list: readonly Category[], countOf: (category: Category, measure: Measure) => number, threshold: number): Category[] | null {
  const notRecorded = list.filter((category) => category.key2 === otherSexKey);
  const small = notRecorded.some((category) => {
    const people = countOf(category, 'people');
    const shown = measuresShown.ageSex.map((measure) => countOf(category, measure));
    return isSmallCategory([...shown, ...shown.map((count) => people - count)], threshold);
  });
  if (!small) return null;
  const peopleOf = (sex: string): number => list.filter((category) => category.key2 === sex).reduce((sum, category) => sum + countOf(category, 'people'), 0);
  const larger = peopleOf('2') > peopleOf('1') ? '2' : '1';
  return list
    .filter((category) => category.key2 !== otherSexKey)
    .map((category) => (category.key2 === larger ? { key1: category.key1, key2: sexOrNotRecordedKey(larger), members2: [larger, otherSexKey] } : category));
}

/** The fixed list in its own order, then anything else the data holds (unexpected codes, null last). */
function withExtras(fixed: readonly string[], rows: readonly CountsRow[]): Category[] {
  const extras = rows.map((row) => row.key1).filter((key) => key === null || !fixed.includes(key));
  return [...fixed, ...extras].map((key1) => ({ key1, key2: null }));
}

function ageSexCategories(rows: readonly CountsRow[]): Category[] {
  const firstOfEachBand = rows.filter((row, index) => rows.findIndex((other) => other.key1 === row.key1) === index);
  const bands = withExtras(ageBands, firstOfEachBand);
  const sexesPresent = new Set(rows.map((row) => row.key2));
  const sexes: (string | null)[] = ['1', '2', ...[otherSexKey].filter((code) => sexesPresent.has(code))];
  for (const code of sexesPresent) if (!sexes.includes(code)) sexes.push(code);
  return bands.flatMap((band) => sexes.map((sex) => ({ key1: band.key1, key2: sex })));
}

function comparePractices(a: Category, b: Category): number {
  return compareNullable(a.key1, b.key1) || compareNullable(a.key2, b.key2);
}

function compareNullable(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}

/** Every way a reader could add shown counts up to another shown count. */
function populationGroups(categories: ReadonlyMap<Dimension, readonly Category[]>): CountGroup[] {
  const list = (dimension: Dimension): readonly Category[] => categories.get(dimension) ?? [];
  const groups: CountGroup[] = [];

  // Each dimension splits the whole population: its categories add up to the overall figure.
  for (const dimension of ['tier', 'pcn', 'practice', 'imd', 'age', 'ageSex', 'ethnic'] as const) {
    for (const measure of measuresShown[dimension]) {
      groups.push({ parts: list(dimension).map((c) => cellId(measure, dimension, c)), total: cellId(measure, 'all') });
    }
  }
  // Tiers 1 and 2 add up to "tiers 1-2".
  const tierCell = (tier: string): string => cellId('people', 'tier', { key1: tier, key2: null });
  groups.push({ parts: [tierCell('1'), tierCell('2')], total: cellId('tier12', 'all') });

  // Practices add up to their PCN.
  for (const pcn of list('pcn')) {
    const practices = list('practice').filter((practice) => practice.key2 === pcn.key1);
    for (const measure of ['people', 'tier12'] as const) {
      groups.push({ parts: practices.map((c) => cellId(measure, 'practice', c)), total: cellId(measure, 'pcn', pcn) });
    }
  }
  // Sexes add up to their age band.
  for (const band of list('age')) {
    const cells = list('ageSex').filter((c) => c.key1 === band.key1);
    for (const measure of ['people', 'multimorbid'] as const) {
      groups.push({ parts: cells.map((c) => cellId(measure, 'ageSex', c)), total: cellId(measure, 'age', band) });
    }
  }
  // LTC-count bands add up to the people in an age band (and overall); 2-3 and 4+ add up to multimorbidity; and so
  // none, 1 and multimorbidity (shown as "% with 2 or more") add up to the people too.
  for (const [dimension, category] of [
    ['all', allCategory] as const,
    ...list('age').map((band) => ['age', band] as const),
  ]) {
    const cell = (measure: Measure): string => cellId(measure, dimension, category);
    groups.push({ parts: [cell('ltc0'), cell('ltc1'), cell('ltc2to3'), cell('ltc4plus')], total: cell('people') });
    groups.push({ parts: [cell('ltc2to3'), cell('ltc4plus')], total: cell('multimorbid') });
    groups.push({ parts: [cell('ltc0'), cell('ltc1'), cell('multimorbid')], total: cell('people') });
  }
  return groups;
}

/** The words a table shows for a category. */
export function categoryLabel(dimension: Dimension, category: Category): string {
  const { key1, key2 } = category;
  switch (dimension) {
    case 'all':
      return 'All';
    case 'tier':
      return `Tier ${key1 ?? 'not recorded'}`;
    case 'pcn':
      return key1 ?? 'No PCN recorded';
    case 'practice':
      return key1 ?? 'Not recorded';
    case 'imd':
      if (key1 === null) return 'Not known';
      return key1 === '1' ? '1 (most deprived)' : key1 === '10' ? '10 (least deprived)' : key1;
    case 'age':
      return key1 ?? 'Not recorded';
    case 'ageSex':
      return `${key1 ?? 'Age not recorded'}, ${sexLabel(key2)}`;
    case 'ethnic':
      return key1 ?? 'Not recorded';
  }
}

export function sexLabel(code: string | null): string {
  if (code === null) return 'not recorded';
  if (code === otherSexKey) return otherSexLabel;
  for (const sex of ['1', '2']) if (code === sexOrNotRecordedKey(sex)) return `${sexLabels[sex]} or not recorded`;
  return sexLabels[code] ?? `code ${code}`;
}
