// Section 7: the risk models behind the scores: what each predicts, what it was trained on, and how well it did
// when checked on data it had not seen (or that it has not been checked yet).
import { formatCount, formatNumber } from '../formatFigures.ts';
import type { ReportContext, ReportSection } from '../reportContext.ts';
import type { ModelSummary } from '../reportInput.ts';
import { paragraph } from '../renderParagraph.ts';
import { renderTable } from '../renderTable.ts';
import { suppressSmallNumbers } from '../suppressSmallNumbers.ts';

const targetNames: Record<ModelSummary['target'], string> = {
  ea: 'Emergency admission in the next 12 months',
  ltc: 'A new long-term condition in the next 12 months',
};

export async function riskModelsSection(context: ReportContext): Promise<ReportSection> {
  const { input } = context;
  const models = [...input.models].sort((a, b) => (a.target === b.target ? 0 : a.target === 'ea' ? -1 : 1));
  const counts = new Map<string, number>();
  models.forEach((model, index) => {
    counts.set(`rows|${index}`, model.trainingRows);
    counts.set(`events|${index}`, model.trainingEvents);
  });
  const figures = suppressSmallNumbers({ counts, threshold: input.suppressionThreshold });

  const rows = models.map((model, index) => {
    const validation = model.validation;
    const metrics = validation
      ? [
          formatNumber(validation.auroc, 3),
          formatNumber(validation.brier, 3),
          `${formatNumber(validation.ppvTop5 * 100, 1)}%`,
          `${formatNumber(validation.sensitivityTop5 * 100, 1)}%`,
        ]
      : ['not yet validated', '', '', ''];
    return {
      cells: [
        targetNames[model.target],
        model.version,
        model.trainingIndexDate,
        formatCount(figures.count(`rows|${index}`)),
        formatCount(figures.count(`events|${index}`)),
        ...metrics,
      ],
    };
  });

  const table =
    models.length === 0
      ? paragraph('No model summary was supplied for this run.')
      : renderTable({
          caption: 'The models used for these scores',
          columns: [
            { header: 'Predicts' },
            { header: 'Version' },
            { header: 'Trained on data up to' },
            { header: 'Training people', numeric: true },
            { header: 'Of whom had the outcome', numeric: true },
            { header: 'AUROC', numeric: true },
            { header: 'Brier score', numeric: true },
            { header: 'PPV, top 5%', numeric: true },
            { header: 'Sensitivity, top 5%', numeric: true },
          ],
          rows,
        });

  const html = [
    paragraph(
      'Each model is trained on the history up to an index date and the outcome in the year after it. It is then ' +
        'checked (validated) on a later year it was not trained on. AUROC is how well it ranks people: 0.5 is chance, ' +
        '1 is perfect; published emergency-admission models reach about 0.76–0.80. The Brier score measures how close ' +
        'the predicted chances are to what happened (lower is better). PPV, top 5% is the share of the top 5% by risk ' +
        'who went on to have the outcome; sensitivity, top 5% is the share of everyone with the outcome who were in ' +
        'the top 5%.',
    ),
    table,
    models.some((model) => !model.validation)
      ? paragraph('A model marked "not yet validated" has not been checked on later data: treat its scores with more caution.', 'callout')
      : '',
  ].join('\n');
  return { id: 'risk-models', title: 'Risk models', html };
}
