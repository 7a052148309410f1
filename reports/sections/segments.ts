// Section: population segments (docs/segments.md) against the emergency-admission risk tier, and by primary care
// network: how many people each segment has in each tier, and their emergency admissions of the last 12 months per
// 1,000 people (the risk pyramid's window and admissions). Counts come from sql/report/segments_by_tier.sql and are
// suppressed here in two passes, people then admissions, with the tier and PCN totals other sections publish fixed.
import { type Database, fillSqlSlots, sqlFile } from '../../core/db/Database.ts';
import { dateParam } from '../../core/db/dateParam.ts';
import { emergencyActivityCell, readEmergencyActivityByTier, suppressEmergencyActivity } from '../emergencyActivityByTier.ts';
import { formatCount, formatNumber, formatPercent, formatRate, roundTo } from '../formatFigures.ts';
import { categoryLabel } from '../populationFigures.ts';
import type { ReportContext, ReportSection } from '../reportContext.ts';
import { renderChart } from '../renderChart.ts';
import { paragraph } from '../renderParagraph.ts';
import { renderTable, type TableRow } from '../renderTable.ts';
import { type CountGroup, type Figure, rateOf, suppressSmallNumbers } from '../suppressSmallNumbers.ts';

/** The contract's segments, highest need first (data contract §4, docs/segments.md), with the words the report uses. */
export const segmentLabels: Readonly<Record<string, string>> = {
  end_of_life: 'End of life',
  frailty_dementia: 'Frailty and dementia',
  organ_failure: 'Organ failure',
  disability: 'Disability',
  complex_multimorbidity: 'Complex multimorbidity (2 or more LTCs)',
  long_term_conditions: 'One long-term condition',
  maternity_infant: 'Maternity and infant',
  healthy: 'Healthy',
};
const segmentOrder = Object.keys(segmentLabels);
/** PCN columns in one table: more would not fit a printed A4 page. */
const pcnsPerTable = 5;

const segmentsByTierSql = fillSqlSlots(sqlFile('report/segments_by_tier.sql'), { practice_pcn: sqlFile('report/practice_pcn.sql') });

interface SegmentRow {
  segment: string | null;
  tier: string;
  pcn_code: string | null;
  people: number;
  admissions: number;
}

type Measure = 'people' | 'admissions';
/** A column of the tables: one tier, tiers 1–2, one PCN (by code; null = no PCN) or everyone. */
type Scope = { readonly kind: 'tier'; readonly key: string } | { readonly kind: 'tier12' } | { readonly kind: 'pcn'; readonly key: string | null } | { readonly kind: 'all' };
/** A segment's key, or null for all segments together. Segments are never null in scores; 'not recorded' guards it. */
type SegmentKey = string | null;

const allScope: Scope = { kind: 'all' };
const tier12Scope: Scope = { kind: 'tier12' };

function cellId(measure: Measure, segment: SegmentKey, scope: Scope): string {
  const key = scope.kind === 'tier' || scope.kind === 'pcn' ? scope.key : null;
  return JSON.stringify([measure, segment, scope.kind, key]);
}

export function segmentLabel(segment: string): string {
  return segmentLabels[segment] ?? segment;
}

export function readSegmentsByTier(db: Database, asOf: string): Promise<SegmentRow[]> {
  return db.rows<SegmentRow>(segmentsByTierSql, { as_of: dateParam(asOf) });
}

