// The one-sentence findings of the activity trends and data quality sections (issue 17): the rule for calling a change
// in emergency admissions, and the words for quarantined rows, on hand-worked figures; then both on the fixture.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../core/db/Database.ts';
import { renderReport } from '../../reports/renderReport.ts';
import { admissionsTrendFinding } from '../../reports/sections/activityTrends.ts';
import { dataQualityFinding } from '../../reports/sections/dataQuality.ts';
import { findUnsuppressedSmallCounts } from '../helpers/smallCountScan.ts';
import { fixtureInput, openReportFixture } from './reportFixture.ts';

/** Fifteen months to October 2026: the first three the year before the last three. */
function months(yearBefore: readonly (number | null)[], latest: readonly (number | null)[]): { month: string; value: number | null }[] {
  const rows: { month: string; value: number | null }[] = [];
  for (let index = 0; index < 15; index++) {
    const date = new Date(Date.UTC(2025, 7 + index, 1)).toISOString().slice(0, 10);
    const value = index < 3 ? yearBefore[index]! : index >= 12 ? latest[index - 12]! : 100;
    rows.push({ month: date, value });
  }
  return rows;
}

describe('activity trends: the finding', () => {
  it('calls a rise only when the Poisson interval of the ratio leaves out 1 and the change is at least 5%', () => {
    // 360 against 300: ratio 1.2, log interval 0.182 ± 0.152, clear of 0.
    expect(admissionsTrendFinding(months([100, 100, 100], [120, 120, 120]))).toBe(
      'People scored today had 360 emergency admissions in the three complete months to October 2026, 20.0% more than in the ' +
        'same months a year earlier (300); earlier months leave out people who have since died or moved away, so they ' +
        'undercount, which accounts for part of any rise.',
    );
    // 330 against 300: ratio 1.1, log interval 0.095 ± 0.156, which holds 0.
    expect(admissionsTrendFinding(months([100, 100, 100], [110, 110, 110]))).toContain(
      '330 emergency admissions in the three complete months to October 2026, not clearly different from the same months a year earlier (300)',
    );
    // 103,000 against 100,000: the interval leaves out 1, but 3% is under the 5% the rule asks for.
    expect(admissionsTrendFinding(months([30_000, 35_000, 35_000], [34_000, 34_000, 35_000]))).toContain('not clearly different');
    // A fall: 240 against 300.
    expect(admissionsTrendFinding(months([100, 100, 100], [80, 80, 80]))).toContain('20.0% fewer than in the same months a year earlier (300)');
    expect(admissionsTrendFinding(months([100, 100, 100], [80, 80, 80]))).toContain('so the fall may be larger');
  });

  it('says what it cannot compare: hidden months, a short history, too few months', () => {
    expect(admissionsTrendFinding(months([100, null, 100], [120, 120, 120]))).toBe(
      'People scored today had 360 emergency admissions in the three complete months to October 2026; the same months a ' +
        'year earlier are not all published (small numbers are hidden), so they are not compared.',
    );
    expect(admissionsTrendFinding(months([100, 100, 100], [120, null, 120]))).toBe(
      'Emergency admissions in the three complete months to October 2026 are not published for every month: small numbers, ' +
        'and any figure that would give one away, are hidden.',
    );
    expect(admissionsTrendFinding(months([100, 100, 100], [120, 120, 120]).slice(2))).toContain(
      'the history loaded does not reach the same months a year earlier',
    );
    expect(admissionsTrendFinding([{ month: '2026-10-01', value: 40 }])).toContain('too few to show a trend');
  });
});

describe('data quality: the finding', () => {
  it('gives the quarantined rows and names the commonest reason outright only when that tells nothing of a hidden count', () => {
    const reasons = [
      { name: 'a date that cannot be read', rows: 30 },
      { name: 'a code not in the allowed list', rows: null },
      { name: 'a required value missing', rows: null },
    ];
    // 30 shown of 45: the hidden reasons add up to 15, less than 30, so 30 is the commonest whatever they are.
    expect(dataQualityFinding(21, 3, 45, reasons)).toBe(
      '45 rows were quarantined from the 21 files of these three extracts (quarantine.csv lists them for the senders); ' +
        'the commonest reason is a date that cannot be read (30 rows).',
    );
    // 30 shown of 75: the hidden 45 could hold a larger one.
    expect(dataQualityFinding(21, 3, 75, reasons)).toContain('of the reasons whose counts are published, the commonest is a date that cannot be read (30 rows)');
    expect(dataQualityFinding(7, 1, 0, [])).toBe('Every row read from the seven files of this extract was loaded: none was quarantined.');
    expect(dataQualityFinding(7, 1, null, [{ name: 'a date that cannot be read', rows: null }])).toBe(
      'Some rows of the seven files of this extract were quarantined; their number is not published (small numbers, and any ' +
        'figure that would give one away, are hidden).',
    );
    expect(dataQualityFinding(7, 1, 20, [{ name: 'x', rows: null }, { name: 'y', rows: null }])).toContain("no reason's count is published");
    expect(dataQualityFinding(0, 1, 0, [])).toBe('No files are recorded for the extracts in this report.');
  });
});

describe('both findings in the rendered report', () => {
  let db: Database;
  let html: string;
  beforeAll(async () => {
    db = await openReportFixture();
    html = await renderReport(db, fixtureInput);
  }, 120_000);
  afterAll(() => db.close());

  it('opens the activity trends and data quality sections, and the summary lists them', () => {
    for (const id of ['activity-trends', 'data-quality']) {
      const finding = new RegExp(`<h2 id="${id}-heading">[^<]*</h2>\\n<p class="finding">([^<]*)</p>`).exec(html);
      expect(finding, id).not.toBeNull();
      expect(/<section id="summary".*?<\/section>/s.exec(html)![0]).toContain(finding![1]);
    }
    expect(findUnsuppressedSmallCounts(html)).toEqual([]);
  });
});
