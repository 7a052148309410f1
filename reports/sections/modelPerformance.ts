// Section 7: model performance, from the model cards (models/trainModels.ts) and this run's drift check
// (models/measureDrift.ts): what each model predicts and was trained on, how well it did on a year it had not seen,
// whether it works as well for different groups of people, and whether today's population has moved since training.
import { type DriftResult, driftWarningPsi } from '../../models/measureDrift.ts';
import type { ModelCard } from '../../models/modelCard.ts';
import { escapeHtml } from '../escapeHtml.ts';
import { formatCount, formatNumber, formatPercent, formatProportion, roundTo, suppressedMark } from '../formatFigures.ts';
import {
  type CalibrationPoint,
  type ModelCardFigures,
  type SubgroupFigures,
  type ValidationFigures,
  suppressModelCardFigures,
} from '../modelCardFigures.ts';
import { ethnicGroups, sexLabels } from '../populationFigures.ts';
import type { ReportContext, ReportSection } from '../reportContext.ts';
import type { ResolvedReportInput } from '../reportInput.ts';
import { chartColours, renderChart } from '../renderChart.ts';
import { paragraph } from '../renderParagraph.ts';
import { foldedDetail, renderTable } from '../renderTable.ts';

interface TargetWords {
  /** Heading, e.g. "Emergency admission model". */
  readonly title: string;
  readonly predicts: string;
  /** The outcome after "had", e.g. "an emergency admission". */
  readonly outcome: string;
  /** What published models of this kind reach, for a commissioner's sense of scale; '' when there is no benchmark. */
  readonly aurocBenchmark: string;
}

const targetWords: Record<ModelCard['target'], TargetWords> = {
  ea: {
    title: 'Emergency admission model',
    predicts: 'the chance that a person has at least one emergency hospital admission in the 12 months after they are scored',
    outcome: 'an emergency admission',
    aurocBenchmark: ' Published emergency-admission models reach about 0.76–0.80.',
  },
  ltc: {
    title: 'New long-term condition model',
    predicts:
      'the chance that a person is added to at least one GP long-term condition register (a new diagnosis of, say, ' +
      'diabetes or heart failure) in the 12 months after they are scored',
    outcome: 'a new long-term condition',
    aurocBenchmark: '',
  },
};

const variantWords: Readonly<Record<string, string>> = {
  'main effects': 'main effects (each risk factor counted on its own)',
  'with interactions': 'with interactions (some risk factors also counted in combination)',
};

const dimensionWords: Readonly<Record<string, { readonly caption: string; readonly header: string }>> = {
  sex: { caption: 'By sex', header: 'Sex' },
  age_band: { caption: 'By age band', header: 'Age band' },
  imd_quintile: { caption: 'By deprivation (IMD quintile: 1 = the most deprived fifth of areas)', header: 'IMD quintile' },
  ethnic_group: { caption: 'By ethnic group', header: 'Ethnic group' },
};

const driftQuantityWords: Readonly<Record<string, string>> = {
  age: 'Age',
  ltc_count: 'Number of long-term conditions',
  emergency_admissions_12m: 'Emergency admissions in the last 12 months',
  ae_attendances_12m: 'A&E attendances in the last 12 months',
  frailty_score: 'Frailty score',
  distinct_medicines_6m: 'Different medicines in the last 6 months',
};

export async function modelPerformanceSection(context: ReportContext): Promise<ReportSection> {
  const { input } = context;
  // The guide to the section stays on screen: in print the section must fit one page.
  const parts = [
    `<div data-print="secondary">${paragraph(
      'Two models turn each person\'s record into a score. For each, this section says what it predicts and what it ' +
        'was trained on; how well it did when checked on a later year it was not trained on; whether it works as well ' +
        'for different groups of people; and whether the people scored today still look like the people it was trained on.',
    )}</div>`,
  ];
  if (input.modelCards.length === 0) parts.push(paragraph('No model card was supplied for this run.', 'callout'));
  for (const card of input.modelCards) {
    const drift = input.drift.find((result) => result.model_version === card.model_version);
    parts.push(await modelBlock(card, drift, input));
  }
  const ea = input.modelCards.find((card) => card.target === 'ea');
  const auroc = ea?.validation?.metrics.auroc;
  const calibration = ea ? todaysCalibration(ea, input.suppressionThreshold) : null;
  const finding =
    ea === undefined
      ? undefined
      : (auroc === null || auroc === undefined
          ? 'The emergency-admission model is not yet validated on a year it had not seen.'
          : `The emergency-admission model ranks people well (AUROC ${formatNumber(auroc, 2)} on a year it had not seen).`) +
        (calibration === null ? '' : ` ${calibration.sentence}`);
  return { id: 'model-performance', title: 'Model performance', html: parts.join('\n'), ...(finding ? { finding } : {}) };
}

