// The counts behind section 7 (model performance), taken from one model card and passed once through the report's
// small-number rule (suppressSmallNumbers.ts): training rows and outcomes, the validation year's totals, the people
// flagged at each top share, every subgroup, and the points of the calibration plot.
//
// A card publishes some counts only by implication: a subgroup's sensitivity times its outcomes is the number of its
// people flagged who had the outcome; that number over the positive predictive value is how many were flagged. Those
// counts are rebuilt here and suppressed with the rest, so that no percentage shown gives a count from 1 to 7 away.
import type { DecileCalibration, SubgroupResult } from '../models/evaluatePredictions.ts';
import type { ModelCard } from '../models/modelCard.ts';
import { isSmallCategory, type MergePlan, mergeSmallCategories } from './mergeSmallCategories.ts';
import { type CountGroup, type Figure, suppressSmallNumbers } from './suppressSmallNumbers.ts';

export interface TrainingFigures {
  readonly rows: Figure;
  readonly events: Figure;
  /** Outcomes per 100 training rows; hidden with the counts it is built on. */
  readonly observedPercent: Figure;
}

export interface TopShareFigures {
  readonly share: number;
  readonly flagged: Figure;
  readonly truePositives: Figure;
  /** Percentages, 0-100. */
  readonly ppv: Figure;
  readonly sensitivity: Figure;
}

export interface SubgroupFigures {
  /** The card's group; for a merged row, its first member. */
  readonly group: string | null;
  /** The card's groups shown together in this row (more than one for a merged row), in the card's order. */
  readonly members: readonly (string | null)[];
  /** The words for a merged row ("Not recorded", "Other or not stated", "75+"); null for one of the card's groups. */
  readonly mergedLabel: string | null;
  /** Why the row is merged: 'recorded' (sex codes 9 and X, always one group), 'small' (a count from 1 to 7). */
  readonly mergedBecause: 'recorded' | 'small' | null;
  /** Marked suppressed by the card: too few outcomes (or non-outcomes) for honest metrics, so none are shown. */
  readonly suppressed: boolean;
  readonly people: Figure;
  readonly events: Figure;
  /** Null when the card gives none (a suppressed group). */
  readonly auroc: number | null;
  /** For a sex joined with "Not recorded": that sex's own AUROC from the card, which the merged row cannot show. */
  readonly memberAuroc: { readonly group: string; readonly auroc: number } | null;
  /** Percentages, 0-100, for the people on the lists (the population's top list_share by risk). */
  readonly ppvListed: Figure;
  readonly sensitivityListed: Figure;
}

/** One point of the calibration plot: a run of neighbouring deciles, pooled until it holds enough outcomes. */
export interface CalibrationPoint {
  readonly fromDecile: number;
  readonly toDecile: number;
  /** Mean predicted risk, 0-1. */
  readonly meanPredicted: number;
  /** Observed outcomes per 100 people. */
  readonly observedPercent: Figure;
}

export interface ValidationFigures {
  readonly people: Figure;
  readonly events: Figure;
  readonly eventPercent: Figure;
  readonly atTop: readonly TopShareFigures[];
  /** By dimension (sex, age_band, ...), in the card's order. */
  readonly subgroups: ReadonlyMap<string, readonly SubgroupFigures[]>;
  readonly calibration: readonly CalibrationPoint[];
}

export interface ModelCardFigures {
  readonly training: TrainingFigures;
  readonly validation: ValidationFigures | null;
}

/** Builds one suppression request from every count the card shows or implies. */
export function suppressModelCardFigures(card: ModelCard, threshold: number): ModelCardFigures {
  // Merging small groups (mergeSubgroups) is kept for a dimension only where it shows more of its figures than
  // blanking alone: a merge removes rows, so merging a group that hides little can show less. By sex, the figures
  // counted are the men's and women's: a small "Not recorded" joins a sex where that shows more of them.
  const blanked = suppressWithMerges(card, threshold, new Set());
  if (card.validation === null) return blanked;
  const merging = new Set<string>();
  for (const dimension of Object.keys(card.validation.metrics.by_subgroup)) {
    const score = dimension === 'sex' ? shownMaleOrFemaleFigures : shownFigures;
    if (score(suppressWithMerges(card, threshold, new Set([dimension])), dimension) > score(blanked, dimension)) merging.add(dimension);
  }
  return merging.size === 0 ? blanked : suppressWithMerges(card, threshold, merging);
}

