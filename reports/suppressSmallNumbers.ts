// Small-number suppression for every figure the cohort report publishes (data contract §4): the report builds
// its counts, passes them through here once, and formats only what comes back. Nothing else decides what is hidden.
//
// Rules:
// - primary: a count from 1 to threshold-1 (1..7 by default) is hidden; 0 is shown;
// - secondary: in a group of cells that adds up to a total a reader can see, one hidden cell could be worked out
//   by subtraction, so the next-smallest non-zero cell is hidden too (or the total, when no such cell is left);
//   this repeats, smallest groups first, until no group has exactly one hidden member;
// - published elsewhere: a cell another table already shows (`fixed`) is never hidden here, and a cell whose value
//   such a cell gives away anyway (every other part of its group a shown 0) is never chosen to protect another;
// - sums of hidden cells: where two or more parts of a group are hidden and its total is shown, their sum is the
//   total minus the shown parts; when that sum is itself from 1 to threshold-1, one more part is hidden;
// - rates: a rate or percentage built on a hidden count (numerator or denominator) is hidden.

export const defaultSuppressionThreshold = 8;

/** Cells that add up to `total`. Without a total, the sum is taken to be known from elsewhere in the report. */
export interface CountGroup {
  readonly parts: readonly string[];
  readonly total?: string;
}

export interface SuppressionRequest {
  /** Every count the table (or tables) will show, by cell id. Counts are whole numbers >= 0. */
  readonly counts: ReadonlyMap<string, number>;
  readonly groups?: readonly CountGroup[];
  /** Cells already hidden elsewhere in the report (a denominator taken from another table, say). */
  readonly alreadySuppressed?: Iterable<string>;
  /**
   * Cells shown elsewhere in the report, which hiding here would not hide (a tier's people, published by the
   * population figures). A group's total that is fixed, like a group with no total, is known to the reader.
   */
  readonly fixed?: Iterable<string>;
  /** Counts from 1 to threshold-1 are hidden. Default 8. */
  readonly threshold?: number;
  /**
   * Protect the sum of a group's hidden parts when its total is shown (see the rules above). On by default: two
   * hidden cells that add up to 5 tell the reader that 5 people are in one group or the other.
   */
  readonly protectHiddenSums?: boolean;
}

/** A figure as it may be published: a value, hidden ('*'), or none (a rate over a zero denominator). */
export type Figure =
  | { readonly kind: 'value'; readonly value: number }
  | { readonly kind: 'suppressed' }
  | { readonly kind: 'none' };

export interface SuppressedFigures {
  /** The count as it may be published. Throws for a cell id that was not in the request. */
  count(id: string): Figure;
  /** numerator / denominator × per (per 1,000, or 100 for a percentage), hidden when either count is hidden. */
  rate(numeratorId: string, denominatorId: string, per: number): Figure;
  isSuppressed(id: string): boolean;
  /** Hidden cell ids, in the order they were hidden (primary first, then secondary). */
  readonly suppressedIds: readonly string[];
}

const suppressedFigure: Figure = { kind: 'suppressed' };
const noFigure: Figure = { kind: 'none' };

