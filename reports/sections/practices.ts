// Section 3: practices and primary care networks. Each practice's rate of people in tiers 1-2 against the area
// average, as a funnel plot (a small practice varies more by chance, so its limits are wider; all are widened when
// practices differ more than chance would make them), and a PCN table.
import { estimateOverdispersion, funnelGrid, funnelLimits, type Overdispersion } from '../funnelLimits.ts';
import { formatCount, formatNumber, formatRate, roundTo } from '../formatFigures.ts';
import { type Category, categoryLabel } from '../populationFigures.ts';
import type { ReportContext, ReportSection } from '../reportContext.ts';
import { chartColours, fullChartWidth, renderChart } from '../renderChart.ts';
import { paragraph } from '../renderParagraph.ts';
import { renderTable } from '../renderTable.ts';
import { publishedValue } from '../suppressSmallNumbers.ts';

interface PlottedPractice {
  readonly category: Category;
  readonly people: number;
  readonly tier12: number;
}

/** Where a practice's rate falls against the funnel limits for a practice of its size. */
type FunnelPosition = 'above998' | 'above95' | 'within' | 'below95' | 'below998';

const positionWords: Readonly<Record<FunnelPosition, string>> = {
  above998: 'higher (above 99.8% limit)',
  above95: 'higher (above 95% limit)',
  within: 'within the limits',
  below95: 'lower (below 95% limit)',
  below998: 'lower (below 99.8% limit)',
};