/** The figures a dimension's table shows (not hidden, not none): people, outcomes, AUROC, PPV and sensitivity. */
function shownFigures(figures: ModelCardFigures, dimension: string): number {
  const rows = figures.validation?.subgroups.get(dimension) ?? [];
  const shown = (figure: Figure): number => (figure.kind === 'value' ? 1 : 0);
  return rows.reduce(
    (sum, row) =>
      sum + shown(row.people) + shown(row.events) + (row.suppressed ? 0 : (row.auroc === null ? 0 : 1) + shown(row.ppvListed) + shown(row.sensitivityListed)),
    0,
  );
}

/** The figures the table by sex shows for men and women, a joined row's included, and a sex's AUROC given beneath. */
function shownMaleOrFemaleFigures(figures: ModelCardFigures, dimension: string): number {
  const rows = (figures.validation?.subgroups.get(dimension) ?? []).filter((row) => row.members.includes('1') || row.members.includes('2'));
  const shown = (figure: Figure): number => (figure.kind === 'value' ? 1 : 0);
  return rows.reduce(
    (sum, row) =>
      sum + shown(row.people) + shown(row.events) +
      (row.suppressed ? 0 : (row.auroc === null && row.memberAuroc === null ? 0 : 1) + shown(row.ppvListed) + shown(row.sensitivityListed)),
    0,
  );
}

function suppressWithMerges(card: ModelCard, threshold: number, merging: ReadonlySet<string>): ModelCardFigures {
  const counts = new Map<string, number>();
  const groups: CountGroup[] = [];
  // Counts the card does not give (a suppressed group's outcomes, say): hidden from the start. The 0 stands in
  // for a number nobody outside the training run knows; a hidden cell's value is never read.
  const unknown: string[] = [];
  const put = (id: string, value: number | null): string => {
    counts.set(id, value ?? 0);
    if (value === null) unknown.push(id);
    return id;
  };

  const { training } = card;
  const trainingIds = {
    rows: put('training|rows', training.training_rows),
    events: put('training|events', training.training_events),
  };
  groups.push({
    parts: [trainingIds.events, put('training|non-events', training.training_rows - training.training_events)],
    total: trainingIds.rows,
  });

  const validationIds = card.validation === null ? null : addValidation(card.validation.metrics, put, groups, threshold, merging);

  // The card withholds some sizes outright (below 8), so two hidden groups are common here: their sum is protected too.
  const figures = suppressSmallNumbers({ counts, groups, alreadySuppressed: unknown, threshold });
  const count = (id: string): Figure => figures.count(id);
  const percent = (numerator: string, denominator: string): Figure => figures.rate(numerator, denominator, 100);

  const trainingFigures: TrainingFigures = {
    rows: count(trainingIds.rows),
    events: count(trainingIds.events),
    observedPercent: percent(trainingIds.events, trainingIds.rows),
  };
  if (validationIds === null) return { training: trainingFigures, validation: null };
  const { people, events, atTop, subgroups, calibration } = validationIds;
  return {
    training: trainingFigures,
    validation: {
      people: count(people),
      events: count(events),
      eventPercent: percent(events, people),
      atTop: atTop.map((top) => ({
        share: top.share,
        flagged: count(top.flagged),
        truePositives: count(top.truePositives),
        ppv: percent(top.truePositives, top.flagged),
        sensitivity: percent(top.truePositives, events),
      })),
      subgroups: new Map(
        [...subgroups].map(([dimension, rows]) => [
          dimension,
          rows.map(
            (row): SubgroupFigures => ({
              group: row.group,
              members: row.members,
              mergedLabel: row.mergedLabel,
              mergedBecause: row.mergedBecause,
              suppressed: row.suppressed,
              people: count(row.people),
              events: count(row.events),
              auroc: row.auroc,
              memberAuroc: row.memberAuroc,
              ppvListed: row.ppvKnown ? percent(row.truePositives, row.flagged) : row.nobodyFlagged ? noFigure : suppressedFigure,
              sensitivityListed: percent(row.truePositives, row.events),
            }),
          ),
        ]),
      ),
      calibration: calibration.map((point) => ({
        fromDecile: point.fromDecile,
        toDecile: point.toDecile,
        meanPredicted: point.meanPredicted,
        observedPercent: percent(point.observed, point.people),
      })),
    },
  };
}