export function suppressSmallNumbers(request: SuppressionRequest): SuppressedFigures {
  const threshold = request.threshold ?? defaultSuppressionThreshold;
  if (!Number.isInteger(threshold) || threshold < 1) {
    throw new Error(`suppression threshold must be a whole number of at least 1, got ${threshold}`);
  }
  const counts = request.counts;
  for (const [id, value] of counts) {
    if (!Number.isInteger(value) || value < 0) throw new Error(`count ${id} must be a whole number >= 0, got ${value}`);
  }
  const known = (id: string): string => {
    if (!counts.has(id)) throw new Error(`suppression: no count with id ${id}`);
    return id;
  };

  const hidden = new Set<string>();
  const order: string[] = [];
  const hide = (id: string): void => {
    if (!hidden.has(id)) {
      hidden.add(id);
      order.push(id);
    }
  };

  const fixed = new Set([...(request.fixed ?? [])].map(known));
  for (const id of request.alreadySuppressed ?? []) hide(known(id));
  for (const [id, value] of counts) if (value >= 1 && value < threshold) hide(id);
  for (const id of fixed) if (hidden.has(id)) throw new Error(`suppression: ${id} is shown elsewhere but must be hidden here`);

  // Smallest groups first: a cell hidden to protect a small group (the sexes of one age band) often protects the
  // large group it nests in (every age band and sex) too, where the large group on its own would reach for its
  // smallest cell anywhere and start a second chain of hidden cells. Sort is stable: equal sizes keep their order.
  const groups = (request.groups ?? [])
    .map((group) => ({
      parts: group.parts.map(known),
      total: group.total === undefined ? undefined : known(group.total),
    }))
    .sort((a, b) => a.parts.length - b.parts.length);

  // A part is pinned when a group whose sum the reader knows (a fixed total, or no total) has every other part shown
  // as 0: its value is then known whatever this table hides, so hiding it protects nothing.
  const pinned = (id: string): boolean =>
    groups.some(
      (group) =>
        (group.total === undefined || fixed.has(group.total)) &&
        group.parts.includes(id) &&
        group.parts.every((part) => part === id || (!hidden.has(part) && counts.get(part) === 0)),
    );
  const hideable = (id: string): boolean => !hidden.has(id) && !fixed.has(id);
  const complementOf = (parts: readonly string[]): string | undefined =>
    smallestVisibleNonZero(parts.filter((part) => hideable(part) && !pinned(part)), hidden, counts);

  // Each pass hides at least one more cell or stops, so this ends after at most counts.size passes.
  for (let changed = true; changed; ) {
    changed = false;
    for (const group of groups) {
      const members = group.total === undefined ? group.parts : [...group.parts, group.total];
      const hiddenMembers = members.filter((id) => hidden.has(id));
      if (hiddenMembers.length > 1 && request.protectHiddenSums !== false && group.total !== undefined && !hidden.has(group.total)) {
        let hiddenSum = counts.get(group.total) as number;
        for (const id of group.parts) if (!hidden.has(id)) hiddenSum -= counts.get(id) as number;
        if (hiddenSum >= 1 && hiddenSum < threshold) {
          const next = complementOf(group.parts) ?? (hideable(group.total) ? group.total : undefined);
          if (next !== undefined) {
            hide(next);
            changed = true;
          }
        }
        continue;
      }
      if (hiddenMembers.length !== 1) continue;
      const complement = complementOf(group.parts);
      if (complement !== undefined) {
        hide(complement);
        changed = true;
      } else if (group.total !== undefined && hideable(group.total)) {
        hide(group.total);
        changed = true;
      }
      // Otherwise every other part is 0 (or pinned) and there is no total here to hide: the hidden part equals a
      // sum published elsewhere, which that table's own groups must protect.
    }
  }

  const count = (id: string): Figure => {
    const value = counts.get(known(id)) as number;
    return hidden.has(id) ? suppressedFigure : { kind: 'value', value };
  };
  return {
    count,
    rate: (numeratorId, denominatorId, per) => rateOf(count(numeratorId), count(denominatorId), per),
    isSuppressed: (id) => hidden.has(known(id)),
    suppressedIds: order,
  };
}

/** A rate from two published figures (possibly from different suppression requests): hidden if either is hidden. */
export function rateOf(numerator: Figure, denominator: Figure, per: number): Figure {
  if (numerator.kind === 'suppressed' || denominator.kind === 'suppressed') return suppressedFigure;
  if (numerator.kind === 'none' || denominator.kind === 'none' || denominator.value === 0) return noFigure;
  return { kind: 'value', value: (numerator.value / denominator.value) * per };
}

/** The value of a figure, or null when it is hidden or has none: what charts are drawn from. */
export function publishedValue(figure: Figure): number | null {
  return figure.kind === 'value' ? figure.value : null;
}

function smallestVisibleNonZero(
  parts: readonly string[],
  hidden: ReadonlySet<string>,
  counts: ReadonlyMap<string, number>,
): string | undefined {
  let best: string | undefined;
  let bestValue = Infinity;
  for (const id of parts) {
    const value = counts.get(id) as number;
    // Strictly smaller keeps the first of equal cells, so the choice does not depend on anything but input order.
    if (!hidden.has(id) && value > 0 && value < bestValue) {
      best = id;
      bestValue = value;
    }
  }
  return best;
}