/**
 * How well today's scores are calibrated: the production model (the one behind the scores, refitted and recalibrated
 * on the latest complete year) on that year. Null when the card has no such check, or its counts are too small to publish.
 */
export function todaysCalibration(card: ModelCard, threshold: number): { predicted: string; observed: string; sentence: string } | null {
  const check = card.production_check?.metrics;
  if (check === undefined) return null;
  const small = (count: number) => count >= 1 && count < threshold;
  if (small(check.events) || small(check.n - check.events) || check.n === 0) return null;
  const predicted = `${formatNumber(check.mean_predicted * 100, 1)}%`;
  const observed = `${formatNumber(check.event_rate * 100, 1)}%`;
  const outcome = targetWords[card.target].outcome;
  return {
    predicted,
    observed,
    sentence: `On the latest complete year, the model behind today's scores predicted ${predicted} would have ${outcome} and ${observed} did.`,
  };
}

/** Which model the scores come from, and which calibration figures to read them by. */
function whichModelParagraph(card: ModelCard, input: ResolvedReportInput): string {
  const words = targetWords[card.target];
  const today = todaysCalibration(card, input.suppressionThreshold);
  const validationSlope = card.validation?.metrics.calibration.slope;
  const parts = [
    `Today's scores come from version ${card.model_version}: the method refitted on the people registered on ` +
      `${card.training.training_index_date} and recalibrated so that, on average, its predicted chance matches what happened to them.`,
  ];
  if (today !== null) {
    parts.push(
      `${today.sentence} That is the calibration to read today's scores by: a score of twenty per cent means about one in five such people ` +
        `would have ${words.outcome} within a year.`,
    );
  }
  if (validationSlope !== null && validationSlope !== undefined) {
    parts.push(
      `The validation figures further down are a stricter test of the method, before recalibration, one year ahead (calibration ` +
        `slope ${formatNumber(validationSlope, 2)}, where 1 is ideal${validationSlope < 0.9 ? ': its highest risks were overstated' : ''}). ` +
        'They show how well it ranks people, which recalibration does not change; they are not the calibration of today\'s scores.',
    );
  }
  return paragraph(parts.join(' '), 'callout');
}

async function modelBlock(card: ModelCard, drift: DriftResult | undefined, input: ResolvedReportInput): Promise<string> {
  const words = targetWords[card.target];
  const figures = suppressModelCardFigures(card, input.suppressionThreshold);
  const html = [
    heading(3, words.title),
    paragraph(
      `It predicts ${words.predicts}. Version ${card.model_version}, ` +
        (card.fitted_for_as_of === input.asOf
          ? `fitted for these scores (${input.asOf}).`
          : `fitted for the scores of ${card.fitted_for_as_of} and used again for these scores of ${input.asOf}.`),
    ),
    whichModelParagraph(card, input),
    // How it was trained and chosen: folded on the page, not in print (each section prints on one page).
    foldedDetail(
      'How it was trained and chosen',
      [trainingParagraph(card, figures, words), ...variantParts(card), signConstraintParagraph(card), recalibrationParagraph(card, figures)].join('\n'),
    ),
  ];
  if (card.validation === null || figures.validation === null) {
    html.push(
      heading(4, 'Not yet validated'),
      paragraph(
        'This model is not yet validated: it has not been checked on a later year it was not trained on, so there are ' +
          `no performance figures for it. Treat its scores with more caution. The model card says: "${card.validation_note}"`,
        'callout',
      ),
    );
  } else {
    html.push(...(await validationParts(card, card.validation, figures.validation, words, input.suppressionThreshold)));
  }
  html.push(foldedDetail('Has the population changed since training?', driftParts(card, drift).join('\n')));
  return html.join('\n');
}

