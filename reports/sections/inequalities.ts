// Section 4: inequalities. Who is in tiers 1-2, and who lives with two or more long-term conditions, by
// deprivation, by age band and sex, and by ethnic group.
import type { TopLevelSpec } from 'vega-lite';
import { formatCount, formatNumber, formatPercent, formatRate, roundTo } from '../formatFigures.ts';
import { type Category, type Dimension, categoryLabel, sexLabel } from '../populationFigures.ts';
import type { ReportContext, ReportSection } from '../reportContext.ts';
import { chartColours, halfChartWidth, renderChart } from '../renderChart.ts';
import { paragraph } from '../renderParagraph.ts';
import { renderTable } from '../renderTable.ts';

const tier12Title = 'Tiers 1–2 per 1,000 people';
const multimorbidTitle = '% with 2 or more long-term conditions';

export async function inequalitiesSection(context: ReportContext): Promise<ReportSection> {
  const { population } = context;

  const table = (dimension: Dimension, caption: string, firstHeader: string): string =>
    renderTable({
      caption,
      print: 'secondary',
      note: mergeNote(dimension, population.categories(dimension), context.input.suppressionThreshold),
      columns: [
        { header: firstHeader },
        { header: 'People', numeric: true },
        { header: 'People in tiers 1–2', numeric: true },
        { header: tier12Title, numeric: true },
        { header: 'People with 2+ long-term conditions', numeric: true },
        { header: multimorbidTitle, numeric: true },
      ],
      rows: [
        ...population.categories(dimension).map((category) => ({ cells: cellsFor(dimension, category) })),
        { cells: cellsFor('all', { key1: null, key2: null }), total: true },
      ],
    });
  const cellsFor = (dimension: Dimension, category: Category): string[] => [
    categoryLabel(dimension, category),
    formatCount(population.count('people', dimension, category)),
    formatCount(population.count('tier12', dimension, category)),
    formatRate(population.rate('tier12', 'people', 1000, dimension, category)),
    formatCount(population.count('multimorbid', dimension, category)),
    formatPercent(population.rate('multimorbid', 'people', 100, dimension, category)),
  ];

  // Chart rows for one dimension, both measures in one list: suppressed figures are left out and counted for the note.
  const chartRows = (dimension: Dimension, label: (category: Category) => string) => {
    const values: ChartRow[] = [];
    let omitted = 0;
    for (const category of population.categories(dimension)) {
      const sex = dimension === 'ageSex' ? sexLabel(category.key2) : '';
      const group = label(category);
      for (const [measure, figure] of [
        [tier12Title, population.rate('tier12', 'people', 1000, dimension, category)],
        [multimorbidTitle, population.rate('multimorbid', 'people', 100, dimension, category)],
      ] as const) {
        // A group with nobody in it has no rate: no bar, and nothing to explain.
        if (figure.kind === 'suppressed') omitted += 1;
        else if (figure.kind === 'value') values.push({ group, sex, measure, value: roundTo(figure.value, 1) });
      }
    }
    return { values, omitted };
  };

  // The chart's figures as a table: one row per group, both measures, '*' where the chart leaves a bar out.
  const dataTable = (dimension: Dimension, groupHeaders: readonly string[], label: (category: Category) => readonly string[]) => ({
    columns: [
      ...groupHeaders.map((header) => ({ header })),
      { header: tier12Title, numeric: true },
      { header: multimorbidTitle, numeric: true },
    ],
    rows: population.categories(dimension).map((category) => ({
      cells: [
        ...label(category),
        formatRate(population.rate('tier12', 'people', 1000, dimension, category)),
        formatPercent(population.rate('multimorbid', 'people', 100, dimension, category)),
      ],
    })),
  });

  const imdLabel = (category: Category): string => category.key1 ?? 'Not known';
  const imd = chartRows('imd', imdLabel);
  const imdChart = await renderChart({
    id: 'chart-imd',
    caption: 'Tiers 1–2 per 1,000 people and % with 2 or more long-term conditions, by deprivation decile (1 = most deprived)',
    description: describeExtremes(imd.values, (row) => `decile ${row.group}`),
    note: omittedNote(imd.omitted),
    dataTable: dataTable('imd', ['IMD decile'], (category) => [categoryLabel('imd', category)]),
    spec: twoMeasureBars(imd.values, 'IMD decile', population.categories('imd').map(imdLabel), false),
  });

  const ageSex = chartRows('ageSex', (category) => category.key1 ?? 'Not recorded');
  const ageSexChart = await renderChart({
    id: 'chart-age-sex',
    caption: 'Tiers 1–2 per 1,000 people and % with 2 or more long-term conditions, by age band and sex',
    description: describeExtremes(ageSex.values, (row) => `${row.group}, ${row.sex.toLowerCase()}`),
    note: omittedNote(ageSex.omitted),
    dataTable: dataTable('ageSex', ['Age band', 'Sex'], (category) => [category.key1 ?? 'Not recorded', sexLabel(category.key2)]),
    spec: twoMeasureBars(ageSex.values, 'Age band', population.categories('age').map((category) => category.key1 ?? 'Not recorded'), true),
  });

  const html = [
    paragraph(
      'Risk and multimorbidity are not spread evenly. These tables show, for each group, the rate of people in ' +
        'tiers 1–2 (per 1,000 people in the group) and the share living with two or more long-term conditions on ' +
        'their GP record. Deprivation is the Index of Multiple Deprivation decile of the area people live in ' +
        '(1 = the most deprived tenth of areas in England). Rates are not age-standardised: a group with more older ' +
        'people will have higher rates.',
    ),
    imdChart,
    table('imd', 'By deprivation (IMD decile)', 'IMD decile'),
    ageSexChart,
    table('ageSex', 'By age band and sex', 'Age band, sex'),
    table('ethnic', 'By ethnic group', 'Ethnic group'),
  ].join('\n');
  const finding = deprivationGradient(context);
  return { id: 'inequalities', title: 'Inequalities', html, ...(finding ? { finding } : {}) };
}

