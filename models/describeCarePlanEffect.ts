// "Did proactive care work?" in one sentence, from run.json's proactive_care (models/proactiveCare.ts): shared by the
// model card (models/renderCarePlanEffect.ts) and the cohort report (reports/sections/proactiveCare.ts), so the two
// never say different things about the same run.
import type { CarePlanEffect } from './proactiveCare.ts';

const percent = (x: number): string => `${(100 * x).toFixed(1)}%`;

/** What the comparison found, in one sentence a reader can act on: the 12 months when shown, else the longest shown. */
export function describeCarePlanEffect(effect: CarePlanEffect): string {
  if (effect.horizons.every((h) => h.care_plans === 0)) {
    return 'No care plan agreed at an MDT review has its whole follow-up in the data yet, so there is nothing to compare.';
  }
  const year = effect.horizons.find((h) => h.months === 12 && h.ratio !== null) ?? effect.horizons.find((h) => h.ratio !== null);
  if (year === undefined || year.ratio === null) {
    return 'Too few care plans matched, or too few of them with or without an admission, to compare yet: the comparison is withheld.';
  }
  const span = `${year.months} months`;
  if (year.ratio_lower === null || year.ratio_upper === null) return `In the ${span} after a care plan, ${percent(year.observed_share!)} had an emergency admission against ${percent(year.expected_share!)} expected from their matches.`;
  const verdict =
    year.ratio_upper < 1
      ? 'fewer than their matches, beyond what chance explains'
      : year.ratio_lower > 1
        ? 'more than their matches, beyond what chance explains'
        : 'no difference from their matches that chance cannot explain';
  return (
    `In the ${span} after a care plan, ${percent(year.observed_share!)} of the people with one had an emergency admission, ` +
    `against ${percent(year.expected_share!)} expected from their matches: ${verdict}.`
  );
}