const suppressedFigure: Figure = { kind: 'suppressed' };
const noFigure: Figure = { kind: 'none' };

type Put = (id: string, value: number | null) => string;
type Evaluation = NonNullable<ModelCard['validation']>['metrics'];

function addValidation(metrics: Evaluation, put: Put, groups: CountGroup[], threshold: number, merging: ReadonlySet<string>) {
  const people = put('validation|people', metrics.n);
  const events = put('validation|events', metrics.events);
  groups.push({ parts: [events, put('validation|non-events', metrics.n - metrics.events)], total: people });

  const atTop = [...metrics.at_top]
    .sort((a, b) => a.share - b.share)
    .map((top, index) => {
      const id = `top|${index}`;
      const flagged = put(`${id}|flagged`, top.n_flagged);
      const truePositives = put(`${id}|true-positives`, top.true_positives);
      const falsePositives = put(`${id}|false-positives`, top.n_flagged - top.true_positives);
      const missed = put(`${id}|missed`, metrics.events - top.true_positives);
      groups.push({ parts: [truePositives, falsePositives], total: flagged });
      groups.push({ parts: [truePositives, missed], total: events });
      return { share: top.share, flagged, truePositives, falsePositives, missed };
    });
  // The subgroup figures are for the people on the lists (the card's list_share): their counts add up to that row's.
  const listed = atTop.find((top) => top.share === metrics.list_share);

  const subgroups = new Map<string, ReturnType<typeof subgroupCounts>[]>();
  const totals: SubgroupTotals = {
    people: metrics.n,
    events: metrics.events,
    truePositives: listed === undefined ? null : (metrics.at_top.find((top) => top.share === metrics.list_share)?.true_positives ?? null),
    flagged: listed === undefined ? null : (metrics.at_top.find((top) => top.share === metrics.list_share)?.n_flagged ?? null),
  };
  for (const [dimension, results] of Object.entries(metrics.by_subgroup)) {
    const merged = mergeSubgroups(dimension, results, totals, threshold, merging.has(dimension));
    const rows = merged.map((result, index) => subgroupCounts(result, `subgroup|${dimension}|${index}`, put, groups));
    const sumsTo = (part: (row: (typeof rows)[number]) => string, total: string | undefined): void => {
      groups.push(total === undefined ? { parts: rows.map(part) } : { parts: rows.map(part), total });
    };
    sumsTo((row) => row.people, people);
    sumsTo((row) => row.events, events);
    sumsTo((row) => row.truePositives, listed?.truePositives);
    sumsTo((row) => row.falsePositives, listed?.falsePositives);
    sumsTo((row) => row.flagged, listed?.flagged);
    sumsTo((row) => row.missed, listed?.missed);
    subgroups.set(dimension, rows);
  }

  const calibration = poolDeciles(metrics.calibration.observed_expected_by_decile, threshold).map((pool, index) => {
    const id = `calibration|${index}`;
    const pooledPeople = put(`${id}|people`, pool.n);
    const observed = put(`${id}|observed`, pool.observed);
    groups.push({ parts: [observed, put(`${id}|not-observed`, pool.n - pool.observed)], total: pooledPeople });
    return { ...pool, people: pooledPeople, observed };
  });
  groups.push({ parts: calibration.map((point) => point.observed), total: events });

  return { people, events, atTop, subgroups, calibration };
}