/** Under a table whose breakdown merges categories: which, and why. */
function mergeNote(dimension: Dimension, categories: readonly Category[], threshold: number): string | undefined {
  const sentences: string[] = [];
  if (dimension === 'ageSex' && categories.some((category) => sexLabel(category.key2) === 'Not recorded')) {
    sentences.push('Not recorded combines the sex codes for indeterminate (9) and not known (X), and records with no code.');
  }
  const sexMerged = dimension === 'ageSex' ? categories.find((category) => category.members2 !== undefined) : undefined;
  if (sexMerged !== undefined) {
    const label = sexLabel(sexMerged.key2);
    sentences.push(
      `${label} combines people recorded as ${label.split(' ')[0]?.toLowerCase()} with those whose sex is recorded as indeterminate (9) or ` +
        `not known (X), or not at all, in every age band: on their own, those people had a figure from 1 to ${threshold - 1} in at least one band, which ` +
        'would have forced a male or female figure to be hidden. They join the sex with more people, whose figures they change least.',
    );
  }
  for (const category of categories) {
    if (category.members === undefined) continue;
    const names = category.members.map((member) => member ?? 'no group recorded');
    sentences.push(
      `${categoryLabel(dimension, category)} combines ${names.length <= 2 ? names.join(' and ') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`}: ` +
        `on its own, one of them had a figure from 1 to ${threshold - 1}, which would have forced larger figures beside it to be hidden.`,
    );
  }
  return sentences.length === 0 ? undefined : sentences.join(' ');
}

/** The highest and lowest published value of each measure, in words, e.g. "highest in decile 2 (87.3), lowest in ...". */
function describeExtremes(values: readonly ChartRow[], groupWords: (row: ChartRow) => string): string {
  const parts = [tier12Title, multimorbidTitle].map((measure) => {
    const rows = values.filter((row) => row.measure === measure);
    const name = measure === tier12Title ? 'Tiers 1–2 per 1,000 people' : 'The share with 2 or more long-term conditions';
    if (rows.length === 0) return `${name}: no figure can be published.`;
    const format = (row: ChartRow): string => (measure === tier12Title ? formatNumber(row.value, 1) : `${formatNumber(row.value, 1)}%`);
    // First of equal values, so the words depend only on the data.
    const highest = rows.reduce((best, row) => (row.value > best.value ? row : best));
    const lowest = rows.reduce((best, row) => (row.value < best.value ? row : best));
    return `${name} is highest for ${groupWords(highest)} (${format(highest)}) and lowest for ${groupWords(lowest)} (${format(lowest)}).`;
  });
  return `Bars for each group, one panel per measure. ${parts.join(' ')}`;
}

function omittedNote(omitted: number): string | undefined {
  return omitted > 0 ? `${omitted} bar(s) left out: the numbers behind them are too small to publish.` : undefined;
}

interface ChartRow {
  readonly group: string;
  readonly sex: string;
  readonly measure: string;
  readonly value: number;
}

/** Two small bar charts side by side, one per measure, each with its own scale; bars split by sex if asked. */
function twoMeasureBars(values: readonly ChartRow[], groupTitle: string, order: readonly string[], bySex: boolean): TopLevelSpec {
  const sexes = [...new Set(values.map((row) => row.sex))];
  return {
    width: halfChartWidth,
    height: 200,
    data: { values: [...values] },
    mark: { type: 'bar' },
    encoding: {
      column: {
        field: 'measure',
        type: 'nominal',
        title: null,
        sort: [tier12Title, multimorbidTitle],
        header: { labelFontSize: 12, labelFontWeight: 'bold' },
      },
      // A fixed domain keeps a group whose bars are all suppressed on the axis, as a visible gap.
      // Labels of more than one word ("Not known") go on two lines, so they do not run into their neighbour.
      x: {
        field: 'group',
        type: 'nominal',
        title: groupTitle,
        sort: [...order],
        scale: { domain: [...order] },
        axis: { labelAngle: 0, labelExpr: "split(datum.label, ' ')" },
      },
      y: { field: 'value', type: 'quantitative', title: null },
      ...(bySex
        ? {
            xOffset: { field: 'sex', sort: sexes },
            color: { field: 'sex', type: 'nominal', title: 'Sex', sort: sexes },
          }
        : { color: { value: chartColours.blue } }),
    },
    resolve: { scale: { y: 'independent' } },
  };
}

/** How much likelier people in the most deprived tenth are to be in tiers 1-2 than the least deprived; null when hidden. */
export function deprivationGradient(context: ReportContext): string | null {
  const { population } = context;
  const decile = (key: string): Category | undefined => population.categories('imd').find((category) => category.key1 === key);
  const most = decile('1');
  const least = decile('10');
  if (most === undefined || least === undefined) return null;
  const mostShare = population.rate('tier12', 'people', 100, 'imd', most);
  const leastShare = population.rate('tier12', 'people', 100, 'imd', least);
  if (mostShare.kind !== 'value' || leastShare.kind !== 'value' || leastShare.value === 0) return null;
  const ratio = mostShare.value / leastShare.value;
  return (
    `People in the most deprived tenth of areas are ${formatNumber(ratio, 1)} times as likely to be in tiers 1–2 as people in the ` +
    `least deprived tenth (${formatPercent(mostShare)} against ${formatPercent(leastShare)}).`
  );
}
