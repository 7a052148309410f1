// Section 6: activity trends. Emergency admissions, A&E attendances and emergency bed days per calendar month
// over the loaded history, for the people scored today only.
import type { TopLevelSpec } from 'vega-lite';
import { sqlFile } from '../../core/db/Database.ts';
import { addDays } from '../../core/dates.ts';
import { dateParam } from '../../core/db/dateParam.ts';
import { formatCount, formatNumber } from '../formatFigures.ts';
import type { ReportContext, ReportSection } from '../reportContext.ts';
import { chartColours, fullChartWidth, renderChart } from '../renderChart.ts';
import { paragraph } from '../renderParagraph.ts';
import { type CountGroup, publishedValue, type SuppressedFigures, suppressSmallNumbers } from '../suppressSmallNumbers.ts';

// Months run from the first complete month of activity to as_of's month; bed days are split across the months
// they fall in (the file's header says how).
const monthlyActivitySql = sqlFile('report/monthly_activity.sql');

const series = [
  { measure: 'emergency_admissions', label: 'Emergency admissions', colour: chartColours.blue },
  { measure: 'ae_attendances', label: 'A&E attendances', colour: chartColours.orange },
  { measure: 'emergency_bed_days', label: 'Emergency bed days', colour: chartColours.purple },
] as const;
type SeriesMeasure = (typeof series)[number]['measure'];
type MonthRow = { month: string } & Record<SeriesMeasure, number>;

export async function activityTrendsSection(context: ReportContext): Promise<ReportSection> {
  const { db, input } = context;
  const allMonths = await db.rows<MonthRow>(monthlyActivitySql, {
    as_of: dateParam(input.asOf),
  });
  // A month is shown only when complete: as_of's own month only when as_of is its last day.
  const monthEnd = addDays(input.asOf, 1).endsWith('-01');
  const asOfMonth = `${input.asOf.slice(0, 7)}-01`;
  const months = allMonths.filter((row) => monthEnd || row.month !== asOfMonth);

  const figures = suppressMonthlyCounts(months, input.asOf, monthEnd, input.suppressionThreshold);
  const cell = (measure: SeriesMeasure, month: string): string => `${measure}|${month}`;

  // One figure, a panel per measure over a shared month axis, and one data table with all three. No months, no
  // chart: an empty time axis only draws "NaN".
  const published = (measure: SeriesMeasure) =>
    months.map((row) => ({ month: row.month, value: publishedValue(figures.count(cell(measure, row.month))) }));
  const omitted = series
    .map(({ measure, label }) => ({ label, months: published(measure).filter((row) => row.value === null).length }))
    .filter((row) => row.months > 0);
  const chart =
    months.length === 0
      ? ''
      : await renderChart({
          id: 'chart-activity-trends',
          caption: 'Emergency admissions, A&E attendances and emergency bed days per month, people scored',
          description:
            `One line per measure, one point per month, from ${monthLabel(months[0]!.month)} to ` +
            `${monthLabel(months[months.length - 1]!.month)}. ` +
            series.map(({ measure, label }) => describeTrend(label, published(measure))).join(' '),
          note:
            omitted.length === 0
              ? undefined
              : `Months left blank because the numbers are too small to publish: ${omitted
                  .map((row) => `${row.label.toLowerCase()}, ${row.months}`)
                  .join('; ')}.`,
          dataTable: {
            columns: [{ header: 'Month' }, ...series.map(({ label }) => ({ header: label, numeric: true }))],
            rows: months.map((row) => ({
              cells: [monthLabel(row.month), ...series.map(({ measure }) => formatCount(figures.count(cell(measure, row.month))))],
            })),
          },
          spec: {
            vconcat: series.map(({ measure, label, colour }) => ({
              width: fullChartWidth,
              height: 120,
              title: { text: `${label} per month`, anchor: 'start', fontSize: 12 },
              data: { values: published(measure), format: { parse: { month: 'utc:"%Y-%m-%d"' } } },
              mark: { type: 'line', point: true, color: colour, invalid: 'break-paths-show-domains' },
              encoding: {
                x: { field: 'month', type: 'temporal', timeUnit: 'utcyearmonth', title: null, axis: { format: '%b %Y' } },
                y: { field: 'value', type: 'quantitative', title: null },
              },
            })),
            spacing: 24,
          } as TopLevelSpec,
        });

  const period =
    months.length === 0
      ? 'No complete month of activity is loaded yet.'
      : `Complete calendar months from ${monthLabel(months[0]!.month)} to ${monthLabel(months[months.length - 1]!.month)}.`;
  const html = [
    paragraph(
      'Emergency hospital activity of the people scored today, month by month over the history loaded so far. ' +
        'People who have died, moved away or opted out are not included, so earlier months undercount what ' +
        'hospitals saw at the time. Bed days are nights in hospital after an emergency admission, counted in the ' +
        `month they fall in. ${period}`,
    ),
    chart,
  ].join('\n');
  const finding = admissionsTrendFinding(months.map((row) => ({ month: row.month, value: publishedValue(figures.count(cell('emergency_admissions', row.month))) })));
  return { id: 'activity-trends', title: 'Activity trends', html, finding };
}

/** How many of the latest complete months are compared with the same months a year earlier ("three" in the words). */
export const comparedMonths = 3;
/** A change smaller than this share is not called a change, however many admissions: see admissionsTrendFinding. */
export const smallestChange = 0.05;