/** A subgroup row as counts: those the card gives and those its percentages imply; null where neither is known. */
interface SubgroupCounts {
  readonly group: string | null;
  readonly members: readonly (string | null)[];
  readonly mergedLabel: string | null;
  readonly mergedBecause: 'recorded' | 'small' | null;
  /** The card withheld its metrics (too few outcomes or non-outcomes), or a merged row has too few. */
  readonly suppressed: boolean;
  readonly auroc: number | null;
  readonly memberAuroc: { readonly group: string; readonly auroc: number } | null;
  readonly people: number | null;
  readonly events: number | null;
  readonly truePositives: number | null;
  readonly flagged: number | null;
}

interface SubgroupTotals {
  readonly people: number;
  readonly events: number;
  readonly truePositives: number | null;
  readonly flagged: number | null;
}

const measureNames = ['people', 'events', 'truePositives', 'flagged'] as const;

function countsOf(result: SubgroupResult): SubgroupCounts {
  const known = !result.suppressed && result.n !== null && result.events !== null;
  const events = known ? (result.events as number) : null;
  // sensitivity = flagged with the outcome / outcomes, and ppv = flagged with the outcome / flagged: both exact
  // ratios of whole numbers, so rounding gives the numbers back.
  const truePositives = known && result.sensitivity_listed !== undefined ? Math.round(result.sensitivity_listed * (events as number)) : null;
  const ppv = result.ppv_listed;
  // A positive predictive value of 0 leaves the number flagged unknown.
  const flagged = truePositives === null ? null : known && ppv === null ? 0 : ppv !== undefined && ppv !== null && ppv > 0 ? Math.round(truePositives / ppv) : null;
  return {
    group: result.group,
    members: [result.group],
    mergedLabel: null,
    mergedBecause: null,
    suppressed: result.suppressed || !known,
    auroc: !result.suppressed && result.auroc !== undefined ? result.auroc : null,
    memberAuroc: null,
    people: result.n,
    events,
    truePositives,
    flagged,
  };
}

/** Rows whose counts add up: one row, or one measure's only unknown, follows from the total by subtraction. */
function completeBySubtraction(rows: readonly SubgroupCounts[], totals: SubgroupTotals): SubgroupCounts[] {
  const completed = rows.map((row) => ({ ...row }));
  for (const measure of measureNames) {
    const total = totals[measure];
    const unknown = completed.filter((row) => row[measure] === null);
    if (total === null || unknown.length !== 1) continue;
    const rest = completed.reduce((sum, row) => sum + (row[measure] ?? 0), 0);
    (unknown[0] as { -readonly [key in (typeof measureNames)[number]]: number | null })[measure] = total - rest;
  }
  return completed;
}

const sexNotRecorded = 'Not recorded';
const otherOrNotStated = 'Other or not stated';

/** Which subgroups may merge: age bands with a neighbour, small ethnic groups into "Other or not stated". */
function mergePlanFor(dimension: string): MergePlan | null {
  // IMD quintiles are not merged: a merged quintile no longer compares the most and least deprived fifths.
  if (dimension === 'age_band') return { kind: 'adjacent' };
  if (dimension === 'ethnic_group') return { kind: 'catchAll', catchAll: ['Other', 'Not stated', nullKey] };
  return null;
}

const nullKey = '\u0000null';
const keyOf = (group: string | null): string => group ?? nullKey;

/**
 * The card's subgroups as the report shows them. Sex codes 9 (indeterminate), X (not known) and a missing code are
 * one group, "Not recorded", always. Then, where a group still has a count from 1 to threshold-1 (which would
 * force larger figures beside it to be hidden), it merges as mergePlanFor allows; merged counts are sums, or follow
 * from the totals by subtraction. A merged row has no AUROC: it cannot be rebuilt from the groups' own.
 */
