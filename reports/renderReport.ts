// The cohort report for commissioners (data contract §4, report.html): one self-contained HTML page of
// aggregates, built from the scored population in `scores`, the loaded activity and the model cards. Sections are
// rendered in order, each by its own module under sections/, and the page holds no script, no URL and no clock time.
import type { Database } from '../core/db/Database.ts';
import { escapeHtml } from './escapeHtml.ts';
import { loadPopulationFigures } from './populationFigures.ts';
import type { ReportContext, ReportSection } from './reportContext.ts';
import { type ReportInput, resolveReportInput } from './reportInput.ts';
import { reportStyles } from './reportStyles.ts';
import { activityTrendsSection } from './sections/activityTrends.ts';
import { dataQualitySection } from './sections/dataQuality.ts';
import { headlineSection } from './sections/headline.ts';
import { inequalitiesSection } from './sections/inequalities.ts';
import { longTermConditionsSection } from './sections/longTermConditions.ts';
import { modelPerformanceSection } from './sections/modelPerformance.ts';
import { moversSection } from './sections/movers.ts';
import { opportunitySection } from './sections/opportunity.ts';
import { practicesSection } from './sections/practices.ts';
import { proactiveCareSection } from './sections/proactiveCare.ts';
import { riskPyramidSection } from './sections/riskPyramid.ts';
import { summarySection } from './sections/summary.ts';
import { dataFreshness, renderFreshnessBanner } from './dataFreshness.ts';
import { segmentsSection } from './sections/segments.ts';
import { loadTierMovement } from './tierMovement.ts';

export type { ReportInput } from './reportInput.ts';

/** The sections in the order they appear, after the summary (which is drawn last, from their findings, and shown first). */
const sections: readonly ((context: ReportContext) => Promise<ReportSection>)[] = [
  headlineSection,
  riskPyramidSection,
  practicesSection,
  segmentsSection,
  inequalitiesSection,
  longTermConditionsSection,
  activityTrendsSection,
  moversSection,
  modelPerformanceSection,
  dataQualitySection,
  opportunitySection,
  proactiveCareSection,
];

/** Renders the whole report. The same database and input always give the same bytes. */
export async function renderReport(db: Database, input: ReportInput): Promise<string> {
  const resolved = resolveReportInput(input);
  const population = await loadPopulationFigures(db, resolved.tiers, resolved.suppressionThreshold);
  const movement = await loadTierMovement(db, resolved.asOf, population, resolved.suppressionThreshold);
  const context: ReportContext = { db, input: resolved, population, movement };
  // One after another: the sections share the database's single connection.
  const rendered: ReportSection[] = [];
  for (const section of sections) rendered.push(await section(context));
  const summary = await summarySection(context, rendered);
  return page(resolved.asOf, resolved.suppressionThreshold, [summary, ...rendered], renderFreshnessBanner(dataFreshness(resolved)));
}

function page(asOf: string, threshold: number, rendered: readonly ReportSection[], banner: string): string {
  const title = `Strata cohort report: population risk, ${asOf}`;
  const contents = rendered
    .map((section, index) => `<li><a href="#${section.id}">${index + 1}. ${escapeHtml(section.title)}</a></li>`)
    .join('');
  const sectionHtml = (section: ReportSection, index: number): string =>
    `<section id="${section.id}" aria-labelledby="${section.id}-heading">\n` +
    `<h2 id="${section.id}-heading">${index + 1}. ${escapeHtml(section.title)}</h2>\n` +
    `${section.finding === undefined || section.id === 'summary' ? '' : `<p class="finding">${escapeHtml(section.finding)}</p>\n`}` +
    `${section.html}\n</section>`;
  // The summary first, on the first screen; then how to read the report and its contents; then the sections.
  const [first, ...rest] = rendered.map(sectionHtml);
  const body = rest.join('\n');
  const smallest = threshold - 1;
  return `<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${reportStyles}</style>
</head>
<body>
<header class="report-header">
<h1>Population risk: cohort report</h1>
<p>People registered with a GP practice, scored on ${escapeHtml(asOf)} for their risk of an emergency hospital admission.</p>
</header>
<main>
<p class="print-only">Printed version: each section on one page, without the detailed tables of the page on screen. Counts from 1 to ${smallest} are shown as * to protect privacy, with any larger count that would give one away.</p>
${banner}
${first ?? ''}
<div class="reading-notes">
<h2>How to read this report</h2>
<ul>
<li>Every figure is for the people scored on ${escapeHtml(asOf)}: registered with a practice, alive, and not opted out. People who have opted out are in no figure.</li>
<li>Counts from 1 to ${smallest} are shown as <strong>*</strong> to protect privacy. Some larger counts are also shown as * so that a hidden count cannot be worked out from a total. Rates and percentages built on a hidden count are hidden too, and charts leave them out.</li>
<li>A dash (–) means there is no figure: nobody in the group. Rates are per 1,000 people unless they say otherwise. "Last 12 months" means the 365 days to ${escapeHtml(asOf)}.</li>
</ul>
</div>
<nav class="contents" aria-label="Contents">
<h2>Contents</h2>
<ol>${contents}</ol>
</nav>
${body}
<footer class="report-footer">
<p>Produced by Strata from the data loaded up to ${escapeHtml(asOf)}. Aggregate figures only: this report holds no person-level data.</p>
</footer>
</main>
</body>
</html>
`;
}