/**
 * The section's finding: emergency admissions in the latest comparedMonths complete months against the same months a
 * year earlier (the same months, so the season is the same). A change is called a rise or a fall only when both:
 * - the 95% interval of the ratio of the two counts, as Poisson counts (log ratio ± 1.96 √(1/a + 1/b)), leaves out 1;
 * - the ratio is at least smallestChange away from 1. Admissions cluster in the same people, so the Poisson interval
 *   is too narrow on its own at large counts; the size rule keeps a trivial change from being called one.
 * Only published months are used: where one is hidden, the finding says the months are too few to compare.
 */
export function admissionsTrendFinding(months: readonly { month: string; value: number | null }[]): string {
  if (months.length < comparedMonths) return 'Fewer than three complete months of activity are loaded, too few to show a trend.';
  const latest = months.slice(-comparedMonths);
  const span = `the three complete months to ${monthLabel(latest[latest.length - 1]!.month)}`;
  if (latest.some((row) => row.value === null)) return `Emergency admissions in ${span} are not published for every month: small numbers, and any figure that would give one away, are hidden.`;
  const recent = latest.reduce((sum, row) => sum + (row.value as number), 0);
  const lead = `People scored today had ${formatNumber(recent)} emergency admissions in ${span}`;
  const yearBefore = latest.map((row) => months.find((earlier) => earlier.month === shiftYears(row.month, -1)));
  if (yearBefore.some((row) => row === undefined)) return `${lead}; the history loaded does not reach the same months a year earlier.`;
  if (yearBefore.some((row) => row!.value === null)) return `${lead}; the same months a year earlier are not all published (small numbers are hidden), so they are not compared.`;
  const before = yearBefore.reduce((sum, row) => sum + (row!.value as number), 0);
  if (before === 0 || recent === 0) return `${lead}, against ${formatNumber(before)} in the same months a year earlier.`;
  const ratio = recent / before;
  const halfWidth = 1.96 * Math.sqrt(1 / recent + 1 / before);
  const clear = (Math.log(ratio) - halfWidth > 0 || Math.log(ratio) + halfWidth < 0) && Math.abs(ratio - 1) >= smallestChange;
  const earlier = formatNumber(before);
  // People who have since died or moved away are left out of earlier months, which therefore undercount.
  const caveat = 'earlier months leave out people who have since died or moved away, so they undercount';
  if (!clear) return `${lead}, not clearly different from the same months a year earlier (${earlier}); ${caveat}.`;
  const percent = formatNumber(Math.abs(ratio - 1) * 100, 1);
  if (ratio > 1) return `${lead}, ${percent}% more than in the same months a year earlier (${earlier}); ${caveat}, which accounts for part of any rise.`;
  return `${lead}, ${percent}% fewer than in the same months a year earlier (${earlier}); ${caveat}, so the fall may be larger.`;
}

/** "2026-03-01" and -1 → "2025-03-01". */
function shiftYears(isoMonthStart: string, years: number): string {
  return `${Number(isoMonthStart.slice(0, 4)) + years}${isoMonthStart.slice(4)}`;
}

/**
 * Monthly counts need no secondary suppression on their own: no monthly total is shown. The exception is when
 * as_of is a month end: the last 12 complete months then cover exactly the 365-day window whose emergency
 * admissions the risk pyramid publishes, and one hidden month could be worked out from that total.
 */
function suppressMonthlyCounts(months: readonly MonthRow[], asOf: string, monthEnd: boolean, threshold: number): SuppressedFigures {
  const counts = new Map<string, number>();
  for (const row of months) for (const { measure } of series) counts.set(`${measure}|${row.month}`, row[measure]);
  const groups: CountGroup[] = [];
  const windowStart = addDays(asOf, -364);
  if (monthEnd && windowStart.endsWith('-01')) {
    const inWindow = months.filter((row) => row.month >= windowStart);
    counts.set('emergency_admissions|12 months', inWindow.reduce((sum, row) => sum + row.emergency_admissions, 0));
    groups.push({ parts: inWindow.map((row) => `emergency_admissions|${row.month}`), total: 'emergency_admissions|12 months' });
  }
  return suppressSmallNumbers({ counts, groups, threshold });
}

/** One line in words: its lowest and highest published month, and the latest month. */
function describeTrend(label: string, values: readonly { month: string; value: number | null }[]): string {
  const published = values.filter((row): row is { month: string; value: number } => row.value !== null);
  if (published.length === 0) return `${label}: no month has enough to publish.`;
  // First of equal values, so the words depend only on the data.
  const lowest = published.reduce((best, row) => (row.value < best.value ? row : best));
  const highest = published.reduce((best, row) => (row.value > best.value ? row : best));
  const latest = published[published.length - 1]!;
  const range =
    `${label} ranged from ${formatNumber(lowest.value)} (${monthLabel(lowest.month)}) to ` +
    `${formatNumber(highest.value)} (${monthLabel(highest.month)}) a month`;
  if (latest === highest || latest === lowest) return `${range}, ${monthLabel(latest.month)} being the latest month.`;
  return `${range}; ${formatNumber(latest.value)} in the latest month, ${monthLabel(latest.month)}.`;
}

const monthNames = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** "2026-03-01" → "March 2026". */
function monthLabel(isoMonthStart: string): string {
  return `${monthNames[Number(isoMonthStart.slice(5, 7)) - 1]} ${isoMonthStart.slice(0, 4)}`;
}
