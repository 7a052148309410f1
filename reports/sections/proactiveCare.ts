// Section: "Did proactive care work?" The run's comparison of people given a care plan at an MDT review with matched
// people who were not reviewed (models/proactiveCare.ts, run.json proactive_care, docs/proactive-care.md). Its
// figures arrive already suppressed (null = withheld), so this module only formats, draws and explains them.
import { describeCarePlanEffect } from '../../models/describeCarePlanEffect.ts';
import type { CarePlanHorizon } from '../../models/proactiveCare.ts';
import { formatCount, formatNumber, formatPercent, roundTo, suppressedMark } from '../formatFigures.ts';
import type { ReportContext, ReportSection } from '../reportContext.ts';
import { chartColours, halfChartWidth, renderChart } from '../renderChart.ts';
import { paragraph } from '../renderParagraph.ts';
import { renderTable } from '../renderTable.ts';
import type { Figure } from '../suppressSmallNumbers.ts';

const title = 'Did proactive care work?';

/** A figure proactiveCare.ts withheld (null) is hidden. */
const figure = (value: number | null): Figure => (value === null ? { kind: 'suppressed' } : { kind: 'value', value });
const decimals = (value: number | null, places: number): string => (value === null ? suppressedMark : formatNumber(value, places));
const share = (value: number | null): string => formatPercent(figure(value === null ? null : value * 100));

export async function proactiveCareSection(context: ReportContext): Promise<ReportSection> {
  const { input } = context;
  const effect = input.proactiveCare;
  if (effect === null) {
    return {
      id: 'proactive-care',
      title,
      html: paragraph('This run gave the report no comparison of care plans with matched people, so this section has nothing to show.'),
    };
  }
  const finding = describeCarePlanEffect(effect);
  if (effect.horizons.every((h) => h.care_plans === 0)) {
    return {
      id: 'proactive-care',
      title,
      finding,
      html: [
        paragraph(
          'Care plans are read from the practices\' MDT reviews (outcome "care plan agreed"). Either none has been sent ' +
            'back yet, or none is old enough for its first 3 months of follow-up to be in the data.',
        ),
      ].join('\n'),
    };
  }

  // Follow-up periods across, measures down: three columns fit a printed page where ten would not.
  const measureRow = (label: string, cell: (h: CarePlanHorizon) => string) => ({ cells: [label, ...effect.horizons.map(cell)] });
  const table = renderTable({
    caption: 'Emergency admissions after a care plan, against matched people not reviewed',
    columns: [{ header: 'After the review' }, ...effect.horizons.map((h) => ({ header: `${h.months} months`, numeric: true }))],
    rows: [
      measureRow('Care plans', (h) => formatCount(figure(h.care_plans))),
      measureRow('Matched', (h) => formatCount(figure(h.matched))),
      measureRow('Unmatched (left out)', (h) => formatCount(figure(h.unmatched))),
      measureRow('Admitted (observed)', (h) => formatCount(figure(h.observed))),
      measureRow('% admitted', (h) => share(h.observed_share)),
      measureRow('Expected from the matches', (h) => decimals(h.expected, 1)),
      measureRow('% expected', (h) => share(h.expected_share)),
      measureRow('Observed / expected', (h) => decimals(h.ratio, 2)),
      measureRow('95% interval', intervalText),
    ],
    note:
      `*: not shown, because it is or would reveal a count from 1 to ${input.suppressionThreshold - 1} (fewer than ` +
      `${input.suppressionThreshold} care plans matched, or fewer than ${input.suppressionThreshold} of them with or ` +
      'without an admission). Unmatched care plans had nobody to compare with in their cell and are left out of the ' +
      `comparison. As of ${effect.as_of}, from run.json (proactive_care).`,
  });

  const method = paragraph(
    'How it is worked out: each care plan agreed at an MDT review (the person\'s first review in a year) is compared ' +
      'with people who were not reviewed and who, on the day before, had the same age band and sex, the same number of ' +
      'emergency admissions in the previous 12 months and the same number of long-term condition registers. ' +
      'Their matches\' share with an emergency admission gives the number expected; a ratio below 1 (observed / expected) means ' +
      'fewer admissions than the matches had. The 95% interval allows for one person appearing more than once. ' +
      'Details: docs/proactive-care.md.',
  );
  const warning = paragraph(`What this cannot show. ${effect.warning}`, 'warning');
  return {
    id: 'proactive-care',
    title,
    html: [await ratioChart(effect.horizons), table, method, warning].join('\n'),
    finding,
  };
}

