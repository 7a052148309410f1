// Section 7: movers. How people moved between risk tiers since the previous run: a flow table of previous tier by
// tier today, with the people scored for the first time and those no longer scored (died, left, opted out), and
// how many joined and left tiers 1-2 (the case-finding lists). Figures come from the shared tier movement set.
import { formatCount, noValueMark } from '../formatFigures.ts';
import type { ReportContext, ReportSection } from '../reportContext.ts';
import { paragraph } from '../renderParagraph.ts';
import { renderTable } from '../renderTable.ts';
import { noLongerScored, notScoredBefore } from '../tierMovement.ts';

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
      cells: [
        `${tierLabel(from)} on ${previousAsOf}`,
        ...tiers.map((to) => shown(flowId(from, to))),
        shown(flowId(from, noLongerScored)),
        shown(movement.previousId(from)),
      ],
    })),
    {
      cells: [
        'Not scored before',
        ...tiers.map((to) => shown(flowId(notScoredBefore, to))),
        noValueMark,
        shown(flowId(notScoredBefore, 'all')),
      ],
    },
    {
      cells: ['All', ...tiers.map((to) => shown(movement.currentId(to))), shown(flowId('all', noLongerScored)), ''],
      total: true,
    },
  ];
  const table = renderTable({
    caption: `People by risk tier on ${previousAsOf} (rows) and on ${input.asOf} (columns)`,
    columns: [
      { header: 'Previous run' },
      ...tiers.map((tier) => ({ header: `${tierLabel(tier)} today`, numeric: true })),
      { header: 'No longer scored', numeric: true },
      { header: 'All', numeric: true },
    ],
    rows,
    note:
      '"Not scored before": people scored today who were not in the previous run (newly registered, or newly old enough to score). ' +
      '"No longer scored": people in the previous run who are not scored today (died, moved away or opted out). ' +
      'Cells on the diagonal are people who stayed in the same tier.',
    compact: true,
  });

  const joined = figures.count(movement.joinedTier12Id);
  const left = figures.count(movement.leftTier12Id);
  const summary = renderTable({
    caption: 'Movement into and out of tiers 1–2 (the case-finding lists)',
    columns: [{ header: 'Movement' }, { header: 'People', numeric: true }],
    rows: [
      { cells: ['Joined tiers 1–2 (in tier 3 or 4 before, or not scored before)', formatCount(joined)] },
      { cells: ['Left tiers 1–2 (now in tier 3 or 4, or no longer scored)', formatCount(left)] },
    ],
  });

  const intro =
    joined.kind === 'value' && left.kind === 'value'
      ? `Since the previous run on ${previousAsOf}, ${formatCount(joined)} people joined tiers 1–2 and ${formatCount(left)} left them. ` +
        'People joining are new to their practice’s case-finding list and may need a first review.'
      : `The tables compare each person’s tier on ${previousAsOf} with their tier today. Some movements are too small to publish.`;
  return { id, title, html: [paragraph(intro), table, summary].join('\n') };
}
