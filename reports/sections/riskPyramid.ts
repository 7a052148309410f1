// Section 2: the risk pyramid. How many people are in each tier and how much of the last 12 months' emergency
// admissions they account for: how concentrated emergency activity is at the top of the pyramid.
import { loadTierActivityFigures } from '../emergencyActivityByTier.ts';
import { formatCount, formatPercent, formatRate, roundTo } from '../formatFigures.ts';
import type { ReportContext, ReportSection } from '../reportContext.ts';
import { chartColours, fullChartWidth, renderChart } from '../renderChart.ts';
import { paragraph } from '../renderParagraph.ts';
import { renderTable } from '../renderTable.ts';
import { type Figure, rateOf } from '../suppressSmallNumbers.ts';

export async function riskPyramidSection(context: ReportContext): Promise<ReportSection> {
  const { db, input, population } = context;
  // The 365 days to as_of, the same window as the emergency_admissions_12m feature; scored people only.
  const tiers = population.categories('tier').map((category) => category.key1 as string);
  const { figures: activity, cell } = await loadTierActivityFigures(db, input.asOf, tiers, input.suppressionThreshold);

  const peopleAll = population.count('people', 'all');
  const admissionsAll = activity.count(cell('admissions', 'all'));
  const row = (label: string, scope: string, people: Figure, total = false) => {
    const admissions = activity.count(cell('admissions', scope));
    return {
      cells: [
        label,
        formatCount(people),
        formatPercent(rateOf(people, peopleAll, 100)),
        formatCount(activity.count(cell('people_admitted', scope))),
        formatCount(admissions),
        formatPercent(rateOf(admissions, admissionsAll, 100)),
        formatRate(rateOf(admissions, people, 1000)),
      ],
      total,
    };
  };
  const tierPeople = (tier: string): Figure => population.count('people', 'tier', { key1: tier, key2: null });
  const tierLabel = (tier: string): string => input.tiers.find((t) => String(t.tier) === tier)?.label ?? `Tier ${tier}`;

  const table = renderTable({
    caption: 'Emergency admissions in the last 12 months, by risk tier today',
    columns: [
      { header: 'Tier' },
      { header: 'People', numeric: true },
      { header: '% of people', numeric: true },
      { header: 'People with an emergency admission', numeric: true },
      { header: 'Emergency admissions', numeric: true },
      { header: '% of all emergency admissions', numeric: true },
      { header: 'Emergency admissions per 1,000 people', numeric: true },
    ],
    rows: [
      ...tiers.map((tier) => row(tierLabel(tier), tier, tierPeople(tier))),
      row('Tiers 1–2', '1-2', population.count('tier12', 'all'), true),
      row('All tiers', 'all', peopleAll, true),
    ],
    note: `Last 12 months: the 365 days to ${input.asOf}. Admissions are counted for the people scored today, by the tier they are in today.`,
  });

  const chartData: { tier: string; measure: string; value: number }[] = [];
  const dataRows: { cells: string[] }[] = [];
  let omitted = 0;
  for (const tier of tiers) {
    const people = rateOf(tierPeople(tier), peopleAll, 100);
    const admissions = activity.rate(cell('admissions', tier), cell('admissions', 'all'), 100);
    for (const [measure, figure] of [['% of people', people], ['% of emergency admissions', admissions]] as const) {
      if (figure.kind === 'suppressed') omitted += 1;
      else if (figure.kind === 'value') chartData.push({ tier: tierLabel(tier), measure, value: roundTo(figure.value, 1) });
    }
    dataRows.push({ cells: [tierLabel(tier), formatPercent(people), formatPercent(admissions)] });
  }
  const tier12PeopleShare = rateOf(population.count('tier12', 'all'), peopleAll, 100);
  const tier12AdmissionsShare = activity.rate(cell('admissions', '1-2'), cell('admissions', 'all'), 100);
  const chart = await renderChart({
    id: 'chart-risk-pyramid',
    caption: 'Share of people and share of emergency admissions (last 12 months) in each risk tier',
    description:
      'Two bars for each tier: its share of the people scored (grey) and its share of their emergency admissions in ' +
      'the last 12 months (blue). ' +
      (tier12PeopleShare.kind === 'value' && tier12AdmissionsShare.kind === 'value'
        ? `Tiers 1–2 are ${formatPercent(tier12PeopleShare)} of the people and had ${formatPercent(tier12AdmissionsShare)} of the admissions.`
        : 'The shares for tiers 1–2 are too small to publish.'),
    note: omitted > 0 ? `${omitted} bar(s) left out: the numbers behind them are too small to publish.` : undefined,
    dataTable: {
      columns: [{ header: 'Tier' }, { header: '% of people', numeric: true }, { header: '% of emergency admissions', numeric: true }],
      rows: dataRows,
    },
    spec: {
      width: fullChartWidth,
      height: { step: 14 },
      data: { values: chartData },
      mark: { type: 'bar' },
      encoding: {
        y: { field: 'tier', type: 'nominal', title: null, sort: tiers.map(tierLabel), scale: { domain: tiers.map(tierLabel) } },
        yOffset: { field: 'measure', sort: ['% of people', '% of emergency admissions'] },
        x: { field: 'value', type: 'quantitative', title: 'Per cent', scale: { domain: [0, 100] } },
        color: {
          field: 'measure',
          type: 'nominal',
          title: null,
          scale: { domain: ['% of people', '% of emergency admissions'], range: [chartColours.lightGrey, chartColours.blue] },
        },
      },
    },
  });

  const summary = summarise(tier12PeopleShare, tier12AdmissionsShare);
  const finding =
    tier12PeopleShare.kind === 'value' && tier12AdmissionsShare.kind === 'value'
      ? `Tiers 1–2 are ${formatPercent(tier12PeopleShare)} of people and had ${formatPercent(tier12AdmissionsShare)} of the emergency admissions of the last 12 months.`
      : undefined;
  return { id: 'risk-pyramid', title: 'Risk pyramid', html: [summary, table, chart].join('\n'), ...(finding ? { finding } : {}) };
}

function summarise(peopleShare: Figure, admissionsShare: Figure): string {
  if (peopleShare.kind !== 'value' || admissionsShare.kind !== 'value') {
    return paragraph('The table shows how many people are in each tier and how many emergency admissions they had in the last 12 months.');
  }
  return paragraph(
    `Tiers 1–2 are ${formatPercent(peopleShare)} of the people scored, and had ${formatPercent(admissionsShare)} of ` +
      'the emergency admissions in the last 12 months. The higher the second figure against the first, the more ' +
      'emergency activity is concentrated in the people that practices are asked to review.',
  );
}