function trainingParagraph(card: ModelCard, figures: ModelCardFigures, words: TargetWords): string {
  const { training } = card;
  const share = figures.training.observedPercent.kind === 'value' ? ` (${formatPercent(figures.training.observedPercent)})` : '';
  return paragraph(
    `Trained on ${formatCount(figures.training.rows)} people registered on ${training.training_index_date}, described by ` +
      `their records up to that date, and on what happened to them in the following year, to ` +
      `${training.outcome_window.to_inclusive}: ${formatCount(figures.training.events)}${share} had ${words.outcome}.`,
  );
}

function variantParts(card: ModelCard): string[] {
  const kept = variantWords[card.variant] ?? card.variant;
  if (card.validation === null) {
    return [paragraph(`Only the simplest version of the model was fitted (${kept}): choosing between versions needs a validation year.`)];
  }
  return [
    paragraph(
      'Versions compared: each version was fitted on the year before, with no condition or use of services allowed to ' +
        'lower the risk, and checked on the validation year below. A more complex version is kept only if it ranks people ' +
        `clearly better. Kept: ${kept}.`,
    ),
    renderTable({
      caption: 'Versions of the model compared on the validation year',
      print: 'secondary',
      columns: [
        { header: 'Version' },
        { header: 'Terms', numeric: true },
        { header: 'AUROC', numeric: true },
        { header: 'AUPRC', numeric: true },
        { header: 'Brier score', numeric: true },
        { header: 'Calibration slope', numeric: true },
      ],
      rows: card.validation.variant_comparison.map((variant) => ({
        cells: [
          `${variant.variant}${variant.variant === card.variant ? ' (kept)' : ''}`,
          formatNumber(variant.terms),
          optionalNumber(variant.auroc, 3),
          optionalNumber(variant.auprc, 3),
          formatNumber(variant.brier, 3),
          optionalNumber(variant.calibration_slope, 2),
        ],
      })),
      note: 'Terms: the risk factors (and combinations of them) the version weighs. The measures are explained below.',
    }),
  ];
}

/** Whether conditions and use of services were kept from lowering the risk, and what that cost or gained on validation. */
function signConstraintParagraph(card: ModelCard): string {
  const { sign_constraint: constraint } = card;
  const kept =
    constraint.chosen === 'non-negative'
      ? 'No long-term condition, and no use of hospital or GP services, is allowed to lower a person\'s predicted risk: ' +
        'where the data alone would have given one a negative weight, its weight is held at zero.'
      : 'Conditions and use of services were left free to lower a person\'s predicted risk, because holding them at zero or ' +
        'above validated clearly worse. Such a term is never given as a reason on a case-finding list.';
  const forms = constraint.validation;
  if (forms === null) return paragraph(kept);
  return paragraph(
    `${kept} On the validation year, AUROC was ${optionalNumber(forms.non_negative.auroc, 3)} with that rule and ` +
      `${optionalNumber(forms.unconstrained.auroc, 3)} without it; calibration slope ${optionalNumber(forms.non_negative.calibration_slope, 2)} ` +
      `and ${optionalNumber(forms.unconstrained.calibration_slope, 2)}.`,
  );
}

function recalibrationParagraph(card: ModelCard, figures: ModelCardFigures): string {
  const { recalibration } = card.training;
  const observed = figures.training.observedPercent;
  // The predicted averages are made to match the observed rate, so they are hidden with it.
  if (observed.kind !== 'value') {
    return paragraph(
      'After fitting, the model was recalibrated in the large: its baseline was shifted so that its average predicted ' +
        `chance on the training year matches the share who had the outcome (${suppressedMark}: too few to publish).`,
    );
  }
  return paragraph(
    'After fitting, the model was recalibrated in the large: its baseline was shifted so that its average predicted ' +
      `chance on the training year (${percentOf(recalibration.mean_predicted_before, 2)} before the shift, ` +
      `${percentOf(recalibration.mean_predicted_after, 2)} after) matches the share who had the outcome ` +
      `(${formatPercent(observed, 2)}).`,
  );
}