export function mergeSubgroups(
  dimension: string,
  results: readonly SubgroupResult[],
  totals: SubgroupTotals,
  threshold: number,
  mergeSmall: boolean,
): SubgroupCounts[] {
  let rows = completeBySubtraction(results.map(countsOf), totals);
  if (dimension === 'sex') {
    const notRecorded = rows.filter((row) => row.group !== '1' && row.group !== '2');
    if (notRecorded.length > 0) {
      const merged = sumRows(notRecorded, sexNotRecorded, 'recorded', threshold);
      rows = [...rows.filter((row) => !notRecorded.includes(row)), merged];
      if (mergeSmall) rows = joinSmallNotRecorded(completeBySubtraction(rows, totals), totals, threshold);
    }
  }
  const plan = mergeSmall ? mergePlanFor(dimension) : null;
  if (plan !== null) {
    // A missing band or quintile is not next to any other: it stays as it is.
    const mergeable = plan.kind === 'adjacent' ? rows.filter((row) => row.group !== null) : rows;
    const byKey = new Map(mergeable.map((row) => [keyOf(row.group), row]));
    const categories = mergeSmallCategories(
      mergeable.map((row) => ({ key: keyOf(row.group), counts: smallnessCounts(row) })),
      plan,
      threshold,
    );
    // Merged down to one group, the table would compare nothing: its small cells are blanked instead.
    const mergedRows = categories.length === 1 && mergeable.length > 1 ? mergeable : categories.map((category) => {
      const members = category.members.map((key) => byKey.get(key) as SubgroupCounts);
      if (members.length === 1 && !category.isCatchAll) return members[0] as SubgroupCounts;
      const label = category.isCatchAll ? otherOrNotStated : bandLabel(members[0]?.group ?? null, members[members.length - 1]?.group ?? null);
      return sumRows(members, label, 'small', threshold);
    });
    rows = [...mergedRows, ...rows.filter((row) => !mergeable.includes(row))];
  }
  return completeBySubtraction(rows, totals).map((row) =>
    row.mergedLabel === null ? row : { ...row, suppressed: row.events === null || row.people === null || row.events < threshold || row.people - row.events < threshold },
  );
}

const sexWords: Readonly<Record<string, string>> = { '1': 'Male', '2': 'Female' };

/**
 * Sex "Not recorded" with a figure from 1 to threshold-1 (or one not known) forces a male or female figure beside it
 * to be hidden, since the three add up to the total: it joins the sex with more people, whose figures it changes
 * least, as "Female or not recorded". Here every count the row gives takes part, those of the people on the lists
 * too: the row is never a group the card's fairness checks compare.
 */
function joinSmallNotRecorded(rows: readonly SubgroupCounts[], totals: SubgroupTotals, threshold: number): SubgroupCounts[] {
  const notRecorded = rows.find((row) => row.mergedBecause === 'recorded');
  const sexes = rows.filter((row) => row.group === '1' || row.group === '2');
  if (notRecorded === undefined || sexes.length === 0) return [...rows];
  const { people, events, truePositives, flagged } = notRecorded;
  const minus = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : a - b);
  const counts = [people, events, minus(people, events)];
  if (totals.truePositives !== null && totals.flagged !== null) counts.push(truePositives, flagged, minus(flagged, truePositives), minus(events, truePositives));
  if (!isSmallCategory(counts, threshold)) return [...rows];
  const larger = sexes.reduce((best, row) => ((row.people ?? 0) > (best.people ?? 0) ? row : best));
  const label = `${sexWords[larger.group as string] as string} or not recorded`;
  const joined: SubgroupCounts = {
    ...sumRows([larger, notRecorded], label, 'small', threshold),
    memberAuroc: larger.auroc === null ? null : { group: larger.group as string, auroc: larger.auroc },
  };
  return rows.filter((row) => row !== notRecorded).map((row) => (row === larger ? joined : row));
}

/**
 * What makes a subgroup small enough to merge: its people, outcomes or people without the outcome from 1 to
 * threshold-1 (or not known). A few of a large group's people flagged is not: merging two large groups to protect
 * one cell would lose their AUROCs too, so that cell is blanked.
 */
function smallnessCounts(row: SubgroupCounts): (number | null)[] {
  return [row.people, row.events, row.people === null || row.events === null ? null : row.people - row.events];
}

