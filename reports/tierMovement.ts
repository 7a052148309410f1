// Movement between risk tiers since the previous run (sections 1 and 7), over the people scored today only: the
// previous run is the latest tier_history as_of before this report's as_of, and each person in `scores` today is
// counted by their tier then, or as not scored before. People scored then but not today are in no figure, whatever
// the reason (died, left the register, opted out): an objection then reads exactly like a departure, or like a
// person whose rows never arrived. The flow counts, their margins and the tier 1-2 joiners and leavers are
// suppressed as one set, so the headline's previous-run counts and the movers table show every figure the same way.
import { dateParam } from '../core/db/dateParam.ts';
import { type Database, sqlFile } from '../core/db/Database.ts';
import type { PopulationFigures } from './populationFigures.ts';
import { type CountGroup, type SuppressedFigures, suppressSmallNumbers } from './suppressSmallNumbers.ts';

/** Row key of people scored today who were not scored in the previous run. */
export const notScoredBefore = 'new';

export interface TierMovement {
  /** The previous run's as_of, YYYY-MM-DD, or null when there is none. */
  readonly previousAsOf: string | null;
  /** Tier keys ('1', '2', ...) in display order. */
  readonly tiers: readonly string[];
  readonly figures: SuppressedFigures;
  /** People scored today by their tier in the previous run (or notScoredBefore) and their tier today. */
  flowId(from: string, to: string): string;
  /** People scored today who were in a tier in the previous run (or 'all': scored in both runs). */
  previousId(tier: string): string;
  /** People in a tier today, as in the population figures (or 'all'). */
  currentId(tier: string): string;
  /** In tiers 1-2 today, and in a lower tier or not scored in the previous run. */
  readonly joinedTier12Id: string;
  /** In tiers 1-2 in the previous run, and in a lower tier today. */
  readonly leftTier12Id: string;
}

const previousRunSql = sqlFile('report/previous_run.sql');

const flowsSql = sqlFile('report/tier_flows.sql');

type FlowRow = { from_tier: string; to_tier: string; people: number };

export async function loadTierMovement(
  db: Database,
  asOf: string,
  population: PopulationFigures,
  threshold: number,
): Promise<TierMovement> {
  const todaysTiers = population.categories('tier').map((category) => category.key1 as string);
  const tiers = [...todaysTiers];
  const previousAsOf = (await db.rowsJson<{ d: string | null }>(previousRunSql, { as_of: dateParam(asOf) }))[0]?.d ?? null;
  const rows =
    previousAsOf === null
      ? []
      : await db.rows<FlowRow>(flowsSql, { previous: dateParam(previousAsOf), not_scored_before: notScoredBefore });
  // A tier seen only in the previous run (a cut-off since removed) is still shown.
  for (const row of rows) {
    for (const tier of [row.from_tier, row.to_tier]) {
      if (tier !== notScoredBefore && !tiers.includes(tier)) tiers.push(tier);
    }
  }

  const flowId = (from: string, to: string): string => JSON.stringify(['flow', from, to]);
  const previousId = (tier: string): string => JSON.stringify(['previous', tier]);
  const currentId = (tier: string): string => JSON.stringify(['current', tier]);
  const joinedTier12Id = JSON.stringify(['joined12']);
  const leftTier12Id = JSON.stringify(['left12']);
  const current12Id = JSON.stringify(['current12']);
  const flow = (from: string, to: string): number =>
    rows.find((row) => row.from_tier === from && row.to_tier === to)?.people ?? 0;

  const fromKeys = [...tiers, notScoredBefore];
  const counts = new Map<string, number>();
  const groups: CountGroup[] = [];
  for (const from of fromKeys) for (const to of tiers) counts.set(flowId(from, to), flow(from, to));
  const sum = (ids: readonly string[]): number => ids.reduce((total, id) => total + (counts.get(id) ?? 0), 0);

  // Row margins: people scored today by their previous tier (and not scored before); column margins: people in each
  // tier today. The table shows both, and the grand total (everyone scored today) in its corner.
  for (const from of fromKeys) {
    const id = from === notScoredBefore ? flowId(notScoredBefore, 'all') : previousId(from);
    const parts = tiers.map((to) => flowId(from, to));
    counts.set(id, sum(parts));
    groups.push({ parts, total: id });
  }
  for (const to of tiers) {
    const parts = fromKeys.map((from) => flowId(from, to));
    counts.set(currentId(to), sum(parts));
    groups.push({ parts, total: currentId(to) });
  }
  counts.set(previousId('all'), sum(tiers.map(previousId)));
  counts.set(currentId('all'), sum(tiers.map(currentId)));
  groups.push({ parts: tiers.map(previousId), total: previousId('all') });
  groups.push({ parts: tiers.map(currentId), total: currentId('all') });
  // Everyone scored today was either scored in the previous run or not: the headline shows the first, the table's
  // last column the row margins and the second, and both show the total.
  groups.push({ parts: [previousId('all'), flowId(notScoredBefore, 'all')], total: currentId('all') });
  groups.push({ parts: [...tiers.map(previousId), flowId(notScoredBefore, 'all')], total: currentId('all') });

  // Joining tiers 1-2: in tier 1 or 2 today but not in the previous run's tiers 1-2; leaving: the other way round.
  const top: string[] = tiers.filter((tier) => tier === '1' || tier === '2');
  const joinedParts = fromKeys.filter((from) => !top.includes(from)).flatMap((from) => top.map((to) => flowId(from, to)));
  const leftParts = top.flatMap((from) => tiers.filter((to) => !top.includes(to)).map((to) => flowId(from, to)));
  counts.set(joinedTier12Id, sum(joinedParts));
  counts.set(leftTier12Id, sum(leftParts));
  groups.push({ parts: joinedParts, total: joinedTier12Id });
  groups.push({ parts: leftParts, total: leftTier12Id });
  // Joiners and leavers are block sums of the flow table, so its margins give them back: joined - left = (people in
  // tiers 1-2 today) - (people in tiers 1-2 then). No term of that relation may be the only one unknown. People in
  // tiers 1-2 today are published by the population figures: a known constant, or, when hidden there, an unknown.
  const tier12Hidden = population.count('tier12', 'all').kind === 'suppressed';
  counts.set(current12Id, sum(top.map(currentId)));
  groups.push({ parts: [joinedTier12Id, leftTier12Id, ...top.map(previousId), ...(tier12Hidden ? [current12Id] : [])] });

  // Today's tier counts are published by the population figures: whatever they hide stays hidden here, and whatever
  // they show is known here too (fixed), so a flow alone in its column is never what protects another.
  const published = [...todaysTiers, 'all'].map((tier) => ({
    id: currentId(tier),
    figure: tier === 'all' ? population.count('people', 'all') : population.count('people', 'tier', { key1: tier, key2: null }),
  }));
  const alreadySuppressed = [
    ...published.filter(({ figure }) => figure.kind === 'suppressed').map(({ id }) => id),
    ...(tier12Hidden ? [current12Id] : []),
  ];
  const fixed = published.filter(({ figure }) => figure.kind !== 'suppressed').map(({ id }) => id);
  const figures = suppressSmallNumbers({
    counts,
    groups: previousAsOf === null ? [] : groups,
    alreadySuppressed: previousAsOf === null ? [] : alreadySuppressed,
    fixed: previousAsOf === null ? [] : fixed,
    threshold,
  });
  return { previousAsOf, tiers, figures, flowId, previousId, currentId, joinedTier12Id, leftTier12Id };
}