export async function practicesSection(context: ReportContext): Promise<ReportSection> {
  const { population } = context;
  const practices = population.categories('practice');
  const areaPeople = publishedValue(population.count('people', 'all'));
  const areaTier12 = publishedValue(population.count('tier12', 'all'));
  const areaRate = areaPeople && areaTier12 !== null ? areaTier12 / areaPeople : null;

  const plotted: PlottedPractice[] = [];
  for (const category of practices) {
    const people = publishedValue(population.count('people', 'practice', category));
    const tier12 = publishedValue(population.count('tier12', 'practice', category));
    if (people !== null && people > 0 && tier12 !== null) plotted.push({ category, people, tier12 });
  }
  const omitted = practices.length - plotted.length;
  // Only published figures go into the estimate, so phi and tau say nothing about a suppressed practice.
  const dispersion =
    areaRate === null
      ? null
      : estimateOverdispersion(areaRate, plotted.map((practice) => ({ n: practice.people, events: practice.tier12 })));
  const tau2 = dispersion?.tau2 ?? 0;

  const positionAgainst = (category: Category, limitsTau2: number): FunnelPosition | null => {
    const practice = plotted.find((p) => p.category === category);
    if (!practice || areaRate === null) return null;
    const limits = funnelLimits(areaRate, practice.people, limitsTau2);
    const rate = practice.tier12 / practice.people;
    if (rate > limits.upper998) return 'above998';
    if (rate > limits.upper95) return 'above95';
    if (rate < limits.lower998) return 'below998';
    if (rate < limits.lower95) return 'below95';
    return 'within';
  };
  const position = (category: Category): FunnelPosition | null => positionAgainst(category, tau2);
  const comparison = (category: Category): string => {
    const at = position(category);
    return at === null ? 'not assessed' : positionWords[at];
  };

  const practiceDataRow = (category: Category) => ({
    cells: [
      categoryLabel('practice', category),
      formatCount(population.count('people', 'practice', category)),
      formatRate(population.rate('tier12', 'people', 1000, 'practice', category)),
      comparison(category),
    ],
  });

  const practiceTable = renderTable({
    caption: 'People in tiers 1–2 by GP practice',
    print: 'secondary',
    columns: [
      { header: 'Practice' },
      { header: 'PCN' },
      { header: 'People', numeric: true },
      { header: 'People in tiers 1–2', numeric: true },
      { header: 'Tiers 1–2 per 1,000 people', numeric: true },
      { header: 'Against the area average' },
    ],
    rows: [
      ...practices.map((category) => ({
        cells: [
          categoryLabel('practice', category),
          category.key2 ?? 'none recorded',
          formatCount(population.count('people', 'practice', category)),
          formatCount(population.count('tier12', 'practice', category)),
          formatRate(population.rate('tier12', 'people', 1000, 'practice', category)),
          comparison(category),
        ],
      })),
      {
        cells: [
          'All practices',
          '',
          formatCount(population.count('people', 'all')),
          formatCount(population.count('tier12', 'all')),
          formatRate(population.rate('tier12', 'people', 1000, 'all')),
          '',
        ],
        total: true,
      },
    ],
    note:
      '"Against the area average" compares each practice with the funnel plot\'s limits for a practice of its size. ' +
      'A practice\'s PCN is the one recorded for most of its people; its people with no PCN recorded are counted in it too.',
  });

  const pcnTable = renderTable({
    caption: 'People in tiers 1–2 by primary care network (PCN)',
    columns: [
      { header: 'PCN' },
      { header: 'Practices', numeric: true },
      { header: 'People', numeric: true },
      { header: 'People in tiers 1–2', numeric: true },
      { header: 'Tiers 1–2 per 1,000 people', numeric: true },
    ],
    rows: [
      ...population.categories('pcn').map((pcn) => ({
        cells: [
          categoryLabel('pcn', pcn),
          formatNumber(practices.filter((practice) => practice.key2 === pcn.key1).length),
          formatCount(population.count('people', 'pcn', pcn)),
          formatCount(population.count('tier12', 'pcn', pcn)),
          formatRate(population.rate('tier12', 'people', 1000, 'pcn', pcn)),
        ],
      })),
      {
        cells: [
          'All PCNs',
          formatNumber(practices.length),
          formatCount(population.count('people', 'all')),
          formatCount(population.count('tier12', 'all')),
          formatRate(population.rate('tier12', 'people', 1000, 'all')),
        ],
        total: true,
      },
    ],
  });

  const intro = paragraph(
    'Practices with more of their people in tiers 1–2 have more people to review. The funnel plot shows each ' +
      'practice\'s rate per 1,000 people against its number of people. The lines mark how far from the area average a ' +
      'practice of that size could be by chance alone: 95% of practices would fall inside the inner lines and 99.8% ' +
      'inside the outer lines if they all had the area\'s underlying rate. When practices differ by more than chance ' +
      'would make them, the lines are widened by that usual spread between practices, so that only a practice ' +
      'unusual even among practices falls outside. A practice outside the outer lines is worth a closer look; its ' +
      'population may simply be older or more deprived.',
  );
  const funnel =
    areaRate === null || dispersion === null
      ? paragraph('The funnel plot is not shown: the area totals are too small to publish.')
      : await funnelChart(plotted, areaRate, dispersion, omitted, practices.map((category) => practiceDataRow(category)), position);
  const words =
    dispersion === null
      ? null
      : dispersionWords(
          dispersion,
          plotted.map((practice) => ({
            code: categoryLabel('practice', practice.category),
            allowed: position(practice.category),
            chanceOnly: positionAgainst(practice.category, 0),
          })),
        );
  return {
    id: 'practices',
    title: 'Practices and primary care networks',
    html: [intro, words === null ? '' : paragraph(words.text), funnel, practiceTable, pcnTable].filter((part) => part !== '').join('\n'),
    ...(words === null ? {} : { finding: `People in tiers 1–2 per 1,000, by practice: ${words.outside}` }),
  };
}

const outside95 = (at: FunnelPosition | null): boolean => at !== null && at !== 'within';
const outside998 = (at: FunnelPosition | null): boolean => at === 'above998' || at === 'below998';

/** Codes as words: "A81001", "A81001 and A81002", "A81001, A81002 and B82001". */
function listCodes(codes: readonly string[]): string {
  return codes.length <= 1 ? codes.join('') : `${codes.slice(0, -1).join(', ')} and ${codes[codes.length - 1]}`;
}

