// A model card a reviewer can sign, in words: the TRIPOD+AI items that apply (Collins et al. BMJ 2024;385:e078378),
// from the cards' own JSON. docs/model-card.md is this rendering for the sample run (npm run docs:model-card), and
// tests/cli/runSample.test.ts checks that it is current. Figures are rounded here and nowhere earlier. Like the
// report, it shows no rate from which a count from 1 to the card's small-number threshold less one could be read:
// such a cell is '*' (the card's JSON keeps every figure, for the analysts who validate it).
import type { ModelCard } from './modelCard.ts';
import type { SubgroupResult } from './evaluatePredictions.ts';
import type { CarePlanEffect } from './proactiveCare.ts';
import { renderCarePlanEffect } from './renderCarePlanEffect.ts';

/** x to `digits` places; a value that rounds to 0 is "0.000", never "-0.000" (a last-digit sign says nothing). */
const toFixedUnsignedZero = (x: number, digits: number): string => x.toFixed(digits).replace(/^-(?=0(\.0*)?$)/, '');
const fixed = (x: number | null | undefined, digits = 3): string => (x === null || x === undefined ? 'n/a' : toFixedUnsignedZero(x, digits));
const percent = (x: number | null | undefined, digits = 1): string => (x === null || x === undefined ? 'n/a' : `${toFixedUnsignedZero(100 * x, digits)}%`);
const whole = (x: number | null | undefined): string => (x === null || x === undefined ? 'n/a' : x.toLocaleString('en-GB'));
const withInterval = (value: number | null | undefined, interval: { lower: number; upper: number } | null | undefined, show = fixed): string =>
  interval ? `${show(value)} (${show(interval.lower)} to ${show(interval.upper)})` : show(value);

const dimensionNames: Record<string, string> = { sex: 'Sex', age_band: 'Age band', imd_quintile: 'IMD quintile (1 most deprived)', ethnic_group: 'Ethnic group' };
const sexNames: Record<string, string> = { '1': 'Male', '2': 'Female', '9': 'Indeterminate', X: 'Not known' };

