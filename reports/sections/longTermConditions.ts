// Section 5: long-term conditions. How many scored people are on each GP (QOF) register, and how multimorbidity
// builds up with age.
import { sqlFile } from '../../core/db/Database.ts';
import { dateParam } from '../../core/db/dateParam.ts';
import { formatCount, formatNumber, formatPercent, roundTo } from '../formatFigures.ts';
import { type Category, type Measure, categoryLabel } from '../populationFigures.ts';
import type { ReportContext, ReportSection } from '../reportContext.ts';
import { chartColours, fullChartWidth, renderChart } from '../renderChart.ts';
import { paragraph } from '../renderParagraph.ts';
import { renderTable } from '../renderTable.ts';
import { rateOf, suppressSmallNumbers } from '../suppressSmallNumbers.ts';

const registerCountsSql = sqlFile('report/register_counts.sql');
const ltcRegistersSql = sqlFile('report/ltc_registers.sql');

const ltcBands: readonly { measure: Measure; label: string }[] = [
  { measure: 'ltc0', label: 'None' },
  { measure: 'ltc1', label: '1' },
  { measure: 'ltc2to3', label: '2–3' },
  { measure: 'ltc4plus', label: '4 or more' },
];

export async function longTermConditionsSection(context: ReportContext): Promise<ReportSection> {
  const { db, input, population } = context;
  const rows = await db.rows<{ condition: string; people: number }>(registerCountsSql, { as_of: dateParam(input.asOf) });

  // The registers in the reference file's order (sql/reference/ltc_registers.csv, table ref_ltc_registers); the counts
  // are of those registers only (register_counts.sql joins them), so PC, palliative care, is never one.
  const registers = await db.rows<{ code: string; name: string }>(ltcRegistersSql);
  const counts = new Map(registers.map((register) => [register.code, rows.find((row) => row.condition === register.code)?.people ?? 0]));
  // People can be on several registers, so register counts add up to nothing shown: no groups.
  const onRegister = suppressSmallNumbers({ counts, threshold: input.suppressionThreshold });
  const peopleAll = population.count('people', 'all');
  const prevalence = (code: string) => rateOf(onRegister.count(code), peopleAll, 100);

  const registerTable = renderTable({
    caption: 'People on each GP long-term-condition register',
    print: 'secondary',
    columns: [
      { header: 'Register' },
      { header: 'Code' },
      { header: 'People on the register', numeric: true },
      { header: '% of people scored', numeric: true },
    ],
    rows: registers.map((register) => ({
      cells: [register.name, register.code, formatCount(onRegister.count(register.code)), formatPercent(prevalence(register.code), 2)],
    })),
    note: `Registers as recorded by ${input.asOf}. Percentages are of everyone scored, all ages; QOF publishes some registers against older age groups only, so these can be lower than QOF prevalence.`,
  });

  const prevalenceData: { register: string; value: number }[] = [];
  let registerOmitted = 0;
  for (const register of registers) {
    const figure = prevalence(register.code);
    if (figure.kind === 'suppressed') registerOmitted += 1;
    else if (figure.kind === 'value') prevalenceData.push({ register: register.name, value: roundTo(figure.value, 2) });
  }
  const ranked = [...prevalenceData].sort((a, b) => b.value - a.value);
  const registerChart = await renderChart({
    id: 'chart-ltc-prevalence',
    caption: 'People on each GP register, % of people scored',
    description:
      ranked.length === 0
        ? 'One bar per register, longest first. No register has enough people to publish.'
        : `One bar per register, longest first. The most common: ${ranked
            .slice(0, 3)
            .map((row) => `${row.register} (${formatNumber(row.value, 2)}%)`)
            .join(', ')}.`,
    dataTable: {
      columns: [{ header: 'Register' }, { header: '% of people scored', numeric: true }],
      rows: registers.map((register) => ({ cells: [register.name, formatPercent(prevalence(register.code), 2)] })),
    },
    note: registerOmitted > 0 ? `${registerOmitted} register(s) left out: the numbers are too small to publish.` : undefined,
    spec: {
      width: fullChartWidth,
      height: { step: 16 },
      data: { values: prevalenceData },
      mark: { type: 'bar', color: chartColours.blue },
      encoding: {
        y: { field: 'register', type: 'nominal', title: null, sort: '-x' },
        x: { field: 'value', type: 'quantitative', title: '% of people scored' },
      },
    },
  });

  const ages: readonly [Category, string, boolean][] = [
    ...population.categories('age').map((category) => [category, categoryLabel('age', category), false] as [Category, string, boolean]),
    [{ key1: null, key2: null }, 'All ages', true],
  ];
  const ageTable = renderTable({
    caption: 'Number of long-term conditions by age band',
    print: 'secondary',
    columns: [
      { header: 'Age band' },
      { header: 'People', numeric: true },
      ...ltcBands.map((band) => ({ header: `${band.label === 'None' ? 'No' : band.label} LTC${band.label === '1' ? '' : 's'}`, numeric: true })),
      { header: '% with 2 or more', numeric: true },
      { header: '% with 4 or more', numeric: true },
    ],
    rows: ages.map(([category, label, total]) => {
      const dimension = total ? 'all' : 'age';
      return {
        cells: [
          label,
          formatCount(population.count('people', dimension, category)),
          ...ltcBands.map((band) => formatCount(population.count(band.measure, dimension, category))),
          formatPercent(population.rate('multimorbid', 'people', 100, dimension, category)),
          formatPercent(population.rate('ltc4plus', 'people', 100, dimension, category)),
        ],
        total,
      };
    }),
    note: 'Multimorbidity is 2 or more long-term conditions; complex multimorbidity is 4 or more.',
  });

  // A bar whose segments are partly hidden still reaches 100%: what is hidden is drawn as one pale "not published"
  // segment. Its size is no secret: the age band's people less its published segments, both in the table below.
  const notPublished = 'Not published (small numbers)';
  const stackData: { age: string; band: string; value: number }[] = [];
  const stackRows: { cells: string[] }[] = [];
  let stackOmitted = 0;
  for (const category of population.categories('age')) {
    const age = categoryLabel('age', category);
    const shares = ltcBands.map((band) => population.rate(band.measure, 'people', 100, 'age', category));
    let published = 0;
    shares.forEach((figure, index) => {
      if (figure.kind === 'suppressed') stackOmitted += 1;
      else if (figure.kind === 'value') {
        published += figure.value;
        stackData.push({ age, band: (ltcBands[index] as (typeof ltcBands)[number]).label, value: roundTo(figure.value, 1) });
      }
    });
    if (shares.some((figure) => figure.kind === 'suppressed')) {
      stackData.push({ age, band: notPublished, value: roundTo(Math.max(0, 100 - published), 1) });
    }
    stackRows.push({ cells: [age, ...shares.map((figure) => formatPercent(figure))] });
  }
  // The "not published" segment is in the legend only when some bar has one.
  const bandLabels = [...ltcBands.map((band) => band.label), ...(stackOmitted > 0 ? [notPublished] : [])];
  const ageLabels = population.categories('age').map((category) => categoryLabel('age', category));
  const multimorbidByAge = population
    .categories('age')
    .map((category) => ({ age: categoryLabel('age', category), share: population.rate('multimorbid', 'people', 100, 'age', category) }))
    .filter((row): row is { age: string; share: { kind: 'value'; value: number } } => row.share.kind === 'value');
  const youngest = multimorbidByAge[0];
  const oldest = multimorbidByAge[multimorbidByAge.length - 1];
  const ageChart = await renderChart({
    id: 'chart-ltc-by-age',
    caption: 'Share of people by number of long-term conditions, by age band',
    description:
      'One bar per age band, split by how many long-term conditions people have, adding up to 100%. ' +
      (youngest && oldest && youngest !== oldest
        ? `The share with 2 or more rises from ${formatPercent(youngest.share)} at ${youngest.age} to ${formatPercent(oldest.share)} at ${oldest.age}.`
        : 'Too few figures can be published to compare age bands.'),
    note: stackOmitted > 0 ? `${stackOmitted} segment(s) too small to publish: shown together, in pale grey, as "not published".` : undefined,
    dataTable: {
      columns: [{ header: 'Age band' }, ...ltcBands.map((band) => ({ header: `% with ${band.label === 'None' ? 'no' : band.label} LTC${band.label === '1' ? '' : 's'}`, numeric: true }))],
      rows: stackRows,
    },
    spec: {
      width: fullChartWidth,
      height: { step: 20 },
      data: { values: stackData },
      mark: { type: 'bar' },
      encoding: {
        y: {
          field: 'age',
          type: 'nominal',
          title: 'Age band',
          sort: ageLabels,
          scale: { domain: ageLabels },
        },
        x: { field: 'value', type: 'quantitative', title: '% of people in the age band', stack: 'zero', scale: { domain: [0, 100] } },
        color: {
          field: 'band',
          type: 'nominal',
          title: 'Long-term conditions',
          scale: { domain: bandLabels, range: [chartColours.lightGrey, chartColours.grey, chartColours.blue, chartColours.darkBlue, '#F0F4F5'] },
        },
        stroke: { condition: { test: `datum.band === ${JSON.stringify(notPublished)}`, value: chartColours.lightGrey }, value: null },
        order: { field: 'bandOrder' },
      },
      transform: [{ calculate: `indexof(${JSON.stringify(bandLabels)}, datum.band)`, as: 'bandOrder' }],
    },
  });

  const html = [
    paragraph(
      'Long-term conditions are taken from GP registers (the Quality and Outcomes Framework lists). Living with ' +
        'several at once, multimorbidity, is what drives much of the need for joined-up care.',
    ),
    registerChart,
    registerTable,
    ageChart,
    ageTable,
  ].join('\n');
  const multimorbid = population.rate('multimorbid', 'people', 100, 'all');
  const common = ranked[0];
  const finding =
    multimorbid.kind === 'value' && common !== undefined
      ? `${formatPercent(multimorbid)} of people scored have 2 or more long-term conditions; the most common register is ` +
        `${common.register} (${formatNumber(common.value, 1)}% of people).`
      : undefined;
  return { id: 'long-term-conditions', title: 'Long-term conditions', html, ...(finding ? { finding } : {}) };
}