async function validationParts(
  card: ModelCard,
  validation: NonNullable<ModelCard['validation']>,
  figures: ValidationFigures,
  words: TargetWords,
  threshold: number,
): Promise<string[]> {
  const metrics = validation.metrics;
  const eventShare = figures.eventPercent.kind === 'value' ? ` (${formatPercent(figures.eventPercent)})` : '';
  const observedAverage = figures.eventPercent.kind === 'value' ? `, ${formatPercent(figures.eventPercent)} observed` : '';
  const calibration = metrics.calibration;
  const interceptMeaning =
    '0 is ideal; below 0 the model predicted more outcomes than happened, above 0 fewer ' +
    `(here ${percentOf(metrics.mean_predicted, 1)} predicted on average${observedAverage}).`;
  const auprcBaseline = figures.eventPercent.kind === 'value' ? ` A random ordering would give about ${formatNumber(metrics.event_rate, 3)}.` : '';

  return [
    heading(4, 'How well it did on a year it had not seen'),
    paragraph(
      `The same method was fitted on the people registered on ${validation.fit_index_date} and what happened to them to ` +
        `${validation.evaluation_index_date}, then tested on the ${formatCount(figures.people)} people registered on ` +
        `${validation.evaluation_index_date} against what happened to them to ${validation.outcome_window.to_inclusive}: ` +
        `${formatCount(figures.events)}${eventShare} had ${words.outcome}. The model behind the scores was then refitted ` +
        'on that later year, so these figures show how the method does one year ahead.',
    ),
    renderTable({
      caption: 'Performance on the validation year',
      columns: [{ header: 'Measure' }, { header: 'Value', numeric: true }, { header: 'What it means' }],
      rows: [
        {
          cells: [
            'AUROC',
            optionalNumber(metrics.auroc, 3),
            `How well it ranks people who had the outcome above people who did not: 0.5 is chance, 1 is perfect.${words.aurocBenchmark}`,
          ],
        },
        {
          cells: [
            'AUPRC (average precision)',
            optionalNumber(metrics.auprc, 3),
            `How well the highest scores pick out people who had the outcome: 1 is perfect.${auprcBaseline}`,
          ],
        },
        {
          cells: [
            'Brier score',
            formatNumber(metrics.brier, 3),
            'The average squared gap between the predicted chance and what happened (1 if it did, 0 if not): lower is better.',
          ],
        },
        { cells: ['Calibration intercept', optionalNumber(calibration.intercept, 2), interceptMeaning] },
        {
          cells: [
            'Calibration slope',
            optionalNumber(calibration.slope, 2),
            '1 is ideal; below 1 the predictions are too extreme (high risks overstated, low risks understated), above 1 too cautious.',
          ],
        },
      ],
      note: calibration.intercept === null || calibration.slope === null ? 'A dash: the measure could not be estimated.' : undefined,
    }),
    // The calibration plot, the top shares and the fairness tables: on the page, not in print.
    foldedDetail(
      'Calibration plot, the highest-risk shares, and whether it works as well for everyone',
      [await calibrationChart(card, figures.calibration, threshold, words), topSharesTable(figures, words), ...fairnessParts(card, figures, words)].join('\n'),
    ),
  ];
}

function calibrationLabel(point: CalibrationPoint): string {
  return point.fromDecile === point.toDecile ? `Tenth ${point.fromDecile}` : `Tenths ${point.fromDecile}–${point.toDecile}`;
}

