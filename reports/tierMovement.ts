// Movement between risk tiers since the previous run (sections 1 and 7): the previous run is the latest
// tier_history as_of before this report's as_of, and its whole scored population is compared with `scores` today.
// The flow counts, their margins and the tier 1-2 joiners and leavers are suppressed as one set, so the headline's
// previous-run counts and the movers table show every figure the same way.
import { dateParam } from '../pipeline/db/values.ts';
import type { Database } from '../pipeline/db/Database.ts';
import type { PopulationFigures } from './populationFigures.ts';
import { type CountGroup, type SuppressedFigures, suppressSmallNumbers } from './suppressSmallNumbers.ts';

/** Row key of people scored today who were not in the previous run. */
export const notScoredBefore = 'new';
/** Column key of people in the previous run who are not scored today. */
export const noLongerScored = 'gone';

export interface TierMovement {
  /** The previous run's as_of, YYYY-MM-DD, or null when there is none. */
  readonly previousAsOf: string | null;
  /** Tier keys ('1', '2', ...) in display order. */
  readonly tiers: readonly string[];
  readonly figures: SuppressedFigures;
  /** Flow from a previous tier (or notScoredBefore) to a current tier (or noLongerScored). */
  flowId(from: string, to: string): string;
  /** People in a tier in the previous run (or 'all'). */
  previousId(tier: string): string;
  /** People in a tier today, as in the population figures (or 'all'). */
  currentId(tier: string): string;
  readonly joinedTier12Id: string;
  readonly leftTier12Id: string;
}

const previousRunSql = `SELECT strftime(max(as_of), '%Y-%m-%d') AS d FROM tier_history WHERE as_of < $as_of`;

// Full outer join of the previous run's tiers and today's: a null side is "not scored before" / "no longer scored".
const flowsSql = `
WITH previous AS (
  SELECT person_id, ea_tier FROM tier_history WHERE as_of = $previous
),
flows AS (
  SELECT
    coalesce(p.ea_tier::VARCHAR, '${notScoredBefore}') AS from_tier,
    coalesce(s.ea_tier::VARCHAR, '${noLongerScored}') AS to_tier
  FROM previous AS p
  FULL OUTER JOIN scores AS s ON s.person_id = p.person_id
)
SELECT from_tier, to_tier, count(*)::INTEGER AS people
FROM flows
GROUP BY 1, 2
ORDER BY 1, 2`;

type FlowRow = { from_tier: string; to_tier: string; people: number };

export async function loadTierMovement(
  db: Database,
  asOf: string,
  population: PopulationFigures,
  threshold: number,
): Promise<TierMovement> {
  const tiers = population.categories('tier').map((category) => category.key1 as string);
  const previousAsOf = (await db.rowsJson<{ d: string | null }>(previousRunSql, { as_of: dateParam(asOf) }))[0]?.d ?? null;
  const rows = previousAsOf === null ? [] : await db.rows<FlowRow>(flowsSql, { previous: dateParam(previousAsOf) });
  // A tier seen only in the previous run (a cut-off since removed) is still shown.
  for (const row of rows) {
    for (const tier of [row.from_tier, row.to_tier]) {
      if (tier !== notScoredBefore && tier !== noLongerScored && !tiers.includes(tier)) tiers.push(tier);
    }
  }

  const flowId = (from: string, to: string): string => JSON.stringify(['flow', from, to]);
  const previousId = (tier: string): string => JSON.stringify(['previous', tier]);
  const currentId = (tier: string): string => JSON.stringify(['current', tier]);
  const joinedTier12Id = JSON.stringify(['joined12']);
  const leftTier12Id = JSON.stringify(['left12']);
  const flow = (from: string, to: string): number =>
    rows.find((row) => row.from_tier === from && row.to_tier === to)?.people ?? 0;

  const fromKeys = [...tiers, notScoredBefore];
  const toKeys = [...tiers, noLongerScored];
  const counts = new Map<string, number>();
  const groups: CountGroup[] = [];
  // The corner (not scored before, no longer scored) is empty by definition and not shown.
  const cells = (from: string): string[] => toKeys.filter((to) => !(from === notScoredBefore && to === noLongerScored));
  for (const from of fromKeys) for (const to of cells(from)) counts.set(flowId(from, to), flow(from, to));

  // Row margins: people in each previous tier (and not scored before); column margins: people in each tier today.
  const rowTotal = (from: string): number => cells(from).reduce((sum, to) => sum + (counts.get(flowId(from, to)) ?? 0), 0);
  for (const from of fromKeys) {
    const id = from === notScoredBefore ? flowId(notScoredBefore, 'all') : previousId(from);
    counts.set(id, rowTotal(from));
    groups.push({ parts: cells(from).map((to) => flowId(from, to)), total: id });
  }
  const columnFroms = (to: string): string[] => fromKeys.filter((from) => !(from === notScoredBefore && to === noLongerScored));
  for (const to of toKeys) {
    const id = to === noLongerScored ? flowId('all', noLongerScored) : currentId(to);
    counts.set(id, columnFroms(to).reduce((sum, from) => sum + (counts.get(flowId(from, to)) ?? 0), 0));
    groups.push({ parts: columnFroms(to).map((from) => flowId(from, to)), total: id });
  }
  counts.set(previousId('all'), tiers.reduce((sum, tier) => sum + (counts.get(previousId(tier)) ?? 0), 0));
  counts.set(currentId('all'), tiers.reduce((sum, tier) => sum + (counts.get(currentId(tier)) ?? 0), 0));
  groups.push({ parts: tiers.map(previousId), total: previousId('all') });
  groups.push({ parts: tiers.map(currentId), total: currentId('all') });
  // The previous and current totals are both published, so their difference (joiners minus leavers of the whole
  // population) is known: one of the two hidden means hiding the other, or, when that is 0, the previous total.
  groups.push({ parts: [flowId(notScoredBefore, 'all'), flowId('all', noLongerScored)], total: previousId('all') });

  // Joining tiers 1-2: in tier 1 or 2 today but not in the previous run's tiers 1-2; leaving: the other way round.
  const top: string[] = tiers.filter((tier) => tier === '1' || tier === '2');
  const joinedParts = fromKeys.filter((from) => !top.includes(from)).flatMap((from) => top.map((to) => flowId(from, to)));
  const leftParts = top.flatMap((from) => toKeys.filter((to) => !top.includes(to)).map((to) => flowId(from, to)));
  counts.set(joinedTier12Id, joinedParts.reduce((sum, id) => sum + (counts.get(id) ?? 0), 0));
  counts.set(leftTier12Id, leftParts.reduce((sum, id) => sum + (counts.get(id) ?? 0), 0));
  groups.push({ parts: joinedParts, total: joinedTier12Id });
  groups.push({ parts: leftParts, total: leftTier12Id });

  // Today's tier counts are published by the population figures: whatever they hide stays hidden here.
  const alreadySuppressed = [...tiers, 'all'].filter((tier) => {
    const figure =
      tier === 'all' ? population.count('people', 'all') : population.count('people', 'tier', { key1: tier, key2: null });
    return figure.kind === 'suppressed';
  });
  const figures = suppressSmallNumbers({
    counts,
    groups: previousAsOf === null ? [] : groups,
    alreadySuppressed: previousAsOf === null ? [] : alreadySuppressed.map(currentId),
    threshold,
  });
  return { previousAsOf, tiers, figures, flowId, previousId, currentId, joinedTier12Id, leftTier12Id };
}