/** The markdown of one model's card. */
export function renderModelCard(card: ModelCard): string {
  const lines: string[] = [];
  const push = (...more: string[]) => lines.push(...more);
  const g = card.governance;
  push(`## ${card.description} (\`${card.score_column}\`)`, '');
  push(`Model \`${card.model_version}\`, fitted for scoring on ${card.fitted_for_as_of}: ${card.variant}, ${card.sign_constraint.chosen === 'non-negative' ? 'sign-constrained' : 'unconstrained'}.`, '');
  push(card.method, '');

  if (g) {
    push('### Data, population, outcome and predictors', '');
    push(`- **Source of data.** ${g.data_source}`);
    push(`- **Population.** ${g.population}`);
    push(`- **Outcome.** ${g.outcome}`);
    push(`- **Predictors.** ${g.predictors}`);
    push(`- **Missing data.** ${g.missing_data}`, '');
  }

  const t = card.training;
  push('### Sample size and events', '');
  push('| | index date | outcome window | people | with the outcome |', '|---|---|---|---|---|');
  push(`| production fit | ${t.training_index_date} | to ${t.outcome_window.to_inclusive} | ${whole(t.training_rows)}${t.people_eligible !== undefined && t.people_eligible > t.training_rows ? ` (of ${whole(t.people_eligible)} eligible)` : ''} | ${whole(t.training_events)} (${percent(t.event_rate)}) |`);
  const v = card.validation;
  if (v) push(`| validation | ${v.evaluation_index_date} | to ${v.outcome_window.to_inclusive} | ${whole(v.metrics.n)} | ${whole(v.metrics.events)} (${percent(v.metrics.event_rate)}) |`);
  push('');

  push('### Validation design', '', card.validation_note, '');
  if (!v) {
    push('No performance figures: there was too little history to validate out of time.', '');
  } else {
    const m = v.metrics;
    push('### Performance on the validation year (95% intervals)', '');
    push('| measure | value |', '|---|---|');
    push(`| AUROC (DeLong interval) | ${withInterval(m.auroc, m.auroc_interval)} |`);
    push(`| AUPRC (event rate ${percent(m.event_rate)}) | ${fixed(m.auprc)} |`);
    push(`| Brier score | ${fixed(m.brier, 4)} |`);
    push(`| calibration in the large (0 is ideal; Wald interval) | ${withInterval(m.calibration.intercept, m.calibration.intercept_interval)} |`);
    push(`| calibration slope (1 is ideal; Wald interval) | ${withInterval(m.calibration.slope, m.calibration.slope_interval)} |`);
    const smooth = m.calibration.smoothed;
    if (smooth) {
      push(`| integrated calibration index, ICI (0 is ideal) | ${fixed(smooth.ici, 4)} |`);
      push(`| E50, E90, Emax: median, 90th percentile and largest gap between predicted and smoothed observed risk | ${fixed(smooth.e50, 4)}, ${fixed(smooth.e90, 4)}, ${fixed(smooth.emax, 4)} |`);
      push(`| Brier skill against the prevalence (above 0 beats predicting the event rate) | ${fixed(smooth.brier_skill)} |`);
    }
    push('');
    if (smooth) push(`Smoothed calibration: ${smooth.method}.`, '');
    push('| top share by risk | people | with the outcome | PPV | sensitivity |', '|---|---|---|---|---|');
    for (const top of m.at_top) {
      const hidden = hidesSmallCount([top.true_positives, top.n_flagged - top.true_positives, m.events - top.true_positives], m.small_count_threshold);
      push(`| ${percent(top.share)} | ${whole(top.n_flagged)} | ${hidden ? '*' : whole(top.true_positives)} | ${hidden ? '*' : percent(top.ppv)} | ${hidden ? '*' : percent(top.sensitivity)} |`);
    }
    push('');
    const cut = m.at_cutoff;
    if (cut && !hidesSmallCount([cut.true_positives, cut.false_positives, cut.false_negatives, cut.true_negatives], m.small_count_threshold)) {
      push(`At the list cut-off (the top ${percent(m.list_share)}): PPV ${withInterval(cut.ppv?.value, cut.ppv, percent)}, ` +
        `false negative rate ${withInterval(cut.false_negative_rate?.value, cut.false_negative_rate, percent)}, ` +
        `false positive rate ${withInterval(cut.false_positive_rate?.value, cut.false_positive_rate, percent)}, ` +
        `false omission rate ${withInterval(cut.false_omission_rate?.value, cut.false_omission_rate, percent)}.`, '');
    }
    const baseline = v.baseline;
    if (baseline) {
      push('### Against a baseline: PARR-lite', '');
      push(`${baseline.name}, fitted and validated on the same rows (${baseline.sign_constrained ? 'sign-constrained' : 'unconstrained'}; its coefficients are in the card).`, '');
      push('| | AUROC | AUPRC | people admitted next year in tiers 1-2 |', '|---|---|---|---|');
      push(`| this model | ${fixed(m.auroc)} | ${fixed(m.auprc)} | ${whole(baseline.captured_by_model)} of ${whole(baseline.events)} |`);
      push(`| PARR-lite | ${fixed(baseline.auroc)} | ${fixed(baseline.auprc)} | ${whole(baseline.captured_by_baseline)} of ${whole(baseline.events)} |`);
      push(`| lift | ${fixed(baseline.lift.auroc)} | ${fixed(baseline.lift.auprc)} | ${baseline.lift.captured >= 0 ? '+' : ''}${baseline.lift.captured} |`, '');
    }
    push(...renderFairness(card));
  }
  const check = card.production_check;
  if (check) {
    const c = check.metrics;
    push('### Today\'s scores on the latest complete year', '', check.note, '');
    push('| measure | value |', '|---|---|');
    push(`| people, with the outcome | ${whole(c.n)}, ${whole(c.events)} (${percent(c.event_rate)}) |`);
    push(`| mean predicted risk | ${percent(c.mean_predicted)} |`);
    push(`| calibration in the large, slope | ${fixed(c.calibration.intercept)}, ${fixed(c.calibration.slope)} |`);
    if (c.calibration.smoothed) push(`| ICI, E50, E90 | ${fixed(c.calibration.smoothed.ici, 4)}, ${fixed(c.calibration.smoothed.e50, 4)}, ${fixed(c.calibration.smoothed.e90, 4)} |`);
    push(`| AUROC | ${withInterval(c.auroc, c.auroc_interval)} |`, '');
  }

  if (g) {
    push('### Intended use', '', g.intended_use, '', 'It must not be used for:', '');
    for (const item of g.not_for) push(`- ${item}`);
    push('', '### Retraining and drift', '', g.retraining, '', g.drift, '');
  }

  push('### Coefficients', '', `Intercept ${fixed(card.intercept, 4)}; terms as defined in \`models/terms.ts\`.`, '');
  push('| term | coefficient |', '|---|---|');
  for (const term of card.terms) push(`| \`${term.id}\` | ${fixed(term.coefficient, 4)} |`);
  push('');
  return lines.join('\n');
}