function intervalText(h: CarePlanHorizon): string {
  if (h.ratio === null) return suppressedMark;
  if (h.ratio_lower === null || h.ratio_upper === null) return '–';
  return `${formatNumber(h.ratio_lower, 2)} to ${formatNumber(h.ratio_upper, 2)}`;
}

async function ratioChart(horizons: readonly CarePlanHorizon[]): Promise<string> {
  const shown = horizons.filter((h) => h.ratio !== null);
  if (shown.length === 0) return paragraph('No chart: every horizon\'s figures are withheld because the numbers are too small.');
  const label = (h: CarePlanHorizon): string => `${h.months} months`;
  const points = shown.map((h) => ({
    horizon: label(h),
    ratio: roundTo(h.ratio as number, 2),
    ...(h.ratio_lower !== null && h.ratio_upper !== null ? { lower: roundTo(h.ratio_lower, 2), upper: roundTo(h.ratio_upper, 2) } : {}),
  }));
  const top = Math.max(1.5, ...points.map((p) => p.upper ?? p.ratio));
  const withheld = horizons.length - shown.length;
  const year = shown.find((h) => h.months === 12) ?? shown[shown.length - 1]!;
  const horizonAxis = { field: 'horizon', type: 'nominal', title: 'After the review', sort: horizons.map(label), scale: { domain: horizons.map(label) } } as const;
  return renderChart({
    id: 'chart-proactive-care',
    caption: 'Observed / expected emergency admissions after a care plan, with 95% intervals',
    description:
      'A dot for each follow-up period: the care plans\' emergency admissions divided by the number expected from ' +
      'their matches, with a line for its 95% interval; the dashed line marks a ratio of 1, the same as their matches. ' +
      `At ${year.months} months the ratio is ${formatNumber(year.ratio as number, 2)}` +
      (year.ratio_lower !== null && year.ratio_upper !== null
        ? ` (${formatNumber(year.ratio_lower, 2)} to ${formatNumber(year.ratio_upper, 2)}).`
        : '.'),
    note: withheld > 0 ? 'Some follow-up periods are left out: the numbers behind them are too small to publish.' : undefined,
    dataTable: {
      columns: [{ header: 'After the review' }, { header: 'Observed / expected', numeric: true }, { header: '95% interval', numeric: true }],
      rows: horizons.map((h) => ({ cells: [label(h), decimals(h.ratio, 2), intervalText(h)] })),
    },
    spec: {
      width: halfChartWidth,
      height: { step: 30 },
      layer: [
        {
          data: { values: points },
          mark: { type: 'point', filled: true, size: 70, color: chartColours.blue },
          encoding: {
            x: { field: 'ratio', type: 'quantitative', title: 'Observed / expected (1 = the same as their matches)', scale: { domain: [0, roundTo(top * 1.05, 2)] } },
            y: horizonAxis,
          },
        },
        {
          data: { values: points.filter((p) => p.lower !== undefined) },
          mark: { type: 'rule', color: chartColours.darkBlue, strokeWidth: 2 },
          encoding: { x: { field: 'lower', type: 'quantitative' }, x2: { field: 'upper' }, y: horizonAxis },
        },
        {
          data: { values: [{ same: 1 }] },
          mark: { type: 'rule', strokeDash: [6, 4], color: chartColours.grey },
          encoding: { x: { field: 'same', type: 'quantitative' } },
        },
      ],
    },
  });
}
