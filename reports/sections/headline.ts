// Section 1: the size of the scored population, how many people are in each risk tier now, how many of the same
// people were in it in the previous run (with the change), and which extracts the figures come from. Like every
// comparison with the previous run, it counts only people scored today (reports/tierMovement.ts).
import { escapeHtml } from '../escapeHtml.ts';
import { formatCount, formatNumber, formatPercent, noValueMark, suppressedMark } from '../formatFigures.ts';
import type { ReportContext, ReportSection } from '../reportContext.ts';
import { paragraph } from '../renderParagraph.ts';
import { renderTable } from '../renderTable.ts';
import type { Figure } from '../suppressSmallNumbers.ts';

export async function headlineSection(context: ReportContext): Promise<ReportSection> {
  const { population, input, movement } = context;
  const previousAsOf = movement.previousAsOf;
  const previous = (tier: string): Figure =>
    previousAsOf === null ? { kind: 'none' } : movement.figures.count(movement.previousId(tier));
  const people = population.count('people', 'all');
  const tier12 = population.count('tier12', 'all');
  const tier12Share = population.rate('tier12', 'people', 100, 'all');

  const keyFigures: readonly (readonly [string, string])[] = [
    ['People scored', formatCount(people)],
    ['In tiers 1–2 (on practice case-finding lists)', `${formatCount(tier12)} (${formatPercent(tier12Share)})`],
    ['Scores as of', input.asOf],
    [
      'Previous run',
      previousAsOf === null
        ? 'no previous run'
        : `${previousAsOf}: ${formatCount(previous('all'))} of the people scored today were scored then`,
    ],
    ['Extracts in this report', describeExtractDates(input.extractDates)],
  ];
  const keyFiguresHtml = keyFigures
    .map(([term, value]) => `<div><dt>${escapeHtml(term)}</dt><dd>${escapeHtml(value)}</dd></div>`)
    .join('');

  const tierRows = population.categories('tier').map((category) => {
    const tier = input.tiers.find((t) => String(t.tier) === category.key1);
    return {
      cells: [
        tier?.label ?? `Tier ${category.key1 ?? 'not recorded'}`,
        tier?.band ?? '',
        tier?.care ?? '',
        formatCount(population.count('people', 'tier', category)),
        // Share of everyone scored, so the denominator is the overall count, not the tier's own.
        formatPercent(population.figures.rate(population.cellId('people', 'tier', category), population.cellId('people', 'all'), 100)),
        previousAsOf === null ? noValueMark : formatCount(previous(category.key1 as string)),
        previousAsOf === null ? noValueMark : formatChange(population.count('people', 'tier', category), previous(category.key1 as string)),
      ],
    };
  });

  const html = [
    paragraph(
      `Everyone registered with a GP practice in the area on ${input.asOf}, alive and not opted out, is given a risk ` +
        'score: the chance of at least one emergency hospital admission in the next 12 months. People are then ranked ' +
        'and grouped into tiers. People who have opted out of their data being used for this purpose are in no figure ' +
        'of this report.',
    ),
    `<dl class="key-figures">${keyFiguresHtml}</dl>`,
    renderTable({
      caption: 'People in each risk tier',
      columns: [
        { header: 'Tier' },
        { header: 'Share of the population by risk rank' },
        { header: 'What it is for' },
        { header: 'People', numeric: true },
        { header: '% of people scored', numeric: true },
        { header: previousAsOf === null ? 'Previous run' : `Of the people scored today, in this tier on ${previousAsOf}`, numeric: true },
        { header: 'Change', numeric: true },
      ],
      rows: [
        ...tierRows,
        {
          cells: [
            'All tiers',
            '',
            '',
            formatCount(people),
            formatPercent(population.rate('people', 'people', 100, 'all')),
            previousAsOf === null ? noValueMark : formatCount(previous('all')),
            previousAsOf === null ? noValueMark : formatChange(people, previous('all')),
          ],
          total: true,
        },
      ],
      note:
        'Tiers are set by rank, so their sizes follow the cut-offs; what differs between areas is who is in them. ' +
        (previousAsOf === null
          ? 'There is no previous run to compare with, so the previous-run and change columns are empty.'
          : `The previous run is the one scored on ${previousAsOf}. Its column counts the people scored today by their tier ` +
            'then: people scored then but not today are in no figure of this report, whatever the reason, and people ' +
            'not scored then are in no tier of that column. The change is people in the tier today minus that count, ' +
            'and is hidden when either count is.'),
    }),
  ].join('\n');
  const finding =
    people.kind === 'value' && tier12.kind === 'value'
      ? `${formatCount(people)} people were scored on ${input.asOf}; ${formatCount(tier12)} (${formatPercent(tier12Share)}) are in tiers 1–2, on their practices' case-finding lists.`
      : undefined;
  return { id: 'headline', title: 'Headline', html, ...(finding ? { finding } : {}) };
}

function describeExtractDates(dates: readonly string[]): string {
  if (dates.length === 0) return 'none new in this run';
  if (dates.length <= 4) return dates.join(', ');
  return `${dates.length} extracts, ${dates[0]} to ${dates[dates.length - 1]}`;
}

/** Now minus then, signed ("+12", "-3", "0"); hidden when either count is hidden. */
function formatChange(now: Figure, then: Figure): string {
  if (now.kind === 'suppressed' || then.kind === 'suppressed') return suppressedMark;
  if (now.kind === 'none' || then.kind === 'none') return noValueMark;
  const change = now.value - then.value;
  return change > 0 ? `+${formatNumber(change)}` : formatNumber(change);
}