export async function segmentsSection(context: ReportContext): Promise<ReportSection> {
  const { db, input, population } = context;
  const threshold = input.suppressionThreshold;
  const rows = await readSegmentsByTier(db, input.asOf);
  const tiers = population.categories('tier').map((category) => category.key1 as string);
  const pcns = population.categories('pcn');
  const present = rows.map((row) => row.segment ?? 'not recorded');
  const segments = [...segmentOrder, ...[...new Set(present)].filter((segment) => !segmentOrder.includes(segment)).sort()];
  const segmentOf = (row: SegmentRow): string => row.segment ?? 'not recorded';

  const tierScopes: Scope[] = tiers.map((key) => ({ kind: 'tier', key }));
  const pcnScopes: Scope[] = pcns.map((pcn) => ({ kind: 'pcn', key: pcn.key1 }));
  const inScope = (row: SegmentRow, scope: Scope): boolean =>
    scope.kind === 'all' ||
    (scope.kind === 'tier' && row.tier === scope.key) ||
    (scope.kind === 'tier12' && (row.tier === '1' || row.tier === '2')) ||
    (scope.kind === 'pcn' && row.pcn_code === scope.key);
  const sum = (measure: Measure, segment: SegmentKey, scope: Scope): number =>
    rows.filter((row) => (segment === null || segmentOf(row) === segment) && inScope(row, scope)).reduce((total, row) => total + row[measure], 0);

  const scopes = [...tierScopes, tier12Scope, ...pcnScopes, allScope];
  const countsOf = (measure: Measure): Map<string, number> => {
    const counts = new Map<string, number>();
    for (const segment of [...segments, null]) for (const scope of scopes) counts.set(cellId(measure, segment, scope), sum(measure, segment, scope));
    return counts;
  };
  // Every way a reader could add shown cells up to a shown total: across a segment's tiers and its PCNs, tiers 1 and 2
  // within a segment, and down the segments of a tier, of tiers 1–2, of a PCN and of everyone.
  const groupsOf = (measure: Measure): CountGroup[] => {
    const cell = (segment: SegmentKey, scope: Scope): string => cellId(measure, segment, scope);
    const groups: CountGroup[] = [];
    for (const segment of segments) {
      groups.push({ parts: tierScopes.map((scope) => cell(segment, scope)), total: cell(segment, allScope) });
      groups.push({ parts: pcnScopes.map((scope) => cell(segment, scope)), total: cell(segment, allScope) });
      groups.push({ parts: tierScopes.filter((scope) => scope.kind === 'tier' && (scope.key === '1' || scope.key === '2')).map((scope) => cell(segment, scope)), total: cell(segment, tier12Scope) });
    }
    for (const scope of scopes) groups.push({ parts: segments.map((segment) => cell(segment, scope)), total: cell(null, scope) });
    return groups;
  };

  // People: the totals of all segments are the population figures' tier, tiers 1–2, PCN and overall counts, already
  // published (and suppressed) there, so they are fixed here or hidden here as there.
  const populationCell = (scope: Scope): string =>
    scope.kind === 'tier'
      ? population.cellId('people', 'tier', { key1: scope.key, key2: null })
      : scope.kind === 'tier12'
        ? population.cellId('tier12', 'all')
        : scope.kind === 'pcn'
          ? population.cellId('people', 'pcn', { key1: scope.key, key2: null })
          : population.cellId('people', 'all');
  const peopleFixed: string[] = [];
  const peopleHidden: string[] = [];
  for (const scope of scopes) {
    (population.figures.isSuppressed(populationCell(scope)) ? peopleHidden : peopleFixed).push(cellId('people', null, scope));
  }
  const people = suppressSmallNumbers({
    counts: countsOf('people'), groups: groupsOf('people'), fixed: peopleFixed, alreadySuppressed: peopleHidden, threshold,
  });

  // Admissions are shown only as rates, but a rate and its people give the count back, so they are suppressed as
  // counts. A cell whose people are hidden has no rate: it counts as hidden. The tier totals are the risk pyramid's.
  const pyramid = suppressEmergencyActivity(await readEmergencyActivityByTier(db, input.asOf), tiers, threshold);
  const pyramidCell = (scope: Scope): string | null =>
    scope.kind === 'tier'
      ? emergencyActivityCell('admissions', scope.key)
      : scope.kind === 'tier12'
        ? emergencyActivityCell('admissions', '1-2')
        : scope.kind === 'all'
          ? emergencyActivityCell('admissions', 'all')
          : null;
  const admissionsFixed: string[] = [];
  const admissionsHidden: string[] = [];
  for (const segment of [...segments, null]) {
    for (const scope of scopes) {
      const id = cellId('admissions', segment, scope);
      const published = segment === null ? pyramidCell(scope) : null;
      if (published !== null) (pyramid.isSuppressed(published) ? admissionsHidden : admissionsFixed).push(id);
      else if (people.isSuppressed(cellId('people', segment, scope))) admissionsHidden.push(id);
    }
  }
  const admissions = suppressSmallNumbers({
    counts: countsOf('admissions'), groups: groupsOf('admissions'), fixed: admissionsFixed, alreadySuppressed: admissionsHidden, threshold,
  });

  const figures: SegmentFigures = {
    people: (segment, scope) => people.count(cellId('people', segment, scope)),
    rate: (segment, scope) => rateOf(admissions.count(cellId('admissions', segment, scope)), people.count(cellId('people', segment, scope)), 1000),
  };
  const tierLabel = (tier: string): string => input.tiers.find((t) => String(t.tier) === tier)?.label ?? `Tier ${tier}`;
  const tierColumns: { header: string; scope: Scope }[] = [
    ...tierScopes.map((scope) => ({ header: tierLabel((scope as { key: string }).key), scope })),
    { header: 'Tiers 1–2', scope: tier12Scope },
    { header: 'All tiers', scope: allScope },
  ];
  const segmentRows = (value: (segment: SegmentKey, scope: Scope) => string, columns: readonly { scope: Scope }[]): TableRow[] => [
    ...segments.map((segment) => ({ cells: [segmentLabel(segment), ...columns.map((column) => value(segment, column.scope))] })),
    { cells: ['All segments', ...columns.map((column) => value(null, column.scope))], total: true },
  ];
  const window = `Last 12 months: the 365 days to ${input.asOf}; admissions are counted for the people scored today, by their segment and tier today.`;

  const peopleByTier = renderTable({
    caption: 'People by population segment and risk tier',
    print: 'secondary',
    columns: [{ header: 'Segment' }, ...tierColumns.map((column) => ({ header: column.header, numeric: true }))],
    rows: segmentRows((segment, scope) => formatCount(figures.people(segment, scope)), tierColumns),
    compact: true,
  });
  const ratesByTier = renderTable({
    caption: 'Emergency admissions in the last 12 months per 1,000 people, by population segment and risk tier',
    columns: [{ header: 'Segment' }, ...tierColumns.map((column) => ({ header: column.header, numeric: true }))],
    rows: segmentRows((segment, scope) => formatRate(figures.rate(segment, scope)), tierColumns),
    note: window,
    compact: true,
  });

  // Segments down, PCNs across, a few PCNs to a table so that it fits a printed page; each table ends with all PCNs.
  const pcnChunks: number[][] = [];
  for (let from = 0; from < pcns.length; from += pcnsPerTable) pcnChunks.push(pcns.slice(from, from + pcnsPerTable).map((_pcn, index) => from + index));
  const pcnNote = 'A practice\'s PCN is the one recorded for most of its people, as in the practices table.';
  const pcnTables = (caption: string, value: (segment: SegmentKey, scope: Scope) => string, note: string): string[] =>
    pcnChunks.map((chunk) => {
      const columns = [
        ...chunk.map((index) => ({ header: categoryLabel('pcn', pcns[index]!), scope: pcnScopes[index]! })),
        { header: 'All PCNs', scope: allScope },
      ];
      const part = pcnChunks.length > 1 ? ` (PCNs ${chunk[0]! + 1} to ${chunk.at(-1)! + 1} of ${pcns.length})` : '';
      return renderTable({
        caption: `${caption}${part}`,
        print: 'secondary',
        columns: [{ header: 'Segment' }, ...columns.map((column) => ({ header: column.header, numeric: true }))],
        rows: segmentRows(value, columns),
        note,
        compact: true,
      });
    });
  const peopleByPcn = pcnTables('People by population segment and primary care network (PCN)', (segment, scope) => formatCount(figures.people(segment, scope)), pcnNote);
  const ratesByPcn = pcnTables(
    'Emergency admissions in the last 12 months per 1,000 people, by population segment and primary care network (PCN)',
    (segment, scope) => formatRate(figures.rate(segment, scope)),
    `${window} ${pcnNote}`,
  );

  const finding = segmentFinding(segments, figures);
  const intro = paragraph(
    'Each person scored is in one population segment after Bridges to Health (Lynn et al. 2007), the highest-need one ' +
      'that applies: end of life, frailty and dementia, organ failure, disability, complex multimorbidity, one ' +
      'long-term condition, maternity and infant, or healthy. Segments say what kind of care people need; tiers say ' +
      'how likely an emergency admission is. Together they show which services the people at the top of the pyramid need.',
  );
  const chart = await heatMap(segments, tiers, tierLabel, figures, tierColumns, segmentRows);
  return {
    id: 'segments',
    title: 'Population segments',
    html: [intro, chart, peopleByTier, ratesByTier, ...peopleByPcn, ...ratesByPcn].join('\n'),
    finding,
  };
}