/** Whether over-dispersion was found, phi and tau, and which practices fall outside the limits after allowing for it. */
function dispersionWords(
  dispersion: Overdispersion,
  practices: readonly { code: string; allowed: FunnelPosition | null; chanceOnly: FunnelPosition | null }[],
): { text: string; outside: string } {
  const k = dispersion.groups;
  if (k < 2) {
    const text =
      'Too few practices can be shown to tell whether they differ by more than chance would make them, so the ' +
      'limits allow for chance alone.';
    return { text, outside: text };
  }
  // φ is about 1 from chance alone; the paper widens the limits once k φ > k − 1. Numbers of practices are written
  // "# practice(s)", the report's form for a count of its own rows rather than of people.
  const phi = formatNumber(dispersion.phi, 2);
  const threshold = formatNumber((k - 1) / k, 2);
  const judged = dispersion.overdispersed
    ? `Over-dispersion was found: the ${formatNumber(k)} practice(s) shown differ by more than chance alone would ` +
      `make them (over-dispersion factor φ = ${phi}; chance alone gives about one, and the limits are widened once ` +
      `it is above ${threshold}). Following Spiegelhalter (2005), the limits are widened by the spread between ` +
      `practices' underlying rates, τ = ${formatNumber(Math.sqrt(dispersion.tau2) * 1000, 1)} per 1,000.`
    : `No over-dispersion was found: the ${formatNumber(k)} practice(s) shown differ by no more than chance alone ` +
      `would make them (over-dispersion factor φ = ${phi}, not above ${threshold}; τ = 0), so the limits allow for ` +
      'chance alone.';
  const codes = (test: (at: FunnelPosition | null) => boolean, key: 'allowed' | 'chanceOnly'): string[] =>
    practices.filter((practice) => test(practice[key])).map((practice) => practice.code);
  const after95 = codes(outside95, 'allowed');
  const after998 = codes(outside998, 'allowed');
  const allowing = dispersion.overdispersed ? 'After allowing for it, ' : '';
  const outsideWords =
    after95.length === 0
      ? `${allowing ? `${allowing}no` : 'No'} practice is outside the 95% limits.`
      : `${allowing}${formatNumber(after95.length)} practice(s) are outside the 95% limits (${listCodes(after95)}); ` +
        (after998.length === 0
          ? 'none of them is outside the 99.8% limits.'
          : `${formatNumber(after998.length)} practice(s) of these are outside the 99.8% limits (${listCodes(after998)}).`);
  const before998 = codes(outside998, 'chanceOnly').length;
  const beforeWords = dispersion.overdispersed
    ? ` With limits for chance alone, ${formatNumber(before998)} practice(s) would be outside the 99.8% limits.`
    : '';
  return { text: `${judged} ${outsideWords}${beforeWords}`, outside: outsideWords.replace(/^After allowing for it, n/, 'allowing for the usual spread between practices, n').replace(/^After allowing for it, /, 'allowing for the usual spread between practices, ') };
}

