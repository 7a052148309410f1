// Section 7: movers. How the people scored today moved between risk tiers since the previous run: a flow table of
// their tier in the previous run (or not scored then) by their tier today, and how many joined and left tiers 1-2
// (the case-finding lists). People scored in the previous run but not today are in no figure, whatever the reason,
// so an objection cannot be told apart from a death or a move. Figures come from the shared tier movement set.
import { formatCount } from '../formatFigures.ts';
import type { ReportContext, ReportSection } from '../reportContext.ts';
import { paragraph } from '../renderParagraph.ts';
import { renderTable } from '../renderTable.ts';
import { notScoredBefore } from '../tierMovement.ts';

export async function moversSection(context: ReportContext): Promise<ReportSection> {
  const { input, movement } = context;
  const id = 'movers';
  const title = 'Movers';
  const previousAsOf = movement.previousAsOf;
  if (previousAsOf === null) {
    return {
      id,
      title,
      html: paragraph(
        `There is no previous run before ${input.asOf} to compare with, so there are no movers to show yet. ` +
          'From the next run, this section shows how people moved between tiers.',
      ),
    };
  }
  const { figures, tiers, flowId } = movement;
  const tierLabel = (tier: string): string => input.tiers.find((t) => String(t.tier) === tier)?.label ?? `Tier ${tier}`;
  const shown = (cellId: string): string => formatCount(figures.count(cellId));

  const rows = [
    ...tiers.map((from) => ({
      cells: [`${tierLabel(from)} on ${previousAsOf}`, ...tiers.map((to) => shown(flowId(from, to))), shown(movement.previousId(from))],
    })),
    {
      cells: [`Not scored on ${previousAsOf}`, ...tiers.map((to) => shown(flowId(notScoredBefore, to))), shown(flowId(notScoredBefore, 'all'))],
    },
    {
      cells: ['All people scored today', ...tiers.map((to) => shown(movement.currentId(to))), shown(movement.currentId('all'))],
      total: true,
    },
  ];
  const table = renderTable({
    caption: `People scored on ${input.asOf}: risk tier on ${previousAsOf} (rows) and today (columns)`,
    columns: [
      { header: 'Previous run' },
      ...tiers.map((tier) => ({ header: `${tierLabel(tier)} today`, numeric: true })),
      { header: 'All', numeric: true },
    ],
    rows,
    note:
      `Every person in this table is scored today. "Not scored on ${previousAsOf}": people scored today who were not scored ` +
      'in the previous run (newly registered, for example). People scored in the previous run who are not scored today ' +
      'are not in this table, nor in any other figure of this report, whatever the reason. Cells on the diagonal are ' +
      'people who stayed in the same tier.',
    compact: true,
  });

  const joined = figures.count(movement.joinedTier12Id);
  const left = figures.count(movement.leftTier12Id);
  const summary = renderTable({
    caption: 'Movement into and out of tiers 1–2 (the case-finding lists), people scored today',
    columns: [{ header: 'Movement' }, { header: 'People', numeric: true }],
    rows: [
      { cells: [`Joined tiers 1–2: in tiers 1–2 today, in tier 3 or 4 on ${previousAsOf} or not scored then`, formatCount(joined)] },
      { cells: [`Left tiers 1–2: in tier 3 or 4 today, in tiers 1–2 on ${previousAsOf}`, formatCount(left)] },
    ],
  });

  const intro =
    joined.kind === 'value' && left.kind === 'value'
      ? `Of the people scored today, ${formatCount(joined)} are in tiers 1–2 but were not on ${previousAsOf}, and ` +
        `${formatCount(left)} were in tiers 1–2 on ${previousAsOf} and are now in tier 3 or 4. ` +
        'People joining are new to their practice’s case-finding list and may need a first review.'
      : `The tables compare the tier of each person scored today with their tier on ${previousAsOf}. Some movements are too small to publish.`;
  const finding =
    joined.kind === 'value' && left.kind === 'value'
      ? `Since ${previousAsOf}, ${formatCount(joined)} people joined tiers 1–2 and ${formatCount(left)} left them.`
      : undefined;
  return { id, title, html: [paragraph(intro), table, summary].join('\n'), ...(finding ? { finding } : {}) };
}