interface SegmentFigures {
  people(segment: SegmentKey, scope: Scope): Figure;
  /** Emergency admissions in the last 12 months per 1,000 people. */
  rate(segment: SegmentKey, scope: Scope): Figure;
}

/** A segment's admission rate is compared in the finding only when it has at least this many people. */
export const segmentRateMinimumPeople = 100;

/**
 * One sentence: the segment with the most people in tiers 1–2 and its share of them, and the segment with the
 * highest admission rate among those of at least minimumPeople people (a rate on a handful of people is mostly
 * chance, and not what a commissioner plans from). Only published figures are compared; when a hidden figure could
 * be larger, the sentence says it compares the published ones.
 */
export function segmentFinding(segments: readonly string[], figures: SegmentFigures, minimumPeople = segmentRateMinimumPeople): string {
  const largest = (values: readonly { segment: string; figure: Figure }[]): { segment: string; value: number } | null => {
    let best: { segment: string; value: number } | null = null;
    for (const { segment, figure } of values) if (figure.kind === 'value' && figure.value > 0 && (best === null || figure.value > best.value)) best = { segment, value: figure.value };
    return best;
  };
  const tier12 = segments.map((segment) => ({ segment, figure: figures.people(segment, tier12Scope) }));
  const sizes = segments.map((segment) => ({ segment, people: figures.people(segment, allScope) }));
  const largeEnough = sizes.filter(({ people }) => people.kind === 'value' && people.value >= minimumPeople).map(({ segment }) => segment);
  // A segment with nobody in it has no rate to leave out.
  const someTooSmall = sizes.some(({ segment, people }) => !largeEnough.includes(segment) && !(people.kind === 'value' && people.value === 0));
  // A hidden size (secondary suppression) may be large: the words then speak of the published sizes only.
  const sizeHidden = sizes.some(({ people }) => people.kind === 'suppressed');
  const rates = largeEnough.map((segment) => ({ segment, figure: figures.rate(segment, allScope) }));
  const top = largest(tier12);
  const highest = largest(rates);
  // The hidden cells of tiers 1–2 add up to the total less the shown ones: the top shown segment is the top segment
  // when that remainder is no larger than it.
  const tier12Total = figures.people(null, tier12Scope);
  const shownSum = tier12.reduce((sum, { figure }) => sum + (figure.kind === 'value' ? figure.value : 0), 0);
  const topCertain = top !== null && tier12Total.kind === 'value' && tier12Total.value - shownSum <= top.value;
  const someRateHidden = rates.some(({ figure }) => figure.kind === 'suppressed');
  const parts: string[] = [];
  if (top !== null) {
    const share = rateOf({ kind: 'value', value: top.value }, tier12Total, 100);
    parts.push(
      `${topCertain ? '' : 'Of the segments whose counts are published, '}${segmentLabel(top.segment)} holds the most people in tiers 1–2` +
        (share.kind === 'value' ? ` (${formatPercent(share)} of them)` : ''),
    );
  }
  if (highest !== null) {
    const who = top !== null && highest.segment === top.segment ? 'it also has' : `${segmentLabel(highest.segment)} has`;
    const published = [sizeHidden ? 'sizes' : '', someRateHidden ? 'rates' : ''].filter(Boolean).join(' and ');
    const among = [someTooSmall ? `of ${formatNumber(minimumPeople)} people or more` : '', published ? `whose ${published} are published` : ''].filter(Boolean).join(' ');
    parts.push(
      `${among === '' ? who : `of the segments ${among}, ${who}`} the highest rate of emergency admissions, ` +
        `${formatRate({ kind: 'value', value: highest.value })} per 1,000 people in the last 12 months`,
    );
  } else if (rates.length === 0 && sizes.some(({ people }) => people.kind === 'value' && people.value > 0)) {
    parts.push(`no segment${sizeHidden ? ' whose size is published' : ''} has the ${formatNumber(minimumPeople)} people or more this report needs to compare admission rates`);
  }
  if (parts.length === 0) return 'The numbers of people in each segment are too small to publish which segment holds most of tiers 1–2.';
  const sentence = parts.join('; ');
  return `${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}.`;
}