function sumRows(rows: readonly SubgroupCounts[], label: string, because: 'recorded' | 'small', threshold: number): SubgroupCounts {
  const sum = (measure: (typeof measureNames)[number]): number | null =>
    rows.reduce<number | null>((total, row) => (total === null || row[measure] === null ? null : total + (row[measure] as number)), 0);
  const events = sum('events');
  const people = sum('people');
  return {
    group: rows[0]?.group ?? null,
    members: rows.flatMap((row) => row.members),
    mergedLabel: label,
    mergedBecause: because,
    suppressed: events === null || people === null || events < threshold || people - events < threshold,
    auroc: null,
    memberAuroc: null,
    people,
    events,
    truePositives: sum('truePositives'),
    flagged: sum('flagged'),
  };
}

/** "75-84" to "85+" is "75+"; "45-64" to "65-74" is "45-74"; quintiles "1" to "2" are "1–2". */
export function bandLabel(first: string | null, last: string | null): string {
  const from = /^(\d+)/.exec(first ?? '')?.[1];
  const to = /(\d+\+?)$/.exec(last ?? '')?.[1];
  if (from === undefined || to === undefined) return `${first ?? 'Not recorded'} to ${last ?? 'Not recorded'}`;
  if (to.endsWith('+')) return `${from}+`;
  return /^\d+$/.test(first ?? '') ? `${from}–${to}` : `${from}-${to}`;
}

/** The counts of one subgroup row, put into the suppression request with the relations between them. */
function subgroupCounts(row: SubgroupCounts, id: string, put: Put, groups: CountGroup[]) {
  const { events, truePositives, flagged } = row;
  const ids = {
    group: row.group,
    members: row.members,
    mergedLabel: row.mergedLabel,
    mergedBecause: row.mergedBecause,
    suppressed: row.suppressed,
    auroc: row.auroc,
    memberAuroc: row.memberAuroc,
    people: put(`${id}|people`, row.people),
    events: put(`${id}|events`, events),
    truePositives: put(`${id}|true-positives`, truePositives),
    flagged: put(`${id}|flagged`, flagged),
    falsePositives: put(`${id}|false-positives`, flagged === null || truePositives === null ? null : flagged - truePositives),
    missed: put(`${id}|missed`, events === null || truePositives === null ? null : events - truePositives),
    // A positive predictive value of 0 leaves the number flagged unknown: it is hidden rather than guessed at.
    ppvKnown: flagged !== null && flagged > 0,
    nobodyFlagged: flagged === 0 && events !== null,
  };
  groups.push({ parts: [ids.truePositives, ids.falsePositives], total: ids.flagged });
  groups.push({ parts: [ids.truePositives, ids.missed], total: ids.events });
  return ids;
}

interface DecilePool {
  fromDecile: number;
  toDecile: number;
  n: number;
  observed: number;
  meanPredicted: number;
}

/**
 * Neighbouring deciles, lowest risk first, pooled until each pool has at least `threshold` people with the outcome
 * and as many without: a decile's observed rate times its size would otherwise give a small count away. A short
 * last run joins the pool before it.
 */
export function poolDeciles(deciles: readonly Pick<DecileCalibration, 'decile' | 'n' | 'observed' | 'expected'>[], threshold: number): DecilePool[] {
  const pools: { fromDecile: number; toDecile: number; n: number; observed: number; expected: number }[] = [];
  let open: (typeof pools)[number] | null = null;
  for (const decile of [...deciles].sort((a, b) => a.decile - b.decile)) {
    if (decile.n === 0) continue;
    open ??= { fromDecile: decile.decile, toDecile: decile.decile, n: 0, observed: 0, expected: 0 };
    open.toDecile = decile.decile;
    open.n += decile.n;
    open.observed += decile.observed;
    open.expected += decile.expected;
    if (open.observed >= threshold && open.n - open.observed >= threshold) {
      pools.push(open);
      open = null;
    }
  }
  if (open !== null) {
    const last = pools.pop();
    pools.push(
      last === undefined
        ? open
        : { fromDecile: last.fromDecile, toDecile: open.toDecile, n: last.n + open.n, observed: last.observed + open.observed, expected: last.expected + open.expected },
    );
  }
  return pools.map((pool) => ({
    fromDecile: pool.fromDecile,
    toDecile: pool.toDecile,
    n: pool.n,
    observed: pool.observed,
    meanPredicted: pool.expected / pool.n,
  }));
}