async function calibrationChart(card: ModelCard, points: readonly CalibrationPoint[], threshold: number, words: TargetWords): Promise<string> {
  const plotted: { predicted: number; observed: number; label: string }[] = [];
  let omitted = 0;
  for (const point of points) {
    const label = calibrationLabel(point);
    if (point.observedPercent.kind === 'value') {
      plotted.push({ predicted: roundTo(point.meanPredicted * 100, 2), observed: roundTo(point.observedPercent.value, 2), label });
    } else {
      omitted += 1;
    }
  }
  const largest = Math.max(0, ...plotted.flatMap((point) => [point.predicted, point.observed]));
  const top = niceCeiling(largest);
  const pooled = points.filter((point) => point.fromDecile !== point.toDecile).map((point) => `${point.fromDecile}–${point.toDecile}`);
  const notes = [
    'Tenth 1 is the tenth of people with the lowest predicted risk, tenth 10 the highest.',
    pooled.length > 0
      ? `Tenths ${pooled.join(', ')} are pooled into one point each: fewer than ${threshold} people in a tenth had the outcome (or did not).`
      : '',
    omitted > 0 ? `${omitted} point(s) left out: the numbers behind them are too small to publish.` : '',
  ];
  const axis = (title: string) => ({ type: 'quantitative' as const, title, scale: { domain: [0, top] }, axis: { tickCount: 5 } });
  const highest = plotted[plotted.length - 1];
  return renderChart({
    id: `chart-calibration-${card.target}`,
    caption: `${words.title}: calibration on the validation year`,
    print: 'secondary',
    description:
      'Observed rate against average predicted risk, one point per tenth of people by predicted risk, lowest risk on ' +
      'the left. On the dashed line the predictions match what happened; points below it mean the model over-predicted. ' +
      (highest === undefined
        ? 'No point has enough people with the outcome to publish.'
        : `At the highest-risk point (${highest.label.toLowerCase()}) the model predicted ${formatNumber(highest.predicted, 1)}% on ` +
          `average and ${formatNumber(highest.observed, 1)}% had ${words.outcome}.`),
    dataTable: {
      columns: [
        { header: 'Tenth of predicted risk' },
        { header: 'Average predicted risk', numeric: true },
        { header: 'Observed rate', numeric: true },
      ],
      rows: points.map((point) => ({
        cells: [calibrationLabel(point), `${formatNumber(point.meanPredicted * 100, 2)}%`, formatPercent(point.observedPercent, 2)],
      })),
    },
    note: notes.filter((note) => note !== '').join(' '),
    spec: {
      width: 300,
      height: 300,
      layer: [
        {
          data: { values: [{ predicted: 0, observed: 0 }, { predicted: top, observed: top }] },
          mark: { type: 'line', strokeDash: [6, 4], color: chartColours.grey, strokeWidth: 1 },
          encoding: { x: { field: 'predicted', ...axis('Average predicted risk (%)') }, y: { field: 'observed', ...axis('Observed rate (%)') } },
        },
        {
          data: { values: plotted },
          mark: { type: 'line', point: { filled: true, size: 50 }, color: chartColours.blue },
          encoding: {
            x: { field: 'predicted', type: 'quantitative' },
            y: { field: 'observed', type: 'quantitative' },
            order: { field: 'predicted', type: 'quantitative' },
          },
        },
      ],
    },
  });
}

function topSharesTable(figures: ValidationFigures, words: TargetWords): string {
  return [
    paragraph(
      `If services had worked with the people the model ranked highest, how many went on to have ${words.outcome}? ` +
        'PPV (positive predictive value) is the share of the people flagged who had it; sensitivity is the share of ' +
        'everyone who had it who were flagged. By default the top 0.5%, 5% and 20% are where risk tiers 1, 2 and 3 end.',
    ),
    renderTable({
      caption: 'Flagging the people at highest risk, validation year',
      print: 'secondary',
      columns: [
        { header: 'People flagged' },
        { header: 'Number flagged', numeric: true },
        { header: 'Of whom had the outcome', numeric: true },
        { header: 'PPV', numeric: true },
        { header: 'Sensitivity', numeric: true },
      ],
      rows: figures.atTop.map((top) => ({
        cells: [
          `Top ${formatProportion(top.share)} by risk`,
          formatCount(top.flagged),
          formatCount(top.truePositives),
          formatPercent(top.ppv),
          formatPercent(top.sensitivity),
        ],
      })),
    }),
  ].join('\n');
}

