// Section 3: practices and primary care networks. Each practice's rate of people in tiers 1-2 against the area
// average, as a funnel plot (a small practice varies more by chance, so its limits are wider), and a PCN table.
import { funnelGrid, funnelLimits } from '../funnelLimits.ts';
import { formatCount, formatNumber, formatRate, roundTo } from '../formatFigures.ts';
import { type Category, categoryLabel } from '../populationFigures.ts';
import type { ReportContext, ReportSection } from '../reportContext.ts';
import { chartColours, renderChart } from '../renderChart.ts';
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

  const position = (category: Category): FunnelPosition | null => {
    const practice = plotted.find((p) => p.category === category);
    if (!practice || areaRate === null) return null;
    const limits = funnelLimits(areaRate, practice.people);
    const rate = practice.tier12 / practice.people;
    if (rate > limits.upper998) return 'above998';
    if (rate > limits.upper95) return 'above95';
    if (rate < limits.lower998) return 'below998';
    if (rate < limits.lower95) return 'below95';
    return 'within';
  };
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
      'inside the outer lines if they all had the area\'s underlying rate. A practice outside the outer lines is ' +
      'worth a closer look; its population may simply be older or more deprived.',
  );
  const funnel =
    areaRate === null
      ? paragraph('The funnel plot is not shown: the area totals are too small to publish.')
      : await funnelChart(plotted, areaRate, omitted, practices.map((category) => practiceDataRow(category)), position);
  return {
    id: 'practices',
    title: 'Practices and primary care networks',
    html: [intro, funnel, practiceTable, pcnTable].join('\n'),
  };
}

async function funnelChart(
  plotted: readonly PlottedPractice[],
  areaRate: number,
  omitted: number,
  dataRows: readonly { cells: string[] }[],
  position: (category: Category) => FunnelPosition | null,
): Promise<string> {
  const sizes = plotted.map((practice) => practice.people);
  const maxPeople = Math.max(...sizes, 1);
  const minPeople = Math.min(...sizes, maxPeople);
  const limitLines: { people: number; per1000: number; limit: string; side: string }[] = [];
  for (const n of funnelGrid(Math.max(10, minPeople * 0.7), maxPeople * 1.1)) {
    const limits = funnelLimits(areaRate, n);
    for (const [limit, side, value] of [
      ['95% limits', 'lower', limits.lower95],
      ['95% limits', 'upper', limits.upper95],
      ['99.8% limits', 'lower', limits.lower998],
      ['99.8% limits', 'upper', limits.upper998],
    ] as const) {
      limitLines.push({ people: n, per1000: roundTo(value * 1000, 2), limit, side });
    }
  }
  const points = plotted.map((practice) => ({
    practice: practice.category.key1 ?? 'not recorded',
    people: practice.people,
    per1000: roundTo((practice.tier12 / practice.people) * 1000, 1),
  }));
  const pointMax = Math.max(0, ...points.map((point) => point.per1000));
  const yMax = Math.ceil(Math.max(pointMax * 1.15, areaRate * 1000 * 2.2, 1));
  const xMax = Math.ceil(maxPeople * 1.1);

  const outside = (at: FunnelPosition): number => plotted.filter((practice) => position(practice.category) === at).length;
  return renderChart({
    id: 'chart-practice-funnel',
    caption: 'Funnel plot: people in tiers 1–2 per 1,000, by practice size (each dot is a practice)',
    description:
      `Each dot is a practice: its number of people scored across, its rate of people in tiers 1–2 per 1,000 up. ` +
      `${plotted.length} practice(s) are plotted against the area average of ${formatNumber(areaRate * 1000, 1)} per 1,000; ` +
      `${outside('above998')} are above the outer (99.8%) limit and ${outside('below998')} below it.`,
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
      `Dashed line: area average (${formatNumber(areaRate * 1000, 1)} per 1,000).` +
      (omitted > 0 ? ` ${omitted} practice(s) not shown: their numbers are too small to publish.` : ''),
    spec: {
      width: 560,
      height: 340,
      layer: [
        {
          data: { values: limitLines },
          mark: { type: 'line', clip: true, strokeWidth: 1.2 },
          encoding: {
            x: { field: 'people', type: 'quantitative', title: 'People registered (scored)', scale: { domain: [0, xMax] } },
            y: { field: 'per1000', type: 'quantitative', title: 'Tiers 1–2 per 1,000 people', scale: { domain: [0, yMax] } },
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
      ],
    },
  });
}
