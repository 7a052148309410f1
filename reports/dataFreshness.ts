// How fresh the report's data is, and what a commissioner must know before reading it: a refused extract, an
// extract older than the configured number of days on the run date, a model whose inputs have drifted. The banner
// at the top of the report says each in one line; the summary repeats the freshness (reports/sections/summary.ts).
import { escapeHtml } from './escapeHtml.ts';
import { inWords } from './formatFigures.ts';
import type { ResolvedReportInput } from './reportInput.ts';

export interface DataFreshness {
  /** The newest extract the figures come from, or null when none is listed. */
  readonly newestExtract: string | null;
  /** Days from the newest extract to the run date; null when either is unknown. */
  readonly ageInDays: number | null;
  readonly stale: boolean;
  /** One plain sentence per thing to know first; empty when there is none. */
  readonly warnings: readonly string[];
}

const dayNumber = (iso: string): number => Date.parse(`${iso}T00:00:00Z`) / 86_400_000;
const targetNames: Readonly<Record<string, string>> = { ea: 'emergency-admission', ltc: 'new long-term condition' };

export function dataFreshness(input: ResolvedReportInput): DataFreshness {
  const newestExtract = input.extractDates.at(-1) ?? null;
  const ageInDays = newestExtract !== null && input.runDate !== null ? dayNumber(input.runDate) - dayNumber(newestExtract) : null;
  const stale = ageInDays !== null && ageInDays > input.staleExtractDays;
  const warnings: string[] = [];
  if (input.refusedExtracts.length > 0) {
    const list = input.refusedExtracts.join(', ');
    warnings.push(
      `The extract${input.refusedExtracts.length > 1 ? 's' : ''} of ${list} ${input.refusedExtracts.length > 1 ? 'were' : 'was'} refused by ` +
        `this run, so ${input.refusedExtracts.length > 1 ? 'their' : 'its'} data are in no figure: this report is from the data up to ` +
        `${newestExtract ?? 'no extract'}. The analysts have the reason (run.json, strata status).`,
    );
  }
  if (stale) {
    warnings.push(
      `The newest extract is ${inWords(ageInDays!)} days old (${newestExtract}; the report was made on ${input.runDate}), older than the ` +
        `${inWords(input.staleExtractDays)} days expected: the figures may not show recent activity. Ask the analysts whether extracts are arriving.`,
    );
  }
  for (const drift of input.drift) {
    if (drift.warnings.length === 0) continue;
    const target = drift.model_version.split('-')[0] ?? '';
    warnings.push(
      `The ${targetNames[target] ?? target} model's inputs have drifted from the people it was trained on (${drift.warnings.length} ` +
        'warning' + (drift.warnings.length > 1 ? 's' : '') + ', in the model performance section): its scores may be less reliable until it is retrained.',
    );
  }
  return { newestExtract, ageInDays, stale, warnings };
}

/** The banner at the top of the page, or '' when there is nothing to warn about. */
export function renderFreshnessBanner(freshness: DataFreshness): string {
  if (freshness.warnings.length === 0) return '';
  const items = freshness.warnings.map((warning) => `<li>${escapeHtml(warning)}</li>`).join('');
  return `<div class="banner" role="alert"><p class="banner-title">Read this first</p><ul>${items}</ul></div>`;
}
