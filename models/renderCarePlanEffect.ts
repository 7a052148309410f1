// "Did proactive care work?" in words, for docs/model-card.md (beside the model cards, since a governance board asks
// it of the lists the models make): the figures of run.json's proactive_care (models/proactiveCare.ts), rounded here
// and nowhere earlier. A figure proactiveCare.ts withheld (null) is '*', with the small-number rule under the table.
// The one-sentence finding is describeCarePlanEffect.ts, shared with the cohort report.
import { describeCarePlanEffect } from './describeCarePlanEffect.ts';
import type { CarePlanEffect, CarePlanHorizon } from './proactiveCare.ts';

const shown = (x: number | null, format: (x: number) => string): string => (x === null ? '*' : format(x));
const whole = (x: number): string => x.toLocaleString('en-GB');
const percent = (x: number): string => `${(100 * x).toFixed(1)}%`;

function ratioCell(h: CarePlanHorizon): string {
  if (h.ratio === null) return '*';
  const interval = h.ratio_lower !== null && h.ratio_upper !== null ? ` (${h.ratio_lower.toFixed(2)} to ${h.ratio_upper.toFixed(2)})` : '';
  return `${h.ratio.toFixed(2)}${interval}`;
}

export function renderCarePlanEffect(effect: CarePlanEffect, suppressionThreshold: number): string {
  const rows = effect.horizons.map(
    (h) =>
      `| ${h.months} months | ${shown(h.care_plans, whole)} | ${shown(h.matched, whole)} | ${shown(h.unmatched, whole)} | ` +
      `${shown(h.observed, whole)} (${shown(h.observed_share, percent)}) | ${shown(h.expected, (x) => x.toFixed(1))} (${shown(h.expected_share, percent)}) | ${ratioCell(h)} |`,
  );
  return [
    '## Did proactive care work?',
    '',
    `${describeCarePlanEffect(effect)} From \`run.json\` (\`proactive_care\`) of the same run, as of ${effect.as_of}.`,
    '',
    effect.method,
    '',
    `Matched on: ${effect.matched_on.join('; ')}.`,
    '',
    '| after the review | care plans | matched | unmatched | admitted (observed) | expected from the matches | observed / expected (95% interval) |',
    '|---|---|---|---|---|---|---|',
    ...rows,
    '',
    `\`*\`: not shown, because it is or would reveal a count from 1 to ${suppressionThreshold - 1} (fewer than ${suppressionThreshold} care plans matched, or fewer than ${suppressionThreshold} of them with or without an admission).`,
    '',
    `**What this cannot show.** ${effect.warning}`,
    '',
  ].join('\n');
}