async function funnelChart(
  plotted: readonly PlottedPractice[],
  areaRate: number,
  dispersion: Overdispersion,
  omitted: number,
  dataRows: readonly { cells: string[] }[],
  position: (category: Category) => FunnelPosition | null,
): Promise<string> {
  const { tau2 } = dispersion;
  const points = plotted.map((practice) => ({
    practice: practice.category.key1 ?? 'not recorded',
    people: practice.people,
    per1000: roundTo((practice.tier12 / practice.people) * 1000, 1),
    outside: outside95(position(practice.category)),
  }));

  // Axes fitted to the practices, not from zero: x from just below the smallest practice to just above the
  // largest, y over the points and the limits from the median practice size up.
  const sizes = plotted.map((practice) => practice.people);
  const smallest = Math.min(...sizes);
  const largest = Math.max(...sizes);
  const xMargin = Math.max(1, (largest - smallest) * 0.05, largest * 0.02);
  const [xLow, xHigh] =
    plotted.length === 0 ? [1, 100] : [Math.max(1, Math.floor(smallest - xMargin)), Math.ceil(largest + xMargin)];

  const limitLines: { people: number; per1000: number; limit: string; side: string }[] = [];
  for (const n of funnelGrid(xLow, xHigh)) {
    const limits = funnelLimits(areaRate, n, tau2);
    for (const [limit, side, value] of [
      ['95% limits', 'lower', limits.lower95],
      ['95% limits', 'upper', limits.upper95],
      ['99.8% limits', 'lower', limits.lower998],
      ['99.8% limits', 'upper', limits.upper998],
    ] as const) {
      limitLines.push({ people: n, per1000: roundTo(value * 1000, 2), limit, side });
    }
  }
  // The y axis covers every practice and the limits from the median practice size up: towards the smallest sizes the
  // limits widen fast, and following them would squash the practices into a band (they run off the plot there).
  const ordered = [...sizes].sort((a, b) => a - b);
  const medianSize = ordered[Math.floor((ordered.length - 1) / 2)] ?? xLow;
  const yValues = [...points.map((point) => point.per1000), ...limitLines.filter((line) => line.people >= medianSize).map((line) => line.per1000)];
  const yLow = Math.min(...yValues);
  const yHigh = Math.max(...yValues);
  const yMargin = Math.max(0.5, (yHigh - yLow) * 0.05);
  const yDomain = [Math.max(0, Math.floor(yLow - yMargin)), Math.min(1000, Math.ceil(yHigh + yMargin))];

  const outside = (at: FunnelPosition): number => plotted.filter((practice) => position(practice.category) === at).length;
  const widened = dispersion.overdispersed
    ? ` The limits are widened for over-dispersion (τ = ${formatNumber(Math.sqrt(tau2) * 1000, 1)} per 1,000).`
    : '';
  return renderChart({
    id: 'chart-practice-funnel',
    caption: 'Funnel plot: people in tiers 1–2 per 1,000, by practice size (each dot is a practice)',
    description:
      `Each dot is a practice: its number of people scored across, its rate of people in tiers 1–2 per 1,000 up. ` +
      `${plotted.length} practice(s) are plotted against the area average of ${formatNumber(areaRate * 1000, 1)} per 1,000; ` +
      `${outside('above998')} are above the outer (99.8%) limit and ${outside('below998')} below it.${widened}`,
    dataTable: {
      columns: [
        { header: 'Practice' },
        { header: 'People', numeric: true },
        { header: 'Tiers 1–2 per 1,000 people', numeric: true },
        { header: 'Against the area average' },
      ],
      rows: dataRows,
    },
    note:
      `Dashed line: area average (${formatNumber(areaRate * 1000, 1)} per 1,000). Labelled: practices outside the 95% limits.` +
      widened +
      ' Neither axis starts at zero.' +
      (omitted > 0 ? ` ${omitted} practice(s) not shown: their numbers are too small to publish.` : ''),
    spec: {
      width: fullChartWidth,
      height: 340,
      layer: [
        {
          data: { values: limitLines },
          mark: { type: 'line', clip: true, strokeWidth: 1.2 },
          encoding: {
            x: {
              field: 'people',
              type: 'quantitative',
              title: 'People registered (scored)',
              scale: { domain: [xLow, xHigh], nice: false, zero: false },
            },
            y: {
              field: 'per1000',
              type: 'quantitative',
              title: 'Tiers 1–2 per 1,000 people',
              scale: { domain: yDomain, nice: false, zero: false },
            },
            detail: { field: 'side' },
            color: {
              field: 'limit',
              type: 'nominal',
              title: null,
              scale: { domain: ['95% limits', '99.8% limits'], range: [chartColours.orange, chartColours.pink] },
            },
          },
        },
        {
          data: { values: [{ per1000: roundTo(areaRate * 1000, 2) }] },
          mark: { type: 'rule', strokeDash: [6, 4], color: chartColours.darkBlue },
          encoding: { y: { field: 'per1000', type: 'quantitative' } },
        },
        {
          data: { values: points },
          mark: { type: 'point', filled: true, size: 40, color: chartColours.blue, clip: true },
          encoding: {
            x: { field: 'people', type: 'quantitative' },
            y: { field: 'per1000', type: 'quantitative' },
          },
        },
        // Labels sit to the right of a practice in the left half and to the left in the right half, so none runs
        // off the plot.
        ...(['left', 'right'] as const).map((align) => ({
          data: {
            values: points.filter((point) => point.outside && (point.people <= (xLow + xHigh) / 2) === (align === 'left')),
          },
          mark: {
            type: 'text' as const,
            align,
            baseline: 'middle' as const,
            dx: align === 'left' ? 6 : -6,
            fontSize: 10,
            color: chartColours.darkBlue,
            clip: true,
          },
          encoding: {
            x: { field: 'people', type: 'quantitative' as const },
            y: { field: 'per1000', type: 'quantitative' as const },
            text: { field: 'practice', type: 'nominal' as const },
          },
        })),
      ],
    },
  });
}