function fairnessParts(card: ModelCard, figures: ValidationFigures, words: TargetWords): string[] {
  const metrics = card.validation?.metrics;
  // The share on the case-finding lists when the model was validated (tiers 1-2 by default: the top 5%).
  const listShare = metrics?.list_share ?? 0.05;
  const top = `top ${formatProportion(listShare)}`;
  const parts = [
    heading(4, 'Does it work as well for everyone?'),
    paragraph(
      'For each group: how many people it had in the validation year and how many had the outcome; how well the model ' +
        `ranks people within the group (AUROC); and, of the group's people among the ${top} of the whole population ` +
        `by risk (the share on the case-finding lists), the share who had ${words.outcome} (PPV), and the share of the ` +
        `group's people with the outcome who were in that ${top} (sensitivity). A group with too few people who had the ` +
        'outcome, or too few who did not, has no metrics (shown as *): too few to judge the model by. Some other figures ' +
        `are shown as * so that a small number cannot be worked out from them, and – means none of the group were in the ${top}. ` +
        'Large gaps between groups are worth raising with the analytics team.',
    ),
  ];
  const overallListed = figures.atTop.find((share) => share.share === listShare);
  for (const [dimension, groups] of figures.subgroups) {
    const named = dimensionWords[dimension] ?? { caption: `By ${dimension.replaceAll('_', ' ')}`, header: dimension.replaceAll('_', ' ') };
    parts.push(
      renderTable({
        caption: named.caption,
        print: 'secondary',
        columns: [
          { header: named.header },
          { header: 'People', numeric: true },
          { header: 'Had the outcome', numeric: true },
          { header: 'AUROC', numeric: true },
          { header: `PPV, ${top}`, numeric: true },
          { header: `Sensitivity, ${top}`, numeric: true },
        ],
        rows: [
          ...orderGroups(dimension, groups).map((group) => ({ cells: subgroupCells(dimension, group) })),
          {
            cells: [
              'All people',
              formatCount(figures.people),
              formatCount(figures.events),
              optionalNumber(metrics?.auroc ?? null, 3),
              overallListed ? formatPercent(overallListed.ppv) : '–',
              overallListed ? formatPercent(overallListed.sensitivity) : '–',
            ],
            total: true,
          },
        ],
        compact: true,
        note: mergeNote(dimension, groups, metrics?.small_count_threshold ?? 8),
      }),
    );
  }
  return parts;
}

/** Under a table with merged rows: which groups are shown together, and why. */
function mergeNote(dimension: string, groups: readonly SubgroupFigures[], threshold: number): string | undefined {
  const sentences: string[] = [];
  for (const group of groups) {
    if (group.mergedLabel === null) continue;
    const names = group.members.map((member) => groupLabel(dimension, member));
    if (group.mergedBecause === 'recorded') {
      sentences.push(`${group.mergedLabel} combines ${listWords(names)}: the sex on the record is not male or female.`);
    } else {
      sentences.push(
        `${group.mergedLabel} combines ${listWords(names)}: on its own, one of them had a figure from 1 to ${threshold - 1}, ` +
          'which would have forced larger figures beside it to be hidden.',
      );
    }
  }
  if (sentences.length === 0) return undefined;
  const alone = groups.flatMap((group) =>
    group.memberAuroc === null ? [] : [` The AUROC for ${groupLabel(dimension, group.memberAuroc.group)} alone is ${formatNumber(group.memberAuroc.auroc, 3)}.`],
  );
  return `${sentences.join(' ')} A combined group has no AUROC (–): the model card gives it for each group on its own.${alone.join('')}`;
}

