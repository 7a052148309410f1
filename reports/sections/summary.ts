// The first screen: the headline numbers, what changed since the last run, how fresh the data are, three to five plain
// statements of what the figures mean, and each section's one-sentence finding. Every figure here is one the sections
// publish, suppressed the same way (a statement whose figure is hidden is left out, not guessed).
import { escapeHtml } from '../escapeHtml.ts';
import { dataFreshness } from '../dataFreshness.ts';
import { loadTierActivityFigures } from '../emergencyActivityByTier.ts';
import { formatCount, formatNumber, formatPercent, formatRate } from '../formatFigures.ts';
import type { ReportContext, ReportSection } from '../reportContext.ts';
import { type Figure, rateOf } from '../suppressSmallNumbers.ts';
import { deprivationGradient } from './inequalities.ts';
import { todaysCalibration } from './modelPerformance.ts';
import { describeCarePlanEffect } from '../../models/describeCarePlanEffect.ts';

/** Practices smaller than this are not named as the highest share: a few dozen people make any share look extreme. */
const smallestPracticeNamed = 500;

export async function summarySection(context: ReportContext, sections: readonly ReportSection[]): Promise<ReportSection> {
  const { db, input, population, movement } = context;
  const tiers = population.categories('tier').map((category) => category.key1 as string);
  const activity = await loadTierActivityFigures(db, input.asOf, tiers, input.suppressionThreshold);
  const freshness = dataFreshness(input);
  const people = population.count('people', 'all');
  const tier12 = population.count('tier12', 'all');
  const tier12Share = population.rate('tier12', 'people', 100, 'all');
  const admissions = activity.figures.count(activity.cell('admissions', 'all'));
  const admissionsPer1000 = rateOf(admissions, people, 1000);

  const joined = movement.previousAsOf === null ? null : movement.figures.count(movement.joinedTier12Id);
  const left = movement.previousAsOf === null ? null : movement.figures.count(movement.leftTier12Id);
  const keyFigures: [string, string][] = [
    ['People scored', formatCount(people)],
    ['In tiers 1–2 (on the practices\u2019 lists)', `${formatCount(tier12)} (${formatPercent(tier12Share)})`],
    ['Emergency admissions, last 12 months', `${formatCount(admissions)} (${formatRate(admissionsPer1000)} per 1,000 people)`],
    [
      'Since the last run',
      joined === null || left === null
        ? 'no earlier run to compare with'
        : `${formatCount(joined)} joined tiers 1–2, ${formatCount(left)} left (${movement.previousAsOf})`,
    ],
    [
      'Data up to',
      freshness.newestExtract === null
        ? 'no extract'
        : `${freshness.newestExtract}${freshness.ageInDays === null ? '' : ` (${freshness.ageInDays} day${freshness.ageInDays === 1 ? '' : 's'} before this report)`}`,
    ],
  ];
  const keyFiguresHtml = keyFigures.map(([term, value]) => `<div><dt>${escapeHtml(term)}</dt><dd>${escapeHtml(value)}</dd></div>`).join('');

  const statements = [
    concentration(tier12Share, activity.figures.rate(activity.cell('admissions', '1-2'), activity.cell('admissions', 'all'), 100), activity.expectedShareTier12),
    highestPractice(context, tier12Share),
    deprivationGradient(context),
    whichScores(context),
    changeSinceLastRun(joined, left, movement.previousAsOf),
    proactiveCare(context),
  ]
    .filter((statement): statement is string => statement !== null)
    // Three to five statements: the first five that the figures allow.
    .slice(0, 5);

  const findings = sections
    .filter((section) => section.finding !== undefined)
    .map((section) => `<li><a href="#${section.id}">${escapeHtml(section.title)}</a>: ${escapeHtml(section.finding as string)}</li>`)
    .join('');

  const html = [
    `<dl class="key-figures">${keyFiguresHtml}</dl>`,
    '<h3>What this means</h3>',
    `<ul class="statements">${statements.map((statement) => `<li>${escapeHtml(statement)}</li>`).join('')}</ul>`,
    // In print each section opens with its own finding on its own page, so the list is left out there.
    findings === '' ? '' : `<div data-print="secondary"><h3>In each section</h3><ul class="findings">${findings}</ul></div>`,
  ].join('\n');
  return {
    id: 'summary',
    title: 'Summary',
    html,
    finding: statements[0] ?? 'The figures are too small to summarise.',
  };
}

function concentration(peopleShare: Figure, admissionsShare: Figure, expectedShare: number | null): string | null {
  if (peopleShare.kind !== 'value' || admissionsShare.kind !== 'value') return null;
  const ahead =
    expectedShare === null
      ? ''
      : ` Looking ahead, they are expected to be ${formatNumber(expectedShare * 100, 1)}% of the people with an emergency admission ` +
        'in the next 12 months.';
  return (
    `The ${formatPercent(peopleShare)} of people in tiers 1–2 had ${formatPercent(admissionsShare)} of the emergency admissions ` +
    `of the last 12 months (those admissions are part of why they are ranked there).${ahead}`
  );
}

function highestPractice(context: ReportContext, overall: Figure): string | null {
  const { population } = context;
  let best: { code: string; share: number } | null = null;
  for (const category of population.categories('practice')) {
    const size = population.count('people', 'practice', category);
    const share = population.rate('tier12', 'people', 100, 'practice', category);
    if (size.kind !== 'value' || size.value < smallestPracticeNamed || share.kind !== 'value' || category.key1 === null) continue;
    if (best === null || share.value > best.share) best = { code: category.key1, share: share.value };
  }
  if (best === null || overall.kind !== 'value') return null;
  return (
    `Practice ${best.code} has the largest share of its people in tiers 1–2 (${formatNumber(best.share, 1)}%, against ` +
    `${formatPercent(overall)} across the area): its team has the most proactive care to plan for its size.`
  );
}

/** Which model the scores come from, and how well calibrated they were on the latest complete year. */
function whichScores(context: ReportContext): string | null {
  const card = context.input.modelCards.find((c) => c.target === 'ea');
  const today = card === undefined ? null : todaysCalibration(card, context.input.suppressionThreshold);
  if (card === undefined || today === null) return null;
  return (
    `The scores come from the emergency-admission model fitted for ${card.fitted_for_as_of}. On the latest complete year it ` +
    `predicted ${today.predicted} of people would have an emergency admission and ${today.observed} did, so its risks can be read ` +
    'as chances (the model performance section compares this with the stricter test on a year it had not seen).'
  );
}

/** What the comparison of care plans with matched people found, when it found anything it may publish. */
function proactiveCare(context: ReportContext): string | null {
  const effect = context.input.proactiveCare;
  if (effect === null || effect.horizons.every((h) => h.ratio === null)) return null;
  return describeCarePlanEffect(effect);
}

function changeSinceLastRun(joined: Figure | null, left: Figure | null, previousAsOf: string | null): string | null {
  if (joined === null || left === null || previousAsOf === null) return null;
  if (joined.kind !== 'value' || left.kind !== 'value') return null;
  return `Since the run of ${previousAsOf}, ${formatCount(joined)} people joined tiers 1–2 and ${formatCount(left)} left: the lists name who is new.`;
}