function renderFairness(card: ModelCard): string[] {
  const m = card.validation!.metrics;
  const fairness = m.fairness;
  if (!fairness) return [];
  const out = ['### Fairness at the list cut-off', '', fairness.method, ''];
  out.push(
    fairness.flagged.length === 0
      ? `No group's false negative rate differs from the whole population's by more than ${percent(fairness.false_negative_rate_margin, 0)}.`
      : `Flagged (false negative rate more than ${percent(fairness.false_negative_rate_margin, 0)} from the whole population's ${percent(m.at_cutoff?.false_negative_rate?.value)}): ` +
        fairness.flagged.map((f) => {
          const group = m.by_subgroup[f.dimension]?.find((g) => g.group === f.group);
          const shown = group?.at_cutoff && !hidesSmallCount([group.at_cutoff.false_negatives, group.at_cutoff.true_positives], m.small_count_threshold);
          return `${dimensionNames[f.dimension] ?? f.dimension} ${groupName(f.dimension, f.group)} (${shown ? percent(f.false_negative_rate) : '*'})`;
        }).join('; ') + '.',
    '',
  );
  out.push('| group | people | with the outcome | AUROC | false negative rate | false positive rate | PPV | share of list | share of outcomes |');
  out.push('|---|---|---|---|---|---|---|---|---|');
  for (const [dimension, groups] of Object.entries(m.by_subgroup)) {
    for (const group of groups) out.push(fairnessRow(dimension, group, m.small_count_threshold));
  }
  out.push('', `A group with fewer than ${m.small_count_threshold} people with, or without, the outcome shows no figures; ` +
    `* hides a rate that would reveal a count from 1 to ${m.small_count_threshold - 1}.`, '');
  const calibrated = Object.entries(m.by_subgroup).flatMap(([dimension, groups]) => groups.filter((g) => g.calibration_smoothed).map((g) => ({ dimension, g })));
  if (calibrated.length > 0) {
    out.push('#### Calibration by group', '', '| group | observed rate | mean predicted | calibration in the large | slope | ICI | E90 |', '|---|---|---|---|---|---|---|');
    for (const { dimension, g } of calibrated) {
      out.push(`| ${dimensionNames[dimension] ?? dimension}: ${groupName(dimension, g.group)} | ${percent(g.event_rate)} | ${percent(g.mean_predicted)} | ` +
        `${withInterval(g.calibration_intercept, g.calibration_intercept_interval)} | ${withInterval(g.calibration_slope, g.calibration_slope_interval)} | ` +
        `${fixed(g.calibration_smoothed!.ici, 4)} | ${fixed(g.calibration_smoothed!.e90, 4)} |`);
    }
    out.push('');
  }
  return out;
}

/** True when any of the counts is from 1 to threshold - 1: a rate made of them would reveal it. */
function hidesSmallCount(counts: readonly number[], threshold: number): boolean {
  return counts.some((count) => count >= 1 && count < threshold);
}

function fairnessRow(dimension: string, group: SubgroupResult, threshold: number): string {
  const name = `${dimensionNames[dimension] ?? dimension}: ${groupName(dimension, group.group)}`;
  if (group.suppressed || !group.at_cutoff) return `| ${name} | ${group.n === null ? 'fewer than the threshold' : whole(group.n)} | suppressed | | | | | | |`;
  const c = group.at_cutoff;
  const unless = (counts: number[], text: string) => (hidesSmallCount(counts, threshold) ? '*' : text);
  return `| ${name}${c.flagged ? ' (flagged)' : ''} | ${whole(group.n)} | ${whole(group.events)} | ${withInterval(group.auroc, group.auroc_interval)} | ` +
    `${unless([c.false_negatives, c.true_positives], withInterval(c.false_negative_rate?.value, c.false_negative_rate, percent))} | ` +
    `${unless([c.false_positives, c.true_negatives], percent(c.false_positive_rate?.value))} | ` +
    `${unless([c.true_positives, c.false_positives], percent(c.ppv?.value))} | ${unless([c.listed], percent(c.share_of_list))} | ${percent(c.share_of_outcomes)} |`;
}

function groupName(dimension: string, group: string | null): string {
  if (group === null) return 'not recorded';
  return dimension === 'sex' ? (sexNames[group] ?? group) : group;
}

/** The whole document: both models' cards under one heading, then the run's proactive-care comparison when given. */
export function renderModelCards(cards: readonly ModelCard[], proactiveCare?: { effect: CarePlanEffect; suppressionThreshold: number }): string {
  const asOf = cards[0]?.fitted_for_as_of ?? '';
  return [
    '# Model cards',
    '',
    `Generated by \`npm run docs:model-card\` from the cards of a run on the bundled sample inbox (as of ${asOf}); every figure`,
    'is in `<out>/<as_of>/models/<target>_model_card.json`. The sample is 3,000 synthetic people, so the intervals are wide:',
    'read it for what a card says, not for how well Strata predicts (docs/benchmarks.md has larger runs).',
    '',
    ...cards.map(renderModelCard),
    ...(proactiveCare ? [renderCarePlanEffect(proactiveCare.effect, proactiveCare.suppressionThreshold)] : []),
  ].join('\n');
}