function listWords(names: readonly string[]): string {
  return names.length <= 2 ? names.join(' and ') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

function subgroupCells(dimension: string, group: SubgroupFigures): string[] {
  const label = group.mergedLabel ?? groupLabel(dimension, group.group);
  if (group.suppressed) {
    return [label, formatCount(group.people), formatCount(group.events), suppressedMark, suppressedMark, suppressedMark];
  }
  return [
    label,
    formatCount(group.people),
    formatCount(group.events),
    optionalNumber(group.auroc, 3),
    formatPercent(group.ppvListed),
    formatPercent(group.sensitivityListed),
  ];
}

function groupLabel(dimension: string, group: string | null): string {
  if (dimension === 'sex') {
    if (group === null) return 'no code';
    return group === '9' || group === 'X' ? `${sexLabels[group]} (code ${group})` : (sexLabels[group] ?? `code ${group}`);
  }
  if (dimension === 'imd_quintile') {
    if (group === null) return 'Not known';
    return group === '1' ? '1 (most deprived)' : group === '5' ? '5 (least deprived)' : group;
  }
  return group ?? 'Not recorded';
}

/** Ethnic groups in the NHS 5+1 order used elsewhere in the report; other dimensions as the card lists them. */
function orderGroups(dimension: string, groups: readonly SubgroupFigures[]): SubgroupFigures[] {
  if (dimension !== 'ethnic_group') return [...groups];
  const rank = (group: string | null): number => {
    const at = ethnicGroups.indexOf(group as (typeof ethnicGroups)[number]);
    return at === -1 ? ethnicGroups.length : at;
  };
  // Sort is stable: groups outside the list keep the card's order after the known ones.
  return [...groups].sort((a, b) => rank(a.group) - rank(b.group));
}

function driftParts(card: ModelCard, drift: DriftResult | undefined): string[] {
  const parts = [heading(4, 'Has the population changed since training?')];
  const entries = drift === undefined ? [] : Object.entries(drift.psi);
  if (drift === undefined) return [...parts, paragraph('Drift was not measured for this model in this run.')];
  if (entries.length === 0) return [...parts, paragraph('Nobody was scored in this run, so drift could not be measured.')];
  // The score first, then the features in the order the drift check lists them.
  const ordered = [...entries.filter(([name]) => name === 'score'), ...entries.filter(([name]) => name !== 'score')];
  const label = (name: string): string => (name === 'score' ? `The risk score (${card.score_column})` : (driftQuantityWords[name] ?? name));
  const warnings = ordered
    .filter(([, value]) => value.psi > driftWarningPsi)
    .map(([name, value]) =>
      paragraph(
        `Warning: the spread of ${lowerFirst(label(name))} has shifted since the model was trained (PSI ${formatNumber(value.psi, 3)}, above ` +
          `${driftWarningPsi}). The model may be less accurate for today's population: the analytics team should review ` +
          'it and consider refitting the model.',
        'warning',
      ),
    );
  return [
    ...parts,
    paragraph(
      'The population stability index (PSI) compares how the score and some key features are spread among the people ' +
        'scored today with how they were spread among the people the model was trained on. 0 means no change; the ' +
        `reading gives the usual rule of thumb. Above ${driftWarningPsi} the model may no longer fit today's population ` +
        'as well, and this report shows a warning.',
    ),
    ...warnings,
    renderTable({
      caption: 'Today\'s population against the training rows',
      print: 'secondary',
      columns: [{ header: 'Compared' }, { header: 'PSI', numeric: true }, { header: 'Reading' }],
      rows: ordered.map(([name, value]) => ({ cells: [label(name), formatNumber(value.psi, 3), capitalise(value.interpretation)] })),
    }),
  ];
}

function heading(level: 3 | 4, text: string): string {
  return `<h${level}>${escapeHtml(text)}</h${level}>`;
}

function optionalNumber(value: number | null, decimals: number): string {
  return value === null ? '–' : formatNumber(value, decimals);
}

function percentOf(proportion: number, decimals: number): string {
  return `${formatNumber(proportion * 100, decimals)}%`;
}

/** "Age" → "age", but "A&E attendances" stays as it is. */
function lowerFirst(text: string): string {
  return /^[A-Z][a-z ]/.test(text) ? text.charAt(0).toLowerCase() + text.slice(1) : text;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A round number at or above `value` for both axes of the calibration plot, so the diagonal sits at 45 degrees. */
function niceCeiling(value: number): number {
  if (!(value > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  return Number(((Math.ceil((value / magnitude) * 2) / 2) * magnitude).toPrecision(12));
}
