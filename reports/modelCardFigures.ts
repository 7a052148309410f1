// The counts behind section 7 (model performance), taken from one model card and passed once through the report's
// small-number rule (suppressSmallNumbers.ts): training rows and outcomes, the validation year's totals, the people
// flagged at each top share, every subgroup, and the points of the calibration plot.
//
// A card publishes some counts only by implication: a subgroup's sensitivity times its outcomes is the number of its
// people flagged who had the outcome; that number over the positive predictive value is how many were flagged. Those
// counts are rebuilt here and suppressed with the rest, so that no percentage shown gives a count from 1 to 7 away.
import type { DecileCalibration, SubgroupResult } from '../models/evaluatePredictions.ts';
import type { ModelCard } from '../models/modelCard.ts';
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
  readonly group: string | null;
  /** Marked suppressed by the card: too few outcomes (or non-outcomes) for honest metrics, so none are shown. */
  readonly suppressed: boolean;
  readonly people: Figure;
  readonly events: Figure;
  /** Null when the card gives none (a suppressed group). */
  readonly auroc: number | null;
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

  const validationIds = card.validation === null ? null : addValidation(card.validation.metrics, put, groups, threshold);

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
              suppressed: row.suppressed,
              people: count(row.people),
              events: count(row.events),
              auroc: row.auroc,
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

function addValidation(metrics: Evaluation, put: Put, groups: CountGroup[], threshold: number) {
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
  for (const [dimension, results] of Object.entries(metrics.by_subgroup)) {
    const rows = results.map((result, index) => subgroupCounts(result, `subgroup|${dimension}|${index}`, put, groups));
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

/** A subgroup's counts, those the card gives and those its percentages imply; null where neither is known. */
function subgroupCounts(result: SubgroupResult, id: string, put: Put, groups: CountGroup[]) {
  const known = !result.suppressed && result.n !== null && result.events !== null;
  const events = known ? (result.events as number) : null;
  // sensitivity = flagged with the outcome / outcomes, and ppv = flagged with the outcome / flagged: both exact
  // ratios of whole numbers, so rounding gives the numbers back.
  const truePositives = known && result.sensitivity_listed !== undefined ? Math.round(result.sensitivity_listed * (events as number)) : null;
  const ppv = result.ppv_listed;
  const nobodyFlagged = known && ppv === null;
  const flagged = truePositives === null ? null : nobodyFlagged ? 0 : ppv !== undefined && ppv !== null && ppv > 0 ? Math.round(truePositives / ppv) : null;
  const ids = {
    group: result.group,
    suppressed: result.suppressed || !known,
    auroc: !result.suppressed && result.auroc !== undefined ? result.auroc : null,
    people: put(`${id}|people`, result.n),
    events: put(`${id}|events`, events),
    truePositives: put(`${id}|true-positives`, truePositives),
    flagged: put(`${id}|flagged`, flagged),
    falsePositives: put(`${id}|false-positives`, flagged === null || truePositives === null ? null : flagged - truePositives),
    missed: put(`${id}|missed`, events === null || truePositives === null ? null : events - truePositives),
    // A positive predictive value of 0 leaves the number flagged unknown: it is hidden rather than guessed at.
    ppvKnown: flagged !== null && flagged > 0,
    nobodyFlagged,
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
