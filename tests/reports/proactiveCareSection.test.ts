// The "Did proactive care work?" section (reports/sections/proactiveCare.ts): run.json's proactive_care as the report
// shows it. The figures arrive suppressed (null = withheld), so the tests check the words, the '*', the chart of the
// horizons that are shown, and what the section says with no comparison or no care plans.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../core/db/Database.ts';
import { describeCarePlanEffect } from '../../models/describeCarePlanEffect.ts';
import { type CarePlanEffect, type CarePlanHorizon, carePlanMatchedOn, carePlanMethod, carePlanWarning } from '../../models/proactiveCare.ts';
import { renderReport } from '../../reports/renderReport.ts';
import { escapeHtml } from '../../reports/escapeHtml.ts';
import { chartAccessibilityProblems } from '../helpers/chartAccessibility.ts';
import { tableByCaption, textOf } from '../helpers/reportHtml.ts';
import { findHiddenSumsFromTotals, findUnsuppressedSmallCounts } from '../helpers/smallCountScan.ts';
import { fixtureInput, openReportFixture } from './reportFixture.ts';

const withheld = { observed: null, expected: null, observed_share: null, expected_share: null, ratio: null, ratio_lower: null, ratio_upper: null, suppressed: true };

function effect(horizons: CarePlanHorizon[]): CarePlanEffect {
  return { as_of: '2026-11-22', method: carePlanMethod, matched_on: [...carePlanMatchedOn], warning: carePlanWarning, horizons };
}

// 3 months withheld (6 of 20 care plans unmatched hides care plans and unmatched); 6 and 12 months shown.
const shownEffect = effect([
  { months: 3, days: 91, care_plans: null, matched: 14, unmatched: null, ...withheld },
  {
    months: 6, days: 182, care_plans: 60, matched: 50, unmatched: 10, observed: 20, expected: 25.04, observed_share: 0.4,
    expected_share: 0.5008, ratio: 0.7987, ratio_lower: 0.6123, ratio_upper: 1.0419, suppressed: false,
  },
  {
    months: 12, days: 365, care_plans: 1938, matched: 1907, unmatched: 31, observed: 890, expected: 1035.1, observed_share: 890 / 1907,
    expected_share: 1035.1 / 1907, ratio: 0.86, ratio_lower: 0.823, ratio_upper: 0.898, suppressed: false,
  },
]);

const caption = 'Emergency admissions after a care plan, against matched people not reviewed';

let db: Database;
let html: string;

beforeAll(async () => {
  db = await openReportFixture();
  html = await renderReport(db, { ...fixtureInput, proactiveCare: shownEffect });
});

afterAll(() => {
  db.close();
});

function section(page: string): string {
  return /<section id="proactive-care"[^>]*>(.*?)<\/section>/s.exec(page)?.[1] ?? '';
}

describe('proactive care section', () => {
  it('opens with the finding the model card gives, in the same words', () => {
    const first = textOf(/<p class="finding">(.*?)<\/p>/s.exec(section(html))?.[1] ?? '');
    expect(first).toBe(describeCarePlanEffect(shownEffect));
    expect(first).toBe(
      'In the 12 months after a care plan, 46.7% of the people with one had an emergency admission, against 54.3% ' +
        'expected from their matches: fewer than their matches, beyond what chance explains.',
    );
  });

  it('shows the three horizons, with * for every withheld figure', () => {
    const table = tableByCaption(html, caption);
    expect(table.headers).toEqual(['After the review', '3 months', '6 months', '12 months']);
    const row = (header: string) => table.rows.find((cells) => cells[0] === header)!.slice(1);
    expect(row('Care plans')).toEqual(['*', '60', '1,938']);
    expect(row('Matched')).toEqual(['14', '50', '1,907']);
    expect(row('Unmatched (left out)')).toEqual(['*', '10', '31']);
    expect(row('Admitted (observed)')).toEqual(['*', '20', '890']);
    expect(row('% admitted')).toEqual(['*', '40.0%', '46.7%']);
    expect(row('Expected from the matches')).toEqual(['*', '25.0', '1,035.1']);
    expect(row('% expected')).toEqual(['*', '50.1%', '54.3%']);
    expect(row('Observed / expected')).toEqual(['*', '0.80', '0.86']);
    expect(row('95% interval')).toEqual(['*', '0.61 to 1.04', '0.82 to 0.90']);
    expect(section(html)).toContain('a count from 1 to 7');
  });

  it('draws O/E with its interval for the horizons shown only, with words and a data table', () => {
    const figure = /<figure class="chart" id="chart-proactive-care".*?<\/figure>/s.exec(html)?.[0] ?? '';
    expect(figure).not.toBe('');
    expect(figure).toContain('At 12 months the ratio is 0.86 (0.82 to 0.90).');
    expect(figure).toContain('Some follow-up periods are left out');
    const data = tableByCaption(figure, 'Data table: Observed / expected emergency admissions after a care plan, with 95% intervals');
    expect(data.rows).toEqual([
      ['3 months', '*', '*'],
      ['6 months', '0.80', '0.61 to 1.04'],
      ['12 months', '0.86', '0.82 to 0.90'],
    ]);
    expect(chartAccessibilityProblems(html)).toEqual([]);
  });

  it('gives the method and the warning, the warning in a visible callout', () => {
    expect(section(html)).toContain('How it is worked out');
    expect(section(html)).toContain(`<p class="warning">What this cannot show. ${escapeHtml(carePlanWarning)}</p>`);
  });

  it('keeps the whole report clear of counts from 1 to 7', () => {
    expect(findUnsuppressedSmallCounts(html)).toEqual([]);
    expect(findHiddenSumsFromTotals(html)).toEqual([]);
  });

  it('says so plainly when there is no comparison, no care plan, or every horizon is withheld', async () => {
    const none = section(await renderReport(db, fixtureInput));
    expect(textOf(none)).toContain('This run gave the report no comparison of care plans with matched people');
    expect(none).not.toContain('<table');

    const empty = (months: 3 | 6 | 12, days: 91 | 182 | 365): CarePlanHorizon => ({ months, days, care_plans: 0, matched: 0, unmatched: 0, ...withheld });
    const noPlans = section(await renderReport(db, { ...fixtureInput, proactiveCare: effect([empty(3, 91), empty(6, 182), empty(12, 365)]) }));
    expect(textOf(noPlans)).toContain('No care plan agreed at an MDT review has its whole follow-up in the data yet');
    expect(noPlans).not.toContain('<svg');

    const allWithheld = section(
      await renderReport(db, {
        ...fixtureInput,
        proactiveCare: effect([
          { months: 3, days: 91, care_plans: 12, matched: 9, unmatched: null, ...withheld },
          { months: 6, days: 182, care_plans: 10, matched: 9, unmatched: null, ...withheld },
          { months: 12, days: 365, care_plans: null, matched: null, unmatched: null, ...withheld },
        ]),
      }),
    );
    expect(textOf(allWithheld)).toContain('Too few care plans matched');
    expect(textOf(allWithheld)).toContain('No chart');
    expect(allWithheld).not.toContain('<svg');
  });

  it('refuses a proactive_care it cannot read, before any query', async () => {
    const broken = { ...shownEffect, horizons: [{ ...shownEffect.horizons[1]!, ratio: -1 }] };
    await expect(renderReport(db, { ...fixtureInput, proactiveCare: broken })).rejects.toThrow(/proactiveCare/);
  });
});
