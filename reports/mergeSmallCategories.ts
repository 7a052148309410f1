// Merging before blanking (data contract §4; issue 17): a category holding a count from 1 to threshold-1 forces the
// suppression (suppressSmallNumbers.ts) to hide a larger cell beside it, so a table's breakdown merges its smallest
// categories first, as the merge plan allows, and passes the merged cells to the suppression. A cell is blanked only
// where merging cannot protect it.

/** One category of a breakdown, in display order, with every count the table shows for it (null: not known). */
export interface CountedCategory {
  readonly key: string;
  /** The first count is the category's size (its people), which decides which category is the smallest. */
  readonly counts: readonly (number | null)[];
}

/**
 * Which categories may merge with which:
 * - `adjacent`: ordered bands (age bands): a small band joins the smaller of its neighbours;
 * - `catchAll`: nominal groups (ethnic groups): the `catchAll` keys form one named group (e.g. "Other" and
 *   "Not stated" into "Other or not stated") once any merging is needed, and small groups join it, smallest first;
 *   `fixed` keys never merge.
 */
export type MergePlan =
  | { readonly kind: 'adjacent' }
  | { readonly kind: 'catchAll'; readonly catchAll: readonly string[]; readonly fixed?: readonly string[] };

export interface MergedCategory {
  /** The keys merged into this category, in display order; one key when nothing was merged. */
  readonly members: readonly string[];
  /** Member counts added up; null when any member's count is not known. */
  readonly counts: readonly (number | null)[];
  /** The catch-all of a `catchAll` plan (formed from its keys, perhaps with others). */
  readonly isCatchAll: boolean;
}

/** True when the category has a count the suppression must hide: from 1 to threshold-1, or not known. */
export function isSmallCategory(counts: readonly (number | null)[], threshold: number): boolean {
  return counts.some((count) => count === null || (count >= 1 && count < threshold));
}

export function mergeSmallCategories(categories: readonly CountedCategory[], plan: MergePlan, threshold: number): MergedCategory[] {
  const width = categories[0]?.counts.length ?? 0;
  for (const category of categories) {
    if (category.counts.length !== width) throw new Error(`mergeSmallCategories: ${category.key} has ${category.counts.length} counts, not ${width}`);
  }
  let merged: MergedCategory[] = categories.map((category) => ({ members: [category.key], counts: [...category.counts], isCatchAll: false }));
  const small = (category: MergedCategory): boolean => isSmallCategory(category.counts, threshold);
  // A size not known is below the threshold, so it sorts first.
  const size = (category: MergedCategory): number => category.counts[0] ?? 0;
  const join = (a: MergedCategory, b: MergedCategory, isCatchAll: boolean): MergedCategory => ({
    members: [...a.members, ...b.members],
    counts: a.counts.map((count, index) => (count === null || b.counts[index] == null ? null : count + (b.counts[index] as number))),
    isCatchAll,
  });
  /** The smallest category that passes `eligible`; the first of equal sizes, so the result depends only on the input order. */
  const smallest = (eligible: (category: MergedCategory) => boolean): number => {
    let best = -1;
    merged.forEach((category, index) => {
      if (eligible(category) && (best === -1 || size(category) < size(merged[best] as MergedCategory))) best = index;
    });
    return best;
  };

  if (plan.kind === 'adjacent') {
    while (merged.length > 1) {
      const at = smallest(small);
      if (at === -1) break;
      const before = merged[at - 1];
      const after = merged[at + 1];
      const partner = before === undefined ? at + 1 : after === undefined ? at - 1 : size(after) < size(before) ? at + 1 : at - 1;
      const [first, second] = partner < at ? [partner, at] : [at, partner];
      merged = [...merged.slice(0, first), join(merged[first] as MergedCategory, merged[second] as MergedCategory, false), ...merged.slice(second + 1)];
    }
    return merged;
  }

  const fixed = new Set(plan.fixed ?? []);
  const mergeable = (category: MergedCategory): boolean => category.members.every((key) => !fixed.has(key));
  for (;;) {
    if (!merged.some((category) => small(category) && mergeable(category))) break;
    const catchAllAt = merged.findIndex((category) => category.isCatchAll);
    if (catchAllAt === -1) {
      // Form the catch-all, where its first key stands, from the keys present; with none present it starts empty.
      const parts = merged.filter((category) => plan.catchAll.includes(category.members[0] as string));
      const formed = parts.reduce<MergedCategory>((sum, part) => join(sum, part, true), {
        members: [],
        counts: new Array<number>(width).fill(0),
        isCatchAll: true,
      });
      merged = parts.length === 0
        ? [...merged, formed]
        : merged.flatMap((category) => (category === parts[0] ? [formed] : parts.includes(category) ? [] : [category]));
      continue;
    }
    const catchAll = merged[catchAllAt] as MergedCategory;
    // Small groups join the catch-all, smallest first; when only the catch-all is small, the smallest other group joins it.
    let from = smallest((category) => !category.isCatchAll && small(category) && mergeable(category));
    if (from === -1) from = smallest((category) => !category.isCatchAll && mergeable(category));
    if (from === -1) break;
    const joined = join(catchAll, merged[from] as MergedCategory, true);
    merged = merged.filter((_category, index) => index !== from).map((category) => (category === catchAll ? joined : category));
    // Members keep the display order of the input.
    const order = categories.map((category) => category.key);
    merged = merged.map((category) =>
      category.isCatchAll ? { ...category, members: [...category.members].sort((a, b) => order.indexOf(a) - order.indexOf(b)) } : category,
    );
  }
  return merged;
}