async function heatMap(
  segments: readonly string[],
  tiers: readonly string[],
  tierLabel: (tier: string) => string,
  figures: SegmentFigures,
  tierColumns: readonly { header: string; scope: Scope }[],
  segmentRows: (value: (segment: SegmentKey, scope: Scope) => string, columns: readonly { scope: Scope }[]) => TableRow[],
): Promise<string> {
  const cells: { segment: string; tier: string; per1000: number; label: string }[] = [];
  let omitted = 0;
  for (const segment of segments) {
    for (const tier of tiers) {
      const rate = figures.rate(segment, { kind: 'tier', key: tier });
      if (rate.kind === 'suppressed') omitted += 1;
      else if (rate.kind === 'value') cells.push({ segment: segmentLabel(segment), tier: tierLabel(tier), per1000: roundTo(rate.value, 1), label: formatRate(rate) });
    }
  }
  if (cells.length === 0) return paragraph('The grid of rates by segment and tier is not shown: no rate can be published.');
  const perTier = tierColumns.filter((column) => column.scope.kind === 'tier');
  const highest = cells.reduce<(typeof cells)[number] | null>((best, cell) => (best === null || cell.per1000 > best.per1000 ? cell : best), null);
  return renderChart({
    id: 'chart-segments-by-tier',
    caption: 'Emergency admissions in the last 12 months per 1,000 people, by population segment and risk tier',
    description:
      'A grid with a row for each segment and a column for each tier; the darker the square, the higher the rate of ' +
      'emergency admissions per 1,000 people (the data table gives each figure). ' +
      `The highest is ${highest!.label} per 1,000 for ${highest!.segment} in ${highest!.tier}.`,
    note: omitted > 0 ? 'Some squares are left blank: the numbers behind them are too small to publish.' : undefined,
    dataTable: {
      columns: [{ header: 'Segment' }, ...perTier.map((column) => ({ header: column.header, numeric: true }))],
      rows: segmentRows((segment, scope) => formatRate(figures.rate(segment, scope)), perTier).filter((row) => !row.total),
    },
    spec: {
      width: { step: 90 },
      height: { step: 26 },
      data: { values: cells },
      mark: { type: 'rect' },
      encoding: {
        x: { field: 'tier', type: 'nominal', title: 'Risk tier', sort: tiers.map(tierLabel), scale: { domain: tiers.map(tierLabel) }, axis: { orient: 'top', labelAngle: 0 } },
        y: { field: 'segment', type: 'nominal', title: null, sort: segments.map(segmentLabel), scale: { domain: segments.map(segmentLabel) } },
        color: { field: 'per1000', type: 'quantitative', title: 'Per 1,000 people', scale: { scheme: 'blues', zero: true } },
      },
    },
  });
}
